"""Partial updates: only the given fields change, the rest is kept, and nothing is re-embedded unless the
embedded text or the image changed."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from engine.catalog import catalog_root, open_live, served_encoders
from engine.config import load_settings
from engine.errors import InvalidInput, NotFound
from engine.product_schema import RecordError
from engine.records import Product
from indexer.build import Builder, BuildOptions
from indexer.partial import apply_patch
from indexer.updates import IndexUpdater
from indexer.verify import verify
from tests.fakes import FakeClipEncoder, FakeInference, FakeLexicalIndex, FakeVectorIO, png_bytes

BOOK = Product(
    id="bk-0035",
    title="Emma",
    description="A novel by Jane Austen",
    brand="Penguin",
    category=("Books", "Classics"),
    price=9.99,
    currency="EUR",
    attributes={"isbn": "978-0141439587", "year": 1815, "author": "Jane Austen"},
    image="emma.png",
)


def test_a_patch_changes_only_the_given_fields() -> None:
    patched = apply_patch(
        BOOK, {"id": "bk-0035", "price": "7.50", "availability": "out of stock", "stock": 0}
    )
    assert patched.price == 7.5 and patched.availability == "out_of_stock"
    assert patched.attributes == {**BOOK.attributes, "stock": 0}
    assert (patched.title, patched.image, patched.currency, patched.category) == (
        BOOK.title,
        BOOK.image,
        "EUR",
        BOOK.category,
    )


def test_the_available_flag_sets_availability() -> None:
    assert apply_patch(BOOK, {"available": False}).availability == "out_of_stock"
    back = apply_patch(replace(BOOK, availability="out_of_stock"), {"available": "yes"})
    assert back.availability == "in_stock" and "available" not in back.attributes
    with pytest.raises(RecordError, match="available: expected true or false, got 'soon'"):
        apply_patch(BOOK, {"available": "soon"})


def test_a_stock_count_moves_a_product_in_and_out_of_stock() -> None:
    sold_out = apply_patch(BOOK, {"stock": 0})
    assert sold_out.availability == "out_of_stock" and sold_out.attributes["stock"] == 0
    assert apply_patch(sold_out, {"stock": "4"}).availability == "in_stock"
    assert apply_patch(BOOK, {"attributes": {"stock": 0}}).availability == "out_of_stock"
    assert apply_patch(BOOK, {"price": 3}).availability == BOOK.availability  # no count, no change
    # what the shop states wins: a backorder stays one, and a stated availability outranks the count
    on_backorder = replace(BOOK, availability="backorder")
    assert apply_patch(on_backorder, {"stock": 0}).availability == "backorder"
    assert apply_patch(BOOK, {"stock": 0, "availability": "preorder"}).availability == "preorder"
    assert apply_patch(BOOK, {"stock": 0, "available": True}).availability == "in_stock"
    with pytest.raises(RecordError, match="stock: expected a number"):
        apply_patch(BOOK, {"stock": "lots"})


def test_attributes_merge_and_null_removes() -> None:
    patched = apply_patch(BOOK, {"attributes": {"year": None, "format": "paperback"}, "image": None})
    assert patched.attributes == {"isbn": "978-0141439587", "author": "Jane Austen", "format": "paperback"}
    assert patched.image is None
    assert (
        apply_patch(BOOK, {"price": 5, "description": ""}).description == BOOK.description
    )  # blank = not given


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"price": "cheap"}, "price"),
        ({"title": None}, "title"),
        ({"availability": "sometimes"}, "availability"),
        ({"id": "other", "price": 1}, "id"),
        ({"attributes": [1, 2]}, "attributes"),
        ({"id": "bk-0035"}, "no fields"),
    ],
)
def test_bad_patches_name_the_field(patch: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        apply_patch(BOOK, patch)
    assert field in error.value.message


@pytest.fixture
def world(tmp_path: Path):
    settings = load_settings(data_dir=tmp_path / "var")
    lexical, vio = FakeLexicalIndex(), FakeVectorIO()
    inference = FakeInference(clip=FakeClipEncoder())
    (tmp_path / "emma.png").write_bytes(png_bytes((0, 0, 255)))
    (tmp_path / "other.png").write_bytes(png_bytes((0, 255, 0)))
    catalog = tmp_path / "c.jsonl"
    rows = [BOOK.to_dict(), {"id": "p2", "title": "Persuasion", "price": 8}]
    catalog.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    Builder(settings, inference, lexical, vio).build(catalog, BuildOptions(progress=False))
    root = catalog_root(settings)
    updater = IndexUpdater(root, lexical, inference, vio, image_base_dir=tmp_path)
    return root, lexical, vio, inference, updater


def test_a_price_patch_keeps_every_other_field_and_embeds_nothing(world) -> None:
    root, lexical, vio, inference, updater = world
    texts, images = inference.text.encoded, inference.clip.images
    text_before = open_live(root, vio).stores["text"].get_vectors(["bk-0035"])["bk-0035"]
    products, live = updater.patch({"bk-0035": {"price": 6.5, "stock": 3}})
    stored = lexical.get(["bk-0035"])["bk-0035"]
    assert products == [stored] and stored.price == 6.5
    assert stored.attributes["isbn"] == "978-0141439587" and stored.attributes["year"] == 1815
    assert stored.image == "emma.png" and stored.attributes["stock"] == 3
    assert (inference.text.encoded, inference.clip.images) == (texts, images)  # nothing re-embedded
    disk = open_live(root, vio, served_encoders(inference))
    assert disk.manifest == live.manifest and verify(disk, lexical).ok
    assert (disk.stores["text"].get_vectors(["bk-0035"])["bk-0035"] == text_before).all()


def test_a_title_patch_re_embeds_the_text_only_and_an_image_patch_the_image_only(world) -> None:
    root, lexical, vio, inference, updater = world
    texts, images = inference.text.encoded, inference.clip.images
    updater.patch({"bk-0035": {"title": "Emma (Penguin Classics)"}})
    assert (inference.text.encoded, inference.clip.images) == (texts + 1, images)
    query = inference.text.encode(["Emma (Penguin Classics). Penguin. Classics. A novel by Jane Austen"])[0]
    disk = open_live(root, vio, served_encoders(inference))
    assert disk.stores["text"].search(query, 1)[0].product_id == "bk-0035"
    updater.patch({"bk-0035": {"image": "other.png"}})
    assert inference.clip.images == images + 1 and inference.text.encoded == texts + 2
    updater.patch({"bk-0035": {"image": None}})
    disk = open_live(root, vio, served_encoders(inference))
    assert "bk-0035" not in disk.stores["image"].ids() and verify(disk, lexical).ok


def test_resending_the_same_text_in_a_full_upsert_embeds_nothing(world) -> None:
    _, lexical, _, inference, updater = world
    texts = inference.text.encoded
    same = lexical.get(["p2"])["p2"]
    updater.upsert([Product(id="p2", title=same.title, price=1.0)])
    assert inference.text.encoded == texts and lexical.get(["p2"])["p2"].price == 1.0


def test_unknown_ids_and_bad_fields_write_nothing(world) -> None:
    root, lexical, vio, _, updater = world
    revision = open_live(root, vio).manifest.revision
    with pytest.raises(NotFound, match="nope"):
        updater.patch({"bk-0035": {"price": 1}, "nope": {"price": 2}})
    with pytest.raises(InvalidInput, match="price"):
        updater.patch({"bk-0035": {"price": 1}, "p2": {"price": "free"}})
    assert lexical.get(["bk-0035"])["bk-0035"].price == 9.99
    assert open_live(root, vio).manifest.revision == revision


def test_patches_from_two_processes_both_survive(tmp_path: Path) -> None:
    """A price feed and a stock feed in two processes: each merges against the record as stored, even
    when its own lexical view has not reloaded yet."""
    from engine.lexical.embedded import EmbeddedLexical

    settings = load_settings(data_dir=tmp_path / "var")
    vio, inference = FakeVectorIO(), FakeInference()
    first = EmbeddedLexical(tmp_path / "lexical", reload_interval_s=3600.0)
    second = EmbeddedLexical(tmp_path / "lexical", reload_interval_s=3600.0)
    catalog = tmp_path / "c.jsonl"
    catalog.write_text(json.dumps({"id": "a", "title": "Emma", "price": 9}) + "\n", encoding="utf-8")
    Builder(settings, inference, first, vio).build(catalog, BuildOptions(progress=False))
    root = catalog_root(settings)
    second.refresh()
    assert second.get(["a"])["a"].price == 9
    IndexUpdater(root, first, inference, vio).patch({"a": {"price": 7}})
    IndexUpdater(root, second, inference, vio).patch({"a": {"stock": 3}})
    first.refresh()
    for index in (first, second):
        stored = index.get(["a"])["a"]
        assert (stored.price, stored.attributes) == (7.0, {"stock": 3})
