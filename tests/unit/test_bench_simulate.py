"""The click simulator's query splits and its summary of a learning curve."""

from __future__ import annotations

from bench.sim_report import summary
from bench.sim_shop import split_queries

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
