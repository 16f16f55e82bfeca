"""Human-readable lines for `engine ranker status`, `update` and `trial` (their default output;
`--json` prints the records themselves). Times are shown as UTC dates, not Unix seconds."""

from __future__ import annotations

import time
from typing import Any


def when(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(float(seconds)))


def _validation(record: dict[str, Any]) -> str:
    validation = record.get("validation") or {}
    clicks, ndcg = validation.get("clicks") or {}, validation.get("ndcg") or {}
    parts = []
    if "candidate" in clicks and "serving" in clicks:
        parts.append(f"click estimate {clicks['candidate']:.4f} vs serving {clicks['serving']:.4f}")
    if "candidate" in ndcg and "serving" in ndcg:
        parts.append(f"check nDCG@10 {ndcg['candidate']:.4f} vs {ndcg['serving']:.4f}")
    reasons = validation.get("reasons") or []
    if reasons:
        parts.append("; ".join(str(r) for r in reasons))
    return ", ".join(parts)


def decision(record: dict[str, Any]) -> str:
    """One line for a rollout record or an update outcome."""
    action = record.get("action")
    events = record.get("events") or {}
    span = f"log offsets {events.get('after')}..{events.get('until')}" if events else ""
    if action == "waiting":
        return (
            f"waiting for clicks: {record.get('train_clicks', 0)} training and "
            f"{record.get('holdout_clicks', 0)} held-out clicks since offset {events.get('after')}, "
            "not enough to train yet"
        )
    if action == "no_ranker":
        return "no ranker is serving: roll one out first (engine ranker train ... --rollout)"
    stamp = when(record.get("time"))
    if action in ("rollout", "rollback"):
        verb = "rolled out" if action == "rollout" else "rolled back to"
        line = f"{stamp}  {verb} version {record.get('version')} (was {record.get('previous')})"
        if record.get("clicks") is not None:
            line += f": {record['clicks']} clicks, {span}"
        detail = _validation(record)
        return f"{line}; {detail}" if detail else line
    if action == "rejected":
        line = f"{stamp}  rejected a candidate trained on {record.get('clicks')} clicks, {span}"
        detail = _validation(record)
        return f"{line}; {detail}" if detail else line
    if action == "trial":
        c = record.get("trial") or {}
        counts = (
            f": {c.get('wins', 0)} wins, {c.get('losses', 0)} losses, {c.get('ties', 0)} ties over "
            f"{c.get('searches', 0)} searches, p={c.get('p_value', 1.0):.4g}"
            if c
            else ""
        )
        reason = f" ({record['reason']})" if record.get("reason") else ""
        line = f"trial of version {record.get('version')} {record.get('outcome')}{counts}{reason}"
        # A trial that keeps running is a recount, not a recorded decision: it has no time of its own.
        return f"{stamp}  {line}" if record.get("time") is not None else line
    return f"{stamp}  {action}"


def status_lines(status: dict[str, Any]) -> list[str]:
    versions = ", ".join(str(v) for v in status.get("versions") or []) or "none"
    last = status.get("last_decision")
    return [
        f"serving version   {status.get('serving') if status.get('serving') is not None else 'none'}",
        f"kept versions     {versions}",
        f"update checkpoint log offset {status.get('checkpoint')} of {status.get('log_last_offset')} "
        f"({status.get('unread_records')} records not yet read)",
        f"last decision     {decision(last) if last else 'none yet'}",
    ]


def trial_lines(trial: dict[str, Any]) -> list[str]:
    """The running (or last) trial: versions, state, counts and the rule that decides it."""
    if trial.get("trial", trial) is None:
        return ["no trial"]
    c, rule = trial.get("counts") or {}, trial.get("config") or {}
    state = trial.get("status", "?") + (f" ({trial['reason']})" if trial.get("reason") else "")
    started = when(trial.get("started_at"))
    decided = f", decided {when(trial['decided_at'])}" if trial.get("decided_at") else ""
    return [
        f"trial             version {trial.get('candidate')} against serving version {trial.get('serving')}: "
        f"{state}",
        f"started           {started}{decided}",
        f"counts            {c.get('wins', 0)} wins, {c.get('losses', 0)} losses, {c.get('ties', 0)} ties "
        f"over {c.get('searches', 0)} interleaved searches, p={c.get('p_value', 1.0):.4g}",
        f"decision rule     share {rule.get('share')}, alpha {rule.get('alpha')} "
        f"(stop {rule.get('stop_alpha')}), promote after "
        f">= {rule.get('min_searches')} searches, stop after {rule.get('max_searches')} searches or "
        f"{rule.get('max_hours')} h",
    ]
