"""Products the shop does not show (drafts, private, hidden, archived) stay out of search everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import indexer.cli as cli
from engine.product_schema import RecordError, Unpublished, validate_record
from indexer.loading import load_catalog
from indexer.partial import apply_patch
from indexer.readers import FeedFormat
from tests.fakes import FakeInference, FakeLexicalIndex


@pytest.mark.parametrize(
    "value", [False, "false", "0", "-1", "draft", "Private", "hidden", "catalog", "archived"]
)
def test_a_record_the_shop_does_not_show_is_unpublished_not_bad(value: object) -> None:
    with pytest.raises(Unpublished) as caught:
        validate_record({"id": "d1", "published": value})  # a draft may have no title yet
    assert caught.value.product_id == "d1"


@pytest.mark.parametrize("value", [True, "1", "yes", "publish", "visible", "search", "active", ""])
def test_a_published_record_is_a_product_and_keeps_no_published_attribute(value: object) -> None:
    product = validate_record({"id": "p1", "title": "Lamp", "published": value})
    assert product.id == "p1" and "published" not in product.attributes


def test_an_unreadable_published_value_is_an_error_naming_the_field() -> None:
    with pytest.raises(RecordError, match=r"published: expected true or false .* got 'maybe'"):
        validate_record({"id": "p1", "title": "Lamp", "published": "maybe"})


def test_a_shop_export_lists_its_unpublished_rows_apart(tmp_path: Path) -> None:
    path = tmp_path / "woo.csv"
    path.write_text("ID,Name,Published\n1,Lamp,1\n2,,0\n3,Secret lamp,-1\n4,,1\n", encoding="utf-8")
    loaded = load_catalog(
        path, feed=FeedFormat(columns={"ID": "id", "Name": "title", "Published": "published"})
    )
    assert [p.id for p in loaded.products] == ["1"]
    assert loaded.unpublished == ["2", "3"]
    assert [(p.line, p.message) for p in loaded.problems] == [(5, "title: required")]


def test_a_partial_update_cannot_unpublish() -> None:
    product = validate_record({"id": "p1", "title": "Lamp"})
    with pytest.raises(RecordError, match="published: a partial update cannot take a product off the shop"):
        apply_patch(product, {"published": False})


@pytest.fixture
def lexical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeLexicalIndex:
    monkeypatch.setenv("AISLE_DATA_DIR", str(tmp_path / "var"))
    index = FakeLexicalIndex()
    monkeypatch.setattr(cli, "open_inference", lambda settings: FakeInference())
    monkeypatch.setattr(cli, "open_lexical", lambda settings: index)
    return index


def test_a_build_leaves_them_out_and_an_upsert_takes_them_out(
    lexical: FakeLexicalIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = tmp_path / "catalog.jsonl"
    rows = [{"id": "a", "title": "lamp"}, {"id": "b", "title": "desk"}, {"id": "c", "published": "draft"}]
    catalog.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert cli.main(["build", str(catalog), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "2 products" in out and "left out 1 product the shop does not show" in out
    assert lexical.all_ids() == {"a", "b"}
    assert cli.main(["upsert", "--json", '[{"id": "b", "title": "desk", "published": "private"}]']) == 0
    assert "took out 1 of 1 product the shop no longer shows" in capsys.readouterr().out
    assert lexical.all_ids() == {"a"}
    both = '[{"id": "a", "published": "draft"}, {"id": "a", "title": "lamp, back"}]'
    assert cli.main(["upsert", "--json", both]) == 0  # the same id given published stays
    assert lexical.all_ids() == {"a"}


def test_inline_records_list_them_too() -> None:
    from indexer.loading import load_products_json

    loaded = load_products_json([{"id": "a", "title": "A", "published": 0}, {"id": "b", "title": "B"}])
    assert loaded.unpublished == ["a"] and [p.id for p in loaded.products] == ["b"]
