"""Yandex Market's YML feed (`indexer.yml_feed`): offers read as products with their category paths,
availability, family, sale, currency and params; a vendor.model offer named by its parts; an offer
that cannot be read reported by the line it starts on; and a Google feed read as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import InvalidInput
from engine.product_schema import Limits
from indexer.loading import load_catalog

FEED = """<?xml version="1.0" encoding="UTF-8"?>
<yml_catalog date="2026-12-07T10:00+03:00">
<shop><name>ТехноДом</name>
<currencies><currency id="RUR" rate="1"/></currencies>
<categories>
<category id="1">Бытовая техника</category>
<category id="2" parentId="1">Холодильники</category>
<category id="3">Электроника</category>
<category id="4" parentId="3">Телевизоры</category>
</categories>
<offers>
<offer id="101" available="true">
<name>Холодильник Bosch KGN39VI25R</name><vendor>Bosch</vendor><vendorCode>KGN39VI25R</vendorCode>
<price>64990</price><oldprice>72990</oldprice><currencyId>RUR</currencyId><categoryId>2</categoryId>
<picture>https://shop.example/1.jpg</picture><picture>https://shop.example/2.jpg</picture>
<description><![CDATA[<p>Двухкамерный, <b>No Frost</b>.</p>]]></description>
<param name="Общий объём" unit="л">366</param><param name="Цвет">белый</param>
<param name="Цвет">серебристый</param><barcode>4242005226712</barcode>
</offer>
<offer id="102" available="false" type="vendor.model">
<typePrefix>Телевизор</typePrefix><vendor>Samsung</vendor><model>UE55AU7100U</model>
<price>49990</price><currencyId>RUB</currencyId><categoryId>4</categoryId>
</offer>
<offer id="103" available="true" group_id="500"><name>Смартфон 128 ГБ</name><price>19990</price>
<currencyId>RUR</currencyId><categoryId>9</categoryId><param name="Память" unit="ГБ">128</param></offer>
<offer id="104" available="true"><price>4990</price><currencyId>RUR</currencyId></offer>
<offer id="105" available="true"><name>Утюг</name><price>по запросу</price><oldprice>5990</oldprice>
<currencyId>RUR</currencyId></offer>
</offers></shop></yml_catalog>
"""


def test_offers_read_as_products(tmp_path: Path) -> None:
    path = tmp_path / "yml.xml"
    path.write_text(FEED, encoding="utf-8")
    loaded = load_catalog(path, Limits.for_shop("RUB"))
    fridge, tv, phone = (p.to_dict() for p in loaded.products)
    assert (fridge["id"], fridge["title"], fridge["brand"]) == (
        "101",
        "Холодильник Bosch KGN39VI25R",
        "Bosch",
    )
    assert fridge["category"] == ["Бытовая техника", "Холодильники"] and fridge["currency"] == "RUB"
    assert (fridge["price"], fridge["attributes"]["regular_price"]) == (64990.0, 72990.0)  # on sale
    assert fridge["attributes"]["Общий объём"] == "366 л"
    assert fridge["attributes"]["Цвет"] == ["белый", "серебристый"]
    assert fridge["attributes"]["mpn"] == "KGN39VI25R" and fridge["attributes"]["barcode"] == "4242005226712"
    assert (
        fridge["description"] == "Двухкамерный, No Frost." and fridge["image"] == "https://shop.example/1.jpg"
    )
    assert (tv["title"], tv["availability"]) == ("Телевизор Samsung UE55AU7100U", "out_of_stock")
    assert tv["category"] == ["Электроника", "Телевизоры"]
    assert phone["attributes"]["group"] == "500" and phone["category"] == ["9"]  # an id no category names
    assert [(p.line, p.message) for p in loaded.problems] == [
        (26, "title: required"),
        (27, "price: expected a number, got 'по запросу'"),
    ]


def test_a_feed_cut_short_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "yml.xml"
    path.write_text(FEED[: FEED.index('<offer id="103"')] + "<offer id=", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"yml.xml:\d+: not well-formed XML"):
        load_catalog(path, Limits.for_shop("RUB"))


def test_a_google_feed_reads_as_before(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    rss = '<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel><item><g:id>1</g:id>'
    path.write_text(rss + "<title>Red shirt</title><g:price>15.00 USD</g:price></item></channel></rss>")
    (shirt,) = load_catalog(path).products
    assert (shirt.id, shirt.title, shirt.price, shirt.currency) == ("1", "Red shirt", 15.0, "USD")
