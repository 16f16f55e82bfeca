"""`engine ranker versions|status|rollout|rollback|update` on a data dir with a fake model server."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.cli import main
from engine.cli import ranker as ranker_cli
from engine.config import Settings
from engine.events.embedded import EmbeddedEventLog
from engine.learning.versions import RankerStore
from engine.models.ranker_net import RankerManifest, TrainingRecord
from tests.unit.test_learning_fixtures import FakeLoader, World, make_log, shop

__all__ = ["shop"]


@pytest.fixture
def cli_env(shop: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("AISLE_DATA_DIR", str(shop.data_dir))
    monkeypatch.setattr(ranker_cli, "LazyLoader", lambda settings: FakeLoader(settings))
    return shop


def test_versions_status_and_rollback(cli_env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    store = RankerStore(cli_env)
    net, manifest = store.load(1)
    store.add(
        net,
        RankerManifest(
            version=0, feature_names=manifest.feature_names, training=TrainingRecord(kind="clicks")
        ),
    )

    assert main(["ranker", "versions"]) == 0
    out = capsys.readouterr().out
    assert "prior" in out and "clicks" in out
    assert main(["ranker", "rollback", "2"]) == 0
    assert "serving ranker version 2 (was 1)" in capsys.readouterr().out
    assert main(["ranker", "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["serving"] == 2 and status["versions"] == [1, 2] and status["checkpoint"] == 0
    assert status["last_decision"]["action"] == "rollback"


def test_rollback_to_an_unknown_version_is_a_clear_error(
    cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ranker", "rollback", "9"]) == 1  # a runtime failure: the store has no version 9
    assert "ranker version 9 does not exist" in capsys.readouterr().err


def test_update_once(cli_env: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    log = EmbeddedEventLog(cli_env.path("events", "events.sqlite3"))
    make_log(log, World(), 20, np.random.default_rng(0))
    log.close()
    assert main(["ranker", "update", "--json"]) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["action"] == "waiting" and outcome["train_clicks"] < 50


def test_rollout_serves_a_written_version_and_rollback_returns(
    cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    store = RankerStore(cli_env)
    net, manifest = store.load(1)
    new = store.add(
        net,
        RankerManifest(
            version=0,
            feature_names=manifest.feature_names,
            training=TrainingRecord(kind="judgements"),
        ),
    )
    assert store.serving() == 1  # writing a version never serves it

    assert main(["ranker", "rollout", str(new)]) == 0
    assert f"serving ranker version {new} (was 1)" in capsys.readouterr().out
    assert store.serving() == new
    assert main(["ranker", "rollback", "1"]) == 0
    assert store.serving() == 1 and store.versions() == [1, new]
    assert [r["action"] for r in store.rollouts.records()] == ["rollout", "rollback"]


def test_update_reads_the_kafka_log_when_the_gateway_writes_there(
    cli_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.config import load_settings
    from engine.errors import ConfigError
    from engine.events.factory import open_event_log

    monkeypatch.setenv("AISLE_EVENT_LOG", "kafka")
    monkeypatch.delenv("AISLE_KAFKA_BOOTSTRAP", raising=False)
    with pytest.raises(ConfigError, match="AISLE_KAFKA_BOOTSTRAP"):
        open_event_log(load_settings())


def test_update_without_any_gate_refuses_in_one_line(
    cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    log = EmbeddedEventLog(cli_env.path("events", "events.sqlite3"))
    make_log(log, World(), 800, np.random.default_rng(0))
    log.close()
    assert main(["ranker", "update", "--no-trial", "--min-clicks", "30"]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not promoted: no gate" in err and "--force" in err
    assert RankerStore(cli_env).versions() == [1]


def test_rollback_offers_the_last_version_that_passed_its_gate(
    cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    store = RankerStore(cli_env)
    net, manifest = store.load(1)
    names = manifest.feature_names
    checked = {"accepted": True, "reasons": [], "clicks": {}, "ndcg": {"candidate": 0.81, "serving": 0.8}}
    store.add(
        net,
        RankerManifest(
            version=0,
            feature_names=names,
            training=TrainingRecord(kind="clicks", validation=checked),
        ),
    )
    store.add(
        net,
        RankerManifest(version=0, feature_names=names, training=TrainingRecord(kind="clicks", forced=True)),
    )
    store.add(
        net,
        RankerManifest(version=0, feature_names=names, training=TrainingRecord(kind="clicks", validation={})),
    )
    assert main(["ranker", "rollout", "4"]) == 0
    capsys.readouterr()

    assert main(["ranker", "versions"]) == 0
    table = capsys.readouterr().out
    assert "forced" in table and "check set" in table and "none" in table
    assert main(["ranker", "rollback", "--yes"]) == 0  # 4 serves; 3 was forced: 2 is the last that passed
    out = capsys.readouterr().out
    assert "version 2: check set gate passed: check-set nDCG@10 0.8100 vs serving 0.8000" in out
    assert "serving ranker version 2 (was 4)" in out and store.serving() == 2


@pytest.mark.parametrize(("flag", "loss"), [([], "pairwise"), (["--loss", "softmax"], "softmax")])
def test_update_fits_the_objective_named_by_loss(
    cli_env: Settings, capsys: pytest.CaptureFixture[str], flag: list[str], loss: str
) -> None:
    log = EmbeddedEventLog(cli_env.path("events", "events.sqlite3"))
    make_log(log, World(), 800, np.random.default_rng(0))
    log.close()
    args = ["ranker", "update", "--no-trial", "--force", "--min-clicks", "30", "--json", *flag]
    assert main(args) == 0
    outcome = json.loads(capsys.readouterr().out)
    assert outcome["action"] == "rollout" and outcome["loss"] == loss
    recorded = RankerStore(cli_env).rollouts.records()[-1]
    assert recorded["loss"] == loss and recorded["version"] == 2


def test_update_config_refuses_an_unknown_loss() -> None:
    from engine.errors import InvalidInput
    from engine.learning.update import UpdateConfig

    with pytest.raises(InvalidInput, match="unknown click loss 'listnet'; expected one of pairwise, softmax"):
        UpdateConfig(loss="listnet")


def test_update_with_the_encoder_step_reports_it_and_names_a_bad_cadence(
    cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    log = EmbeddedEventLog(cli_env.path("events", "events.sqlite3"))
    make_log(log, World(), 20, np.random.default_rng(0))
    log.close()
    assert main(["ranker", "update", "--encoder-every", "100000"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1].startswith("encoder: waiting (") and lines[-1].endswith(" of 100000 new clicks)")
    assert main(["ranker", "update", "--encoder-every", "-1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--encoder-every must be >= 1 click, got -1" in err
