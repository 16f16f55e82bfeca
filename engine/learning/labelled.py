"""Labelled lists: the candidates the pipeline retrieved for a judged query, with features and grades.

Offline training builds them from human judgements (qrels); the held-out part is saved as the *check set*
the update job's validation gate scores every candidate on. Features are frozen when the file is
written, so the check answers "does the new ranker still order these labelled lists well?" without
needing the search pipeline at validation time.

File format (JSON lines, nothing pickled): a header line `{"feature_names": [...], "min_grade": g}` then
one line per query `{"query_id", "query", "product_ids", "features", "grades"}`; `grades` holds every
judged grade of the query (for the ideal DCG), not only the retrieved products'.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.errors import InvalidInput, NotFound
from engine.learning.metrics import Scorer, gain, ndcg_at_k, reorder_columns
from engine.learning.trainer import TrainingList
from engine.storage import atomic_file


@dataclass(frozen=True)
class LabelledList:
    query_id: str
    query: str
    product_ids: tuple[str, ...]
    features: np.ndarray
    grades: dict[str, float]

    def training_list(self, min_grade: float) -> TrainingList:
        targets = np.array([gain(self.grades.get(pid, 0.0), min_grade) for pid in self.product_ids])
        return TrainingList(features=self.features, targets=targets.astype(np.float32))

    def ndcg(self, scorer: Scorer, k: int = 10, min_grade: float = 1.0) -> float | None:
        scores = scorer(self.features) if len(self.product_ids) else np.zeros(0)
        order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
        return ndcg_at_k([self.product_ids[i] for i in order], self.grades, k, min_grade)


def mean_ndcg(lists: Sequence[LabelledList], scorer: Scorer, k: int = 10, min_grade: float = 1.0) -> float:
    """Mean over the lists with a defined nDCG (NaN when none has one)."""
    values = [v for v in (item.ndcg(scorer, k, min_grade) for item in lists) if v is not None]
    return float(np.mean(values)) if values else float("nan")


def save_labelled(
    path: Path, lists: Sequence[LabelledList], feature_names: Sequence[str], min_grade: float
) -> None:
    """Write atomically (temp file + rename) so a reader never sees half a check set."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as fh:
        fh.write(json.dumps({"feature_names": list(feature_names), "min_grade": min_grade}) + "\n")
        for item in lists:
            row = {
                "query_id": item.query_id,
                "query": item.query,
                "product_ids": list(item.product_ids),
                "features": np.asarray(item.features, dtype=np.float32).round(6).tolist(),
                "grades": item.grades,
            }
            fh.write(json.dumps(row, separators=(",", ":")) + "\n")


def load_labelled(
    path: Path, feature_names: Sequence[str] | None = None
) -> tuple[list[LabelledList], list[str], float]:
    """(lists, feature_names, min_grade); raises NotFound / InvalidInput with the file name.

    With `feature_names`, rows are rearranged into that order (what a given ranker version expects).
    """
    if not path.is_file():
        raise NotFound(f"check set {path} does not exist")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        header = json.loads(lines[0])
        names = [str(n) for n in header["feature_names"]]
        lists = []
        for line in lines[1:]:
            if not line.strip():
                continue
            row = json.loads(line)
            features = np.asarray(row["features"], dtype=np.float32).reshape(-1, len(names))
            if feature_names is not None:
                features = reorder_columns(features, names, feature_names)
            lists.append(
                LabelledList(
                    query_id=str(row["query_id"]),
                    query=str(row["query"]),
                    product_ids=tuple(str(p) for p in row["product_ids"]),
                    features=features,
                    grades={str(k): float(v) for k, v in row["grades"].items()},
                )
            )
        return lists, list(feature_names or names), float(header.get("min_grade", 1.0))
    except (IndexError, KeyError, ValueError, TypeError) as exc:
        raise InvalidInput(f"check set {path} is not a labelled-list file: {exc}") from exc
