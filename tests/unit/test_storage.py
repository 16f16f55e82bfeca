"""engine.storage: atomic replacement (of a file and of a folder), synced appends, the cross-process
lock and the generation pointer."""

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
    atomic_path,
    file_lock,
    publish_directory,
    staged_directory,
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


def test_atomic_path_publishes_what_a_library_wrote_by_name(tmp_path: Path) -> None:
    target = tmp_path / "model.onnx"
    write_atomic(target, b"old graph")
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_bytes(b"new graph")
        assert target.read_bytes() == b"old graph"  # nothing changes until the block completes
    assert target.read_bytes() == b"new graph"
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]


def test_atomic_path_keeps_the_old_file_when_the_writer_fails_or_writes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "model.onnx"
    write_atomic(target, b"old graph")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half a gr")
        raise RuntimeError("export failed")
    with pytest.raises(FileNotFoundError, match="nothing was written"), atomic_path(target):
        pass
    assert target.read_bytes() == b"old graph"
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]


def _fill_version(folder: Path, tag: str) -> None:
    (folder / "weights").mkdir()
    (folder / "weights" / "model.bin").write_text(f"weights {tag}")
    (folder / "manifest.json").write_text(f'{{"tag": "{tag}"}}')


def test_staged_directory_publishes_the_complete_folder(tmp_path: Path) -> None:
    target = tmp_path / "ranker" / "2"
    with staged_directory(target) as folder:
        _fill_version(folder, "two")
        assert not target.exists()  # readers see nothing until the block completes
    assert (target / "weights" / "model.bin").read_text() == "weights two"
    assert [p.name for p in target.parent.iterdir()] == ["2"]  # the hidden staging folder is gone


def test_a_failed_folder_write_removes_the_staging_and_leaves_no_target(tmp_path: Path) -> None:
    staging = tmp_path / "learning" / "staging"
    target = tmp_path / "ranker" / "2"
    with pytest.raises(RuntimeError), staged_directory(target, staging=staging) as folder:
        _fill_version(folder, "two")
        raise RuntimeError("disk full")
    assert not target.exists() and not staging.exists()


def test_a_published_folder_is_never_replaced(tmp_path: Path) -> None:
    target = tmp_path / "ranker" / "2"
    with staged_directory(target) as folder:
        _fill_version(folder, "first")
    staging = tmp_path / "other"
    staging.mkdir()
    _fill_version(staging, "second")
    with pytest.raises(FileExistsError):
        publish_directory(staging, target)
    empty = tmp_path / "ranker" / "3"
    empty.mkdir()  # a plain rename would silently replace an empty folder
    with pytest.raises(FileExistsError):
        publish_directory(staging, empty)
    assert (target / "manifest.json").read_text() == '{"tag": "first"}'


def _die_mid_write(target: str, staging: str) -> None:
    with staged_directory(Path(target), staging=Path(staging)) as folder:
        (folder / "weights").mkdir()
        (folder / "weights" / "model.bin").write_text("half of the new weig")
        os._exit(3)  # the process dies here: no exception handler, no cleanup


def test_a_writer_killed_mid_write_leaves_the_old_state_and_the_next_writer_recovers(
    tmp_path: Path,
) -> None:
    model_dir = tmp_path / "ranker"
    staging = tmp_path / "learning" / "staging"
    with staged_directory(model_dir / "1", staging=staging) as folder:
        _fill_version(folder, "one")
    writer = multiprocessing.get_context("fork").Process(
        target=_die_mid_write, args=(str(model_dir / "2"), str(staging))
    )
    writer.start()
    writer.join(10)
    assert writer.exitcode == 3
    # The old state: version 1 whole, no version 2 at all (only the staging folder knows of it).
    assert sorted(p.name for p in model_dir.iterdir()) == ["1"]
    assert (model_dir / "1" / "manifest.json").read_text() == '{"tag": "one"}'
    assert (staging / "weights" / "model.bin").is_file()
    # The next writer clears the leftover and publishes a complete version.
    with staged_directory(model_dir / "2", staging=staging) as folder:
        _fill_version(folder, "two")
    assert (model_dir / "2" / "weights" / "model.bin").read_text() == "weights two"
    assert not staging.exists()


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
