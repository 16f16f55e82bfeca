"""A trained ranker version rolls out on the real Triton while requests flow, and rolls back.

The update job learns from a synthetic click log and rolls its candidate out through explicit model
control; a client thread scores rows the whole time. Every request must succeed, the version named by
the responses must switch within seconds, and the new version must compute exactly what its artifact
computes locally.
"""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from engine.events.embedded import EmbeddedEventLog
from engine.learning.rollout import rollback
from engine.learning.trainer import score_rows
from engine.learning.update import UpdateConfig, UpdateJob
from engine.learning.versions import RankerStore
from tests.unit.test_learning_fixtures import World, make_log

pytestmark = pytest.mark.integration


class Traffic:
    """Scores the same rows in a loop; records (time, version, scores) or the error of each request."""

    def __init__(self, backend, rows: np.ndarray) -> None:
        self.ranker = backend.ranker()
        self.rows = rows
        self.seen: list[tuple[float, int, np.ndarray]] = []
        self.errors: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                scores = self.ranker.score(self.rows)
                self.seen.append((time.monotonic(), self.ranker.version(), scores))
            except Exception as exc:  # every failure counts, whatever its type
                self.errors.append(repr(exc))
            time.sleep(0.01)

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(30)

    def first_seen(self, version: int, after: float) -> float | None:
        return next((t for t, v, _ in self.seen if v == version and t >= after), None)


class TimedLoader:
    """The real backend's `load_ranker_version`, remembering when the last load started and returned."""

    def __init__(self, backend) -> None:
        self.backend = backend
        self.started = self.returned = 0.0

    def load_ranker_version(self, version: int) -> None:
        self.started = time.monotonic()
        self.backend.load_ranker_version(version)
        self.returned = time.monotonic()


def test_trained_version_rolls_out_and_back_without_failed_requests(triton_server, tmp_path: Path) -> None:
    settings = triton_server.settings
    store = RankerStore(settings)
    backend, traffic_backend = triton_server.backend(), triton_server.backend()
    original = backend.ranker().served_version()
    before = set(store.versions())
    world = World()
    rows = world.features[0]
    log = EmbeddedEventLog(tmp_path / "events.sqlite3")
    try:
        make_log(log, world, 800, np.random.default_rng(11))
        loader = TimedLoader(backend)
        config = UpdateConfig(epochs=3, min_train_clicks=30, trial=None, force=True, learn="all")
        job = UpdateJob(settings, log, loader, config)
        with Traffic(traffic_backend, rows) as traffic:
            time.sleep(1.0)
            outcome = job.run_once()
            assert outcome["action"] == "rollout", outcome
            new = outcome["version"]
            time.sleep(2.0)
            rolled_out = (loader.started, loader.returned, traffic.first_seen(new, loader.started))
            rollback(store, loader, original)
            time.sleep(2.0)
            rolled_back = (loader.started, loader.returned, traffic.first_seen(original, loader.started))

        assert traffic.errors == []
        assert len(traffic.seen) > 20
        for started, returned, first in (rolled_out, rolled_back):
            # Loading a python-backend version takes seconds (more on a busy machine); once the load
            # returned, the very next requests are answered by the new version.
            assert returned - started < 60
            assert first is not None and first - returned < 2.0
        last_new = [s for _, v, s in traffic.seen if v == new][-1]
        expected = score_rows(store.load(new)[0], rows)
        np.testing.assert_allclose(last_new, expected, rtol=1e-4, atol=1e-4)
        assert traffic.seen[-1][1] == original
        assert [r["action"] for r in store.rollouts.records()][-2:] == ["rollout", "rollback"]
    finally:
        log.close()
        if backend.ranker().served_version() != original:
            backend.load_ranker_version(original)
        for version in set(store.versions()) - before:
            shutil.rmtree(store.model_dir / str(version), ignore_errors=True)
        backend.close()
        traffic_backend.close()
