"""Crash-safe on-disk layout of a saved vector index.

    <directory>/
        CURRENT            one line: the name of the live generation ("gen-000007")
        gen-000006/        the previous generation, kept so a reader that resolved it just before a
        gen-000007/        switch can finish loading
            index.faiss    the FAISS index (faiss.write_index; absent for an untrained IVF-PQ)
            ids.arrow      product id <-> label map (engine.vectors.idmap)
            manifest.json  VectorManifest fields + "params" (index parameters) + "format"

A save writes every file of a new generation into a hidden temporary directory, which
`engine.storage.staged_directory` fsyncs and renames to its generation name; only then is `CURRENT`
replaced (`GenerationPointer.switch`). Replacing `CURRENT` is the single commit point: a crash before
it leaves the previous generation live and complete; a crash after it leaves the new one live and
complete. Several files can never be observed half-switched, which renaming them one by one could not
promise. Leftover temporary directories and generations older than the previous one are removed by
the next save.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from engine.errors import IndexMismatch, NotFound
from engine.storage import GenerationPointer, staged_directory
from engine.vectors.base import VectorManifest

POINTER = "CURRENT"
MANIFEST = "manifest.json"
FORMAT_VERSION = 1
_GEN_PREFIX = "gen-"
_TMP_PREFIX = ".tmp-"


def _generations(directory: Path) -> list[Path]:
    found = [p for p in directory.glob(f"{_GEN_PREFIX}*") if p.is_dir() and p.name[4:].isdigit()]
    return sorted(found, key=lambda p: int(p.name[4:]))


def write_manifest(path: Path, manifest: VectorManifest, params: dict[str, Any]) -> None:
    payload = {"format": FORMAT_VERSION, **asdict(manifest), "params": params}
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def switch_pointer(directory: Path, generation: str) -> None:
    """Atomically make `generation` the live one (the commit point of a save)."""
    GenerationPointer(directory, POINTER).switch(generation)


def write_generation(
    directory: Path,
    write_files: Callable[[Path], None],
    manifest: VectorManifest,
    params: dict[str, Any],
) -> Path:
    """Write a new generation with `write_files(tmpdir)` plus the manifest, then switch to it."""
    directory.mkdir(parents=True, exist_ok=True)
    existing = _generations(directory)
    number = int(existing[-1].name[4:]) + 1 if existing else 1
    name = f"{_GEN_PREFIX}{number:06d}"
    final = directory / name
    staging = directory / f"{_TMP_PREFIX}{name}-{uuid.uuid4().hex}"
    # publish_directory fsyncs every file and refuses a generation number another writer took.
    with staged_directory(final, staging=staging) as tmp:
        write_files(tmp)
        write_manifest(tmp / MANIFEST, manifest, params)
    switch_pointer(directory, name)
    _prune(directory, keep=name)
    return final


def _prune(directory: Path, keep: str) -> None:
    """Drop temporaries and every generation older than the one before `keep`."""
    generations = [p for p in _generations(directory) if p.name <= keep]
    for old in generations[:-2]:
        shutil.rmtree(old, ignore_errors=True)
    for tmp in [*directory.glob(f"{_TMP_PREFIX}*"), *directory.glob(f".{POINTER}.*.tmp")]:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)


def current_generation(directory: Path) -> Path:
    """The live generation directory; NotFound when nothing was ever saved there."""
    pointer = GenerationPointer(directory, POINTER)
    name = pointer.read()
    if name is None and not pointer.path.exists():
        raise NotFound(f"no saved vector index in {directory} (missing {POINTER})")
    name = name or ""
    generation = directory / name
    if not name.startswith(_GEN_PREFIX) or not (generation / MANIFEST).is_file():
        raise IndexMismatch(f"{pointer.path} names {name!r}, which is not a complete saved index")
    return generation


def read_manifest(generation: Path) -> tuple[VectorManifest, dict[str, Any]]:
    """The manifest of a generation directory and its index parameters."""
    payload = json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
    if payload.get("format") != FORMAT_VERSION:
        raise IndexMismatch(f"{generation / MANIFEST}: unsupported format {payload.get('format')!r}")
    names = {f.name for f in fields(VectorManifest)}
    manifest = VectorManifest(**{k: v for k, v in payload.items() if k in names})
    return manifest, dict(payload.get("params") or {})
