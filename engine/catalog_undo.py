"""The undo log of an incremental update: what makes a killed `indexer upsert`/`delete` roll back.

An update changes the live generation in place: the vector stores (each saved as a new store
generation, `engine.vectors.persist`, whose previous one is kept), the lexical index, then the
manifest (the commit: `revision + 1`). A process killed between the first write and the manifest
would leave vectors, lexical records and manifest of different revisions, which ids alone cannot
show. So before its first write an update records, in `<generation>/undo.json`:

- `revision`: the manifest revision it started from;
- `before`: the lexical records of the products it touches, as they were; `added`: the ids it creates;
- `vectors`: each vector store's own pointer (`<space>/CURRENT`) before the write.

The log is removed after the manifest is written. A log whose `revision` is still the manifest's is an
update that never committed: `roll_back` restores the records, deletes the added ids and points each
store back, under the writer lock. A log whose revision is older committed; only its removal was
lost. Any writer rolls back before writing, and the gateway does it before loading a generation when
no writer holds the lock (`recover`), so it never serves the half-written state of a dead writer.
Stores without their own pointer (the OpenSearch k-NN backend) cannot be pointed back.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from engine.catalog import IndexManifest, read_current, read_manifest, writer_lock
from engine.lexical.base import LexicalIndex
from engine.records import Product
from engine.storage import GenerationPointer, fsync_path, write_atomic

UNDO = "undo.json"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UndoLog:
    revision: int
    before: list[Product]
    added: list[str]
    vectors: dict[str, str | None]

    def to_json(self) -> str:
        return json.dumps(
            {
                "revision": self.revision,
                "before": [p.to_dict() for p in self.before],
                "added": self.added,
                "vectors": self.vectors,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> UndoLog:
        data = json.loads(text)
        return cls(
            int(data["revision"]),
            [Product.from_dict(p) for p in data["before"]],
            [str(i) for i in data["added"]],
            dict(data["vectors"]),
        )


def undo_path(root: Path, generation: str) -> Path:
    return root / generation / UNDO


def begin(
    root: Path,
    manifest: IndexManifest,
    before: Mapping[str, Product],
    ids: Iterable[str],
    spaces: Iterable[str],
) -> None:
    """Record what an update of `ids` in the live generation changes (call under the writer lock,
    before its first write)."""
    pointers = {space: GenerationPointer(root / manifest.generation / space).read() for space in spaces}
    added = [pid for pid in dict.fromkeys(ids) if pid not in before]
    entry = UndoLog(manifest.revision, list(before.values()), added, pointers)
    write_atomic(undo_path(root, manifest.generation), entry.to_json())


def finish(root: Path, generation: str) -> None:
    """The update committed (its manifest is written): forget how to undo it."""
    path = undo_path(root, generation)
    path.unlink(missing_ok=True)
    fsync_path(path.parent)


def pending(root: Path) -> IndexManifest | None:
    """The live manifest when its generation holds an undo log (cheap: a pointer read and a stat)."""
    generation = read_current(root)
    if generation is None or not undo_path(root, generation).is_file():
        return None
    return read_manifest(root, generation)


def roll_back(root: Path, manifest: IndexManifest, lexical: LexicalIndex) -> bool:
    """Undo the uncommitted update recorded for `manifest`'s generation; True if there was one.
    Call under the writer lock with `lexical` on the generation the manifest names."""
    path = undo_path(root, manifest.generation)
    try:
        entry = UndoLog.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    if entry.revision != manifest.revision:  # it committed; only the log's removal was lost
        finish(root, manifest.generation)
        return False
    lexical.refresh()
    if entry.before:
        lexical.upsert(entry.before)
    if entry.added:
        lexical.delete(entry.added)
    for space, name in entry.vectors.items():
        if name is not None:
            GenerationPointer(root / manifest.generation / space).switch(name)
    finish(root, manifest.generation)
    log.warning(
        "rolled back an interrupted update of generation %s (revision %d): %d restored, %d removed",
        manifest.generation,
        manifest.revision,
        len(entry.before),
        len(entry.added),
    )
    return True


def recover(root: Path, lexical: LexicalIndex) -> bool:
    """For a reader: roll back a dead writer's update of the live generation, if there is one and no
    writer holds the lock (a live writer's log is its own business). `lexical` is pointed at the
    generation the live manifest names. True if something was rolled back."""
    if pending(root) is None:
        return False
    try:
        with writer_lock(root, wait=False):
            manifest = pending(root)
            if manifest is None:
                return False
            lexical.use(manifest.lexical or None)
            return roll_back(root, manifest, lexical)
    except BlockingIOError:
        return False
