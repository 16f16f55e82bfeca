"""Gate, serve and roll back query-tower versions through Triton's explicit model control.

The gate: a candidate serves only if its dense nDCG@10 on held-out judged queries (the check set, never
trained or early-stopped on) is not worse than the serving version's, within `tolerance`. Both are scored
against the same product vectors. Serving a version first checks its manifest against the product space
the served configuration names (`check_compatible`); the Triton model repeats that check when it loads
(`engine.models.served`), so a mismatched pair cannot serve even when the repository is edited by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.encoder.evaluate import EvalQuery, ProductVectors, QueryEncode, dense_ndcg
from engine.encoder.versions import QueryEncoderStore
from engine.errors import InvalidInput, NotFound
from engine.models.tower import TowerManifest, check_compatible


class EncoderVersionLoader(Protocol):
    """What a rollout needs from the model server (`engine.inference.triton.TritonInference`)."""

    def load_query_encoder_version(self, version: int) -> None: ...


@dataclass
class GateVerdict:
    accepted: bool
    candidate: float
    serving: float
    queries: int
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "candidate_ndcg": self.candidate,
            "serving_ndcg": self.serving,
            "queries": self.queries,
            "reasons": self.reasons,
        }


def gate(
    candidate: QueryEncode,
    serving: QueryEncode,
    check_set: Sequence[EvalQuery],
    products: ProductVectors,
    *,
    min_grade: float = 1.0,
    tolerance: float = 0.0,
    k: int = 10,
    serving_products: ProductVectors | None = None,
    label: str = "check-set",
) -> GateVerdict:
    """Accept only when the candidate's check-set nDCG@k >= the serving version's - `tolerance`.

    `serving_products`: the serving pair's vectors when they differ from the candidate's (both towers:
    each pair is scored against the corpus embedded in its own space). `label` names the query set in
    a refusal's reason (the online step also gates on held-out click queries)."""
    if not check_set:
        return GateVerdict(False, float("nan"), float("nan"), 0, ["no check queries"])
    cand = dense_ndcg(candidate, check_set, products, k, min_grade)
    serv = dense_ndcg(serving, check_set, serving_products or products, k, min_grade)
    verdict = GateVerdict(cand >= serv - tolerance, cand, serv, len(check_set))
    if not verdict.accepted:
        verdict.reasons.append(f"{label} nDCG@{k} {cand:.4f} < serving {serv:.4f} - {tolerance}")
    return verdict


def check_rollout(store: QueryEncoderStore, version: int) -> None:
    """Raise why `version` cannot serve with the live product vectors (missing, a both-towers version,
    another space); the CLI asks before it starts or reaches Triton."""
    if version not in store.versions():
        raise NotFound(f"query-encoder version {version} does not exist (kept: {store.versions()})")
    manifest = store.manifest(version)
    if manifest is not None and manifest.embeds_products:
        raise InvalidInput(
            f"query-encoder version {version} embeds products too: it serves only with the vectors it "
            f"embedded (indexer build CATALOG --text-tower {version}; back with indexer rollback)"
        )
    check_compatible(manifest or TowerManifest(version, store.space_of(version)), store.vectors_identity())


def roll_out(
    store: QueryEncoderStore,
    loader: EncoderVersionLoader,
    version: int,
    *,
    action: str = "rollout",
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Serve `version` after checking it matches the served product vectors (`check_rollout`); record
    it once Triton has it ready (a failed load propagates and records nothing)."""
    check_rollout(store, version)
    previous = store.serving()
    loader.load_query_encoder_version(version)
    record = {"action": action, "version": version, "previous": previous}
    return store.rollouts.append({**record, **(details or {})})


def rollback(
    store: QueryEncoderStore, loader: EncoderVersionLoader, version: int | None = None
) -> dict[str, Any]:
    """Serve `version`, or by default the version served before the current one (from the record)."""
    if version is None:
        current = store.serving()
        earlier = [
            r["previous"]
            for r in store.rollouts.records()
            if r.get("version") == current and r.get("previous") and r.get("action") != "rejected"
        ]
        if not earlier:
            raise NotFound(f"no earlier query-encoder version recorded before {current}; name one")
        version = int(earlier[-1])
    return roll_out(store, loader, version, action="rollback")
