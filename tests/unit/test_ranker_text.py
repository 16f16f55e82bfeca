"""The lines `engine ranker trial` prints for people: every figure an operator decides on, real dates."""

from __future__ import annotations

from engine.cli.ranker_text import decision, trial_lines
from engine.pipeline.trialstate import TrialConfig, TrialState


def test_a_running_trial_reads_with_its_counts_rule_and_start_date() -> None:
    state = TrialState(candidate=3, serving=2, start_offset=10, config=TrialConfig(), started_at=0.0)
    state.status = "running"
    counts = {"wins": 41, "losses": 17, "ties": 5, "searches": 120, "p_value": 0.0021}
    lines = trial_lines({**state.to_dict(), "counts": counts})
    assert lines[0].endswith("version 3 against serving version 2: running")
    assert lines[1] == "started           1970-01-01 00:00:00 UTC"
    assert "41 wins, 17 losses, 5 ties over 120 interleaved searches, p=0.0021" in lines[2]
    assert f"promote after >= {TrialConfig().min_searches} searches" in lines[3]


def test_no_trial_and_a_recount_read_plainly() -> None:
    assert trial_lines({"trial": None}) == ["no trial"]
    recount = {"action": "trial", "outcome": "running", "version": 3, "trial": {"wins": 1, "searches": 4}}
    assert decision(recount) == "trial of version 3 running: 1 wins, 0 losses, 0 ties over 4 searches, p=1"
    recorded = {**recount, "outcome": "promoted", "time": 0.0, "reason": "won"}
    assert decision(recorded).startswith("1970-01-01 00:00:00 UTC  trial of version 3 promoted")
