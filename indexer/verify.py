"""Consistency checks and statistics over the live generation.

`verify` answers "does every part of the index agree?": the lexical generation the manifest names must
be readable and hold exactly the records the manifest's catalog checksum describes (same ids are not
enough: records of another generation or revision fail here), the lexical index, the text vector
store and the manifest must hold the same number of products and the same ids, the image store may
only hold ids the catalog knows, and no interrupted update may be pending.

It reports each difference with a few example ids, because the next step after a
failed verify is usually `indexer upsert`/`delete` of exactly those ids (or a `build --force`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine import catalog_undo as undo
from engine.catalog import LiveIndex
from engine.errors import AisleError
from engine.lexical.base import LexicalIndex
from engine.records import Product
from indexer.checksum import CatalogChecksum

EXAMPLES = 5
BATCH = 1_000


@dataclass
class VerifyReport:
    counts: dict[str, int]
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def verify(live: LiveIndex, lexical: LexicalIndex) -> VerifyReport:
    manifest = live.manifest
    report = VerifyReport({"manifest": manifest.count})
    if undo.undo_path(live.root, manifest.generation).is_file():
        report.differences.append(
            f"generation {manifest.generation} holds an interrupted update of revision "
            f"{manifest.revision} (undo.json): the next `indexer upsert`/`delete` or gateway start "
            "rolls it back"
        )
    lexical.use(manifest.lexical or None)
    try:
        lexical_ids = lexical.all_ids()
        report.counts["lexical"] = lexical.count()
        report.counts["text"] = live.stores["text"].count()
        records = _records(lexical, sorted(lexical_ids))
    except AisleError as exc:
        named = f"lexical generation {manifest.lexical}" if manifest.lexical else "the lexical index"
        report.differences.append(
            f"{named}, named by generation {manifest.generation}, cannot be read: {exc.message}"
        )
        return report
    counts = report.counts
    text_ids = set(live.stores["text"].ids())
    if len({counts["manifest"], counts["lexical"], counts["text"]}) > 1:
        report.differences.append(
            f"counts differ: manifest {counts['manifest']}, lexical {counts['lexical']}, "
            f"text vectors {counts['text']}"
        )
    if str(CatalogChecksum.of(records)) != manifest.catalog_checksum:
        report.differences.append(
            f"generation mismatch: the lexical records are not those of generation "
            f"{manifest.generation} revision {manifest.revision} (their catalog checksum differs from "
            "the manifest's): rebuild with `indexer build --force`"
        )
    _compare(report, "in lexical but not in text vectors", lexical_ids - text_ids)
    _compare(report, "in text vectors but not in lexical", text_ids - lexical_ids)
    if "image" in live.stores:
        image_ids = set(live.stores["image"].ids())
        counts["image"] = live.stores["image"].count()
        _compare(report, "in image vectors but not in lexical", image_ids - lexical_ids)
        expected = manifest.space_counts.get("image")
        if expected is not None and expected != counts["image"]:
            report.differences.append(
                f"image vectors: manifest says {expected}, store holds {counts['image']}"
            )
    return report


def _records(lexical: LexicalIndex, ids: list[str]) -> list[Product]:
    records: list[Product] = []
    for start in range(0, len(ids), BATCH):
        records.extend(lexical.get(ids[start : start + BATCH]).values())
    return records


def _compare(report: VerifyReport, what: str, ids: set[str]) -> None:
    if ids:
        examples = ", ".join(sorted(ids)[:EXAMPLES])
        more = f" (+{len(ids) - EXAMPLES} more)" if len(ids) > EXAMPLES else ""
        report.differences.append(f"{len(ids)} ids {what}: {examples}{more}")


def stats(live: LiveIndex, lexical: LexicalIndex) -> dict[str, Any]:
    """The manifest plus what each backend holds right now (the CLI prints it, `--json` as is)."""
    manifest = live.manifest
    lexical.use(manifest.lexical or None)
    return {
        "generation": manifest.generation,
        "lexical_generation": manifest.lexical or None,
        "created_at": manifest.created_at,
        "updated_at": manifest.updated_at,
        "revision": manifest.revision,
        "source": manifest.source,
        "products": manifest.count,
        "catalog_checksum": manifest.catalog_checksum,
        "lexical_count": lexical.count(),
        "spaces": {
            space: {
                "encoder": f"{info.name} v{info.version} ({info.dim}-d)",
                "vectors": live.stores[space].count() if space in live.stores else None,
                "index_type": str(getattr(live.stores.get(space), "index_type", "")) or None,
            }
            for space, info in sorted(manifest.encoders.items())
        },
    }
