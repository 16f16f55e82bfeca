"""Interleaved trials of query-encoder versions: the same gate on live traffic as ranker versions.

An offline gate (held-out click queries, the judged check set) scores a query tower on queries that
were logged or judged; it cannot show how shoppers take the lists a new tower retrieves. During a trial
a sampled share of eligible searches is embedded by both the serving tower and the candidate, retrieved,
fused and ranked once per embedding, and the two heads are merged by team draft
(`engine.pipeline.encoder_trial`); clicks are credited to the tower whose list showed the product, and
the sign test and stop rules of `engine.learning.trial` promote the candidate (it is rolled out by
`engine.encoder.rollout`, so `engine encoder rollback` brings the previous tower back) or stop it.

Only a query-only version can be trialled: it answers in the product space of the live vectors, so both
towers search the same index. A both-towers version serves only with the vectors it embedded itself
(`indexer build CATALOG --text-tower N`); a trial of it would need a second vector generation per
search, so it is refused with that message.

State: `<data_dir>/learning/encoder_trial.json` (`TrialState.model == "encoder"`), decisions in
`encoder_rollouts.jsonl` (`action: "trial"`). A ranker trial may run at the same time: the gateway
samples the two independently and never interleaves one search for both.
"""

from __future__ import annotations

import time
from typing import Any, Protocol

from engine.encoder.rollout import roll_out
from engine.encoder.versions import QueryEncoderStore
from engine.errors import InvalidInput
from engine.events.base import EventLog
from engine.learning.trial import TrialCounts, TrialLifecycle
from engine.models.tower import TowerManifest, check_compatible
from engine.pipeline.trialstate import TrialState


class EncoderTrialLoader(Protocol):
    """Loads query-tower versions; with `candidate`, both stay loaded (queries name the version)."""

    def load_query_encoder_version(self, version: int, candidate: int | None = None) -> None: ...


class EncoderTrialRunner(TrialLifecycle):
    """Trials of query-tower versions against the serving one, in one data directory."""

    model = "encoder"

    def __init__(
        self,
        store: QueryEncoderStore,
        log: EventLog,
        loader: EncoderTrialLoader,
        *,
        max_records: int = 2_000_000,
        clock: Any = time.time,
    ) -> None:
        super().__init__(store.data_dir, store.rollouts, log, max_records=max_records, clock=clock)
        self.store, self.loader = store, loader

    def _serving(self) -> int | None:
        return self.store.serving()

    def _check_candidate(self, candidate: int) -> None:
        """A kept query-only version in the live vectors' space (`NotFound`, `InvalidInput`,
        `IndexMismatch` otherwise)."""
        manifest = self.store.manifest(candidate)  # NotFound names the kept versions
        if manifest is not None and manifest.embeds_products:
            raise InvalidInput(
                f"query-encoder version {candidate} embeds products too (both towers): it serves only "
                f"with the vectors it embeds, so it cannot be trialled against the live vectors; "
                f"serve it with `indexer build CATALOG --text-tower {candidate}` (back with indexer rollback)"
            )
        space = manifest or TowerManifest(candidate, self.store.space_of(candidate))
        check_compatible(space, self.store.vectors_identity())

    def _load(self, serving: int, candidate: int | None = None) -> None:
        self.loader.load_query_encoder_version(serving, candidate=candidate)

    def _promote(self, state: TrialState, counts: TrialCounts) -> None:
        roll_out(
            self.store,
            self.loader,
            state.candidate,
            details={"previous": state.serving, "validated_by": "trial", "trial": counts.to_dict()},
        )
