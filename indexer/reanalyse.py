"""A build of an unchanged catalog under other analysis settings: a new lexical generation only.

The searchable fields, the identifier attributes and the catalog language decide how products are
written into the lexical index (its fields, its `spell` words, its stems); the vectors do not depend on
them. A shop that makes an attribute searchable (`AISLE_SEARCH_FIELDS`) and runs `indexer build` again
expects it to be searchable, so a build whose catalog and encoders are unchanged compares the analysis
the live generation was written with (`IndexManifest.analysis`, `SearchFields.analysis`) and, when it
differs, stages a new lexical generation and points the live manifest at it (`revision + 1`, which
gateways pick up like an update) instead of answering "unchanged" or embedding everything again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from engine.catalog import IndexManifest, read_manifest, write_manifest, writer_lock
from engine.errors import AisleError
from engine.lexical.base import LexicalIndex
from engine.lexical.facets import price_edges_of, price_scale
from engine.records import Product
from indexer.rollback import complete_generations


def reanalyse(
    root: Path, lexical: LexicalIndex, live: IndexManifest, products: list[Product], analysis: str
) -> str:
    """Write `products` (the live generation's catalog) into a new lexical generation under `analysis`
    and make the live manifest name it; returns its name. The old lexical generation is kept for
    gateways that have not switched yet (the next build deletes it), and the one of the generation a
    rollback would serve."""
    with writer_lock(root):
        current = read_manifest(root, live.generation)
        if current.catalog_checksum != live.catalog_checksum:
            raise AisleError("the catalog changed (an update) while this build ran: run it again")
        name, _ = lexical.stage(products)
        updated = datetime.now(timezone.utc).isoformat(timespec="seconds")
        write_manifest(
            root,
            replace(
                current,
                lexical=name,
                analysis=analysis,
                updated_at=updated,
                revision=current.revision + 1,
                price_scale=price_scale(p.price for p in products),  # for a manifest from before it was kept
                price_edges=price_edges_of(p.price for p in products),
            ),
        )
        # Every kept catalog generation keeps its own lexical one: `indexer rollback` serves them again.
        kept = {m.lexical for m in complete_generations(root)} | {current.lexical}
        lexical.publish(name, keep=kept - {""})
    return name
