"""`engine ranker trial|checkset|rollback`: the gates that decide what may serve, and the way back.

- `trial`     shows, advances or stops the interleaved trial of a candidate against the serving version,
              or starts one for a kept version (e.g. one `train` wrote).
- `checkset`  builds the labelled check set from a shop's own judged queries (TSV files), so the update
              job has a first gate before any shopper sees a candidate.
- `rollback`  serves the newest kept version that passed its gate (or the one named), after showing how
              that version was validated.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from engine.cli.ranker_text import decision, trial_lines
from engine.config import load_settings

TRIAL_EXAMPLES = """examples:
  engine ranker trial status            the running trial: wins, losses, ties, p-value, searches
  engine ranker trial step              decide now (promote, stop or keep running), as the update job does
  engine ranker trial start 4 --share 0.2 --min-searches 500
  engine ranker trial stop              stop the running trial; the serving version keeps serving
"""


def add_trial_options(parser: argparse.ArgumentParser) -> None:
    """The trial's decision rule, shared by `update` and `trial start`."""
    parser.add_argument("--share", type=float, default=0.5, help="share of searches interleaved (0.5)")
    parser.add_argument("--alpha", type=float, default=0.05, help="sign-test level to promote (0.05)")
    parser.add_argument(
        "--stop-alpha", type=float, default=0.10, help="sign-test level to stop a losing candidate (0.10)"
    )
    parser.add_argument("--min-searches", type=int, default=200, help="searches before a promotion (200)")
    parser.add_argument("--max-searches", type=int, default=2_000, help="stop after this many (2000)")
    parser.add_argument("--max-hours", type=float, default=72.0, help="stop after this long (72)")


def trial_config(args: argparse.Namespace) -> Any:
    from engine.pipeline.trialstate import TrialConfig

    try:
        return TrialConfig(
            share=args.share,
            alpha=args.alpha,
            stop_alpha=args.stop_alpha,
            min_searches=args.min_searches,
            max_searches=args.max_searches,
            max_hours=args.max_hours,
        )
    except ValueError as exc:
        print(f"engine: error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def add_trial_verbs(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser],
    summary: str,
    epilog: str,
    start_help: str,
    open_runner: Callable[[], tuple[Any, Any, Any]],
) -> None:
    """`trial status|step|start VERSION|stop` under `verbs`: the same verbs, options and output for
    every model that runs interleaved trials (rankers, query towers). `open_runner` gives the model's
    trial runner with the event log and loader it holds (closed after the verb)."""
    trial = verbs.add_parser(
        "trial", help=summary, epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    actions = trial.add_subparsers(dest="trial_verb", required=True)
    status = actions.add_parser("status", help="the running (or last) trial with its counts")
    step = actions.add_parser("step", help="recount and decide now")
    start = actions.add_parser("start", help=start_help)
    start.add_argument("version", type=int)
    add_trial_options(start)
    stop = actions.add_parser("stop", help="stop the running trial")
    handlers = _trial_handlers(open_runner)
    for name, verb in (("status", status), ("step", step), ("start", start), ("stop", stop)):
        verb.set_defaults(handler=handlers[name])
        verb.add_argument("--json", action="store_true", help="print the record as JSON (Unix times)")


def _trial_handlers(
    open_runner: Callable[[], tuple[Any, Any, Any]],
) -> dict[str, Callable[[argparse.Namespace], int]]:
    def run(args: argparse.Namespace, fn: Any, text: Any) -> int:
        """Run `fn` on a trial runner and print its result: lines for people, or JSON with `--json`."""
        runner, log, loader = open_runner()
        try:
            result = fn(runner)
        finally:
            log.close()
            loader.close()
        print(json.dumps(result, indent=2, default=str) if args.json else "\n".join(text(result)))
        return 0

    def status(args: argparse.Namespace) -> int:
        def counted(runner: Any) -> dict[str, Any]:
            state = runner.state()
            if state is None:
                return {"trial": None}
            return {**state.to_dict(), "counts": runner.counts(state).to_dict()}

        return run(args, counted, trial_lines)

    def step(args: argparse.Namespace) -> int:
        return run(args, lambda runner: runner.step() or {"trial": None}, _decision_lines)

    def start(args: argparse.Namespace) -> int:
        config = trial_config(args)
        return run(args, lambda runner: runner.start(args.version, config), _decision_lines)

    def stop(args: argparse.Namespace) -> int:
        return run(args, lambda runner: runner.stop(), _decision_lines)

    return {"status": status, "step": step, "start": start, "stop": stop}


def register(verbs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    add_trial_verbs(
        verbs,
        "show, advance, start or stop the interleaved trial",
        TRIAL_EXAMPLES,
        "start a trial of a kept version against the serving one",
        _runner,
    )

    checkset = verbs.add_parser("checkset", help="build the labelled check set from judged queries (TSV)")
    checkset.add_argument("--queries", type=Path, required=True, help="TSV: query_id, query")
    checkset.add_argument("--qrels", type=Path, required=True, help="TSV: query_id, product_id, grade")
    checkset.add_argument("--api", help="gateway URL to get feature rows from (default: in-process)")
    checkset.add_argument("--depth", type=int, default=100, help="candidates per query (default 100)")
    checkset.set_defaults(handler=_checkset)

    back = verbs.add_parser("rollback", help="serve the newest version that passed its gate (or VERSION)")
    back.add_argument("version", type=int, nargs="?", help="a kept version (default: the last that passed)")
    back.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    back.set_defaults(handler=_rollback)


def _runner() -> tuple[Any, Any, Any]:
    from engine.cli import ranker  # its LazyLoader, so one substitution covers every verb
    from engine.learning.trial import TrialRunner
    from engine.learning.versions import RankerStore

    settings = load_settings()
    log, loader = ranker.open_event_log(settings), ranker.LazyLoader(settings)
    return TrialRunner(RankerStore(settings), log, loader), log, loader


def _decision_lines(record: dict[str, Any]) -> list[str]:
    return [decision(record)] if record.get("action") else ["no trial"]


def _checkset(args: argparse.Namespace) -> int:
    from engine.cli.ranker import collect_judged
    from engine.learning.labelled import save_labelled
    from engine.learning.offline import check_set_path
    from engine.learning.offline_data import load_judgements
    from engine.learning.versions import RankerStore

    settings = load_settings()
    judgements = load_judgements(args.queries, args.qrels)
    store = RankerStore(settings)
    serving = store.serving()
    if serving is None:
        print("engine: error: no ranker version serves yet (start Triton once)", file=sys.stderr)
        return 1
    lists = collect_judged(settings, args.api, judgements, args.depth, "check set")
    if not lists:
        print(
            "engine: error: no judged query retrieved any candidate: is the catalog indexed?", file=sys.stderr
        )
        return 1
    path = check_set_path(store)
    save_labelled(path, lists, store.manifest(serving).feature_names, judgements.min_grade)
    print(f"check set: {len(lists)} judged queries written to {path}")
    return 0


def _rollback(args: argparse.Namespace) -> int:
    from engine.cli import ranker
    from engine.learning.history import last_passed, validation
    from engine.learning.rollout import rollback
    from engine.learning.versions import RankerStore

    settings = load_settings()
    store = RankerStore(settings)
    serving = store.serving()
    if args.version is None:
        target = last_passed(store, exclude=serving)
        if target is None:
            print(
                "engine: error: no other kept version passed its gate; name one: rollback VERSION",
                file=sys.stderr,
            )
            return 1
    else:
        if args.version not in store.versions():
            print(
                f"engine: error: ranker version {args.version} does not exist (kept: {store.versions()})",
                file=sys.stderr,
            )
            return 1  # a runtime failure, as for `rollout`
        target = validation(store, args.version)
    verdict = "passed" if target.passed else "did NOT pass"
    print(f"version {target.version}: {target.gate} gate {verdict}: {target.summary}")
    if not args.yes and sys.stdin.isatty():
        answer = input(f"serve version {target.version} instead of {serving}? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            print("not rolled back")
            return 1
    loader = ranker.LazyLoader(settings)
    try:
        record = rollback(store, loader, target.version)
    finally:
        loader.close()
    print(f"serving ranker version {record['version']} (was {record['previous']})")
    return 0
