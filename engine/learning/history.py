"""How each ranker version was validated, and which kept version is safe to roll back to.

A version can reach the model repository in several ways, and they do not all deserve the same trust:

- `prior`       the hand-set ranker the engine ships with (version 1): the baseline every shop starts on;
- `judgements`  `engine ranker train`: passed if its held-out nDCG@10 did not drop;
- `check set`   the update job with a labelled check set: passed if the gate accepted it;
- `trial`       an interleaved trial on live traffic: passed only if the candidate won significantly;
- `forced`      served with `--force` although no gate passed (or none existed): never counts as passed.

The facts come from the version's manifest and from `rollouts.jsonl` (trial decisions and forced
rollouts are recorded there), so this module only reads. Rollback offers the newest kept version that
passed its gate, not merely the one served before: after a damaging version the previous one may be
just as bad.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from engine.learning.versions import RankerStore

PRIOR, JUDGEMENTS, CHECK_SET, TRIAL, FORCED, NONE = (
    "prior",
    "judgements",
    "check set",
    "trial",
    "forced",
    "none",
)


@dataclass
class VersionValidation:
    """One version's gate, whether it passed, and the numbers to show next to it."""

    version: int
    gate: str
    passed: bool
    summary: str
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "gate": self.gate,
            "passed": self.passed,
            "summary": self.summary,
            "details": self.details,
        }


def _fmt(value: Any) -> str:
    return "nan" if not isinstance(value, int | float) or math.isnan(float(value)) else f"{float(value):.4f}"


def _trial_summary(decision: dict[str, Any]) -> str:
    c = decision.get("trial") or {}
    outcome = decision.get("outcome", "?")
    return (
        f"trial {outcome}: {c.get('wins', 0)} wins, {c.get('losses', 0)} losses, {c.get('ties', 0)} ties"
        f" over {c.get('searches', 0)} searches, p={_fmt(c.get('p_value'))}"
    )


def validation(
    store: RankerStore, version: int, records: list[dict[str, Any]] | None = None
) -> VersionValidation:
    """The validation of one kept version (see the module docstring for the gates)."""
    records = store.rollouts.records() if records is None else records
    training = store.manifest(version).training
    mine = [r for r in records if r.get("version") == version]
    trials = [r for r in mine if r.get("action") == "trial" and r.get("outcome") in ("promoted", "stopped")]
    if trials:
        last = trials[-1]
        return VersionValidation(
            version, TRIAL, last.get("outcome") == "promoted", _trial_summary(last), last
        )
    if training.forced or any(r.get("forced") for r in mine):
        reason = next((r.get("refused") for r in mine if r.get("refused")), "forced past the gate")
        return VersionValidation(version, FORCED, False, f"forced: {reason}", {})
    if training.kind == "prior":
        return VersionValidation(version, PRIOR, True, "shipped prior ranker", {})
    if training.kind == "judgements":
        metrics = training.metrics
        before, after = metrics.get("holdout_ndcg@10_before"), metrics.get("holdout_ndcg@10_after")
        passed = before is None or after is None or math.isnan(before) or after >= before
        text = f"held-out nDCG@10 {_fmt(after)} (was {_fmt(before)})"
        return VersionValidation(version, JUDGEMENTS, passed, text, metrics)
    checked = training.validation
    ndcg = checked.get("ndcg") or {}
    if ndcg:
        text = f"check-set nDCG@10 {_fmt(ndcg.get('candidate'))} vs serving {_fmt(ndcg.get('serving'))}"
        return VersionValidation(version, CHECK_SET, bool(checked.get("accepted")), text, checked)
    pending = [r for r in mine if r.get("action") == "trial"]
    if pending:
        return VersionValidation(version, TRIAL, False, "trial running", pending[-1])
    return VersionValidation(version, NONE, False, "no gate: no check set and no trial", checked)


def validations(store: RankerStore) -> dict[int, VersionValidation]:
    records = store.rollouts.records()
    return {v: validation(store, v, records) for v in store.versions()}


def last_passed(store: RankerStore, exclude: int | None = None) -> VersionValidation | None:
    """The newest kept version that passed its gate (other than `exclude`, usually the serving one)."""
    for version, checked in sorted(validations(store).items(), reverse=True):
        if version != exclude and checked.passed:
            return checked
    return None
