"""Fusion weights fitted for a fine-tuned encoder version: the re-fusion reproduces the pipeline's fused
order, the fit moves the dense share only when judged queries say so, the weights are stored only with
a fine-tuned version, and the gateway's fusion uses them exactly while that version serves."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from engine.config import Settings, load_settings
from engine.encoder.fusion_fit import JudgedCandidates, fit_fusion, fused_order, mean_ndcg
from engine.encoder.fusion_weights import write_fusion
from engine.encoder.versions import QueryEncoderStore
from engine.errors import InvalidInput
from engine.models.sources import ModelIdentity
from engine.models.tower import TowerManifest
from engine.models.tower_fusion import FUSION_FILE, ServingFusion, read_fusion
from engine.pipeline.fusion import FusionConfig, adaptive_weights, fuse
from engine.pipeline.rank import gather
from engine.records import ScoredId
from engine.triton.repository import prepare_runtime_repository

SPACE = ModelIdentity("all-MiniLM-L6-v2", "abc123")


def candidates(query: str, lexical: dict[str, float], dense: dict[str, float]) -> JudgedCandidates:
    """Columns as the pipeline gathers them: each list in score order, dense cosines for every candidate."""
    lists = {
        "lexical": [ScoredId(p, s) for p, s in sorted(lexical.items(), key=lambda kv: -kv[1])],
        "dense": [ScoredId(p, s) for p, s in sorted(dense.items(), key=lambda kv: -kv[1])],
    }
    columns = gather(lists)
    columns.title_overlap = np.zeros(len(columns.ids))
    columns.title_phrase = np.zeros(len(columns.ids))
    return JudgedCandidates(query, columns, {})


def dense_wins(query: str) -> JudgedCandidates:
    """BM25 favours `lex` a little; the dense side is sure about `good`, the judged product."""
    item = candidates(
        query,
        {"lex": 10.0, "good": 9.0, "x1": 1.0},
        {"good": 0.9, "lex": 0.5, "x1": 0.4},
    )
    return replace(item, grades={"good": 3.0, "lex": 1.0, "x1": 1.0})


def test_re_fusion_is_the_pipeline_order() -> None:
    item = dense_wins("cordless drill")
    config = FusionConfig()
    lexical = [ScoredId(p, s) for p, s in [("lex", 10.0), ("good", 9.0), ("x1", 1.0)]]
    weights = adaptive_weights(item.query, lexical, config)
    expected = [h.product_id for h in fuse(item.columns, "full", weights, "minmax", np.zeros(3))]
    assert fused_order(item, config) == expected


def test_the_fit_raises_the_dense_share_when_the_dense_side_is_right() -> None:
    items = [dense_wins(q) for q in ("cordless drill", "garden hose", "wall paint")]
    lexical_heavy = FusionConfig(lexical_weight=0.9, dense_weight=0.1)
    assert mean_ndcg(items, lexical_heavy, min_grade=1.0) < 1.0
    fit = fit_fusion(items, 1.0, lexical_heavy)
    assert fit.dense_weight > 0.1 and fit.lexical_weight + fit.dense_weight == pytest.approx(1.0)
    assert fit.ndcg_after == pytest.approx(1.0) and fit.ndcg_before < fit.ndcg_after
    assert fit.queries == 3 and len(fit.curve) == 3 * 21 and fit.curve[(1.0, 0.1)] == fit.ndcg_before


def test_a_tie_keeps_the_configured_weights() -> None:
    item = candidates("lamp", {"a": 5.0, "b": 1.0}, {"a": 0.9, "b": 0.1})
    items = [replace(item, grades={"a": 3.0, "b": 1.0})]  # both sides agree: every weight scores 1.0
    fit = fit_fusion(items, 1.0)
    assert (fit.lexical_weight, fit.dense_weight) == (0.3, 0.7) and fit.ndcg_after == fit.ndcg_before


def test_bad_fit_inputs_are_named() -> None:
    with pytest.raises(InvalidInput, match="retrieved"):
        fit_fusion([], 1.0)
    with pytest.raises(InvalidInput, match=r"\[0, 1\]"):
        fit_fusion([dense_wins("drill")], 1.0, grid=(0.5, 1.5))
    with pytest.raises(InvalidInput, match="scales"):
        fit_fusion([dense_wins("drill")], 1.0, scales=(0.0,))


@pytest.fixture
def shop(tmp_path: Path) -> Settings:
    settings = load_settings(data_dir=tmp_path / "var")
    params = {"encoder_name": SPACE.name, "encoder_version": SPACE.version}
    prepare_runtime_repository(settings, {"query_encoder": params})
    return settings


class SavedTower:
    def save(self, path: str) -> None:
        Path(path).mkdir(parents=True)
        (Path(path) / "model.safetensors").write_bytes(b"weights")


def test_weights_are_stored_only_with_a_fine_tuned_version(shop: Settings) -> None:
    store = QueryEncoderStore(shop)
    with pytest.raises(InvalidInput, match="configured model"):
        write_fusion(store, 1, {"lexical": 0.1, "dense": 0.9}, {})
    version = store.add(SavedTower(), TowerManifest(version=0, base=SPACE, parent=1))
    with pytest.raises(InvalidInput, match="lexical and dense"):
        write_fusion(store, version, {"dense": 0.9}, {})
    path = write_fusion(store, version, {"lexical": 0.1, "dense": 0.9}, {"fitted_on": {"queries": 3}})
    assert path == store.model_dir / str(version) / FUSION_FILE
    assert read_fusion(path) == {"lexical": 0.1, "dense": 0.9}
    assert not (store.model_dir / "1" / FUSION_FILE).exists()


def test_the_serving_version_decides_the_weights(shop: Settings, caplog: pytest.LogCaptureFixture) -> None:
    store = QueryEncoderStore(shop)
    version = store.add(SavedTower(), TowerManifest(version=0, base=SPACE, parent=1))
    write_fusion(store, version, {"lexical": 0.1, "dense": 0.9}, {})
    serving: list[int | None] = [1]
    config = FusionConfig(tuned=ServingFusion(store.model_dir, lambda: serving[0], ttl_s=0.0))
    assert config.weights() == FusionConfig().weights()  # the shipped model: configured weights
    serving[0] = version
    assert config.weights() == {"lexical": 0.1, "dense": 0.9, "image": 0.3}
    lexical = [ScoredId("a", 1.0)]
    assert (
        adaptive_weights("drill", lexical, config)["dense"]
        > adaptive_weights("drill", lexical, FusionConfig())["dense"]
    )
    (store.model_dir / str(version) / FUSION_FILE).write_text("{not json")
    assert config.weights() == FusionConfig().weights() and "ignoring fusion.json" in caplog.text
    serving[0] = None  # nothing resolvable (no index, Triton away): configured weights
    assert config.weights() == FusionConfig().weights()


def test_the_fit_leaves_out_the_queries_the_version_learned(
    shop: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import engine.encoder.fusion_job as job

    store = QueryEncoderStore(shop)
    version = store.add(SavedTower(), TowerManifest(version=0, base=SPACE, parent=1), ["Cordless  Drill"])
    queries, qrels = tmp_path / "q.tsv", tmp_path / "r.tsv"
    queries.write_text("query_id\tquery\nq1\tcordless drill\nq2\tdoor hinge\n")
    qrels.write_text("query_id\tproduct_id\tgrade\nq1\tgood\t3\nq2\tgood\t3\n")
    seen: list[list[str]] = []

    def collect(pipeline: object, items: list, progress: object) -> list[JudgedCandidates]:
        seen.append([text for text, _ in items])
        return [dense_wins(text) for text, _ in items]

    monkeypatch.setattr(job, "collect", collect)
    pipeline = type("Pipeline", (), {"config": type("Config", (), {"fusion": FusionConfig()})()})()
    request = job.FusionRequest(queries, qrels, write=False)
    record = job.run_fusion_fit(store, pipeline, version, request)  # type: ignore[arg-type]
    assert seen[-1] == ["door hinge"] and record["data"]["left_out_trained"] == 1
    kept = replace(request, include_trained=True)
    assert job.run_fusion_fit(store, pipeline, version, kept)["data"]["judged"] == 2  # type: ignore[arg-type]
    qrels.write_text("query_id\tproduct_id\tgrade\nq1\tgood\t3\n")
    with pytest.raises(InvalidInput, match="--include-encoder-queries"):
        job.run_fusion_fit(store, pipeline, version, request)  # type: ignore[arg-type]
