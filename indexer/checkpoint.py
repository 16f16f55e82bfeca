"""Embedding checkpoints, so a killed build resumes instead of recomputing.

Embeddings are the expensive part of a build (hours for millions of products), so they are saved chunk
by chunk under the new generation directory:

    checkpoint/progress.jsonl    line 1: the build key; then one line per finished chunk
    checkpoint/text-000000.npy   float32 (rows, dim), written to a temporary name and renamed first

The chunk's `.npy` is complete before its progress line is appended (and fsynced), so after a crash a
listed chunk is always whole; an unlisted or torn last line is simply recomputed. A chunk is reused only
if the build key (catalog checksum, encoders, chunk size) and the digest of the chunk's ids both match.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from engine.storage import append_synced, atomic_file

PROGRESS = "progress.jsonl"


def ids_digest(ids: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(ids).encode("utf-8")).hexdigest()


def read_key(directory: Path) -> dict[str, Any] | None:
    """The build key a checkpoint directory was started with (None if absent or unreadable)."""
    try:
        with (directory / PROGRESS).open(encoding="utf-8") as handle:
            return json.loads(handle.readline())
    except (OSError, ValueError):
        return None


class Checkpoint:
    """Chunks saved so far for one build key; `open` discards a directory started for another key."""

    def __init__(self, directory: Path, key: dict[str, Any]) -> None:
        self.directory = directory
        self.key = key
        self._chunks: dict[str, dict[str, Any]] = {}

    @classmethod
    def open(cls, directory: Path, key: dict[str, Any]) -> Checkpoint:
        checkpoint = cls(directory, key)
        if read_key(directory) == key:
            checkpoint._load()
        else:
            shutil.rmtree(directory, ignore_errors=True)
            directory.mkdir(parents=True)
            checkpoint._append(key)
        return checkpoint

    def has(self, name: str, ids: Sequence[str]) -> bool:
        """True if chunk `name` was saved for exactly these ids (and its file is still there)."""
        entry = self._chunks.get(name)
        return (
            entry is not None
            and entry["ids"] == ids_digest(ids)
            and (self.directory / entry["file"]).is_file()
        )

    def extra(self, name: str) -> dict[str, Any]:
        """The extra data saved with a chunk (e.g. which images failed)."""
        return dict(self._chunks[name].get("extra", {}))

    def read(self, name: str) -> np.ndarray:
        """The vectors of a saved chunk."""
        entry = self._chunks[name]
        vectors = np.load(self.directory / entry["file"], allow_pickle=False)
        if vectors.shape[0] != entry["rows"]:
            raise ValueError(f"{entry['file']}: {vectors.shape[0]} rows, progress says {entry['rows']}")
        return vectors

    def put(
        self, name: str, ids: Sequence[str], vectors: np.ndarray, extra: dict[str, Any] | None = None
    ) -> None:
        """Persist one finished chunk (file first, then its progress line)."""
        file_name = f"{name}.npy"
        with atomic_file(self.directory / file_name, "wb") as handle:
            np.save(handle, np.ascontiguousarray(vectors, dtype=np.float32), allow_pickle=False)
        entry = {"chunk": name, "file": file_name, "ids": ids_digest(ids), "rows": int(vectors.shape[0])}
        if extra:
            entry["extra"] = extra
        self._append(entry)
        self._chunks[name] = entry

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def _load(self) -> None:
        text = (self.directory / PROGRESS).read_text(encoding="utf-8")
        for line in text.splitlines()[1:]:
            try:
                entry = json.loads(line)
                self._chunks[entry["chunk"]] = entry
            except (ValueError, KeyError, TypeError):
                continue  # a line torn by the crash: that chunk is recomputed
        if not text.endswith("\n"):
            self._append_raw("\n")

    def _append(self, record: dict[str, Any]) -> None:
        self._append_raw(json.dumps(record, sort_keys=True) + "\n")

    def _append_raw(self, text: str) -> None:
        append_synced(self.directory / PROGRESS, text)
