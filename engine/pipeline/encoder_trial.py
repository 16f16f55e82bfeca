"""Stage: serve an interleaved trial of a query-encoder version (the candidate tower against the serving
one) on live searches.

While an encoder trial runs (`engine.encoder.trial`), Triton has both `query_encoder` versions loaded.
Every query then names its tower version (`TrialTextEncoder`): ordinary searches get the serving one,
never the candidate, even though the candidate is the highest loaded version. For a `share` of the
eligible searches (the same ones a ranker trial would take: relevance-sorted `full` text searches from
an identified shopper, sampled by `engine.pipeline.interleave.sampled`), `EncoderTrial.search` runs the
whole pipeline twice, once per tower (embed, retrieve, fuse, match, rank with the serving ranker), and
merges the two heads by team draft; each shown product carries its team into the impression
(`{"model": "encoder", "serving", "candidate", "teams"}`), and the shopper's clicks decide which tower
won that search.

The version a run embeds with is a context variable, so the pipeline itself is unchanged: the query
embedding cache keys each vector by the version that computed it (`engine.pipeline.embed`), and the two
runs of one search never share a vector. Inside a run the ranker trial does not interleave (a search is
in at most one trial) and exploration does not swap (the list's order is the trial's).
The variable is read in the thread that runs the search (`SearchPipeline` embeds there); a stage that
moved the query embedding into a worker pool would have to submit it with `contextvars.copy_context()`
(`tests/unit/test_encoder_trial.py` fails if the two runs stop embedding with their own versions).

`total`, facets and the suggestion are the serving tower's; pages are cut from the interleaved list of
`page * size` products (team draft is prefix-stable, so page 2 continues page 1). A search whose
candidate run fails or degrades, or whose list has pinned products, serves the serving tower's list and
is not counted. A sampled search costs about two searches.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from typing import Protocol

import numpy as np

from engine.errors import AisleError
from engine.inference.base import EncoderInfo
from engine.pipeline.interleave import sampled
from engine.pipeline.teamdraft import team_draft
from engine.pipeline.trialstate import ActiveTrial
from engine.pipeline.types import SearchOutcome, SearchQuery

log = logging.getLogger(__name__)

MODEL = "encoder"

# The query-tower version the search running in this context embeds with (None: not a trial run).
_tower: ContextVar[int | None] = ContextVar("encoder_trial_tower", default=None)

TrialView = Callable[[], ActiveTrial | None]


def in_trial_run() -> bool:
    """True inside one of the two runs of an interleaved encoder-trial search."""
    return _tower.get() is not None


@contextmanager
def embedding_with(version: int) -> Iterator[None]:
    token = _tower.set(version)
    try:
        yield
    finally:
        _tower.reset(token)


class VersionedEncoder(Protocol):
    """The served query encoder, asked for a named version (`TritonTextEncoder`)."""

    def encode_versioned(
        self, texts: Sequence[str], version: int | None = None
    ) -> tuple[np.ndarray, int]: ...


class PairedEncoder(Protocol):
    """The gateway's query encoder (`engine.inference.towers.PairedTextEncoder`)."""

    def info(self) -> EncoderInfo: ...

    def tower_version(self) -> int: ...


class TrialTextEncoder:
    """The gateway's query encoder during and outside encoder trials: the version of a trial run when
    one is set, else the version paired with the served vectors, except that an active trial's
    candidate is answered by the serving version (it is loaded, but serves only its share)."""

    def __init__(self, paired: PairedEncoder, served: VersionedEncoder, trial: TrialView) -> None:
        self.paired, self.served, self.trial = paired, served, trial

    def info(self) -> EncoderInfo:
        return self.paired.info()

    def tower_version(self) -> int:
        pinned = _tower.get()
        if pinned is not None:
            return pinned
        version = self.paired.tower_version()
        active = self.trial()
        return active.serving if active is not None and version == active.candidate else version

    def encode_versioned(self, texts: Sequence[str]) -> tuple[np.ndarray, int]:
        """Vectors from the version `tower_version` names. A stopped trial unloads its candidate
        before the trial file says so, but the loaded versions are re-read from Triton only every
        second: a request that names the just-unloaded candidate is retried once with what is loaded
        now (inside a trial run the failure is the run's, and the search serves the plain list)."""
        version = self.tower_version()
        try:
            return self.served.encode_versioned(texts, version)
        except AisleError:
            forget = getattr(self.served, "forget_versions", None)
            if in_trial_run() or not callable(forget):
                raise
            forget()
            again = self.tower_version()
            if again == version:
                raise
            return self.served.encode_versioned(texts, again)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return self.encode_versioned(texts)[0]


def outside_runs(ranker_trial: TrialView) -> TrialView:
    """The ranker trial as the pipeline should see it: inside an encoder-trial run it still pins the
    serving ranker version but does not interleave."""

    def view() -> ActiveTrial | None:
        active = ranker_trial()
        if active is not None and in_trial_run():
            return replace(active, interleaving=False)
        return active

    return view


class EncoderTrial:
    """The hook `SearchPipeline.search` calls first: an interleaved outcome for a sampled search, or
    None (the search runs as usual)."""

    def __init__(self, trial: TrialView) -> None:
        self.trial = trial

    def eligible(self, query: SearchQuery) -> ActiveTrial | None:
        if in_trial_run():
            return None
        active = self.trial()
        shopper = query.user_id or query.session_id
        text = query.text.strip()
        if active is None or not active.interleaving or active.model != MODEL:
            return None
        if query.method != "full" or query.sort != "relevance" or not shopper or not text:
            return None
        return active if sampled(active, shopper, text) else None

    def search(self, run: Callable[[SearchQuery], SearchOutcome], query: SearchQuery) -> SearchOutcome | None:
        active = self.eligible(query)
        if active is None:
            return None
        depth = query.page * query.size
        head = replace(query, page=1, size=depth)
        with embedding_with(active.serving):
            serving = run(head)
        candidate: SearchOutcome | None = None
        try:
            with embedding_with(active.candidate):
                candidate = run(replace(head, facets=()))
        except AisleError as exc:
            log.warning("encoder candidate %d failed (%s); serving the plain list", active.candidate, exc)
        if candidate is None or not comparable(serving, candidate):
            return page_of(serving, query)
        shopper = query.user_id or query.session_id or ""
        return interleaved(serving, candidate, query, active, f"{shopper}\x1f{query.text.strip()}")


def comparable(serving: SearchOutcome, candidate: SearchOutcome) -> bool:
    """Both towers answered with a dense side and nothing is pinned (a pin promises its position)."""
    pinned = any(rule.action == "pin" for rule in serving.merchandising + candidate.merchandising)
    return "dense" not in serving.degraded and "dense" not in candidate.degraded and not pinned


def page_of(outcome: SearchOutcome, query: SearchQuery) -> SearchOutcome:
    """The requested page of a head outcome (`page=1, size=page*size`), as a plain search answers it."""
    first = (query.page - 1) * query.size
    hits = outcome.hits[first : first + query.size]
    products = {h.product_id: outcome.products[h.product_id] for h in hits}
    return replace(outcome, hits=hits, products=products, propensity_swaps=())  # runs do not explore


def interleaved(
    serving: SearchOutcome, candidate: SearchOutcome, query: SearchQuery, active: ActiveTrial, seed: str
) -> SearchOutcome:
    """The team draft of the two towers' lists, cut to the requested page, with its teams."""
    depth = query.page * query.size
    rng = random.Random(int.from_bytes(hashlib.blake2b(seed.encode(), digest_size=8).digest(), "big"))
    merged = team_draft(
        [h.product_id for h in serving.hits], [h.product_id for h in candidate.hits], depth, rng
    )
    by_id = {h.product_id: h for h in candidate.hits} | {h.product_id: h for h in serving.hits}
    hits = [by_id[pid] for pid in merged.product_ids]
    for rank, hit in enumerate(hits, start=1):
        hit.rank = rank
    first = (query.page - 1) * query.size
    page = hits[first : first + query.size]
    known = candidate.products | serving.products
    timings = {**serving.timings_ms, "encoder_trial": candidate.timings_ms.get("total", 0.0)}
    return replace(
        serving,
        hits=page,
        products={h.product_id: known[h.product_id] for h in page},
        timings_ms=timings,
        propensity_swaps=(),
        interleaving={
            "model": MODEL,
            "serving": active.serving,
            "candidate": active.candidate,
            "teams": merged.teams[first : first + query.size],
        },
    )
