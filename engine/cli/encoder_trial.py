"""`engine encoder trial status|step|start|stop`: the interleaved trial of a query-encoder version.

The same verbs, options and output as `engine ranker trial` (`engine.cli.ranker_gate`), over
`engine.encoder.trial.EncoderTrialRunner`: a kept query-only version meets live searches against the
serving tower, and the update job's encoder step (`engine ranker update --encoder-every N`) advances it.
"""

from __future__ import annotations

import argparse
from typing import Any

from engine.cli.ranker_gate import add_trial_verbs
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
        _runner,
    )


def _runner() -> tuple[Any, Any, Any]:
    """The encoder trial runner with the event log and loader it holds."""
    from engine.encoder.trial import EncoderTrialRunner
    from engine.encoder.versions import QueryEncoderStore
    from engine.events.factory import open_event_log
    from engine.inference.factory import LazyLoader

    settings = load_settings()
    log, loader = open_event_log(settings), LazyLoader(settings)
    return EncoderTrialRunner(QueryEncoderStore(settings), log, loader), log, loader
