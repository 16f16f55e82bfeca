"""Inputs of offline ranker training: human judgements and the feature rows of retrieved candidates.

Judgements come as two TSV files with a header (`query_id, query` and `query_id, product_id, grade`), the
layout of the benchmark datasets. Feature rows must be exactly what the served ranker sees, so they come
from the search pipeline itself, either over HTTP (`ApiFeatureSource`: POST /v1/search with `debug`,
which returns each hit's feature row) or in-process (`PipelineFeatureSource` over a `SearchPipeline`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from engine.errors import BackendUnavailable, InvalidInput, NotFound
from engine.pipeline.search import SearchPipeline
from engine.pipeline.types import SearchQuery
from engine.ranking.features import FEATURE_NAMES

MAX_API_PAGE = 100  # the gateway's largest page size


@dataclass
class Judgements:
    queries: dict[str, str]
    grades: dict[str, dict[str, float]] = field(default_factory=dict)

    @property
    def min_grade(self) -> float:
        values = [g for per_query in self.grades.values() for g in per_query.values()]
        return min(values) if values else 1.0

    def judged_queries(self) -> list[str]:
        return [qid for qid in self.queries if self.grades.get(qid)]

    def without(self, leave_out: Callable[[str], bool]) -> Judgements:
        """These judgements less the queries whose text `leave_out` names."""
        kept = {qid: text for qid, text in self.queries.items() if not leave_out(text)}
        return Judgements(kept, {qid: g for qid, g in self.grades.items() if qid in kept})


def _rows(path: Path, columns: Sequence[str]) -> list[dict[str, str]]:
    if not path.is_file():
        raise NotFound(f"no such file: {path}")
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise InvalidInput(f"{path}: missing column(s) {missing}; expected a TSV header {list(columns)}")
        return list(reader)


def load_judgements(queries: Path, qrels: Path) -> Judgements:
    """Read the query and judgement TSV files; a judgement of an unknown query is an error."""
    judgements = Judgements(
        queries={r["query_id"]: r["query"] for r in _rows(queries, ("query_id", "query"))}
    )
    for row in _rows(qrels, ("query_id", "product_id", "grade")):
        if row["query_id"] not in judgements.queries:
            raise InvalidInput(f"{qrels}: query {row['query_id']!r} is not in {queries}")
        try:
            grade = float(row["grade"])
        except ValueError:
            raise InvalidInput(f"{qrels}: grade {row['grade']!r} is not a number") from None
        judgements.grades.setdefault(row["query_id"], {})[row["product_id"]] = grade
    if not judgements.grades:
        raise InvalidInput(f"{qrels}: no judgements")
    return judgements


def load_product_ids(path: Path) -> set[str]:
    """Ids of a JSON-lines catalog (only to check that judgements refer to known products)."""
    if not path.is_file():
        raise NotFound(f"no such file: {path}")
    ids = set()
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if line.strip():
                try:
                    ids.add(str(json.loads(line)["id"]))
                except (ValueError, KeyError, TypeError):
                    raise InvalidInput(f"{path}:{number}: not a product record with an 'id'") from None
    return ids


class FeatureSource(Protocol):
    """Candidates of a query as the production pipeline ranks them, with the ranker's feature rows."""

    def candidates(self, query: str, depth: int) -> tuple[list[str], np.ndarray]: ...


class ApiFeatureSource:
    """Feature rows through the gateway: POST /v1/search {"debug": true, "pipeline": "full"}."""

    def __init__(self, url: str, timeout_s: float = 60.0, api_key: str | None = None) -> None:
        import httpx

        # Training searches are not shopper traffic: the gateway must not log them as impressions.
        headers = {"X-Aisle-Log": "off"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._client = httpx.Client(base_url=url.rstrip("/"), timeout=timeout_s, headers=headers)
        self._errors = (httpx.HTTPError,)

    def candidates(self, query: str, depth: int) -> tuple[list[str], np.ndarray]:
        body = {"query": query, "size": min(depth, MAX_API_PAGE), "debug": True, "pipeline": "full"}
        try:
            response = self._client.post("/v1/search", json=body)
        except self._errors as exc:
            raise BackendUnavailable("gateway", f"{self._client.base_url}: {exc}") from exc
        if response.status_code != 200:
            raise BackendUnavailable(
                "gateway", f"search answered {response.status_code}: {response.text[:200]}"
            )
        ids, rows = [], []
        for hit in response.json()["hits"]:
            features = (hit.get("debug") or {}).get("features")
            if not features:
                continue  # beyond the re-ranked head: no feature row
            ids.append(str(hit["id"]))
            rows.append([float(features.get(name, 0.0)) for name in FEATURE_NAMES])
        return ids, np.asarray(rows, dtype=np.float32).reshape(-1, len(FEATURE_NAMES))

    def close(self) -> None:
        self._client.close()


class PipelineFeatureSource:
    """Feature rows from an in-process `SearchPipeline` (the one the gateway builds)."""

    def __init__(self, pipeline: SearchPipeline) -> None:
        self.pipeline = pipeline

    def candidates(self, query: str, depth: int) -> tuple[list[str], np.ndarray]:
        outcome = self.pipeline.search(SearchQuery(text=query, size=depth, method="full"))
        hits = [h for h in outcome.hits if h.features is not None]
        rows = np.asarray([h.features for h in hits], dtype=np.float32).reshape(-1, len(FEATURE_NAMES))
        return [h.product_id for h in hits], rows
