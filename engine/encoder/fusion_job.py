"""`engine encoder fusion`: fit the fusion weights for the fine-tuned version serving now, and store them.

The step after a fine-tuned pair goes live (`engine encoder rollout N`, or `indexer build --text-tower
N` for both towers): with the gateway's own pipeline (the CLI assembles it in-process), every judged query is
searched once with `full`, and the lexical / dense weights are fitted on those candidates
(`engine.encoder.fusion_fit`). They are written with the version (`engine.encoder.fusion_weights`),
so they serve exactly while it does. Never pass the queries it will be judged on. Queries the version
(or one it was trained from) learned are left out unless asked for (`engine.encoder.trained`): on them
the dense side looks better than it is on any new query, and the fit would weigh it accordingly.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from engine.encoder.fusion_fit import collect, fit_fusion
from engine.encoder.fusion_weights import write_fusion
from engine.encoder.trained import lineage_queries, without_trained
from engine.encoder.versions import QueryEncoderStore
from engine.errors import InvalidInput, NotFound
from engine.learning.offline_data import load_judgements
from engine.pipeline.search import SearchPipeline


@dataclass(frozen=True)
class FusionRequest:
    queries: Path
    qrels: Path
    max_queries: int = 0  # 0: every judged query
    seed: int = 13
    write: bool = True
    include_trained: bool = False  # keep the queries the version learned from (see the module docstring)

    def check(self) -> None:
        if self.max_queries < 0:
            raise InvalidInput(f"--max-queries must be >= 0, got {self.max_queries}")


def run_fusion_fit(
    store: QueryEncoderStore,
    pipeline: SearchPipeline,
    version: int | None,
    request: FusionRequest,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Fit on the judged queries of `request` with `pipeline` (the gateway's, assembled by the caller)
    while `version` serves; store the weights with it unless `request.write` is False. Returns the
    record written."""
    request.check()
    if version is None:
        raise NotFound("no query-encoder version serves (Triton not reachable, or no index built)")
    if request.write and store.manifest(version) is None:
        raise InvalidInput(
            f"version {version} (the configured model) serves: fusion weights are fitted for a "
            "fine-tuned version; roll one out first (or pass --dry-run to only measure)"
        )
    judgements = load_judgements(request.queries, request.qrels)
    left_out = 0
    if not request.include_trained:
        trained = lineage_queries(store.model_dir, [version])
        judgements, left_out = without_trained(judgements, trained, f"query-encoder version {version}")
    judged = judgements.judged_queries()
    if request.max_queries and request.max_queries < len(judged):
        judged = random.Random(request.seed).sample(judged, request.max_queries)
    queries = [(judgements.queries[q], judgements.grades[q]) for q in judged]
    items = collect(pipeline, queries, progress)
    base = replace(pipeline.config.fusion, tuned=None)
    fit = fit_fusion(items, judgements.min_grade, base)
    record: dict[str, Any] = {
        "version": version,
        **fit.to_dict(),
        "configured": {"lexical": base.lexical_weight, "dense": base.dense_weight},
        "data": {
            "queries": str(request.queries),
            "qrels": str(request.qrels),
            "judged": len(judged),
            "left_out_trained": left_out,
        },
    }
    if request.write:
        record["path"] = str(write_fusion(store, version, fit.weights(), record))
    return record
