"""Consistency checks and statistics over the live generation.

`verify` answers "does every part of the index agree?": the lexical index, the text vector store and the
manifest must hold the same number of products and the same ids, and the image store may only hold ids
the catalog knows. It reports each difference with a few example ids, because the next step after a
failed verify is usually `indexer upsert`/`delete` of exactly those ids (or a `build --force`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.catalog import LiveIndex
from engine.lexical.base import LexicalIndex

EXAMPLES = 5


@dataclass
class VerifyReport:
    counts: dict[str, int]
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def verify(live: LiveIndex, lexical: LexicalIndex) -> VerifyReport:
    manifest = live.manifest
    lexical_ids = lexical.all_ids()
    text_ids = set(live.stores["text"].ids())
    counts = {"manifest": manifest.count, "lexical": lexical.count(), "text": live.stores["text"].count()}
    report = VerifyReport(counts)
    if len({counts["manifest"], counts["lexical"], counts["text"]}) > 1:
        report.differences.append(
            f"counts differ: manifest {counts['manifest']}, lexical {counts['lexical']}, "
            f"text vectors {counts['text']}"
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


def _compare(report: VerifyReport, what: str, ids: set[str]) -> None:
    if ids:
        examples = ", ".join(sorted(ids)[:EXAMPLES])
        more = f" (+{len(ids) - EXAMPLES} more)" if len(ids) > EXAMPLES else ""
        report.differences.append(f"{len(ids)} ids {what}: {examples}{more}")


def stats(live: LiveIndex, lexical: LexicalIndex) -> dict[str, Any]:
    """The manifest plus what each backend holds right now (the CLI prints it, `--json` as is)."""
    manifest = live.manifest
    return {
        "generation": manifest.generation,
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
