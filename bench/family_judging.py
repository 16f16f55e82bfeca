"""Judgements read by product family, for catalogs whose search shows each family once.

With `distinct` on (the default), a search shows a jacket sold in four sizes once, by one of its
members; the shop's judgements grade each size. Scored by product, every query asking for jackets
misses the sizes it was never going to show (a Recall@100 of 0.5 for a catalog where every family
answered), and the numbers compare between rows only. Scored by family, each family is one item: its
grade for a query is the best its members got, and a ranked list is the families of its hits in their
first places. "rain jacket womens medium" is answered when the women's jacket stands first, whichever
size the page shows it by (the shopper picks M on the product page). A product naming no family is its
own. The dev sets name none, so their figures are the same either way.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.common import Qrels
from engine.records import FAMILY_ATTRIBUTE

Families = dict[str, str]  # product id -> its family's key, for the products that name one


def family_keys(products: Path) -> Families:
    """Each product's family from a products JSON Lines file (`attributes.group`); {} when none names
    one or the file is no JSON Lines."""
    if products.suffix not in (".jsonl", ".ndjson"):
        return {}
    families: Families = {}
    with products.open(encoding="utf-8") as handle:
        for line in handle:
            if FAMILY_ATTRIBUTE not in line:
                continue  # most dev-set lines: no family, no parse
            record = json.loads(line)
            group = (record.get("attributes") or {}).get(FAMILY_ATTRIBUTE)
            if group not in (None, ""):
                families[str(record["id"])] = f"family:{group}"
    return families


def by_family(
    runs: dict[str, list[str]], qrels: Qrels, families: Families
) -> tuple[dict[str, list[str]], Qrels]:
    """`runs` as each hit's family in its first place, `qrels` as each family's best member grade."""
    family_runs = {
        qid: list(dict.fromkeys(families.get(pid, pid) for pid in ranked)) for qid, ranked in runs.items()
    }
    family_qrels: Qrels = {}
    for qid, judged in qrels.items():
        graded = family_qrels.setdefault(qid, {})
        for pid, grade in judged.items():
            key = families.get(pid, pid)
            graded[key] = max(grade, graded.get(key, grade))
    return family_runs, family_qrels
