"""Judgements read by family (`bench.family_judging`): a family is one item, graded by its best member,
placed where its first member stands; products without a family are their own."""

from __future__ import annotations

import json
from pathlib import Path

from bench.family_judging import by_family, family_keys
from bench.relevance import evaluate


def test_a_family_is_one_item_graded_by_its_best_member(tmp_path: Path) -> None:
    products = tmp_path / "products.jsonl"
    rows = [
        {"id": "109", "title": "Rain Jacket", "attributes": {"group": "109"}},
        {"id": "J-S", "title": "Rain Jacket", "attributes": {"group": "109", "Size": "S"}},
        {"id": "J-M", "title": "Rain Jacket", "attributes": {"group": "109", "Size": "M"}},
        {"id": "cap", "title": "Cap", "attributes": {}},
    ]
    products.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    families = family_keys(products)
    assert families == {"109": "family:109", "J-S": "family:109", "J-M": "family:109"}
    runs = {"q": ["109", "cap", "J-S"]}  # the family shown by its head, then again lower
    qrels = {"q": {"J-M": 3.0, "J-S": 2.0, "cap": 1.0}}
    family_runs, family_qrels = by_family(runs, qrels, families)
    assert family_runs == {"q": ["family:109", "cap"]}
    assert family_qrels == {"q": {"family:109": 3.0, "cap": 1.0}}
    assert evaluate(family_runs, family_qrels, 2.5)["ndcg@10"] == 1.0
    assert evaluate(runs, qrels, 2.5)["recall@100"] == 0.0  # by product, the M jacket never shows
    assert family_keys(tmp_path / "products.csv") == {}
