"""Google Shopping XML feeds (RSS 2.0 and Atom) read as catalogs."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from engine.errors import InvalidInput
from engine.product_schema import Limits
from indexer.loading import load_catalog
from indexer.readers import FeedFormat

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">
  <channel>
    <title>Negozio</title>
    <link>https://negozio.example.it</link>
    <item>
      <g:id>IT-1</g:id>
      <title>Royal Canin Crocchette 2 kg</title>
      <description><![CDATA[<p>Con <b>pollo</b> e riso.</p>]]></description>
      <link>https://negozio.example.it/p/1</link>
      <g:image_link>https://negozio.example.it/1.jpg</g:image_link>
      <g:additional_image_link>https://negozio.example.it/1-2.jpg</g:additional_image_link>
      <g:additional_image_link>https://negozio.example.it/1-3.jpg</g:additional_image_link>
      <g:availability>backorder</g:availability>
      <g:price>75.88 EUR</g:price>
      <g:sale_price>60.70 EUR</g:sale_price>
      <g:brand>Royal Canin</g:brand>
      <g:gtin>8000000000019</g:gtin>
      <g:product_type>Cani &gt; Cibo secco</g:product_type>
      <g:product_type>Offerte</g:product_type>
      <g:item_group_id>G1</g:item_group_id>
      <g:shipping>
        <g:country>IT</g:country>
        <g:service>Standard</g:service>
        <g:price>4.90 EUR</g:price>
      </g:shipping>
    </item>
    <item>
      <g:id>IT-2</g:id>
      <description>Senza titolo</description>
      <g:price>9.90 EUR</g:price>
    </item>
    <item>
      <g:id>IT-3</g:id>
      <title>Collare in nylon</title>
      <g:availability>out of stock</g:availability>
      <g:price>12.00 EUR</g:price>
    </item>
  </channel>
</rss>
"""


def test_a_google_shopping_feed_reads_as_products(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(RSS, encoding="utf-8")
    loaded = load_catalog(path)
    first, third = loaded.products
    assert [(p.line, p.message) for p in loaded.problems] == [(28, "title: required")]
    assert first.id == "IT-1" and first.title == "Royal Canin Crocchette 2 kg"
    assert first.description == "Con pollo e riso."
    assert first.image == "https://negozio.example.it/1.jpg"
    assert first.category == ("Cani", "Cibo secco")
    assert first.more_categories == (("Offerte",),)  # a product_type each: filed under both
    assert (first.price, first.currency, first.availability) == (60.70, "EUR", "backorder")
    assert first.available and first.attributes["regular_price"] == 75.88
    assert first.attributes["gtin"] == "8000000000019"
    assert first.attributes["additional_image_link"] == (
        "https://negozio.example.it/1-2.jpg, https://negozio.example.it/1-3.jpg"
    )
    assert first.attributes["shipping"] == "IT:Standard:4.90 EUR"
    assert first.attributes["group"] == "G1" and first.attributes["link"].endswith("/p/1")
    assert (third.id, third.availability, third.price) == ("IT-3", "out_of_stock", 12.0)


def test_an_atom_feed_and_a_gzipped_one_read_alike(tmp_path: Path) -> None:
    atom = """<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:g="http://base.google.com/ns/1.0">
  <title>Shop</title>
  <entry>
    <g:id>A1</g:id><title>Trail shoe</title><link href="https://shop.example/a1"/>
    <g:price>89.00 USD</g:price><g:product_type>Sports &gt; Shoes</g:product_type>
  </entry>
</feed>"""
    path = tmp_path / "feed.xml.gz"
    path.write_bytes(gzip.compress(atom.encode()))
    (product,) = load_catalog(path).products
    assert (product.id, product.title, product.price, product.currency) == ("A1", "Trail shoe", 89.0, "USD")
    assert product.category == ("Sports", "Shoes") and product.attributes["link"] == "https://shop.example/a1"


def test_a_feed_that_is_not_well_formed_is_refused_whole_at_its_line(tmp_path: Path) -> None:
    cut = RSS[: RSS.index("<g:id>IT-3")] + "<g:id>IT-3</g:id><title>Coll"
    path = tmp_path / "feed.xml"
    path.write_text(cut, encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"feed\.xml:3\d: not well-formed XML .* refused whole"):
        load_catalog(path)


def test_the_column_map_applies_to_feed_fields(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(RSS, encoding="utf-8")
    feed = FeedFormat(columns={"gtin": "ean", "item_group_id": "group"})
    first = load_catalog(path, feed=feed).products[0]
    assert first.attributes["ean"] == "8000000000019" and first.attributes["group"] == "G1"


def test_a_feed_writing_undeclared_html_entities_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(RSS.replace("Collare in nylon", "Collare &eacute;"), encoding="utf-8")
    with pytest.raises(InvalidInput, match=r":35: not well-formed XML \(undefined entity"):
        load_catalog(path)


def test_an_entity_bomb_is_refused_not_expanded(tmp_path: Path) -> None:
    entities = '<!ENTITY a0 "xxxxxxxxxx">'
    entities += "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    body = "<rss><channel><item><id>1</id><title>&a9;</title></item></channel></rss>"
    path = tmp_path / "feed.xml"
    path.write_text(f'<?xml version="1.0"?><!DOCTYPE rss [{entities}]>{body}', encoding="utf-8")
    with pytest.raises(InvalidInput, match="amplification"):
        load_catalog(path)


def test_an_item_holding_more_text_than_a_record_may_is_reported_not_kept(tmp_path: Path) -> None:
    huge = "x" * 5_000
    feed = RSS.replace(
        "<description>Senza titolo</description>", f"<title>Big</title><description>{huge}</description>"
    )
    path = tmp_path / "feed.xml"
    path.write_text(feed, encoding="utf-8")
    loaded = load_catalog(path, limits=Limits(record_bytes=2_000))
    assert [p.id for p in loaded.products] == ["IT-1", "IT-3"]
    assert [(p.line, p.message) for p in loaded.problems] == [(28, "item is longer than 2000 characters")]


def test_an_xml_of_a_kind_no_reader_knows_is_refused_naming_its_root(tmp_path: Path) -> None:
    """Read as a Google feed, it had no <item>: an empty catalog, and no word of why."""
    path = tmp_path / "export.xml"
    path.write_text("<?xml version='1.0'?><Products><Product><Id>1</Id></Product></Products>")
    with pytest.raises(InvalidInput, match=r"export.xml: no product in this XML: its root is <Products>"):
        load_catalog(path)
    empty = tmp_path / "empty.xml"
    empty.write_text("<rss><channel><title>Shop</title></channel></rss>")  # an empty feed stays one
    assert load_catalog(empty).products == []
