"""Crash-safe file primitives: every durable write in the project goes through here.

- `atomic_file` / `write_atomic`: write a temporary file beside the target, fsync it, `os.replace` it
  over the target and fsync the directory, so a reader (or a restart after a crash) sees the old file
  or the new one, never half of one; a failed write removes its temporary and leaves the target alone.
- `atomic_path`: the same for a library that writes by file name (an ONNX export, a FAISS index): the
  block gets a temporary path to write, and the finished file replaces the target.
- `staged_directory` / `publish_directory`: a folder (a model version, an index generation) is filled
  in a staging folder and renamed into place in one step once every file in it is fsynced, so a reader
  (Triton scanning its repository, a loader) sees no folder or the complete one. A crash before the
  rename leaves the old state plus a staging folder the next writer clears.
- `write_synced` / `append_synced`: write or append and fsync, for files no reader can see yet (inside
  a generation that is not live) or append-only logs whose readers ignore a torn last line.
- `file_lock`: an exclusive `flock` on a lock file; the kernel releases it when the holder exits or
  dies, so a killed writer never wedges the next one.
- `GenerationPointer`: the "CURRENT file names the live generation folder" scheme. Writers fill a new
  generation folder completely, then `switch` the pointer, which is the single commit point.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

POINTER = "CURRENT"


def fsync_path(path: Path) -> None:
    """fsync a file or directory by path (a directory's fsync makes renames in it durable)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _temporary_beside(path: Path) -> Path:
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")


def _commit(tmp: Path, path: Path, permissions: int | None) -> None:
    """Put the written and fsynced `tmp` in place of `path`, durably."""
    if permissions is not None:
        os.chmod(tmp, permissions)
    os.replace(tmp, path)
    fsync_path(path.parent)


@contextmanager
def atomic_file(path: Path, mode: str = "w", *, permissions: int | None = None) -> Iterator[IO[Any]]:
    """A handle to write `path`'s new content into; it replaces `path` only if the block completes.

    `mode` is "w" (text, UTF-8) or "wb"; `permissions` sets the file's mode bits before it appears.
    """
    path = Path(path)
    tmp = _temporary_beside(path)
    encoding = None if "b" in mode else "utf-8"
    try:
        with open(tmp, mode, encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        _commit(tmp, path, permissions)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextmanager
def atomic_path(path: Path, *, permissions: int | None = None) -> Iterator[Path]:
    """A temporary path (beside `path`, same file system) for a writer that only takes a file name;
    when the block completes the file written there is fsynced and replaces `path` (as `atomic_file`).
    A block that raises, or writes nothing, leaves `path` as it was."""
    path = Path(path)
    tmp = _temporary_beside(path)
    try:
        yield tmp
        if not tmp.is_file():
            raise FileNotFoundError(f"nothing was written to {tmp} for {path}")
        fsync_path(tmp)
        _commit(tmp, path, permissions)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: str | bytes, *, permissions: int | None = None) -> None:
    """Replace `path` with `data` atomically and durably (see `atomic_file`)."""
    with atomic_file(path, "wb" if isinstance(data, bytes) else "w", permissions=permissions) as handle:
        handle.write(data)


def publish_directory(staging: Path, target: Path) -> None:
    """Make the fully written folder `staging` appear as `target` in one step.

    Every file and folder inside `staging` is fsynced first, then `staging` is renamed to `target` and
    the parent fsynced, so after a crash `target` is either absent or complete. `staging` must be on
    the same file system as `target` (a sibling, or another folder of the same data directory).
    `target` must not exist: a published folder is never overwritten (`FileExistsError`), which also
    stops two writers that picked the same version number.
    """
    staging, target = Path(staging), Path(target)
    for folder, _dirs, files in os.walk(staging):
        for name in files:
            fsync_path(Path(folder) / name)
        fsync_path(Path(folder))
    if target.exists():
        raise FileExistsError(f"{target} exists already; a published folder is never replaced")
    target.parent.mkdir(parents=True, exist_ok=True)
    os.rename(staging, target)  # POSIX would replace an empty target folder; the check above refuses it
    fsync_path(target.parent)


@contextmanager
def staged_directory(target: Path, *, staging: Path | None = None) -> Iterator[Path]:
    """A fresh, empty folder to fill; when the block completes it is published as `target`
    (`publish_directory`). A block that raises removes the staging folder and leaves `target` alone.

    `staging` defaults to a hidden sibling of `target`; pass a fixed one (same file system) where
    readers of `target`'s parent must not see even a hidden folder come and go. A fixed staging folder
    left behind by a crashed writer is cleared here before it is used again.
    """
    target = Path(target)
    staging = Path(staging) if staging is not None else _temporary_beside(target)
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        yield staging
        publish_directory(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_synced(path: Path, data: str | bytes) -> None:
    """Write `data` to `path` and fsync it, without the rename (for files not yet visible to readers)."""
    with open(path, "wb" if isinstance(data, bytes) else "w", encoding=_encoding(data)) as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def append_synced(path: Path, data: str | bytes) -> None:
    """Append `data` to `path` and fsync before returning (durable once acknowledged)."""
    with open(path, "ab" if isinstance(data, bytes) else "a", encoding=_encoding(data)) as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _encoding(data: str | bytes) -> str | None:
    return None if isinstance(data, bytes) else "utf-8"


@contextmanager
def file_lock(
    path: Path, *, wait: bool = True, busy: Callable[[], Exception] | None = None
) -> Iterator[None]:
    """Hold an exclusive cross-process lock on `path` (created with its directory) for the block.

    With `wait=False` a lock held elsewhere raises `busy()` (default `BlockingIOError`) at once.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if busy is None:
                raise
            raise busy() from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class GenerationPointer:
    """The file (`CURRENT` by default) in `root` that names the live generation folder."""

    def __init__(self, root: Path, name: str = POINTER) -> None:
        self.root = Path(root)
        self.path = self.root / name

    def read(self) -> str | None:
        """The live generation's name; None before the first switch (or for an empty pointer)."""
        try:
            name = self.path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or None

    def switch(self, generation: str) -> None:
        """Make `generation` live: the commit point, so call it only once the folder is complete."""
        write_atomic(self.path, generation + "\n")
