"""The Triton supervisor restarts a dead server, within a restart budget, and stops cleanly."""

from __future__ import annotations

import time
from pathlib import Path

from engine.config import load_settings
from engine.errors import BackendUnavailable
from engine.triton.supervisor import TritonSupervisor


class FakeServer:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.process = None
        self.up = True
        self.stopped = False

    def alive(self) -> bool:
        return self.up

    def stop(self, grace_s: float = 30.0) -> None:
        self.stopped = True
        self.up = False


class Launcher:
    def __init__(self, failures: int = 0) -> None:
        self.servers: list[FakeServer] = []
        self.failures = failures
        self.attempts = 0

    def __call__(self, settings: object) -> FakeServer:
        self.attempts += 1
        if self.attempts > 1 and self.failures:
            self.failures -= 1
            raise BackendUnavailable("triton", "port busy\nlog tail")
        self.servers.append(FakeServer(100 + len(self.servers)))
        return self.servers[-1]


def wait_for(condition, timeout_s: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_a_dead_server_is_cleaned_up_and_replaced(tmp_path: Path) -> None:
    launch = Launcher()
    supervisor = TritonSupervisor(load_settings(data_dir=tmp_path), check_interval_s=0.01, launch=launch)
    first = supervisor.start()
    first.up = False  # killed
    assert wait_for(lambda: supervisor.restarts == 1)
    assert first.stopped and supervisor.server is launch.servers[1] and supervisor.alive()
    supervisor.stop()
    assert launch.servers[1].stopped and len(launch.servers) == 2


def test_a_failed_restart_is_retried(tmp_path: Path) -> None:
    launch = Launcher(failures=2)
    supervisor = TritonSupervisor(load_settings(data_dir=tmp_path), check_interval_s=0.01, launch=launch)
    supervisor.start().up = False
    assert wait_for(lambda: supervisor.restarts == 1)
    assert launch.attempts == 4 and supervisor.alive()
    supervisor.stop()


def test_it_gives_up_after_the_restart_budget(tmp_path: Path) -> None:
    launch = Launcher()
    supervisor = TritonSupervisor(
        load_settings(data_dir=tmp_path), check_interval_s=0.01, max_restarts=2, launch=launch
    )
    supervisor.start()
    for _ in range(3):
        assert supervisor.server is not None
        supervisor.server.up = False  # type: ignore[attr-defined]
        wait_for(lambda: supervisor.alive() or supervisor.gave_up is not None)
    assert supervisor.gave_up == "2 restarts within 300s" and supervisor.restarts == 2
    supervisor.stop()
