"""How often each position of a result list is looked at: the gateway's copy of the update job's estimate.

Why: `query_ctr` (clicks over views of a product under one query) is itself position-biased. A product
shown at position 1 is looked at on nearly every view, one shown at position 6 on a sixth of them, so
two equally good products get very different rates and the ranker learns "it was on top" as much as "it
is good". Counting each view as the *expected examination* of its position instead,

    query_ctr = (clicks + alpha) / (sum over views of theta(position) + alpha + beta)

turns the rate into an estimate of the product's attractiveness for that query (the position-based
model's gamma), shrunk towards the prior mean while there are few examinations. It stays per query: a
product's clicks under one query never change its rate under another.

`theta` is estimated by the update job (EM over the log, `engine.learning.propensity`), clipped below
at `1 / max_weight` like the training weights, and published as `<data_dir>/learning/examination.json`
(atomically); the gateway re-reads it when it changes. Without the file every position counts 1 and
`query_ctr` is the plain rate (what a job without bias correction leaves).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from engine.storage import write_atomic

EXAMINATION_FILE = "examination.json"


def examination_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / "learning" / EXAMINATION_FILE


def save_examination(path: Path, theta: Sequence[float]) -> None:
    """Publish `theta` (position 1 first, each in (0, 1]) for the gateway."""
    values = [float(t) for t in theta]
    if not values or any(not (0.0 < t <= 1.0) for t in values):
        raise ValueError("examination probabilities must be a non-empty sequence of values in (0, 1]")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps({"theta": values}))


def load_examination(path: Path) -> tuple[float, ...]:
    """The published theta, or () (every position counts 1) when there is none or it is unreadable: a
    broken file must not stop searches, it only loses the correction."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        theta = tuple(float(t) for t in data["theta"])
    except (OSError, ValueError, KeyError, TypeError):
        return ()
    return theta if theta and all(0.0 < t <= 1.0 for t in theta) else ()


class ExaminationWatcher:
    """The gateway's view of the examination file: re-read when its modification time changes, looked at
    no more than every `interval_s` seconds."""

    def __init__(self, path: Path, interval_s: float = 1.0) -> None:
        self.path = Path(path)
        self.interval_s = interval_s
        self._lock = threading.Lock()
        self._checked = float("-inf")
        self._mtime: float | None = None
        self._theta: tuple[float, ...] = ()

    def __call__(self) -> tuple[float, ...]:
        now = time.monotonic()
        with self._lock:
            if now - self._checked < self.interval_s:
                return self._theta
            self._checked = now
            try:
                mtime = self.path.stat().st_mtime
            except OSError:
                self._mtime, self._theta = None, ()
                return ()
            if mtime != self._mtime:
                self._mtime = mtime
                self._theta = load_examination(self.path)
            return self._theta
