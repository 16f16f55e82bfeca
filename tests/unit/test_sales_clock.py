"""The gateway's sales clock (`api.sales_clock`): a sale that ended since the catalog was sent is ended,
one that began starts, both served at once; a failed sweep is tried again at the next tick."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from api.deps import Services
from api.main import create_app
from api.sales_clock import SalesClock
from engine.config import load_settings
from engine.lexical.embedded import EmbeddedLexical
from engine.pipeline.types import SearchQuery
from engine.product_schema import validate_record
from engine.records import Filters
from indexer.build import Builder, BuildOptions
from indexer.embedding import EmbedOptions
from tests.unit.gateway_fakes import GatewayInference, embedded_services, make_services, search


def sent_days_ago(days: int) -> list:
    """Two knives as a catalog sent `days` ago read them: one on a sale ending yesterday, one whose sale
    begins yesterday."""
    now = datetime.now(UTC)
    then, yesterday = now - timedelta(days=days), (now - timedelta(days=1)).isoformat()
    records = [
        {"id": "k1", "title": "Chef knife", "price": 89, "sale_price": 69, "sale_to": yesterday},
        {"id": "k2", "title": "Bread knife", "price": 40, "sale_percent": 25, "sale_from": yesterday},
    ]
    return [validate_record(r, now=then) for r in records]


def test_a_tick_ends_the_sale_that_is_over_and_starts_the_one_that_began(tmp_path: Path) -> None:
    products = sent_days_ago(3)
    assert [p.price for p in products] == [69, 40]  # as the catalog was read three days ago
    services = make_services(tmp_path, products=products)
    with TestClient(create_app(services)) as client:
        before = {h["id"]: h["price"] for h in search(client, query="knife")["hits"]}
        assert before == {"k1": 69.0, "k2": 40.0}  # served, so the product cache holds them
        report = SalesClock(services, 0).tick()
        assert (report.started, report.ended) == (["k2"], ["k1"])
        hits = {h["id"]: h for h in search(client, query="knife")["hits"]}
        assert (hits["k1"]["price"], hits["k1"]["regular_price"]) == (89.0, None)
        assert (hits["k2"]["price"], hits["k2"]["regular_price"]) == (30.0, 40.0)
        assert SalesClock(services, 0).tick().started == []  # nothing more is due
    services.close()


def test_the_clock_ticks_on_its_own_and_survives_a_failed_sweep(tmp_path: Path) -> None:
    services = make_services(tmp_path, products=sent_days_ago(3))
    clock = SalesClock(services, 0.05)
    calls = []
    real_tick = clock.tick

    def tick():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("lexical index unavailable")
        return real_tick()

    clock.tick = tick  # type: ignore[method-assign]
    clock.start()
    deadline = time.monotonic() + 5
    while services.lexical.get(["k1"])["k1"].price != 89 and time.monotonic() < deadline:
        time.sleep(0.02)
    clock.stop()
    assert len(calls) >= 2 and services.lexical.get(["k1"])["k1"].price == 89
    assert not SalesClock(services, 0).start()._thread.is_alive()  # 0: no clock
    services.close()


def built_shop(tmp_path: Path) -> Services:
    """The gateway's services over a real embedded index `indexer build` wrote of one paring knife."""
    settings = load_settings(data_dir=tmp_path / "var", api_key="secret")
    catalog = tmp_path / "c.jsonl"
    catalog.write_text(json.dumps({"id": "x", "title": "Paring knife", "price": 35}) + "\n", encoding="utf-8")
    quiet = BuildOptions(progress=False, embed=EmbedOptions(batch_size=8, in_flight=1))
    Builder(settings, GatewayInference(), EmbeddedLexical.from_settings(settings)).build(catalog, quiet)
    return embedded_services(settings, tmp_path / "events.sqlite3")


def test_on_the_real_index_a_price_filter_and_sort_see_the_sale_at_once(tmp_path: Path) -> None:
    """Real tantivy and FAISS stores (hashed fake encoders): the sweep's partial updates reach the index's
    prices, so a price filter and a price sort see the sale the moment it starts or ends."""
    services = built_shop(tmp_path)
    services.upsert_products(sent_days_ago(3))

    def cheap() -> list[tuple[str, float]]:
        query = SearchQuery(text="knife", size=10, sort="price_asc", filters=Filters(price_max=35))
        outcome = services.pipeline.search(query)
        return [(h.product_id, outcome.products[h.product_id].price) for h in outcome.hits]

    assert cheap() == [("x", 35.0)]  # the bread knife's sale had not begun when the catalog was read
    report = SalesClock(services, 0).tick()
    assert (report.started, report.ended) == (["k2"], ["k1"])
    assert cheap() == [("k2", 30.0), ("x", 35.0)]
    services.close()


def test_a_tick_sweeps_only_after_a_write_or_when_a_sale_change_has_come(tmp_path: Path) -> None:
    services = built_shop(tmp_path)
    clock = SalesClock(services, 0)
    assert clock.tick() is not None and clock.tick() is None  # nothing written, no sale to come
    soon = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    knife = {"id": "k", "title": "Bread knife", "price": 40, "sale_price": 30, "sale_from": soon}
    services.upsert_products([validate_record(knife)])
    report = clock.tick()  # a write: swept, the sale not begun
    assert report is not None and report.started == [] and clock.tick() is None
    time.sleep(1.2)
    report = clock.tick()  # the sale's start has come
    assert report is not None and report.started == ["k"]
    assert services.lexical.get(["k"])["k"].price == 30
    services.close()
