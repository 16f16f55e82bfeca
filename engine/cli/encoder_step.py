"""`engine ranker update --encoder-every N`: the update job's query-tower step, assembled from settings.

The step's trial takes the update's trial options (`--share`, `--alpha`, ...; `--no-trial`: none).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from engine.cli.ranker_gate import trial_config
from engine.cli.ranker_text import decision
from engine.config import Settings
from engine.encoder.online import EncoderStep, EncoderStepConfig
from engine.errors import InvalidInput
from engine.events.base import EventLog
from engine.inference.factory import LazyLoader


def add_encoder_step_options(update: argparse.ArgumentParser) -> None:
    """`--encoder-every N` and `--encoder-check QUERIES QRELS` on `engine ranker update`."""
    update.add_argument(
        "--encoder-every",
        type=int,
        default=0,
        metavar="N",
        help="also train the BERT query tower once N new clicks are logged (0: off; engine.encoder.online);"
        " an accepted tower runs the same interleaved trial as a ranker version (none with --no-trial)",
    )
    update.add_argument(
        "--encoder-check",
        nargs=2,
        type=Path,
        metavar=("QUERIES", "QRELS"),
        help="judged queries the query-tower candidate must not lose on (with --encoder-every)",
    )


def encoder_step(
    settings: Settings, log: EventLog, loader: LazyLoader, args: argparse.Namespace
) -> EncoderStep:
    """The step over the live vectors, warm-started from the serving tower, serving through `loader`."""
    from engine.encoder.online_setup import serving_step
    from engine.encoder.sources import eval_queries
    from engine.learning.offline_data import load_judgements

    if args.encoder_every < 1:
        raise InvalidInput(f"--encoder-every must be >= 1 click, got {args.encoder_every}")
    check: list[Any] = []
    min_grade = 1.0
    if args.encoder_check:
        judgements = load_judgements(*args.encoder_check)
        check, min_grade = eval_queries(judgements, judgements.judged_queries()), judgements.min_grade
    config = EncoderStepConfig(every=args.encoder_every, trial=None if args.no_trial else trial_config(args))
    return serving_step(settings, log, loader, config, check, min_grade)


def encoder_line(outcome: dict[str, Any], as_json: bool) -> str:
    """One line per step: waiting (clicks so far), or the verdict with the check-set figures."""
    if as_json:
        return json.dumps({"encoder": outcome}, default=str)
    action = outcome.get("action")
    if action == "waiting":
        return f"encoder: waiting ({outcome['clicks']} of {outcome['every']} new clicks)"
    if action == "trial":
        return f"encoder: {decision(outcome)}"
    gate = outcome.get("gate", {}).get("clicks", {})
    figures = f"held-out click nDCG@10 {gate.get('candidate_ndcg', float('nan')):.4f} (serving " + (
        f"{gate.get('serving_ndcg', float('nan')):.4f})"
    )
    if action == "rejected":
        return f"encoder: rejected: {'; '.join(outcome['gate']['reasons'])}"
    if action == "unchanged":
        return f"encoder: unchanged ({outcome['reason']}; {outcome['pairs']} click pairs)"
    return f"encoder: {action} query-encoder version {outcome.get('version')}; {figures}"
