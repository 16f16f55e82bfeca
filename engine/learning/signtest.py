"""The exact two-sided sign test that decides an interleaved trial.

Each interleaved search the candidate wins or loses is one coin toss under the null hypothesis that
neither ranker is preferred; ties say nothing and are left out. The p-value is exact (binomial tail
summed in log space, so thousands of searches neither overflow nor underflow), which matters at the
small counts where a trial is most often decided.
"""

from __future__ import annotations

import math


def sign_test_p(wins: int, losses: int) -> float:
    """Two-sided exact binomial p-value of `wins` vs `losses` under p = 0.5."""
    if wins < 0 or losses < 0:
        raise ValueError(f"wins and losses must be >= 0, got {wins}, {losses}")
    n = wins + losses
    if n == 0:
        return 1.0
    k = min(wins, losses)

    def log_pmf(i: int) -> float:
        return math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1) - n * math.log(2)

    tail = sum(math.exp(log_pmf(i)) for i in range(k + 1))
    return min(1.0, 2.0 * tail)
