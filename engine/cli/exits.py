"""How every Aisle command line ends: the same exit statuses and one-line errors for `engine`, `gateway`
and `indexer`.

- 0: done. Also when the reader of our output went away (`engine ranker status | head`): the reader
  chose to stop, so the rest of the output is dropped quietly instead of ending in a BrokenPipeError.
- 1: it failed while running: a backend did not answer, a port is taken, a file could not be read.
  Running it again (once the cause is fixed elsewhere) can succeed.
- 2: the invocation is wrong: a bad argument (argparse's own status) or a bad `AISLE_*` setting
  (`ConfigError`) or input (`InvalidInput`). Running it again unchanged cannot succeed.
- 130: interrupted (Ctrl-C).

Errors are one line on stderr, `<prog>: error: <message>`, never a traceback. Commands also warn, at
start, about `AISLE_*` variables that nothing reads (`engine.environment`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from engine.environment import unknown_variable_warnings
from engine.errors import AisleError, ConfigError, InvalidInput

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def exit_status(error: AisleError) -> int:
    return EXIT_USAGE if isinstance(error, ConfigError | InvalidInput) else EXIT_FAILED


def warn_unknown_environment(prog: str) -> None:
    for line in unknown_variable_warnings(os.environ):
        print(f"{prog}: {line}", file=sys.stderr)


def _drop_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot raise BrokenPipeError again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def run_command(prog: str, command: Callable[[], int | None]) -> int:
    """Run `command` and map how it ended to an exit status (see the module docstring)."""
    try:
        status = int(command() or 0)
        sys.stdout.flush()  # here, where a closed pipe is caught, rather than at interpreter exit
        return status
    except BrokenPipeError:
        _drop_stdout()
        return EXIT_OK
    except AisleError as exc:
        print(f"{prog}: error: {exc.message}", file=sys.stderr)
        return exit_status(exc)
    except OSError as exc:  # the operating system refused something: one line, not a traceback
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"{prog}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
