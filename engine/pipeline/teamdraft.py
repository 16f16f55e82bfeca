"""Team-draft interleaving (Radlinski, Kurup & Joachims, CIKM 2008): merge two rankings for one search.

Like picking teams in a playground, the team with fewer picks (a coin flip on ties) adds its
highest-ranked product not yet shown; each shown product remembers its team. The gateway serves these
lists during a trial (`engine.pipeline.interleave`); `engine.learning.interleave` scores them.

The common prefix (the products both rankings put at the same top positions) is shown first and
belongs to neither team (`SHARED`). Either ranker would show those products there, so a click on them
says nothing about which one is better; plain team draft credits it to a coin-flip team, which only
adds wins and losses that cancel on average and dilute the sign test. With a candidate that changes
few top places (a click-trained one mostly reorders below the first result), most clicks land there.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

SERVING, CANDIDATE = "A", "B"
SHARED = "-"  # in the common prefix of both rankings (or below the interleaved head): no team


@dataclass(frozen=True)
class Interleaved:
    product_ids: tuple[str, ...]
    teams: str  # one character per product: "A" (serving), "B" (candidate) or "-" (common prefix)


def team_draft(a: Sequence[str], b: Sequence[str], length: int, rng: random.Random) -> Interleaved:
    """Merge rankings `a` (serving) and `b` (candidate) into at most `length` distinct products."""
    shown: list[str] = []
    teams: list[str] = []
    seen: set[str] = set()
    picks = {SERVING: 0, CANDIDATE: 0}
    cursors = {SERVING: 0, CANDIDATE: 0}
    lists = {SERVING: a, CANDIDATE: b}
    while len(shown) < length and len(shown) < min(len(a), len(b)) and a[len(shown)] == b[len(shown)]:
        shown.append(a[len(shown)])
        teams.append(SHARED)
    seen.update(shown)
    cursors[SERVING] = cursors[CANDIDATE] = len(shown)
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
