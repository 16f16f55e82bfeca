"""`gateway serve`: several workers share one locally launched Triton instead of racing to launch one."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.cli import shared_triton
from engine.config import Settings
from engine.triton import launcher


class FakeServer:
    """What `start_triton` returns: a server that stops when its `with` block ends."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls
        calls.append("start")

    def __enter__(self) -> FakeServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.calls.append("stop")


@pytest.fixture
def launches(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(launcher, "start_triton", lambda settings: FakeServer(calls))
    monkeypatch.setattr(launcher, "running_server", lambda settings: None)
    return calls


def test_several_local_workers_get_one_triton_for_the_gateways_lifetime(
    launches: list[str], tmp_path: Path
) -> None:
    with shared_triton(Settings(data_dir=tmp_path), workers=2):
        assert launches == ["start"]
    assert launches == ["start", "stop"]


@pytest.mark.parametrize("workers,url", [(1, "local"), (4, "triton.internal:8001"), (2, "inprocess")])
def test_one_worker_or_a_remote_triton_launches_nothing_here(
    launches: list[str], tmp_path: Path, workers: int, url: str
) -> None:
    with shared_triton(Settings(data_dir=tmp_path, triton_url=url), workers=workers):
        pass
    assert launches == []


def test_a_running_triton_is_reused(
    launches: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(launcher, "running_server", lambda settings: object())
    with shared_triton(Settings(data_dir=tmp_path), workers=2):
        pass
    assert launches == []
