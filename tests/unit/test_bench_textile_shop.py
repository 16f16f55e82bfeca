"""The made-up İzmir home-textile shop (`bench.textile_shop`): its Ticimax feed reads as the catalog it
stands for (a product per variant, each card one family, category paths, options and technical details
as attributes, prices with a decimal comma, sales, VAT added where the feed writes prices without it,
the purchase price never kept, the curtain priced on request listed without a price), the card with no
name reported by its line; and every judged query has a product it asks for."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.textile_shop import FEED, write
from engine.schema_checks import Limits
from indexer.loading import load_catalog
from tests.support.judged import read_judged, read_products


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("textile")
    counts = write(out)
    assert counts == {
        "cards": 48,
        "variants": 85,
        "products": 84,
        "bad variants": 1,
        "queries": 87,
        "judgements": 2400,
    }
    return out


def test_the_feed_reads_as_products_with_their_cards_options_and_details(shop: Path) -> None:
    feed = (shop / FEED).read_text(encoding="utf-8")
    assert feed.count("<Urun>") == 48 and feed.count("<Secenek>") == 85
    products = read_products(shop)
    towel = products[0]
    assert (towel.id, towel.title, towel.brand) == ("1", "Pamuklu Banyo Havlusu", "Ege Çeyiz")
    assert towel.category == ("Banyo", "Havlular", "Banyo Havlusu") and towel.currency == "TRY"
    assert (towel.attributes["Renk"], towel.attributes["Beden"]) == ("Beyaz", "50x90")
    assert towel.attributes["variant"] == "Beyaz / 50x90" and towel.attributes["sku"] == "EGC-HVL-5090-BYZ"
    assert towel.attributes["Malzeme"] == "%100 Pamuk" and towel.attributes["Menşei"] == "Türkiye"
    assert towel.image and towel.image.endswith("-1.jpg")  # the first of its pictures
    towels = [p for p in products if p.title == "Pamuklu Banyo Havlusu"]
    assert len(towels) == 8 and len({p.attributes["group"] for p in towels}) == 1
    assert len({p.attributes["group"] for p in products}) == 47  # a family per card read
    # a card's details stay its own: no other card's options or details
    assert [p.id for p in products if "Gramaj" in p.attributes] == [p.id for p in towels]
    pike = next(p for p in products if p.title == "KIRMIZI ÇİFT KİŞİLİK PİKE")
    assert pike.attributes["Renk"] == "Kırmızı" and "Beden" not in pike.attributes
    assert "variant" not in pike.attributes


def test_prices_stock_and_what_the_shop_keeps_to_itself(shop: Path) -> None:
    by_sku = {p.attributes["sku"]: p for p in read_products(shop)}
    assert by_sku["OZG-KTY"].price == 1299.9  # "1.299,90"
    assert by_sku["DND-OTL"].price == pytest.approx(899.4)  # "749,50" before 20% VAT
    sale = by_sku["EGC-KPK"]
    assert (sale.price, sale.attributes["regular_price"]) == (719.92, 899.9)
    assert by_sku["OZG-RNF-CK-LCV"].price == 879.92  # 20% off 1.099,90
    assert "regular_price" not in by_sku["EGC-HVL-5090-BYZ"].attributes  # "0,00": no sale
    assert by_sku["EGC-OZP"].price is None  # sewn to measure: its price on request
    sold_out = sorted(sku for sku, p in by_sku.items() if not p.available)
    assert sold_out == ["DND-YBT", "EGC-HVL-70140-LCV", "EGC-KBR-XL-GRI", "LNH-TUL"]
    for product in by_sku.values():
        assert not set(product.attributes) & {"AlisFiyati", "KDVDahil", "KdvOrani", "Desi", "KategoriID"}


def test_the_card_with_no_name_is_reported_by_its_line(shop: Path) -> None:
    lines = (shop / FEED).read_text(encoding="utf-8").splitlines()
    secenek = lines.index("<VaryasyonID>85</VaryasyonID>")  # the line before it, counted from 1
    problems = load_catalog(shop / FEED, Limits.for_shop("TRY")).problems
    assert [(p.line, p.product_id, p.message) for p in problems] == [(secenek, "85", "title: required")]


def test_every_query_has_the_product_it_asks_for(shop: Path) -> None:
    queries, grades = read_judged(shop)
    asked = Counter(query for query, _, grade in grades if grade == "3")
    assert len(asked) == len(queries) == 87
    by_text = {text: q for q, text in queries.items()}
    assert asked[by_text["havlu"]] == 16  # every towel: "havlu" inside each kind's name
    assert asked[by_text["nevrezim"]] == 10  # every colour and size of the four duvet cover cards
    assert asked[by_text["bornoz xl"]] == 3  # the bamboo set's XL and both colours of the hooded robe's
    assert asked[by_text["İPEK YASTIK"]] == asked[by_text["8682983000578"]] == 1  # the silk pillowcase
    assert asked[by_text["kirmizi pike"]] == asked[by_text["önlük"]] == 1
