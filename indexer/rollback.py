"""Roll the live generation back to the one it replaced: vectors, lexical generation and the query
tower they were built with, as one switch of `CURRENT`.

A full build keeps the generation it replaced (and that generation's lexical side) for this. The
generation's manifest names its text space and the query-encoder version that embedded it
(`IndexManifest.text_tower`); that version is loaded in the model server beside the serving ones first,
so at every moment each generation a reader may hold has its own query tower loaded, and the switch
itself is the one pointer rename. Updates written to the newer generation since it went live are not
carried back (the older generation is served as it was when it was replaced).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine.catalog import MANIFEST, IndexManifest, read_current, read_manifest, switch_current, writer_lock
from engine.errors import IndexMismatch, NotFound


@dataclass(frozen=True)
class Switched:
    previous: str
    current: str
    text_tower: int


def complete_generations(root: Path) -> list[IndexManifest]:
    """Every generation with a manifest (finished builds), oldest first."""
    found = []
    if root.is_dir():
        for directory in root.iterdir():
            if directory.is_dir() and not directory.name.startswith(".") and (directory / MANIFEST).is_file():
                try:
                    found.append(read_manifest(root, directory.name))
                except IndexMismatch:
                    continue
    return sorted(found, key=lambda m: (m.created_at, m.generation))


def roll_back(
    root: Path, load_tower: Callable[[int], None] | None, generation: str | None = None
) -> Switched:
    """Serve `generation` (default: the newest finished one other than the live one) again.

    `load_tower(version)` loads a both-towers query-encoder version beside the serving ones
    (`TritonInference.add_query_encoder_version`); it is called before the switch when the target
    generation was embedded by one."""
    with writer_lock(root):
        current = read_current(root)
        if current is None:
            raise NotFound(f"no index has been built under {root} yet")
        kept = [m for m in complete_generations(root) if m.generation != current]
        if generation is not None:
            kept = [m for m in kept if m.generation == generation]
            if not kept:
                raise NotFound(f"no finished generation {generation!r} other than the live one under {root}")
        if not kept:
            raise NotFound(f"no earlier generation is kept under {root}: nothing to roll back to")
        target = kept[-1]
        if target.text_tower > 1:
            if load_tower is None:
                raise NotFound(
                    f"generation {target.generation} was embedded by query-encoder version "
                    f"{target.text_tower}, which only Triton serves"
                )
            load_tower(target.text_tower)
        switch_current(root, target.generation)
        return Switched(current, target.generation, target.text_tower)
