"""`engine` command line: one entry point, noun/verb subcommands.

Each noun lives in its own module under `engine.cli` and exposes `register(subparsers)`; this module only
wires them together; `engine.cli.exits` turns errors into one-line messages and exit statuses.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from engine.cli.exits import run_command, warn_unknown_environment

# Modules providing a `register(subparsers)` function, in the order they appear in --help.
COMMAND_MODULES = ("engine.cli.triton", "engine.cli.ranker", "engine.cli.encoder")

EPILOG = """examples:
  engine triton start            launch Triton on the model repository and wait until it is ready
  engine triton status           show which models Triton serves, with versions
  engine ranker train --qrels ../shared/datasets/crowdflower/qrels.dev.tsv ...
  engine encoder finetune --qrels ../shared/datasets/homedepot/qrels.dev.tsv ...
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="engine",
        description="Aisle engine: model serving, ranker training and rollout.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    subparsers = parser.add_subparsers(dest="noun", required=True)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    warn_unknown_environment("engine")
    return run_command("engine", lambda: args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
