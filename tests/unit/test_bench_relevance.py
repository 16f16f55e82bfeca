"""bench.relevance's summary of answer sizes (mean `total`, share of empty answers)."""

from __future__ import annotations

from bench.relevance import sizes


def test_sizes_are_the_mean_total_and_the_share_of_empty_answers() -> None:
    assert sizes({"q1": 0, "q2": 10, "q3": 2, "q4": 0}) == {"mean_total": 3.0, "zero_total_share": 0.5}
    assert sizes({}) == {"mean_total": 0.0, "zero_total_share": 0.0}  # no queries: no division by zero
