"""Reading back a made-up shop's catalog and judged queries (`bench.shop_judging.write_catalog`)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from engine.records import Product


def read_products(shop: Path) -> list[Product]:
    """The products of `shop`'s products.jsonl, in file order."""
    with (shop / "products.jsonl").open(encoding="utf-8") as f:
        return [Product.from_dict(json.loads(line)) for line in f]


def read_judged(shop: Path) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """(query id -> query, every (query id, product id, grade) judged) of `shop`'s queries.tsv and
    qrels.tsv, grades as written."""
    with (shop / "queries.tsv").open(encoding="utf-8") as f:
        queries = {row["query_id"]: row["query"] for row in csv.DictReader(f, delimiter="\t")}
    with (shop / "qrels.tsv").open(encoding="utf-8") as f:
        rows = csv.DictReader(f, delimiter="\t")
        judged = [(row["query_id"], row["product_id"], row["grade"]) for row in rows]
    return queries, judged
