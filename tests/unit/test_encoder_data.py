"""Encoder training data: product texts (invalid records left out as a non-strict build leaves them) and
judged pairs with their hard negatives."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from engine.encoder.data import load_product_texts, pairs_for
from engine.errors import InvalidInput
from engine.learning.offline_data import Judgements, load_judgements


def test_invalid_records_are_left_out_and_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "products.jsonl"
    rows = [
        json.dumps({"id": "a", "title": "Claw hammer", "brand": "Stanley"}),
        json.dumps({"id": "b", "title": "Saw", "description": "bad \x1a byte"}),
        "{not json",
        json.dumps({"id": "c", "title": "Tape measure"}),
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="engine.encoder.data"):
        texts = load_product_texts(path)
    assert texts == {"a": "Claw hammer. Stanley", "c": "Tape measure"}
    assert "left out 2 invalid record(s)" in caplog.text and ":2:" in caplog.text


def test_a_file_without_a_valid_product_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "products.jsonl"
    path.write_text(json.dumps({"title": "no id"}) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="no valid product"):
        load_product_texts(path)


def _judgements(tmp_path: Path) -> Judgements:
    queries = tmp_path / "queries.tsv"
    queries.write_text("query_id\tquery\nq1\tcordless drill\nq2\tdoor hinge\n", encoding="utf-8")
    qrels = tmp_path / "qrels.tsv"
    rows = ["q1\tdrill\t3", "q1\tbits\t1", "q1\tcase\t1.67", "q1\tsaw\t2", "q1\tgone\t1", "q2\thinge\t2.67"]
    qrels.write_text("query_id\tproduct_id\tgrade\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return load_judgements(queries, qrels)


def test_judged_down_products_become_their_querys_hard_negatives(tmp_path: Path) -> None:
    judgements = _judgements(tmp_path)
    catalog = {pid: pid for pid in ("drill", "bits", "case", "saw", "hinge")}  # "gone" is not sold
    pairs = pairs_for(judgements, ["q1", "q2"], catalog, 2.5, max_negative_grade=1.67)
    assert [(p.query_id, p.product_id, p.negatives) for p in pairs] == [
        ("q1", "drill", ("bits", "case")),  # 2 is neither a pair nor a negative; unsold ones left out
        ("q2", "hinge", ()),
    ]
    assert all(p.negatives == () for p in pairs_for(judgements, ["q1", "q2"], catalog, 2.5))


def test_a_negative_grade_at_or_above_the_pair_grade_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="below the pair grade"):
        pairs_for(_judgements(tmp_path), ["q1"], {"drill": "drill"}, 2.5, max_negative_grade=2.5)
