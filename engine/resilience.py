"""A circuit breaker per backend, so a dead or hung server costs one short wait, not one per request.

Each call to a guarded backend already has a deadline (the client's socket timeout: see
`AISLE_OPENSEARCH_READ_TIMEOUT_S`, `AISLE_TRITON_TIMEOUT_S`). The deadline alone still makes every
request wait it out while the server hangs, and piles threads onto a server that cannot answer. The
breaker counts consecutive failures (`BackendUnavailable`): after `failures` of them it *opens* and
refuses calls at once for `reset_s` seconds, so callers degrade immediately (answer from the other
retriever, report not-ready). Then it lets one trial call through (*half-open*): success closes it,
failure opens it for another `reset_s`.

Only `BackendUnavailable` counts: a request the backend rejects (`InvalidInput`, `NotFound`) says
nothing about its health. A backend whose failures are not all waits passes `counts`, which picks
the ones that are (Triton: a call past its deadline, as against a refused connection, which costs no
wait and would only keep a restarted server unused for up to `reset_s`, or a model answering with an
error); the others pass through and leave the breaker as it was.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

from engine.errors import BackendUnavailable

P = ParamSpec("P")
T = TypeVar("T")

CLOSED, HALF_OPEN, OPEN = "closed", "half_open", "open"
STATE_VALUES = {CLOSED: 0, HALF_OPEN: 1, OPEN: 2}


@dataclass
class BreakerStats:
    """Totals since start, for metrics."""

    failures: int = 0  # calls that raised BackendUnavailable
    refused: int = 0  # calls refused while open
    opened: int = 0  # times the breaker opened


class CircuitBreaker:
    """Thread-safe; one per backend, shared by every caller of that backend."""

    def __init__(
        self,
        backend: str,
        failures: int = 3,
        reset_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        counts: Callable[[BackendUnavailable], bool] | None = None,
    ) -> None:
        if failures < 1 or reset_s <= 0:
            raise ValueError("a breaker needs failures >= 1 and reset_s > 0")
        self.backend = backend
        self._counts = counts
        self.threshold = failures
        self.reset_s = reset_s
        self.stats = BreakerStats()
        self._clock = clock
        self._lock = threading.Lock()
        self._consecutive = 0
        self._opened_at: float | None = None
        self._trial_running = False
        self._public: str | None = None  # what the last failure told callers (e.g. how to repair)

    @property
    def state(self) -> str:
        with self._lock:
            return self._state()

    def _state(self) -> str:
        if self._opened_at is None:
            return CLOSED
        if self._clock() - self._opened_at >= self.reset_s:
            return HALF_OPEN
        return OPEN

    def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `fn` unless the breaker is open (then raise `BackendUnavailable` at once)."""
        trial = self._admit()
        try:
            result = fn(*args, **kwargs)
        except BackendUnavailable as exc:
            if self._counts is not None and not self._counts(exc):
                if trial:
                    with self._lock:
                        self._trial_running = False  # the next call is the trial
                raise
            self._public = exc.public
            self._failed(trial)
            raise
        except BaseException:
            if trial:
                with self._lock:
                    self._trial_running = False
            raise
        self._succeeded()
        return result

    def _admit(self) -> bool:
        """True when this call is the half-open trial; raises when the call is refused."""
        with self._lock:
            state = self._state()
            if state == CLOSED:
                return False
            if state == HALF_OPEN and not self._trial_running:
                self._trial_running = True
                return True
            self.stats.refused += 1
            assert self._opened_at is not None
            wait = max(0.0, self.reset_s - (self._clock() - self._opened_at))
        raise BackendUnavailable(
            self.backend,
            f"circuit open after {self.threshold} failures in a row; next try in {wait:.1f}s",
            public=self._public,
        )

    def _failed(self, trial: bool) -> None:
        with self._lock:
            self.stats.failures += 1
            self._consecutive += 1
            if trial:
                self._trial_running = False
            if trial or (self._opened_at is None and self._consecutive >= self.threshold):
                self._opened_at = self._clock()
                self.stats.opened += 1

    def _succeeded(self) -> None:
        with self._lock:
            self._consecutive = 0
            self._opened_at = None
            self._trial_running = False
