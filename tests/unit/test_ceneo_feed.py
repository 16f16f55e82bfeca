"""Ceneo's XML feed (`indexer.ceneo_feed`): each `<o>` read as a product with its id, price, stock and
page from the element's attributes, its category path, name, main picture and description from CDATA
written on lines of their own, the maker as the brand, the maker's code and EAN as identifiers, every
other parameter an attribute; the availability code read as when it ships, made to order a backorder;
Ceneo's checkout flag never kept; an offer that cannot be read reported by the line it starts on; a
feed with the root but no offer refused, not read as an empty catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import InvalidInput
from engine.product_schema import Limits
from indexer.loading import LoadedCatalog, load_catalog

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<offers xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" version="1">
<group name="other">
<o id="2001" url="https://sklep.example/krzeslo-2001.html" price="349.00" avail="1" set="0" weight="7.5"
   basket="1" stock="5">
\t<cat>
\t\t<![CDATA[Meble/Krzesła/Krzesło]]>
\t</cat>
\t<name>
\t\t<![CDATA[Krzesło tapicerowane Milo szare]]>
\t</name>
\t<imgs>
\t\t<main url="https://sklep.example/img/2001-1.jpg"/>
\t\t<i url="https://sklep.example/img/2001-2.jpg"/>
\t</imgs>
\t<desc>
\t\t<![CDATA[<p>Wygodne krzesło <b>do jadalni</b>.</p>]]>
\t</desc>
\t<attrs>
\t\t<a name="Producent"><![CDATA[Meble Warta]]></a>
\t\t<a name="Kod_producenta"><![CDATA[WM-MILO-SZ]]></a>
\t\t<a name="EAN"><![CDATA[5907621100018]]></a>
\t\t<a name="Kolor"><![CDATA[Szary]]></a>
\t\t<a name="Materiał">Welur</a>
\t</attrs>
</o>
<o id="2002" url="https://sklep.example/lozko-2002.html" price="1 899,00 zł" avail="90" stock="0">
<cat><![CDATA[Sypialnia/Łóżka]]></cat><name><![CDATA[Łóżko kontynentalne 160x200]]></name>
<attrs><a name="producent">Sennik</a><a name="ISBN"> </a></attrs>
</o>
<o id="2003" price="99.00" avail="99"><cat><![CDATA[Meble]]></cat></o>
<o id="2004" price="129.00" avail="3" stock="0" set="1"><name>Zestaw półek</name></o>
</group>
</offers>
"""


@pytest.fixture
def loaded(tmp_path: Path) -> LoadedCatalog:
    path = tmp_path / "ceneo.xml"
    path.write_text(FEED, encoding="utf-8")
    return load_catalog(path, Limits.for_shop("PLN"))


def test_each_offer_reads_as_a_product(loaded: LoadedCatalog) -> None:
    chair, bed, shelves = (p.to_dict() for p in loaded.products)
    assert (chair["id"], chair["brand"]) == ("2001", "Meble Warta")
    assert chair["title"] == "Krzesło tapicerowane Milo szare"
    assert chair["category"] == ["Meble", "Krzesła", "Krzesło"]
    assert chair["image"] == "https://sklep.example/img/2001-1.jpg"  # the main picture
    assert chair["description"] == "Wygodne krzesło do jadalni."
    assert (chair["price"], chair["currency"], chair["availability"]) == (349.0, "PLN", "in_stock")
    attributes = chair["attributes"]
    assert (attributes["mpn"], attributes["ean"], attributes["stock"]) == ("WM-MILO-SZ", "5907621100018", "5")
    assert (attributes["Kolor"], attributes["Materiał"], attributes["weight"]) == ("Szary", "Welur", "7.5")
    assert attributes["url"] == "https://sklep.example/krzeslo-2001.html" and attributes["delivery_days"] == 1
    assert not set(attributes) & {"basket", "set", "avail", "Producent", "Kod_producenta", "EAN"}
    assert bed["category"] == ["Sypialnia", "Łóżka"] and bed["price"] == 1899.0  # "1 899,00 zł"
    assert bed["availability"] == "backorder"  # avail 90: made to order, though none is in stock
    assert bed["brand"] == "Sennik" and "ISBN" not in bed["attributes"]  # any case; an empty one left out
    assert shelves["availability"] == "out_of_stock" and shelves["attributes"]["bundle"] == "true"
    assert shelves["attributes"]["delivery_days"] == 3


def test_prices_are_in_zloty_whatever_the_shops_default(tmp_path: Path) -> None:
    path = tmp_path / "ceneo.xml"
    path.write_text(FEED, encoding="utf-8")
    chair = load_catalog(path, Limits()).products[0]  # AISLE_CURRENCY unset: USD for other formats
    assert (chair.price, chair.currency) == (349.0, "PLN")


def test_an_offer_that_cannot_be_read_is_reported_by_its_line(loaded: LoadedCatalog) -> None:
    written = '<o id="2003" price="99.00" avail="99"><cat><![CDATA[Meble]]></cat></o>'
    line = FEED.splitlines().index(written) + 1
    assert [(p.line, p.product_id, p.message) for p in loaded.problems] == [(line, "2003", "title: required")]


def test_a_ceneo_feed_without_offers_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ceneo.xml"
    path.write_text('<?xml version="1.0"?>\n<offers><offer id="1"><name>x</name></offer></offers>\n')
    with pytest.raises(InvalidInput, match=r"no <o> in this feed \(root <offers>\)"):
        load_catalog(path, Limits.for_shop("PLN"))


def test_a_feed_cut_short_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "ceneo.xml"
    path.write_text(FEED[: FEED.index('<o id="2003"')] + '<o id="2003"><name>', encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"ceneo.xml:\d+: not well-formed XML"):
        load_catalog(path, Limits.for_shop("PLN"))
