"""Ranker network artifacts: save/load round trip, manifest checks, and the committed prior."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from engine.config import PROJECT_ROOT
from engine.errors import InvalidInput, NotFound
from engine.models.make_prior_ranker import PRIOR_FEATURE_NAMES, main, make_prior
from engine.models.ranker_artifact import NumpyRanker, read_ranker_artifact
from engine.models.ranker_net import (
    MODEL_PY,
    RankerManifest,
    RankerNet,
    TrainingRecord,
    init_prior_ranker,
    list_ranker_versions,
    load_ranker,
    save_ranker,
    write_ranker_version,
)

COMMITTED = PROJECT_ROOT / "model_repository" / "ranker" / "1"


def _trained_like_net(n: int = 5) -> RankerNet:
    torch.manual_seed(7)
    net = RankerNet(n, hidden=8)
    with torch.no_grad():
        for parameter in net.parameters():
            parameter.normal_()
    net.set_normalisation(torch.arange(n, dtype=torch.float32), torch.tensor([2.0, 0.0, 1.0, 3.0, 0.5]))
    return net.eval()


def test_round_trip_keeps_scores_and_manifest(tmp_path: Path) -> None:
    net = _trained_like_net()
    manifest = RankerManifest(
        version=3, feature_names=list("abcde"), hidden=8, training=TrainingRecord(details={"ndcg@10": 0.41})
    )
    save_ranker(tmp_path, net, manifest)
    loaded, loaded_manifest = load_ranker(tmp_path)
    rows = torch.rand(10, 5)
    torch.testing.assert_close(loaded(rows), net(rows))
    assert loaded_manifest == manifest
    saved = json.loads((tmp_path / "manifest.json").read_text())
    assert saved["n_features"] == 5 and saved["version"] == 3
    assert float(loaded.std[1]) == 1.0  # a constant feature is not divided by zero


def test_save_refuses_a_manifest_of_another_width(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="4 features"):
        save_ranker(
            tmp_path, _trained_like_net(), RankerManifest(version=1, feature_names=list("abcd"), hidden=8)
        )


def test_load_checks_manifest_against_weights(tmp_path: Path) -> None:
    save_ranker(
        tmp_path, _trained_like_net(), RankerManifest(version=1, feature_names=list("abcde"), hidden=8)
    )
    data = json.loads((tmp_path / "manifest.json").read_text())
    data["feature_names"].append("f")
    data["n_features"] = 6
    (tmp_path / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(InvalidInput, match="do not match"):
        load_ranker(tmp_path)
    data["n_features"] = 9
    (tmp_path / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(InvalidInput, match="n_features 9"):
        load_ranker(tmp_path)


def test_load_without_artifact_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match="no ranker artifact"):
        load_ranker(tmp_path)


def test_prior_scores_exactly_the_weighted_features() -> None:
    net = init_prior_ranker(PRIOR_FEATURE_NAMES, {"fused_score": 1.0})
    rows = torch.rand(50, len(PRIOR_FEATURE_NAMES))
    with torch.no_grad():
        torch.testing.assert_close(net(rows), rows[:, PRIOR_FEATURE_NAMES.index("fused_score")])
    with pytest.raises(InvalidInput, match="unknown features"):
        init_prior_ranker(PRIOR_FEATURE_NAMES, {"no_such_feature": 1.0})


def test_prior_features_match_the_feature_builder() -> None:
    from engine.ranking.features import FEATURE_NAMES

    assert list(FEATURE_NAMES) == PRIOR_FEATURE_NAMES


def test_committed_prior_is_reproducible(tmp_path: Path) -> None:
    committed = json.loads((COMMITTED / "manifest.json").read_text())
    assert committed["feature_names"] == PRIOR_FEATURE_NAMES and committed["version"] == 1
    assert main([str(tmp_path / "1"), "--created-at", committed["created_at"]]) == 0
    for name in ("weights.safetensors", "manifest.json", "model.py"):
        assert (tmp_path / "1" / name).read_bytes() == (COMMITTED / name).read_bytes(), name


def test_committed_prior_ranks_by_fused_score() -> None:
    net, manifest = load_ranker(COMMITTED)
    rows = np.random.default_rng(1).random((20, manifest.n_features), dtype=np.float32)
    with torch.no_grad():
        scores = net(torch.from_numpy(rows)).numpy()
    np.testing.assert_allclose(scores, rows[:, manifest.feature_names.index("fused_score")], atol=1e-7)


def test_write_version_adds_a_servable_directory(tmp_path: Path) -> None:
    make_prior(tmp_path / "ranker" / "1")
    net = init_prior_ranker(PRIOR_FEATURE_NAMES, {"ctr": 1.0})
    version_dir = write_ranker_version(tmp_path / "ranker", net, RankerManifest(2, list(PRIOR_FEATURE_NAMES)))
    assert version_dir == tmp_path / "ranker" / "2"
    assert (version_dir / "model.py").read_text() == MODEL_PY
    assert list_ranker_versions(tmp_path / "ranker") == [1, 2]
    assert list_ranker_versions(tmp_path / "missing") == []
    with pytest.raises(InvalidInput, match="start at 1"):
        write_ranker_version(tmp_path / "ranker", net, RankerManifest(0, list(PRIOR_FEATURE_NAMES)))
    with pytest.raises(FileExistsError):  # a written version is never overwritten in place
        write_ranker_version(tmp_path / "ranker", net, RankerManifest(2, list(PRIOR_FEATURE_NAMES)))
    assert sorted(p.name for p in (tmp_path / "ranker").iterdir()) == ["1", "2"]  # no staging left


def test_training_record_reads_what_each_trainer_writes() -> None:
    offline = TrainingRecord.of({"kind": "judgements", "metrics": {"holdout_ndcg@10_after": 0.5}})
    assert offline.kind == "judgements" and offline.results == {"holdout_ndcg@10_after": 0.5}
    update = TrainingRecord.of(
        {
            "kind": "clicks",
            "parent": "3",
            "validation": {"accepted": True},
            "metrics": {"ignored": 1.0},
            "events": {"from": 10, "until": 42},
            "clicks_seen": 7,
            "gate": "trial",
            "fit": {"epochs": 3},
        }
    )
    assert (update.parent, update.clicks_seen, update.consumed_until) == (3, 7, 42)
    assert update.results == {"accepted": True}  # validation wins over metrics
    assert (update.gate, update.forced, update.details) == ("trial", False, {"fit": {"epochs": 3}})
    prior = TrainingRecord.of({"kind": "prior", "events": "not a range"})
    assert prior.events is None and prior.consumed_until == 0 and prior.results == {}


def test_a_training_record_is_written_in_one_place_and_read_back_whole(tmp_path: Path) -> None:
    record = TrainingRecord(
        kind="clicks",
        parent=2,
        validation={"accepted": True},
        events={"after": 0, "until": 9},
        clicks_seen=5,
        gate="forced",
        forced=True,
        details={"fit": {"epochs": 3}, "bias_correction": True},
    )
    written = record.to_dict()
    assert written == {
        "kind": "clicks",
        "parent": 2,
        "validation": {"accepted": True},
        "events": {"after": 0, "until": 9},
        "clicks_seen": 5,
        "gate": "forced",
        "forced": True,
        "fit": {"epochs": 3},
        "bias_correction": True,
    }
    assert TrainingRecord.of(written) == record
    # Empty typed fields are not written (the prior's manifest holds just what the prior records).
    prior = TrainingRecord(kind="prior", details={"weights": {"fused_score": 1.0}, "trained_on": None})
    assert prior.to_dict() == {"kind": "prior", "weights": {"fused_score": 1.0}, "trained_on": None}
    save_ranker(tmp_path, RankerNet(1), RankerManifest(version=1, feature_names=["a"], training=record))
    assert json.loads((tmp_path / "manifest.json").read_text())["training"] == written
    assert load_ranker(tmp_path)[1].training == record


def test_training_details_may_not_shadow_a_typed_field() -> None:
    with pytest.raises(InvalidInput, match="typed fields"):
        TrainingRecord(kind="clicks", details={"parent": 3})


def test_numpy_ranker_scores_like_the_torch_net(tmp_path: Path) -> None:
    """The served ranker (numpy) and the trained network (torch) give the same scores for the same
    artifact: random weights, normalisation with a constant feature, raw features over a wide range."""
    net = _trained_like_net()
    save_ranker(tmp_path, net, RankerManifest(version=2, feature_names=list("abcde"), hidden=8))
    served = NumpyRanker.load(tmp_path)
    rows = np.random.default_rng(3).normal(0.0, 5.0, (500, 5)).astype(np.float32)
    with torch.no_grad():
        expected = net(torch.from_numpy(rows)).numpy()
    got = served.score(rows)
    assert got.shape == (500,) and got.dtype == np.float32
    assert float(np.abs(got - expected).max()) < 1e-5
    assert float(np.abs(expected).max()) > 1.0  # the MLP and the linear part both contribute
    assert served.score(rows[:0]).shape == (0,)
    with pytest.raises(InvalidInput, match="5 features"):
        served.score(rows[:, :4])


def test_committed_prior_scores_the_same_in_numpy_and_torch() -> None:
    net, manifest = load_ranker(COMMITTED)
    rows = np.random.default_rng(4).random((64, manifest.n_features), dtype=np.float32)
    with torch.no_grad():
        expected = net(torch.from_numpy(rows)).numpy()
    assert float(np.abs(NumpyRanker.load(COMMITTED).score(rows) - expected).max()) < 1e-5


def test_artifact_reader_names_what_does_not_match(tmp_path: Path) -> None:
    save_ranker(
        tmp_path, _trained_like_net(), RankerManifest(version=1, feature_names=list("abcde"), hidden=8)
    )
    data = json.loads((tmp_path / "manifest.json").read_text())
    data["hidden"] = 4
    (tmp_path / "manifest.json").write_text(json.dumps(data))
    with pytest.raises(InvalidInput, match=r"hidden 4.*mlp_hidden\.weight"):
        NumpyRanker.load(tmp_path)
    (tmp_path / "weights.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(InvalidInput, match="cannot be read"):
        read_ranker_artifact(tmp_path)


def test_non_finite_weights_are_refused(tmp_path: Path) -> None:
    net = _trained_like_net()
    with torch.no_grad():
        net.mlp_out.bias.fill_(float("nan"))
    save_ranker(tmp_path, net, RankerManifest(version=1, feature_names=list("abcde"), hidden=8))
    with pytest.raises(InvalidInput, match="NaN or infinite"):
        load_ranker(tmp_path)
    with pytest.raises(InvalidInput, match="NaN or infinite"):
        NumpyRanker.load(tmp_path)
