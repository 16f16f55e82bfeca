"""Heureka's XML feed (`indexer.heureka_feed`): each `<SHOPITEM>` read as a product with its id, name,
description, page, picture, price with VAT, maker, category path (the site's own name dropped), the
maker's code and EAN as identifiers, each `PARAM` an attribute, an `ITEMGROUP_ID` its family, the
sizes and colours its variant (in a family or not); the days to ship and a date it ships from; a
second-hand item's condition; the shop's bids and carriers never kept; an item that cannot be read
reported by the line it starts on; a feed with the root but no item refused; Zboží.cz's namespaced
feed read alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import InvalidInput
from engine.product_schema import Limits
from indexer.loading import LoadedCatalog, load_catalog

FEED = """<?xml version="1.0" encoding="utf-8"?>
<SHOP>
\t<SHOPITEM>
\t\t<ITEM_ID>3001</ITEM_ID>
\t\t<PRODUCTNAME>Horské kolo Horal Trail 29 M</PRODUCTNAME>
\t\t<PRODUCT>Horské kolo Horal Trail 29 M | Cyklo Svratka</PRODUCT>
\t\t<DESCRIPTION><![CDATA[<p>Hardtail na <b>trail</b>.</p>]]></DESCRIPTION>
\t\t<URL>https://kola.example/trail-29-m/</URL>
\t\t<IMGURL>https://kola.example/img/3001.jpg</IMGURL>
\t\t<IMGURL_ALTERNATIVE>https://kola.example/img/3001-2.jpg</IMGURL_ALTERNATIVE>
\t\t<PRICE_VAT>24 990 Kč</PRICE_VAT>
\t\t<VAT>21%</VAT>
\t\t<MANUFACTURER>Horal</MANUFACTURER>
\t\t<CATEGORYTEXT>Heureka.cz | Sport | Cyklistika | Horská kola</CATEGORYTEXT>
\t\t<EAN>8595721300024</EAN>
\t\t<PRODUCTNO>HR-TR29-M</PRODUCTNO>
\t\t<ITEMGROUP_ID>HR-TR29</ITEMGROUP_ID>
\t\t<PARAM><PARAM_NAME>Barva</PARAM_NAME><VAL>černá</VAL></PARAM>
\t\t<PARAM><PARAM_NAME>Velikost</PARAM_NAME><VAL>M (17")</VAL></PARAM>
\t\t<PARAM><PARAM_NAME>Materiál rámu</PARAM_NAME><VAL>hliník</VAL></PARAM>
\t\t<PARAM><PARAM_NAME>Ventil</PARAM_NAME><VAL>FV</VAL></PARAM>
\t\t<PARAM><PARAM_NAME>Ventil</PARAM_NAME><VAL>AV</VAL></PARAM>
\t\t<DELIVERY_DATE>0</DELIVERY_DATE>
\t\t<DELIVERY><DELIVERY_ID>PPL</DELIVERY_ID><DELIVERY_PRICE>99</DELIVERY_PRICE></DELIVERY>
\t\t<HEUREKA_CPC>3,50</HEUREKA_CPC>
\t\t<GIFT>Láhev zdarma</GIFT>
\t</SHOPITEM>
\t<SHOPITEM>
\t\t<ITEM_ID>3002</ITEM_ID>
\t\t<PRODUCT>Zadní světlo Lumen Red | akce</PRODUCT>
\t\t<PRICE_VAT>390,50</PRICE_VAT>
\t\t<CATEGORYTEXT>Sport | Cyklistika | Osvětlení</CATEGORYTEXT>
\t\t<DELIVERY_DATE>3</DELIVERY_DATE>
\t\t<ITEM_TYPE>bazar</ITEM_TYPE>
\t</SHOPITEM>
\t<SHOPITEM>
\t\t<ITEM_ID>3003</ITEM_ID>
\t\t<PRICE_VAT>99</PRICE_VAT>
\t</SHOPITEM>
\t<SHOPITEM>
\t\t<ITEM_ID>3004</ITEM_ID>
\t\t<PRODUCTNAME>Elektrokolo Horal E-Trek</PRODUCTNAME>
\t\t<PRICE_VAT>54990</PRICE_VAT>
\t\t<PARAM><PARAM_NAME>Velikost</PARAM_NAME><VAL>L</VAL></PARAM>
\t\t<DELIVERY_DATE>2027-03-01</DELIVERY_DATE>
\t</SHOPITEM>
</SHOP>
"""


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedCatalog:
    path = tmp_path / "heureka.xml"
    path.write_text(FEED, encoding="utf-8")
    return load_catalog(path, Limits.for_shop("CZK"))


def test_each_item_reads_as_a_product(loaded: LoadedCatalog) -> None:
    bike = loaded.products[0].to_dict()
    assert (bike["id"], bike["title"], bike["brand"]) == ("3001", "Horské kolo Horal Trail 29 M", "Horal")
    assert bike["category"] == ["Sport", "Cyklistika", "Horská kola"]  # "Heureka.cz" is the site's name
    assert (
        bike["description"] == "Hardtail na trail." and bike["image"] == "https://kola.example/img/3001.jpg"
    )
    assert (bike["price"], bike["currency"], bike["availability"]) == (24990.0, "CZK", "in_stock")
    attributes = bike["attributes"]
    assert (attributes["mpn"], attributes["ean"], attributes["group"]) == (
        "HR-TR29-M",
        "8595721300024",
        "HR-TR29",
    )
    assert (attributes["Materiál rámu"], attributes["Ventil"]) == ("hliník", "FV, AV")  # a name given twice
    assert attributes["variant"] == 'černá / M (17")' and attributes["GIFT"] == "Láhev zdarma"
    assert attributes["url"] == "https://kola.example/trail-29-m/" and "delivery_days" not in attributes
    assert not set(attributes) & {"HEUREKA_CPC", "DELIVERY", "VAT", "PRODUCT", "IMGURL_ALTERNATIVE"}


def test_names_delivery_and_condition(loaded: LoadedCatalog) -> None:
    _, light, ebike = (p.to_dict() for p in loaded.products)
    assert light["title"] == "Zadní světlo Lumen Red | akce"  # PRODUCT where PRODUCTNAME is missing
    assert light["price"] == 390.5 and light["attributes"]["delivery_days"] == 3
    assert light["attributes"]["condition"] == "used" and "variant" not in light["attributes"]  # no size
    assert ebike["availability"] == "backorder" and ebike["attributes"]["available_from"] == "2027-03-01"
    assert ebike["attributes"]["variant"] == "L"  # its size, in no family: "přilba L" finds a helmet in L


def test_an_item_that_cannot_be_read_is_reported_by_its_line(loaded: LoadedCatalog) -> None:
    line = FEED.splitlines().index("\t\t<ITEM_ID>3003</ITEM_ID>")  # the line before: <SHOPITEM>
    assert [(p.line, p.product_id, p.message) for p in loaded.problems] == [(line, "3003", "title: required")]


def test_zbozi_namespaced_feed_reads_alike(tmp_path: Path) -> None:
    path = tmp_path / "zbozi.xml"
    namespaced = FEED.replace("<SHOP>", '<SHOP xmlns="http://www.zbozi.cz/ns/offer/1.0">')
    path.write_text(namespaced, encoding="utf-8")
    assert [p.id for p in load_catalog(path, Limits.for_shop("CZK")).products] == ["3001", "3002", "3004"]


def test_a_heureka_feed_without_items_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "heureka.xml"
    path.write_text('<?xml version="1.0"?>\n<SHOP><ITEM><ITEM_ID>1</ITEM_ID></ITEM></SHOP>\n')
    with pytest.raises(InvalidInput, match=r"no <SHOPITEM> in this feed \(root <SHOP>\)"):
        load_catalog(path, Limits.for_shop("CZK"))


def test_an_item_holding_more_text_than_a_record_may_is_reported_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "heureka.xml"
    huge = FEED.replace("<p>Hardtail na <b>trail</b>.</p>", "x" * 5_000)
    path.write_text(huge, encoding="utf-8")
    loaded = load_catalog(path, Limits(currency="CZK", record_bytes=2_000))
    assert [p.id for p in loaded.products] == ["3002", "3004"]
    problems = [(p.line, p.message) for p in loaded.problems]
    item = FEED.splitlines().index("\t\t<ITEM_ID>3003</ITEM_ID>")  # the line before: <SHOPITEM>
    assert problems == [(3, "SHOPITEM is longer than 2000 characters"), (item, "title: required")]
