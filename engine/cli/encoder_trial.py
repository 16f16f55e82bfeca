"""`engine encoder trial status|step|start|stop`: the interleaved trial of a query-encoder version.

The same verbs, options and output as `engine ranker trial` (`engine.cli.ranker_gate`), over
`engine.encoder.trial.EncoderTrialRunner`: a kept query-only version meets live searches against the
serving tower, and the update job's encoder step (`engine ranker update --encoder-every N`) advances it.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from engine.cli.ranker_gate import add_trial_verbs, trial_config
from engine.cli.ranker_text import decision, trial_lines
from engine.config import load_settings

EXAMPLES = """examples:
  engine encoder trial status           the running query-tower trial: wins, losses, ties, p-value
  engine encoder trial step             decide now (promote, stop or keep running)
  engine encoder trial start 3 --share 0.2 --min-searches 500
  engine encoder trial stop             stop it; the serving tower keeps serving
"""


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    add_trial_verbs(
        verbs,
        "show, advance, start or stop the interleaved trial of a query-tower version",
        EXAMPLES,
        "start a trial of a kept query-only version",
        {"status": _status, "step": _step, "start": _start, "stop": _stop},
    )


def _run(args: argparse.Namespace, fn: Any, text: Any) -> int:
    """Run `fn` on an encoder trial runner and print its result (lines, or JSON with `--json`)."""
    from engine.encoder.trial import EncoderTrialRunner
    from engine.encoder.versions import QueryEncoderStore
    from engine.events.factory import open_event_log
    from engine.inference.factory import LazyLoader

    settings = load_settings()
    log, loader = open_event_log(settings), LazyLoader(settings)
    try:
        result = fn(EncoderTrialRunner(QueryEncoderStore(settings), log, loader))
    finally:
        log.close()
        loader.close()
    print(json.dumps(result, indent=2, default=str) if args.json else "\n".join(text(result)))
    return 0


def _decision_lines(record: dict[str, Any]) -> list[str]:
    return [decision(record)] if record.get("action") else ["no trial"]


def _status(args: argparse.Namespace) -> int:
    def status(runner: Any) -> dict[str, Any]:
        state = runner.state()
        if state is None:
            return {"trial": None}
        return {**state.to_dict(), "counts": runner.counts(state).to_dict()}

    return _run(args, status, trial_lines)


def _step(args: argparse.Namespace) -> int:
    return _run(args, lambda runner: runner.step() or {"trial": None}, _decision_lines)


def _start(args: argparse.Namespace) -> int:
    config = trial_config(args)
    return _run(args, lambda runner: runner.start(args.version, config), _decision_lines)


def _stop(args: argparse.Namespace) -> int:
    return _run(args, lambda runner: runner.stop(), _decision_lines)
