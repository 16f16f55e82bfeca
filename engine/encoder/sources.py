"""What a fine-tuning run learns from and is judged on: judged pairs, the click log, or both.

Each source is split three ways by query with one seeded shuffle: training pairs, validation queries
(early stopping) and check queries (the gate: never trained or selected on). Judged queries are graded
by their judgements; held-out click queries grade every product clicked for them one step above the
scale's minimum, so they count as relevant in nDCG. Both sources together concatenate each part, so the
gate sees judged and click queries alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engine.encoder.clicks import click_eval_queries, click_pairs, click_query_id
from engine.encoder.data import Pair, pairs_for, split_queries
from engine.encoder.evaluate import EvalQuery
from engine.errors import InvalidInput
from engine.events.base import EventLog
from engine.learning.clicks import ClickedList, clicked_lists, read_records
from engine.learning.offline_data import Judgements, load_judgements
from engine.learning.propensity import estimate_pbm


@dataclass(frozen=True)
class Splits:
    validation: float = 0.1
    check: float = 0.2
    seed: int = 13


@dataclass
class TrainingSet:
    pairs: list[Pair] = field(default_factory=list)
    validation: list[EvalQuery] = field(default_factory=list)
    check: list[EvalQuery] = field(default_factory=list)
    min_grade: float = 1.0
    summary: dict[str, object] = field(default_factory=dict)

    def extend(self, other: TrainingSet) -> None:
        self.pairs += other.pairs
        self.validation += other.validation
        self.check += other.check
        self.summary.update(other.summary)


def three_way_split(ids: Sequence[str], splits: Splits) -> tuple[list[str], list[str], list[str]]:
    """(train, validation, check) query ids, disjoint, by a seeded shuffle."""
    if splits.validation <= 0 or splits.check <= 0 or splits.validation + splits.check >= 1:
        raise InvalidInput("validation and check fractions must be > 0 and sum to less than 1")
    rest, check_ids = split_queries(ids, 1.0 - splits.check, splits.seed)
    keep = 1.0 - splits.validation / (1.0 - splits.check)
    train_ids, validation_ids = split_queries(rest, keep, splits.seed + 1)
    return train_ids, validation_ids, check_ids


def eval_queries(judgements: Judgements, ids: Sequence[str]) -> list[EvalQuery]:
    return [EvalQuery(qid, judgements.queries[qid], judgements.grades[qid]) for qid in ids]


def from_judgements(
    queries: Path,
    qrels: Path,
    products: Mapping[str, str],
    min_grade: float,
    splits: Splits,
    *,
    negative_grade: float | None = None,
) -> TrainingSet:
    """Pairs with grade >= `min_grade` from the training queries (with their judged products at or
    below `negative_grade` as hard negatives); the rest graded by their judgements."""
    judgements = load_judgements(queries, qrels)
    train_ids, validation_ids, check_ids = three_way_split(judgements.judged_queries(), splits)
    pairs = pairs_for(judgements, train_ids, products, min_grade, negative_grade)
    return TrainingSet(
        pairs,
        eval_queries(judgements, validation_ids),
        eval_queries(judgements, check_ids),
        judgements.min_grade,
        {
            "judged_pairs": len(pairs),
            "judged_train_queries": len(train_ids),
            "judged_hard_negatives": sum(len(p.negatives) for p in pairs),
        },
    )


def read_clicked_lists(log: EventLog, max_records: int) -> list[ClickedList]:
    """Every served search list in the first `max_records` records of the log, with its clicks."""
    return clicked_lists(read_records(log, 0, max_records), log)


def from_clicks(
    lists: Sequence[ClickedList],
    products: Mapping[str, str],
    splits: Splits,
    *,
    min_grade: float = 1.0,
    max_weight: float = 10.0,
    max_negatives: int = 4,
) -> TrainingSet:
    """IPS-weighted click pairs with passed-over negatives; held-out click queries for validation/check.

    Propensities are estimated from all of `lists` (examination depends on the position, not on which
    split a query fell in)."""
    propensities = estimate_pbm((obs for item in lists for obs in item.observations()), max_weight=max_weight)
    clicked = sorted({click_query_id(item) for item in lists if item.clicked})
    if len(clicked) < 3:
        raise InvalidInput(f"the click log has clicks for {len(clicked)} queries; need at least 3")
    train_ids, validation_ids, check_ids = three_way_split(clicked, splits)
    pairs = click_pairs(lists, propensities, products, query_ids=set(train_ids), max_negatives=max_negatives)
    grade = min_grade + 1.0
    return TrainingSet(
        pairs,
        click_eval_queries(lists, validation_ids, grade),
        click_eval_queries(lists, check_ids, grade),
        min_grade,
        {
            "click_pairs": len(pairs),
            "click_train_queries": len(train_ids),
            "propensities": propensities.to_dict(),
        },
    )
