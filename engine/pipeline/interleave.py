"""Stage: serve an interleaved trial (the candidate ranker against the serving one) on live searches.

While a trial runs, the model server has two ranker versions loaded, so every ranker call names its
version: `PinnedRanker` makes the ordinary re-ranking use the serving version. For a `share` of the
eligible searches (relevance-sorted `full` searches from an identified shopper), the head the serving
version ranked is scored again by the candidate and the two orders are merged by team draft
(`engine.learning.interleave`); each shown product carries its team into the impression, and the
shopper's clicks, carts and purchases decide which version won that search.

Which searches are interleaved is a hash of (shopper, query, candidate), so a shopper who reloads a
page sees the same list. When the candidate cannot score (unloaded between a trial's stop and the
gateway noticing), the search falls back to the serving ranking and is not counted in the trial.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine.errors import AisleError
from engine.inference.base import RankerModel, VersionedRanker
from engine.pipeline.teamdraft import SHARED, team_draft
from engine.pipeline.trialstate import ActiveTrial
from engine.pipeline.types import RankedHit

log = logging.getLogger(__name__)

NO_TEAM = SHARED  # a shown product below the interleaved head has no team either


class PinnedRanker:
    """`RankerModel` that always asks for one version; falls back to the default answer when that
    version is no longer loaded (a trial just ended and this process has not seen the file yet)."""

    def __init__(self, ranker: VersionedRanker, version: int) -> None:
        self.ranker, self.pinned = ranker, version

    def score(self, features: np.ndarray) -> np.ndarray:
        try:
            return self.ranker.score(features, version=self.pinned)
        except AisleError as exc:
            log.warning("ranker version %d did not answer (%s); using the served default", self.pinned, exc)
            return self.ranker.score(features)

    def version(self) -> int:
        return self.ranker.version()


@dataclass(frozen=True)
class TrialPage:
    """What the impression logs: `teams[i]` is the team of the page's i-th product."""

    serving: int
    candidate: int
    teams: str

    def to_log(self) -> dict[str, object]:
        return {"serving": self.serving, "candidate": self.candidate, "teams": self.teams}


def serving_ranker(ranker: RankerModel, trial: ActiveTrial | None) -> RankerModel:
    if trial is None or not isinstance(ranker, VersionedRanker):
        return ranker
    return PinnedRanker(ranker, trial.serving)


def sampled(trial: ActiveTrial, shopper: str, text: str) -> bool:
    """Deterministic per (shopper, query, candidate): True for about `trial.share` of them. A trial of
    another model (a query-encoder version) salts the hash with its name, so a ranker trial and an
    encoder trial of equal version numbers do not sample the same searches."""
    salt = "" if trial.model == "ranker" else f"{trial.model}\x1f"
    key = f"{salt}{trial.candidate}\x1f{shopper}\x1f{text}"
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64 < trial.share


def interleave_head(
    hits: list[RankedHit], depth: int, ranker: RankerModel, trial: ActiveTrial, seed: str
) -> dict[str, str] | None:
    """Re-order the first `depth` hits (already ranked by the serving version, each with its feature
    row) by team draft against the candidate's order, in place; returns product id -> team, or None
    when the candidate could not score (the hits are left as they were)."""
    head = hits[:depth]
    rows = [h.features for h in head if h.features is not None]
    if len(head) < 2 or len(rows) != len(head) or not isinstance(ranker, VersionedRanker):
        return None
    try:
        scores = ranker.score(np.stack(rows), version=trial.candidate)
    except AisleError as exc:
        log.warning("trial candidate %d did not answer (%s); serving the plain ranking", trial.candidate, exc)
        return None
    serving_ids = [h.product_id for h in head]
    by_score = np.asarray(scores, dtype=np.float64).reshape(-1)
    # as `rerank` orders: the strict members matching every word, the others, the loose ones
    order = sorted(range(len(head)), key=lambda i: (head[i].loose, head[i].partial, -by_score[i]))
    candidate_ids = [serving_ids[i] for i in order]
    rng = random.Random(int.from_bytes(hashlib.blake2b(seed.encode(), digest_size=8).digest(), "big"))
    merged = team_draft(serving_ids, candidate_ids, len(head), rng)
    by_id = {h.product_id: h for h in head}
    reordered = [by_id[pid] for pid in merged.product_ids]
    hits[: len(head)] = reordered
    for rank, hit in enumerate(hits, start=1):
        hit.rank = rank
    return dict(zip(merged.product_ids, merged.teams, strict=True))


def page_teams(teams: dict[str, str], page: Sequence[RankedHit]) -> str:
    return "".join(teams.get(h.product_id, NO_TEAM) for h in page)
