"""The sales channels a product is visible in (`sales_channels`), read for the shop's storefront
(`AISLE_SALES_CHANNEL`, `FeedFormat.channel`).

Shopware 6 writes the sales channels a product is shown in as a list of ids (`sales_channel`, "visible
in all"); a product in none is in no storefront, and one in the shop's wholesale channel only is not
for its shoppers. Read as they come, both were searchable. With the column mapped to
`sales_channels` (a name no product attribute has by chance, as an AV receiver's "channels" has), a
product whose cell is empty is not shown (read as `published` false), and with the shop's channel
named (its id), neither is a product whose cell does not list it. A variant (a record naming its
family) whose cell is empty has its product's channels, as Shopware's variants inherit them: it is
shown or hidden with its family (`indexer.families`). The ids are not kept: no shopper searches them.
"""

from __future__ import annotations

from collections.abc import Iterator

from indexer.families import family_of
from indexer.malformed import Malformed
from indexer.named_ids import cell_parts
from indexer.readers import RawRecord

CHANNELS = "sales_channels"  # no attribute's name by chance (a receiver's "channels": 5.1)


def in_channel(records: Iterator[RawRecord], channel: str = "") -> Iterator[RawRecord]:
    """`records` without their `sales_channels`, each not in the shop's channel (or in none) unpublished."""
    wanted = channel.strip().lower()
    for line, raw in records:
        if isinstance(raw, Malformed) or CHANNELS not in raw:
            yield line, raw
            continue
        raw = dict(raw)
        given = raw.pop(CHANNELS)
        ids = {part.lower() for part in cell_parts(given)}
        inherited = not ids and family_of(raw) is not None
        if not inherited and (not ids or (wanted and wanted not in ids)):
            raw["published"] = "no"
        yield line, raw
