"""Product texts for encoder training: invalid records are left out as a non-strict build leaves them."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from engine.encoder.data import load_product_texts
from engine.errors import InvalidInput


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
