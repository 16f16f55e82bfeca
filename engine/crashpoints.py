"""Named crash points: a test hook that kills the process at a dangerous step of a write.

Ingest promises that a process killed at any moment leaves a state every reader can serve (the old
generation, or the new one, never a mix). The steps where that promise is hardest to keep call
`crash_point(name)`; when `AISLE_TEST_CRASH_AT` names that step the process sends itself SIGKILL
there, exactly as `kill -9` would (no `finally` blocks, no atexit, no flushing). Tests and
`bench.rebuilds` set it on an `indexer` child process; it is never set in production, where the call
costs one environment lookup.

Named steps: `build-after-vectors` (a new generation's vector stores are written, e.g. a re-embedding
with a both-towers encoder, nothing else), `build-after-lexical` (the new lexical generation is written,
nothing switched),
`build-after-commit` (the catalog pointer names the new generation, the lexical index's own pointer or
alias does not yet), `update-after-vectors` (an upsert or delete saved its vector stores, the lexical
index and the manifest are untouched), `update-after-lexical` (lexical written too, manifest not).
"""

from __future__ import annotations

import os
import signal

ENV = "AISLE_TEST_CRASH_AT"
POINTS = frozenset(
    {
        "build-after-vectors",
        "build-after-lexical",
        "build-after-commit",
        "update-after-vectors",
        "update-after-lexical",
    }
)


def crash_point(name: str) -> None:
    """Die by SIGKILL here when `AISLE_TEST_CRASH_AT` is `name` (see the module docstring)."""
    if name not in POINTS:
        raise ValueError(f"unknown crash point {name!r}")
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
