"""Sales that start or end between two sends of the catalog: kept with the product, started and ended on
time by `indexer sales` (`indexer.sales`)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.catalog import catalog_root
from engine.config import load_settings
from engine.product_schema import RecordError, validate_record
from indexer.build import Builder, BuildOptions
from indexer.partial import REREAD, apply_patch
from indexer.sales import next_change, refresh_sales, sweep
from indexer.updates import IndexUpdater
from tests.fakes import FakeInference, FakeLexicalIndex, FakeVectorIO

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
BLACK_FRIDAY = {"sale_percent": "30", "sale_from": "2026-11-27", "sale_to": "2026-11-30"}


def panettone(now: datetime = NOW, **sale: str):
    return validate_record({"id": "p1", "title": "Panettone", "price": "30", **sale}, now=now)


def test_a_sale_not_begun_is_kept_with_the_product_and_read_back_by_a_patch() -> None:
    product = panettone(**BLACK_FRIDAY)
    assert product.price == 30 and "regular_price" not in product.attributes
    assert product.attributes["scheduled_sale_price"] == 21.0
    assert product.attributes["sale_starts"] == "2026-11-27T00:00:00Z"
    assert product.attributes["sale_ends"] == "2026-12-01T00:00:00Z"
    assert next_change(product) == datetime(2026, 11, 27, tzinfo=UTC)
    # A patch of another field keeps the schedule, and read on the day the sale runs.
    on_the_day = apply_patch(product, {"stock": 4}, now=datetime(2026, 11, 27, 9, tzinfo=UTC))
    assert (on_the_day.price, on_the_day.attributes["regular_price"]) == (21.0, 30.0)
    assert next_change(on_the_day) == datetime(2026, 12, 1, tzinfo=UTC)  # now it ends
    assert apply_patch(product, {"stock": 4}, now=NOW).attributes["scheduled_sale_price"] == 21.0
    # The shop's new sale price replaces the scheduled one; its new dates replace the schedule's.
    replaced = apply_patch(product, {"sale_price": 25}, now=NOW)
    assert replaced.price == 25 and "sale_starts" not in replaced.attributes
    moved = apply_patch(product, {"sale_from": "2026-11-20"}, now=NOW)
    assert (moved.price, moved.attributes.get("sale_ends")) == (21.0, None)  # the schedule's end went too


def test_a_sweep_finds_the_sales_due_and_a_reread_starts_or_ends_them() -> None:
    scheduled = panettone(**BLACK_FRIDAY)
    running = validate_record(
        {"id": "p2", "title": "Pandoro", "price": "20", "sale_price": "15", "sale_to": "2026-11-25"}, now=NOW
    )
    plain = validate_record({"id": "p3", "title": "Torrone", "price": "8"}, now=NOW)
    assert sweep([scheduled, running, plain], NOW) == ([], datetime(2026, 11, 26, tzinfo=UTC))
    later = datetime(2026, 11, 27, 0, 5, tzinfo=UTC)
    assert sweep([scheduled, running, plain], later) == (["p1", "p2"], None)
    started = apply_patch(scheduled, REREAD, now=later)  # the record read again as of `later`
    ended = apply_patch(running, REREAD, now=later)
    assert (started.price, started.attributes["regular_price"]) == (21.0, 30.0)
    assert (ended.price, ended.attributes) == (20.0, {})
    assert apply_patch(plain, REREAD, now=later) == plain
    with pytest.raises(RecordError, match="no fields to change"):  # only the sweep's own patch is empty
        apply_patch(plain, {}, now=later)


@pytest.fixture
def shop(tmp_path: Path) -> tuple[IndexUpdater, IndexUpdater]:
    settings = load_settings(data_dir=tmp_path / "var")
    lexical, vio, inference = FakeLexicalIndex(), FakeVectorIO(), FakeInference()
    catalog = tmp_path / "c.jsonl"
    catalog.write_text(json.dumps({"id": "x", "title": "Grappa", "price": 38}) + "\n", encoding="utf-8")
    Builder(settings, inference, lexical, vio).build(catalog, BuildOptions(progress=False))
    root = catalog_root(settings)
    return IndexUpdater(root, lexical, inference, vio), IndexUpdater(root, lexical, None, vio)


def test_refresh_starts_and_ends_the_sales_due_in_the_index(shop: tuple[IndexUpdater, IndexUpdater]) -> None:
    writer, sales = shop  # the sales' updater has no model server: a price change embeds nothing
    now = datetime.now(UTC)
    day = timedelta(days=1)
    read_then = now - 3 * day  # the catalog was sent three days ago
    window = {"sale_from": (now - day).isoformat(), "sale_to": (now + 5 * day).isoformat()}
    products = [
        validate_record(
            {"id": "a", "title": "Amarone", "price": 64, "sale_percent": 20, **window}, now=read_then
        ),
        validate_record(
            {"id": "b", "title": "Barolo", "price": 49, "sale_price": 45, "sale_to": (now - day).isoformat()},
            now=read_then,
        ),
        validate_record(
            {
                "id": "c",
                "title": "Chianti",
                "price": 24,
                "sale_price": 20,
                "sale_from": (now + day).isoformat(),
            },
            now=read_then,
        ),
    ]
    assert [p.price for p in products] == [64, 45, 24]  # as read three days ago
    writer.upsert(products)
    report = refresh_sales(sales.lexical, lambda patches: sales.patch(patches)[0], now)
    assert (report.started, report.ended) == (["a"], ["b"])
    stored = sales.lexical.get(["a", "b", "c", "x"])
    assert [stored[i].price for i in "abcx"] == [51.2, 49, 24, 38]
    assert (
        stored["a"].attributes["regular_price"] == 64 and "scheduled_sale_price" not in stored["a"].attributes
    )
    assert report.next_change is not None and abs(report.next_change - (now + day)) < timedelta(seconds=1)
    again = refresh_sales(sales.lexical, lambda patches: sales.patch(patches)[0], now)  # nothing more is due
    assert (again.started, again.ended) == ([], [])


def test_a_record_sent_between_the_sweeps_read_and_its_write_is_read_as_sent(
    shop: tuple[IndexUpdater, IndexUpdater],
) -> None:
    """The sweep reads a due product again under the writers' lock, as stored then: a record the shop
    sent after the sweep read the old one keeps its own sale."""
    writer, sales = shop
    now = datetime.now(UTC)
    old = validate_record(
        {
            "id": "a",
            "title": "Amarone",
            "price": 64,
            "sale_price": 50,
            "sale_to": (now - timedelta(hours=1)).isoformat(),
        },
        now=now - timedelta(days=2),
    )
    writer.upsert([old])

    def patch_after_a_new_send(patches):
        writer.upsert(
            [validate_record({"id": "a", "title": "Amarone", "price": 64, "sale_price": 55}, now=now)]
        )
        return sales.patch(patches)[0]

    report = refresh_sales(sales.lexical, patch_after_a_new_send, now)
    stored = sales.lexical.get(["a"])["a"]
    assert report.started == ["a"] and (stored.price, stored.attributes["regular_price"]) == (55.0, 64.0)
