"""The query-tower step in the click simulation (`bench.simulate --encoder-every N`).

The same step `engine ranker update --encoder-every N` runs (`engine.encoder.online_setup`): after each
ranker update it trains a new query-tower version once N new clicks are logged, warm-started from the
serving tower and held close to it, gates it on the held-out click queries and on the check split's
judgements (the simulation's labelled check set; held-out queries are never seen), and serves it through
the run's Triton (with `--gate trial`, after an interleaved trial on the shoppers' searches). The
question it answers: do queries that got no traffic gain when the dense side learns from clicks?
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

from bench.sim_shop import Shop, Splits
from engine.config import Settings
from engine.encoder.evaluate import EvalQuery
from engine.encoder.online import EncoderStep, EncoderStepConfig
from engine.encoder.trial import EncoderTrialLoader
from engine.events.base import EventLog
from engine.pipeline.trialstate import TrialConfig


def query_tower_step(
    settings: Settings,
    log: EventLog,
    loader: EncoderTrialLoader,
    splits: Splits,
    shop: Shop,
    args: argparse.Namespace,
    every: int,
    trial: TrialConfig | None,
) -> EncoderStep:
    """The update job's query-tower step for this run's data directory, gated on the check split."""
    from engine.encoder.online_setup import serving_step

    train = EncoderStepConfig().train
    if args.encoder_lr is not None:
        train = replace(train, lr=args.encoder_lr)
    if args.encoder_anchor is not None:
        train = replace(train, anchor=args.encoder_anchor)
    check = [EvalQuery(qid, text, shop.qrels[qid]) for qid, text in splits.check]
    config = EncoderStepConfig(every=every, train=train, trial=trial)
    return serving_step(settings, log, loader, config, check, shop.min_grade)


def step_record(outcome: dict[str, Any] | None, step: EncoderStep) -> dict[str, Any]:
    """What a curve point keeps of one step: its action, the version it made, the gate's figures."""
    outcome = outcome or {"action": "start"}
    gate = outcome.get("gate") or {}
    training = outcome.get("training") or {}
    return {
        "serving": step.store.serving(),
        "action": outcome.get("action"),
        "version": outcome.get("version"),
        "clicks": outcome.get("clicks", training.get("clicks")),
        "pairs": outcome.get("pairs"),
        "seconds": training.get("seconds"),
        "best_step": training.get("best_step"),
        "gate": {
            name: {k: gate[name].get(k) for k in ("candidate_ndcg", "serving_ndcg", "queries")}
            for name in ("clicks", "check_set")
            if name in gate
        },
        "reasons": gate.get("reasons", []),
        **({"trial": outcome["outcome"]} if "outcome" in outcome else {}),
    }


def step_line(outcome: dict[str, Any] | None) -> str:
    """One short stderr line per step."""
    if not outcome:
        return "-"
    action = outcome.get("action")
    if action == "waiting":
        return f"waiting ({outcome.get('clicks')} of {outcome.get('every')} clicks)"
    gate = (outcome.get("gate") or {}).get("check_set") or {}
    figures = ""
    if "candidate_ndcg" in gate:
        figures = f" check {gate['candidate_ndcg']:.4f} vs {gate['serving_ndcg']:.4f}"
    return f"{action} v{outcome.get('version')}{figures}"
