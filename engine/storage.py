"""Crash-safe file primitives: every durable write in the project goes through here.

- `atomic_file` / `write_atomic`: write a temporary file beside the target, fsync it, `os.replace` it
  over the target and fsync the directory, so a reader (or a restart after a crash) sees the old file
  or the new one, never half of one; a failed write removes its temporary and leaves the target alone.
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


@contextmanager
def atomic_file(path: Path, mode: str = "w", *, permissions: int | None = None) -> Iterator[IO[Any]]:
    """A handle to write `path`'s new content into; it replaces `path` only if the block completes.

    `mode` is "w" (text, UTF-8) or "wb"; `permissions` sets the file's mode bits before it appears.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    encoding = None if "b" in mode else "utf-8"
    try:
        with open(tmp, mode, encoding=encoding) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        if permissions is not None:
            os.chmod(tmp, permissions)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_path(path.parent)


def write_atomic(path: Path, data: str | bytes, *, permissions: int | None = None) -> None:
    """Replace `path` with `data` atomically and durably (see `atomic_file`)."""
    with atomic_file(path, "wb" if isinstance(data, bytes) else "w", permissions=permissions) as handle:
        handle.write(data)


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
