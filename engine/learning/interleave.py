"""Team-draft interleaving: compare two rankers on live traffic with a sign test.

An offline estimate can be wrong in ways the log cannot show; interleaving asks the shoppers. For one
search, the two rankings are merged by team draft (Radlinski, Kurup & Joachims, CIKM 2008): like picking
teams in a playground, the team with fewer picks (a coin flip on ties) adds its highest-ranked product
not yet shown. Each shown product remembers its team; the team whose products get more clicks wins that
search. Over many searches, the candidate is promoted only if it wins significantly more often than it
loses (two-sided exact binomial sign test on wins vs losses; ties carry no information).

Logging contract: a served interleaved list stores `extra["interleaving"] = {"teams": "--ABBA...",
"candidate": <version>}` on its `Impression` (plus `"model": "encoder"` for a query-encoder trial),
team B being the candidate and "-" a product of neither team (the rankings' common prefix, or below
the interleaved head), whose clicks count for nobody (the gateway's `engine.pipeline.interleave` and
`engine.pipeline.encoder_trial` stages do this during a trial). `tally` reads those back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.learning.clicks import ClickedList
from engine.learning.signtest import sign_test_p
from engine.pipeline.teamdraft import CANDIDATE, SERVING


def winner(teams: str, clicked: Iterable[int]) -> str | None:
    """ "A", "B" or None (tie) from the indexes of the clicked products."""
    a = sum(1 for i in clicked if teams[i] == SERVING)
    b = sum(1 for i in clicked if teams[i] == CANDIDATE)
    return None if a == b else (SERVING if a > b else CANDIDATE)


@dataclass(frozen=True)
class InterleavingResult:
    candidate: int | None
    wins: int
    losses: int
    ties: int
    p_value: float

    def significant_win(self, alpha: float = 0.05) -> bool:
        return self.wins > self.losses and self.p_value < alpha

    def to_dict(self) -> dict[str, object]:
        return {
            "candidate": self.candidate,
            "wins": self.wins,
            "losses": self.losses,
            "ties": self.ties,
            "p_value": self.p_value,
        }


def tally(lists: Iterable[ClickedList], candidate: int, model: str = "ranker") -> InterleavingResult:
    """Wins/losses of `candidate` over the logged interleaved lists that tested it: lists of
    `model`'s trial only (`info["model"]`, absent on a ranker trial's lists), so a query-encoder
    version and a ranker version with the same number are never counted together."""
    wins = losses = ties = 0
    for item in lists:
        info = item.impression.extra.get("interleaving")
        if not isinstance(info, dict) or info.get("candidate") != candidate:
            continue
        if info.get("model", "ranker") != model:
            continue
        teams = str(info.get("teams", ""))
        if len(teams) != len(item.impression.product_ids):
            continue
        result = winner(teams, item.clicked)
        if result == CANDIDATE:
            wins += 1
        elif result == SERVING:
            losses += 1
        else:
            ties += 1
    return InterleavingResult(candidate, wins, losses, ties, sign_test_p(wins, losses))
