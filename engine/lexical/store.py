"""On-disk generations of the embedded lexical index.

Layout under the index directory (`<data_dir>/lexical`):

    CURRENT                 name of the serving generation, e.g. "gen-20250101T120000-1a2b3c"
    gen-.../manifest.json   {"format": 1, "count": N, "created": ...}
    gen-.../products.jsonl  the catalog as of the generation (one `Product.to_dict()` per line)
    gen-.../journal.jsonl   upserts and deletes made since, one JSON object per line, appended

A rebuild writes a complete new generation directory, fsyncs it, then replaces CURRENT with
`os.replace` (atomic on POSIX). A crash before that leaves the old generation serving; the orphan
directory is removed by the next switch. The journal keeps small writes cheap (no rewrite of the whole
catalog per upsert); it is folded into a fresh generation when it grows as large as the catalog.

Writers take an exclusive `flock` on `<dir>/.lock`, so two processes sharing a data directory
(gateway and indexer) never interleave journal lines or switches. Readers take no lock.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from engine.errors import AisleError
from engine.records import Product
from engine.storage import GenerationPointer, file_lock, fsync_path, write_synced

FORMAT = 1


@dataclass(frozen=True)
class Version:
    """What a reader loaded: the generation and how far into its journal. Compared to notice changes
    made by another process."""

    generation: str | None
    journal_bytes: int


class GenerationStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._pointer = GenerationPointer(self.root)

    # --- reading ----------------------------------------------------------------------------------
    def current(self) -> str | None:
        return self._pointer.read()

    def version(self) -> Version:
        generation = self.current()
        if generation is None:
            return Version(None, 0)
        try:
            size = (self.root / generation / "journal.jsonl").stat().st_size
        except FileNotFoundError:
            size = 0
        return Version(generation, size)

    def load(self) -> tuple[dict[str, Product], Version, int]:
        """The serving catalog (base + journal replayed), its version and the journal's line count."""
        generation = self.current()
        if generation is None:
            return {}, Version(None, 0), 0
        gen_dir = self.root / generation
        manifest = json.loads((gen_dir / "manifest.json").read_text())
        if manifest.get("format") != FORMAT:
            raise AisleError(f"{gen_dir}: unknown lexical index format {manifest.get('format')!r}")
        products: dict[str, Product] = {}
        with open(gen_dir / "products.jsonl", encoding="utf-8") as f:
            for line in f:
                product = Product.from_dict(json.loads(line))
                products[product.id] = product
        entries, size = 0, 0
        journal = gen_dir / "journal.jsonl"
        if journal.exists():
            with open(journal, "rb") as f:
                for raw in f:
                    if not raw.endswith(b"\n"):
                        break  # a torn last line from a crash mid-append: never acknowledged
                    size += len(raw)
                    entries += 1
                    _replay(products, json.loads(raw))
        return products, Version(generation, size), entries

    # --- writing ----------------------------------------------------------------------------------
    @contextmanager
    def locked(self) -> Iterator[None]:
        with file_lock(self.root / ".lock"):
            yield

    def append(self, entries: list[dict[str, Any]]) -> Version:
        """Append journal entries to the serving generation (caller holds `locked`)."""
        generation = self.current()
        if generation is None:
            generation = self.write_generation([])
        journal = self.root / generation / "journal.jsonl"
        data = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries).encode("utf-8")
        with open(journal, "ab") as f:
            if f.tell() and _last_byte(journal) != b"\n":
                f.truncate(_complete_length(journal))  # drop a torn line left by a crash
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            size = f.tell()
        return Version(generation, size)

    def write_generation(self, products: Iterable[Product]) -> str:
        """Write a complete generation, switch CURRENT to it, delete the others; returns its name.

        If writing raises, the half-written directory is removed and CURRENT is untouched.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        name = f"gen-{stamp}-{uuid.uuid4().hex[:8]}"
        gen_dir = self.root / name
        gen_dir.mkdir()
        try:
            count = 0
            with open(gen_dir / "products.jsonl", "w", encoding="utf-8") as f:
                for product in products:
                    f.write(json.dumps(product.to_dict(), ensure_ascii=False) + "\n")
                    count += 1
                f.flush()
                os.fsync(f.fileno())
            manifest = {"format": FORMAT, "count": count, "created": stamp}
            write_synced(gen_dir / "manifest.json", json.dumps(manifest))
            fsync_path(gen_dir)
            self._pointer.switch(name)
        except BaseException:
            shutil.rmtree(gen_dir, ignore_errors=True)
            raise
        for other in self.root.glob("gen-*"):
            if other.name != name:
                shutil.rmtree(other, ignore_errors=True)
        return name


def _replay(products: dict[str, Product], entry: dict[str, Any]) -> None:
    if entry["op"] == "upsert":
        product = Product.from_dict(entry["product"])
        products[product.id] = product
    elif entry["op"] == "delete":
        products.pop(entry["id"], None)


def _last_byte(path: Path) -> bytes:
    with open(path, "rb") as f:
        f.seek(-1, os.SEEK_END)
        return f.read(1)


def _complete_length(path: Path) -> int:
    data = path.read_bytes()
    return data.rfind(b"\n") + 1
