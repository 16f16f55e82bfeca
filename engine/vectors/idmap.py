"""Product id (string) <-> FAISS label (int64) map, persisted as an Arrow IPC file.

FAISS only knows int64 labels. Every add hands out a fresh label from a monotonic counter, even when a
product is replaced, so a label is never reused for a different vector: a search that raced with a
replace can at worst return a label that no longer maps to anything, and that hit is dropped. (For HNSW
the label is also the row number in the graph; see `engine.vectors.faiss_indexes`.)

The file is plain data (two columns plus the counter in the schema metadata), never a pickled object.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

FORMAT_VERSION = "1"


class IdMap:
    def __init__(self) -> None:
        self._label_of: dict[str, int] = {}
        self._id_of: dict[int, str] = {}
        self.next_label = 0

    def __len__(self) -> int:
        return len(self._label_of)

    def __contains__(self, product_id: object) -> bool:
        return product_id in self._label_of

    def label(self, product_id: str) -> int | None:
        return self._label_of.get(product_id)

    def product_id(self, label: int) -> str | None:
        return self._id_of.get(label)

    def ids(self) -> list[str]:
        return list(self._label_of)

    def labels(self) -> np.ndarray:
        return np.fromiter(self._id_of, dtype=np.int64, count=len(self._id_of))

    def labels_in_order(self, product_ids: Iterable[str]) -> list[int | None]:
        """The label of each id, None where absent (one dictionary pass, no call per id)."""
        return list(map(self._label_of.get, product_ids))

    def labels_for(self, product_ids: Iterable[str]) -> np.ndarray:
        """Labels of the ids that are present (unknown ids are skipped), as a sorted int64 array."""
        get = self._label_of.get
        found = [label for label in map(get, product_ids) if label is not None]
        return np.unique(np.asarray(found, dtype=np.int64))

    def assign(self, product_ids: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Give each id a fresh label; returns (new labels in input order, labels they replace).

        Ids must be unique within one call (the store deduplicates batches before calling).
        """
        new = np.arange(self.next_label, self.next_label + len(product_ids), dtype=np.int64)
        replaced = []
        for product_id, label in zip(product_ids, new.tolist(), strict=True):
            old = self._label_of.get(product_id)
            if old is not None:
                replaced.append(old)
                del self._id_of[old]
            self._label_of[product_id] = label
            self._id_of[label] = product_id
        self.next_label += len(product_ids)
        return new, np.asarray(replaced, dtype=np.int64)

    def drop(self, product_ids: Iterable[str]) -> np.ndarray:
        """Forget ids; returns the labels they had (unknown ids are ignored)."""
        dropped = []
        for product_id in product_ids:
            label = self._label_of.pop(product_id, None)
            if label is not None:
                del self._id_of[label]
                dropped.append(label)
        return np.asarray(dropped, dtype=np.int64)

    def relabel(self, old_to_new: dict[int, int], next_label: int) -> None:
        """Renumber labels after an index rebuild; every present label must be in `old_to_new`."""
        self._label_of = {pid: old_to_new[label] for pid, label in self._label_of.items()}
        self._id_of = {label: pid for pid, label in self._label_of.items()}
        self.next_label = next_label

    def save(self, path: Path) -> None:
        import pyarrow as pa
        import pyarrow.ipc as ipc

        schema = pa.schema(
            [("id", pa.string()), ("label", pa.int64())],
            metadata={"format": FORMAT_VERSION, "next_label": str(self.next_label)},
        )
        table = pa.table({"id": list(self._label_of), "label": list(self._label_of.values())}, schema=schema)
        with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, schema) as writer:
            writer.write_table(table)

    @classmethod
    def load(cls, path: Path) -> IdMap:
        import pyarrow as pa
        import pyarrow.ipc as ipc

        with pa.memory_map(str(path), "r") as source:
            table = ipc.open_file(source).read_all()
        meta = table.schema.metadata or {}
        if meta.get(b"format") != FORMAT_VERSION.encode():
            raise ValueError(f"{path}: unknown id map format {meta.get(b'format')!r}")
        idmap = cls()
        ids = table.column("id").to_pylist()
        labels = table.column("label").to_pylist()
        idmap._label_of = dict(zip(ids, labels, strict=True))
        idmap._id_of = dict(zip(labels, ids, strict=True))
        if len(idmap._label_of) != len(ids) or len(idmap._id_of) != len(labels):
            raise ValueError(f"{path}: duplicate ids or labels")
        idmap.next_label = int(meta[b"next_label"])
        return idmap
