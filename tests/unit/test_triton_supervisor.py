"""The Triton supervisor restarts a dead server, within a restart budget, and stops cleanly; a server
another process launched is adopted: not stopped here, followed to its successor, replaced when none comes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from engine.config import load_settings
from engine.errors import BackendUnavailable
from engine.triton.supervisor import TritonSupervisor


class FakeServer:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.process = None
        self.up = True
        self.answering = True  # False: alive but no longer listening (stopping)
        self.stopped = False

    def alive(self) -> bool:
        return self.up

    def ready(self) -> bool:
        return self.up and self.answering

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


class Finder:
    """What `running_server` would find: the server another process runs, or None."""

    def __init__(self, server: FakeServer | None = None) -> None:
        self.server = server

    def __call__(self, settings: object) -> FakeServer | None:
        return self.server if self.server is not None and self.server.alive() else None


def adopting(tmp_path: Path, launch: Launcher, find: Finder, grace_s: float = 0.05) -> TritonSupervisor:
    return TritonSupervisor(
        load_settings(data_dir=tmp_path),
        check_interval_s=0.01,
        launch=launch,
        find=find,
        adopt_grace_s=grace_s,
    )


def test_an_adopted_server_is_watched_but_not_stopped(tmp_path: Path) -> None:
    theirs = FakeServer(7)
    launch = Launcher()
    supervisor = adopting(tmp_path, launch, Finder(theirs))
    assert supervisor.adopt(theirs) is theirs and supervisor.alive() and not supervisor.owned
    time.sleep(0.05)
    supervisor.stop()
    assert not theirs.stopped and launch.attempts == 0


def test_when_an_adopted_server_dies_its_successor_is_adopted(tmp_path: Path) -> None:
    # The owner (say `engine triton start --supervise`) starts the replacement within the grace time.
    theirs, successor = FakeServer(7), FakeServer(8)
    find = Finder(theirs)
    launch = Launcher()
    supervisor = adopting(tmp_path, launch, find, grace_s=5.0)
    supervisor.adopt(theirs)
    theirs.up = False
    time.sleep(0.1)
    find.server = successor
    assert wait_for(lambda: supervisor.server is successor)
    assert supervisor.alive() and not supervisor.owned and supervisor.restarts == 0 and launch.attempts == 0
    supervisor.stop()
    assert not successor.stopped


def test_when_an_adopted_server_dies_with_no_successor_one_is_launched_and_owned(tmp_path: Path) -> None:
    # A gateway restarted while the previous gateway's server was still stopping: nobody replaces it.
    theirs = FakeServer(7)
    launch = Launcher()
    supervisor = adopting(tmp_path, launch, Finder(theirs))
    supervisor.adopt(theirs)
    theirs.up = False
    assert wait_for(lambda: supervisor.restarts == 1)
    assert supervisor.server is launch.servers[0] and supervisor.owned and supervisor.alive()
    assert not theirs.stopped  # what is left of it is its owner's
    supervisor.stop()
    assert launch.servers[0].stopped


def test_a_command_that_adopts_a_stopping_server_waits_for_its_successor(tmp_path: Path) -> None:
    # `indexer build` started just after the gateway that launched the server was stopped: the server
    # is still alive, no longer listening, and exits a moment later; nobody else replaces it.
    theirs = FakeServer(7)
    theirs.answering = False
    launch = Launcher()
    supervisor = adopting(tmp_path, launch, Finder(theirs))
    supervisor.adopt(theirs)
    threading.Timer(0.1, lambda: setattr(theirs, "up", False)).start()
    assert supervisor.wait_ready(5.0) is launch.servers[0] and supervisor.owned
    supervisor.stop()


def test_waiting_for_a_server_that_never_answers_gives_up_with_a_clear_error(tmp_path: Path) -> None:
    theirs = FakeServer(7)
    theirs.answering = False
    supervisor = adopting(tmp_path, Launcher(), Finder(theirs))
    supervisor.adopt(theirs)
    with pytest.raises(BackendUnavailable, match="not ready after 0s"):
        supervisor.wait_ready(0.2)
    supervisor.stop()
    assert not theirs.stopped
