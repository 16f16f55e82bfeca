"""engine.storage: atomic replacement, synced appends, the cross-process lock and the generation pointer."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from engine.storage import (
    GenerationPointer,
    append_synced,
    atomic_file,
    file_lock,
    write_atomic,
    write_synced,
)


def test_write_atomic_replaces_the_whole_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    write_atomic(target, "old\n")
    write_atomic(target, b"new bytes")
    assert target.read_bytes() == b"new bytes"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_a_failed_write_keeps_the_old_file_and_removes_its_temporary(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    write_atomic(target, "old")
    with pytest.raises(RuntimeError), atomic_file(target) as handle:
        handle.write("half of the new")
        raise RuntimeError("crash while writing")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_permissions_are_set_before_the_file_appears(tmp_path: Path) -> None:
    target = tmp_path / "config.pbtxt"
    write_atomic(target, "name: 'x'", permissions=0o640)
    assert target.stat().st_mode & 0o777 == 0o640


def test_synced_writes_and_appends(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    write_synced(path, "a\n")
    append_synced(path, "b\n")
    append_synced(path, b"c\n")
    assert path.read_text() == "a\nb\nc\n"


def test_generation_pointer(tmp_path: Path) -> None:
    pointer = GenerationPointer(tmp_path)
    assert pointer.read() is None
    pointer.switch("gen-1")
    pointer.switch("gen-2")
    assert pointer.read() == "gen-2"
    assert (tmp_path / "CURRENT").read_text() == "gen-2\n"
    (tmp_path / "CURRENT").write_text("  \n")
    assert pointer.read() is None  # an empty pointer names nothing


def _hold(path: str, ready: multiprocessing.synchronize.Event, release: float) -> None:
    with file_lock(Path(path)):
        ready.set()
        time.sleep(release)


def test_lock_excludes_another_process_and_is_released_when_it_ends(tmp_path: Path) -> None:
    lock = tmp_path / "sub" / ".lock"
    ready = multiprocessing.get_context("fork").Event()
    holder = multiprocessing.get_context("fork").Process(target=_hold, args=(str(lock), ready, 1.0))
    holder.start()
    try:
        assert ready.wait(10)
        held_since = time.monotonic()
        with pytest.raises(BlockingIOError), file_lock(lock, wait=False):
            pass
        with (
            pytest.raises(ValueError, match="busy"),
            file_lock(lock, wait=False, busy=lambda: ValueError("busy")),
        ):
            pass
        with file_lock(lock):  # waits until the holder lets go after its second
            assert time.monotonic() - held_since > 0.5
    finally:
        holder.join(10)
    assert holder.exitcode == 0


def test_lock_is_released_when_the_holder_is_killed(tmp_path: Path) -> None:
    lock = tmp_path / ".lock"
    ready = multiprocessing.get_context("fork").Event()
    holder = multiprocessing.get_context("fork").Process(target=_hold, args=(str(lock), ready, 60.0))
    holder.start()
    assert ready.wait(10)
    os.kill(holder.pid or 0, 9)
    holder.join(10)
    with file_lock(lock, wait=False):
        pass
