"""The click simulator's query splits, its variants and its summary of a learning curve."""

from __future__ import annotations

import pytest

from bench.sim_encoder import step_line
from bench.sim_report import summary
from bench.sim_seeds import aggregate, trials_of
from bench.sim_shop import split_queries
from bench.simulate import parse_args as simulate_args
from bench.simulate import run_variants

QUERIES = [(f"q{i}", f"query {i}") for i in range(100)]


def test_splits_are_disjoint_complete_and_fixed_by_the_seed() -> None:
    splits = split_queries(QUERIES, seed=1, held_frac=0.3, check_frac=0.2)
    trained, check, held = set(splits.trained), set(splits.check), set(splits.held)
    assert (len(held), len(check), len(trained)) == (30, 20, 50)
    assert not (trained & check or trained & held or check & held)
    assert trained | check | held == set(QUERIES)
    assert split_queries(list(reversed(QUERIES)), 1, 0.3, 0.2) == splits
    assert split_queries(QUERIES, 2, 0.3, 0.2).held != splits.held


def test_summary_counts_gate_decisions_and_changes() -> None:
    curve = [
        {"version": 1, "action": "start", "trained_ndcg@10": 0.70, "heldout_ndcg@10": 0.80},
        {"version": 1, "action": "rejected", "trained_ndcg@10": 0.71, "heldout_ndcg@10": 0.80},
        {"version": 2, "action": "rollout", "trained_ndcg@10": 0.80, "heldout_ndcg@10": 0.79},
        {"version": 2, "action": "waiting", "trained_ndcg@10": 0.81, "heldout_ndcg@10": 0.79},
    ]
    s = summary("ips", curve)
    assert (s["served"], s["accepted"], s["rejected"]) == (2, 1, 1)
    assert round(s["trained_delta"], 6) == 0.11 and round(s["heldout_delta"], 6) == -0.01


def _report(seed: int, ips: tuple[float, float], naive: tuple[float, float]) -> dict[str, object]:
    def curve(trained: float, held: float) -> list[dict[str, object]]:
        start = {"version": 1, "action": "start", "trained_ndcg@10": 0.7, "heldout_ndcg@10": 0.8}
        start["other_ndcg@10"] = 0.6
        end = {"version": 2, "action": "rollout", "trained_ndcg@10": 0.7 + trained}
        end.update({"heldout_ndcg@10": 0.8 + held, "other_ndcg@10": 0.6 + held})
        return [start, end]

    runs = {"ips": curve(*ips), "naive": curve(*naive)}
    return {"seed": seed, "runs": runs, "summary": [summary(k, v) for k, v in runs.items()]}


def test_seeds_are_summarised_as_mean_sd_worst_and_corrected_minus_naive() -> None:
    reports = [_report(1, (0.10, 0.0), (0.08, -0.02)), _report(2, (0.06, -0.01), (0.07, -0.05))]
    out = aggregate(reports)
    ips = out["variants"]["ips"]
    assert round(ips["trained_delta"]["mean"], 6) == 0.08 and round(ips["trained_delta"]["min"], 6) == 0.06
    assert round(ips["trained_delta"]["sd"], 6) == round(((0.02**2 * 2) / 1) ** 0.5, 6)
    assert round(ips["heldout_delta"]["min"], 6) == -0.01
    assert round(ips["other_delta"]["mean"], 6) == -0.005
    diff = out["ips_minus_naive_heldout_delta"]
    assert [round(d, 6) for d in diff["per_seed"]] == [0.02, 0.04] and round(diff["mean"], 6) == 0.03


def test_trials_report_how_each_decided_trial_ended() -> None:
    curve = [
        {"harmful_version": 2, "trial": {"outcome": "started", "version": 2}},
        {"trial": {"outcome": "running", "version": 2, "trial": {"searches": 150}}},
        {"trial": {"outcome": "stopped", "version": 2, "reason": "loses", "trial": {"searches": 300}}},
        {"trial": {"outcome": "promoted", "version": 3, "trial": {"searches": 420, "wins": 9}}},
    ]
    ended = trials_of(curve)
    assert [(t["outcome"], t["version"], t["searches"], t["harmful"]) for t in ended] == [
        ("stopped", 2, 300, True),
        ("promoted", 3, 420, False),
    ]


def test_the_query_tower_step_runs_beside_the_ranker_alone_from_the_same_start() -> None:
    base = ["--products", "p", "--queries", "q", "--qrels", "r", "--out", "o"]
    assert run_variants(simulate_args([*base, "--encoder-every", "500", "--encoder-control"])) == [
        ("ips", True, 0),
        ("ips+encoder", True, 500),
    ]
    assert run_variants(simulate_args([*base, "--encoder-every", "500"])) == [("ips+encoder", True, 500)]
    assert run_variants(simulate_args([*base, "--both"])) == [("ips", True, 0), ("naive", False, 0)]
    for bad in (
        ["--encoder-control"],
        ["--encoder-every", "500", "--both"],
        ["--encoder-every", "-1"],
        ["--limit", "0"],
    ):
        with pytest.raises(SystemExit) as exit_:
            simulate_args([*base, *bad])
        assert exit_.value.code == 2


def test_the_tower_steps_are_counted_and_the_difference_to_the_ranker_alone_is_per_seed() -> None:
    def point(version: int, action: str, held: float) -> dict[str, object]:
        return {
            "version": 1,
            "action": "rollout",
            "trained_ndcg@10": 0.7,
            "heldout_ndcg@10": held,
            "encoder": {"serving": version, "action": action},
        }

    tower = [point(1, "start", 0.80), point(1, "unchanged", 0.80), point(2, "rollout", 0.83)]
    s = summary("ips+encoder", tower)
    assert s["encoder"] == {
        "serving": 2,
        "rollout": 1,
        "rejected": 0,
        "unchanged": 1,
        "trial": 0,
        "waiting": 0,
    }
    ranker = [{k: v for k, v in p.items() if k != "encoder"} for p in tower[:2]]
    runs = {"ips": ranker, "ips+encoder": tower}
    report = {"seed": 1, "runs": runs, "summary": [summary(k, v) for k, v in runs.items()]}
    out = aggregate([report])
    assert [round(d, 6) for d in out["encoder_minus_ranker_heldout_delta"]["per_seed"]] == [0.03]
    assert "ips_minus_naive_heldout_delta" not in out


def test_a_step_is_one_short_line() -> None:
    assert step_line(None) == "-"
    assert step_line({"action": "waiting", "clicks": 12, "every": 50}) == "waiting (12 of 50 clicks)"
    gate = {"check_set": {"candidate_ndcg": 0.75, "serving_ndcg": 0.74}}
    assert step_line({"action": "rollout", "version": 3, "gate": gate}) == "rollout v3 check 0.7500 vs 0.7400"
