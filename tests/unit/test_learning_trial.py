"""Interleaved trials: promote on a significant win, stop on a loss or a limit, resume after a crash;
and the update job's gates: a trial by default, a refusal when there is no gate at all."""

from __future__ import annotations

import uuid

import numpy as np
import pytest

from engine.config import Settings
from engine.events.base import Event, Impression
from engine.events.embedded import EmbeddedEventLog
from engine.learning.history import last_passed, validation
from engine.learning.trial import TrialCounts, TrialRunner, decide
from engine.learning.update import UpdateConfig, UpdateJob
from engine.learning.versions import RankerStore
from engine.models.ranker_net import RankerManifest, TrainingRecord
from engine.pipeline.trialstate import TrialConfig, load_trial, save_trial, trial_path
from engine.ranking.features import FEATURE_NAMES
from engine.triton.repository import CONFIG_FILE, pinned_versions, read_config
from tests.unit.test_learning_fixtures import FakeLoader, World, event_log, make_log, shop

__all__ = ["event_log", "shop"]

CONFIG = TrialConfig(share=1.0, alpha=0.05, min_searches=50, max_searches=400, max_hours=24)


def add_candidate(settings: Settings, kind: str = "clicks") -> int:
    store = RankerStore(settings)
    net, manifest = store.load(1)
    return store.add(
        net,
        RankerManifest(version=0, feature_names=manifest.feature_names, training=TrainingRecord(kind=kind)),
    )


def log_interleaved(
    log: EmbeddedEventLog, candidate: int, searches: int, p_candidate: float, rng: np.random.Generator
) -> None:
    """`searches` interleaved lists of 6 (teams ABABAB / BABABA); one click each, on the candidate's
    team with probability `p_candidate` (0.5: no preference)."""
    for _ in range(searches):
        teams = "ABABAB" if rng.random() < 0.5 else "BABABA"
        ids = tuple(f"p{uuid.uuid4().hex[:6]}" for _ in teams)
        impression = Impression(
            search_id=uuid.uuid4().hex,
            timestamp=0.0,
            query="lamp",
            product_ids=ids,
            positions=tuple(range(1, len(ids) + 1)),
            ranker_version=1,
            features=tuple(tuple(0.0 for _ in FEATURE_NAMES) for _ in ids),
            feature_names=FEATURE_NAMES,
            extra={"interleaving": {"serving": 1, "candidate": candidate, "teams": teams}},
        )
        log.append_impression(impression)
        team = "B" if rng.random() < p_candidate else "A"
        index = teams.index(team)
        log.append_events(
            [
                Event(
                    uuid.uuid4().hex,
                    "click",
                    ids[index],
                    0.0,
                    search_id=impression.search_id,
                    position=index + 1,
                )
            ]
        )


def pinned(settings: Settings) -> list[int] | None:
    return pinned_versions(read_config(RankerStore(settings).model_dir / CONFIG_FILE))


def test_decision_rule() -> None:
    config = TrialConfig(min_searches=100, max_searches=1000, max_hours=1)
    assert decide(TrialCounts(60, 20, 30, 1e-5), config, 0)[0] == "promote"
    assert decide(TrialCounts(30, 5, 0, 1e-5), config, 0)[0] == "continue"  # significant, too few searches
    assert decide(TrialCounts(2, 15, 0, 0.002), config, 0)[0] == "stop"  # a loss stops at any count
    # behind at p = 0.08 stops (stop_alpha 0.10); ahead at the same p keeps running (alpha 0.05)
    assert decide(TrialCounts(25, 40, 85, 0.08), config, 0)[0] == "stop"
    assert decide(TrialCounts(140, 112, 50, 0.08), config, 0)[0] == "continue"
    strict = TrialConfig(min_searches=100, max_searches=1000, max_hours=1, stop_alpha=0.05)
    assert decide(TrialCounts(25, 40, 30, 0.08), strict, 0)[0] == "continue"  # 95 < min_searches
    # once min_searches are in, behind at all stops (futility); level keeps running
    assert decide(TrialCounts(26, 40, 84, 0.11), config, 0)[0] == "stop"
    assert decide(TrialCounts(30, 30, 90, 1.0), config, 0)[0] == "continue"
    assert decide(TrialCounts(500, 480, 20, 0.5), config, 0)[0] == "stop"  # search limit
    assert decide(TrialCounts(5, 4, 1, 0.9), config, 3601)[0] == "stop"  # time limit
    assert decide(TrialCounts(5, 4, 1, 0.9), config, 10)[0] == "continue"


def test_a_winning_candidate_is_promoted_with_its_counts(shop: Settings, event_log: EmbeddedEventLog) -> None:
    candidate, loader = add_candidate(shop), FakeLoader(shop)
    runner = TrialRunner(RankerStore(shop), event_log, loader)
    runner.start(candidate, CONFIG)
    assert pinned(shop) == [1, candidate] and RankerStore(shop).serving() == 1  # both loaded, 1 serves
    log_interleaved(event_log, candidate, 120, 0.75, np.random.default_rng(0))

    outcome = runner.step()
    assert outcome is not None and outcome["outcome"] == "promoted"
    counts = outcome["trial"]
    assert counts["searches"] == 120 and counts["wins"] > counts["losses"] and counts["p_value"] < 0.05
    assert RankerStore(shop).serving() == candidate and pinned(shop) == [candidate]
    checked = validation(RankerStore(shop), candidate)
    assert checked.gate == "trial" and checked.passed and "120 searches" in checked.summary
    assert runner.step() is None  # decided and recorded: nothing more to do
    assert [r.get("outcome") for r in RankerStore(shop).rollouts.records() if r["action"] == "trial"] == [
        "started",
        "promoted",
    ]


def test_a_losing_candidate_is_stopped_and_never_serves(shop: Settings, event_log: EmbeddedEventLog) -> None:
    candidate, loader = add_candidate(shop), FakeLoader(shop)
    runner = TrialRunner(RankerStore(shop), event_log, loader)
    runner.start(candidate, CONFIG)
    log_interleaved(event_log, candidate, 40, 0.15, np.random.default_rng(1))  # fewer than min_searches

    outcome = runner.step()
    assert outcome is not None and outcome["outcome"] == "stopped" and "loses" in outcome["reason"]
    assert outcome["trial"]["losses"] > outcome["trial"]["wins"]
    assert RankerStore(shop).serving() == 1 and pinned(shop) == [1]
    assert not validation(RankerStore(shop), candidate).passed


def test_a_trial_without_a_significant_result_stops_at_its_search_limit(
    shop: Settings, event_log: EmbeddedEventLog
) -> None:
    candidate, loader = add_candidate(shop), FakeLoader(shop)
    runner = TrialRunner(RankerStore(shop), event_log, loader)
    runner.start(candidate, CONFIG)
    rng = np.random.default_rng(2)
    log_interleaved(event_log, candidate, 200, 0.5, rng)
    running = runner.step()
    assert running is not None and running["outcome"] == "running" and running["trial"]["searches"] == 200
    log_interleaved(event_log, candidate, 200, 0.5, rng)
    outcome = runner.step()
    assert outcome is not None and outcome["outcome"] == "stopped" and "limit 400" in outcome["reason"]
    assert RankerStore(shop).serving() == 1


def test_a_trial_stops_at_its_time_limit(shop: Settings, event_log: EmbeddedEventLog) -> None:
    now = [1000.0]
    candidate = add_candidate(shop)
    runner = TrialRunner(RankerStore(shop), event_log, FakeLoader(shop), clock=lambda: now[0])
    runner.start(candidate, TrialConfig(min_searches=50, max_hours=2))
    now[0] += 2 * 3600 + 1
    outcome = runner.step()
    assert outcome is not None and outcome["outcome"] == "stopped" and "2.0 h" in outcome["reason"]


def test_a_crash_mid_trial_resumes_with_every_search_counted(
    shop: Settings, event_log: EmbeddedEventLog
) -> None:
    candidate = add_candidate(shop)
    failing = FakeLoader(shop, fail=True)
    config = TrialConfig(share=1.0, min_searches=150)
    with pytest.raises(RuntimeError):  # dies after writing the state, before both versions load
        TrialRunner(RankerStore(shop), event_log, failing).start(candidate, config)
    assert load_trial(trial_path(shop.data_dir)).status == "starting"

    rng = np.random.default_rng(3)
    second = TrialRunner(RankerStore(shop), event_log, FakeLoader(shop))  # a new process
    assert second.step()["outcome"] == "running" and pinned(shop) == [1, candidate]
    log_interleaved(event_log, candidate, 60, 0.7, rng)
    assert second.step()["outcome"] == "running"  # fewer than min_searches

    third = TrialRunner(RankerStore(shop), event_log, FakeLoader(shop))  # and another one
    log_interleaved(event_log, candidate, 100, 0.7, rng)
    outcome = third.step()
    assert outcome is not None and outcome["outcome"] == "promoted"
    assert outcome["trial"]["searches"] == 160  # counted from the log since the start, across processes


def test_a_decision_taken_before_a_crash_is_finished_once(
    shop: Settings, event_log: EmbeddedEventLog
) -> None:
    candidate = add_candidate(shop)
    runner = TrialRunner(RankerStore(shop), event_log, FakeLoader(shop))
    runner.start(candidate, CONFIG)
    state = load_trial(trial_path(shop.data_dir))
    state.status, state.reason = "promoted", "candidate wins significantly"
    save_trial(trial_path(shop.data_dir), state)  # the process died right after this write

    outcome = TrialRunner(RankerStore(shop), event_log, FakeLoader(shop)).step()
    assert outcome is not None and outcome["outcome"] == "promoted"
    assert RankerStore(shop).serving() == candidate
    assert TrialRunner(RankerStore(shop), event_log, FakeLoader(shop)).step() is None


def test_without_a_check_set_or_a_trial_the_update_job_refuses_to_promote(
    shop: Settings, event_log: EmbeddedEventLog
) -> None:
    make_log(event_log, World(), 800, np.random.default_rng(0))
    job = UpdateJob(
        shop, event_log, FakeLoader(shop), UpdateConfig(epochs=3, min_train_clicks=30, trial=None)
    )
    outcome = job.run_once()
    assert (
        outcome["action"] == "refused" and "no gate" in outcome["reason"] and "--force" in outcome["reason"]
    )
    assert RankerStore(shop).versions() == [1] and RankerStore(shop).rollouts.records() == []
    assert job.resume_offset() == 0  # nothing consumed: the clicks wait for a gate

    forced = UpdateJob(
        shop, event_log, FakeLoader(shop), UpdateConfig(epochs=3, min_train_clicks=30, trial=None, force=True)
    ).run_once()
    assert forced["action"] == "rollout" and forced["forced"] is True
    store = RankerStore(shop)
    assert store.serving() == 2 and store.manifest(2).training.forced is True
    checked = validation(store, 2)
    assert checked.gate == "forced" and not checked.passed
    assert last_passed(store, exclude=2).version == 1  # rollback offers the prior, not a forced version


def test_by_default_an_accepted_candidate_goes_to_a_trial_not_to_every_shopper(
    shop: Settings, event_log: EmbeddedEventLog
) -> None:
    make_log(event_log, World(), 800, np.random.default_rng(0))
    job = UpdateJob(
        shop, event_log, FakeLoader(shop), UpdateConfig(epochs=3, min_train_clicks=30, trial=CONFIG)
    )
    outcome = job.run_once()
    assert outcome["action"] == "trial" and outcome["outcome"] == "started" and outcome["version"] == 2
    assert RankerStore(shop).serving() == 1 and pinned(shop) == [1, 2]
    assert validation(RankerStore(shop), 2).summary == "trial running"

    make_log(event_log, World(), 200, np.random.default_rng(1))  # not interleaved: no trial evidence
    again = job.run_once()
    assert again["action"] == "trial" and again["outcome"] == "running" and again["trial"]["searches"] == 0
    assert RankerStore(shop).versions() == [1, 2]  # no new candidate while the trial runs


def test_a_stop_level_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match="stop_alpha"):
        TrialConfig(stop_alpha=1.5)
