"""The undo log of an incremental update: what makes a killed `indexer upsert`/`delete` roll back.

An update changes the live generation in place: the vector stores (each saved as a new store
generation, `engine.vectors.persist`, whose previous one is kept), the lexical index, then the
manifest (the commit: `revision + 1`). A process killed between the first write and the manifest
would leave vectors, lexical records and manifest of different revisions, which ids alone cannot
show. So before its first write an update records, in `<generation>/undo.json`:

- `revision`: the manifest revision it started from;
- `before`: the lexical records of the products it touches, as they were; `added`: the ids it creates;
- `vectors`: each vector store's own pointer (`<space>/CURRENT`) before the write;
- `contents`: for a store without such a pointer, one written in place (the OpenSearch k-NN
  backend: its adds and removes change the served index at once), the vectors the touched ids had
  (`present`, float32 as base64) and the touched ids it did not hold (`absent`).

The log is removed after the manifest is written. A log whose `revision` is still the manifest's is an
update that never committed: `roll_back` restores the records, deletes the added ids, points each
store back or puts its old vectors back, under the writer lock. A log whose revision is older
committed; only its removal was lost. Any writer rolls back before writing, and the gateway does it
before loading a generation when no writer holds the lock (`recover`), so it never serves the
half-written state of a dead writer. Putting vectors back is idempotent, so a roll-back that is
itself killed is simply run again.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from engine.catalog import IndexManifest, read_current, read_manifest, writer_lock
from engine.lexical.base import LexicalIndex
from engine.records import Product
from engine.storage import POINTER, GenerationPointer, fsync_path, write_atomic
from engine.vectors.base import VectorManifest, VectorStore, VectorStoreIO

UNDO = "undo.json"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreContents:
    """What an in-place store held for the ids an update touches: `present` id -> float32 vector as
    base64, `absent` the touched ids it did not hold."""

    present: dict[str, str]
    absent: list[str]

    @classmethod
    def of(cls, store: VectorStore, ids: Iterable[str]) -> StoreContents:
        wanted = list(dict.fromkeys(ids))
        found = store.get_vectors(wanted)
        present = {
            pid: base64.b64encode(np.asarray(v, dtype="<f4").reshape(-1).tobytes()).decode("ascii")
            for pid, v in found.items()
        }
        return cls(present, [pid for pid in wanted if pid not in found])

    def restore(self, store: VectorStore) -> None:
        """Put `store` back as it was for these ids (idempotent)."""
        if self.absent:
            store.remove(self.absent)
        if self.present:
            ids = list(self.present)
            rows = [np.frombuffer(base64.b64decode(self.present[pid]), dtype="<f4") for pid in ids]
            store.add(ids, np.stack(rows).astype(np.float32))


@dataclass(frozen=True)
class UndoLog:
    revision: int
    before: list[Product]
    added: list[str]
    vectors: dict[str, str | None]
    contents: dict[str, StoreContents] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(
            {
                "revision": self.revision,
                "before": [p.to_dict() for p in self.before],
                "added": self.added,
                "vectors": self.vectors,
                "contents": {
                    space: {"present": c.present, "absent": c.absent} for space, c in self.contents.items()
                },
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
            {
                space: StoreContents(dict(c["present"]), [str(i) for i in c["absent"]])
                for space, c in data.get("contents", {}).items()
            },
        )


def undo_path(root: Path, generation: str) -> Path:
    return root / generation / UNDO


def begin(
    root: Path,
    manifest: IndexManifest,
    before: Mapping[str, Product],
    ids: Iterable[str],
    stores: Mapping[str, VectorStore],
    vector_ids: Iterable[str] = (),
) -> None:
    """Record what an update in the live generation changes (call under the writer lock, before its
    first write): `before` the lexical records it replaces or deletes, `ids` those it writes (the
    ones not in `before` are added), `vector_ids` every id whose vectors it may add, replace or
    remove (what an in-place store must put back)."""
    touched = list(dict.fromkeys([*ids, *vector_ids]))
    pointers: dict[str, str | None] = {}
    contents: dict[str, StoreContents] = {}
    for space, store in stores.items():
        directory = root / manifest.generation / space
        if (directory / POINTER).is_file():
            pointers[space] = GenerationPointer(directory).read()
        else:
            contents[space] = StoreContents.of(store, touched)
    added = [pid for pid in dict.fromkeys(ids) if pid not in before]
    entry = UndoLog(manifest.revision, list(before.values()), added, pointers, contents)
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


def roll_back(root: Path, manifest: IndexManifest, lexical: LexicalIndex, io: VectorStoreIO) -> bool:
    """Undo the uncommitted update recorded for `manifest`'s generation; True if there was one.
    Call under the writer lock with `lexical` on the generation the manifest names; `io` opens the
    in-place stores whose old vectors are put back."""
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
    for space, contents in entry.contents.items():
        _restore(root, manifest, space, contents, io)
    finish(root, manifest.generation)
    log.warning(
        "rolled back an interrupted update of generation %s (revision %d): %d restored, %d removed",
        manifest.generation,
        manifest.revision,
        len(entry.before),
        len(entry.added),
    )
    return True


def _restore(
    root: Path, manifest: IndexManifest, space: str, contents: StoreContents, io: VectorStoreIO
) -> None:
    """Put an in-place store's old vectors back and save it with the manifest of the revision it
    returns to (its count, the catalog checksum the live manifest still names)."""
    directory = root / manifest.generation / space
    encoder = manifest.encoders[space]
    store = io.load(directory, encoder)
    contents.restore(store)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    kind = str(getattr(store, "index_type", "unknown"))
    saved = VectorManifest(
        space, encoder.name, encoder.version, encoder.dim, store.count(), kind, manifest.catalog_checksum, now
    )
    store.save(directory, saved)


def recover(root: Path, lexical: LexicalIndex, io: VectorStoreIO) -> bool:
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
            return roll_back(root, manifest, lexical, io)
    except BlockingIOError:
        return False
