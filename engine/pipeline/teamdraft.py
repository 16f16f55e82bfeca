"""Team-draft interleaving (Radlinski, Kurup & Joachims, CIKM 2008): merge two rankings for one search.

Like picking teams in a playground, the team with fewer picks (a coin flip on ties) adds its
highest-ranked product not yet shown; each shown product remembers its team. The gateway serves these
lists during a trial (`engine.pipeline.interleave`); `engine.learning.interleave` scores them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

SERVING, CANDIDATE = "A", "B"


@dataclass(frozen=True)
class Interleaved:
    product_ids: tuple[str, ...]
    teams: str  # one character per product: "A" (serving) or "B" (candidate)


def team_draft(a: Sequence[str], b: Sequence[str], length: int, rng: random.Random) -> Interleaved:
    """Merge rankings `a` (serving) and `b` (candidate) into at most `length` distinct products."""
    shown: list[str] = []
    teams: list[str] = []
    seen: set[str] = set()
    picks = {SERVING: 0, CANDIDATE: 0}
    cursors = {SERVING: 0, CANDIDATE: 0}
    lists = {SERVING: a, CANDIDATE: b}
    while len(shown) < length:
        if picks[SERVING] != picks[CANDIDATE]:
            team = SERVING if picks[SERVING] < picks[CANDIDATE] else CANDIDATE
        else:
            team = SERVING if rng.random() < 0.5 else CANDIDATE
        ranking = lists[team]
        while cursors[team] < len(ranking) and ranking[cursors[team]] in seen:
            cursors[team] += 1
        if cursors[team] >= len(ranking):
            other = CANDIDATE if team == SERVING else SERVING
            if all(pid in seen for pid in lists[other][cursors[other] :]):
                break
            picks[team] = picks[other] + 1  # this team is exhausted: let the other keep picking
            continue
        pid = ranking[cursors[team]]
        shown.append(pid)
        teams.append(team)
        seen.add(pid)
        picks[team] += 1
    return Interleaved(tuple(shown), "".join(teams))
