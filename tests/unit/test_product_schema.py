"""Catalog validation: the schema's messages and the line numbers each reader reports."""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from engine.errors import InvalidInput
from engine.product_schema import Limits, RecordError, validate_record
from indexer.loading import load_catalog, load_products_json, read_ids
from indexer.readers import FeedFormat, Malformed, read_records


def test_valid_record_is_normalised() -> None:
    product = validate_record(
        {
            "id": 42,
            "title": "  Chef knife  ",
            "category": "Home > Kitchen > Knives",
            "price": "49.90",
            "currency": "eur",
            "availability": "Out of stock",
            "attributes": {"steel": "VG-10", "length_cm": 20, "dishwasher": False},
            "color": "black",
            "popularity": 3,
        }
    )
    assert product.id == "42"
    assert product.title == "Chef knife"
    assert product.category == ("Home", "Kitchen", "Knives")
    assert product.price == pytest.approx(49.9)
    assert product.currency == "EUR"
    assert product.availability == "out_of_stock"
    assert product.attributes == {"steel": "VG-10", "length_cm": 20, "dishwasher": "false", "color": "black"}
    assert product.popularity == 3.0


def test_every_wrong_field_is_named_in_one_message() -> None:
    with pytest.raises(RecordError) as caught:
        validate_record({"id": True, "price": "cheap", "category": [1, 2], "currency": "euro"})
    message = caught.value.message
    assert "id: expected a string or integer, got a boolean" in message
    assert "title: required" in message
    assert "price: expected a number, got 'cheap'" in message
    assert "category: expected a list of strings" in message
    assert "currency: expected a 3-letter ISO 4217 code" in message


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"id": "a", "title": "x" * 1001}, "title: too long (1001 characters, at most 1000)"),
        ({"id": "a", "title": "t", "description": "d" * 20_001}, "description: too long"),
        (
            {"id": "a", "title": "t", "attributes": {f"k{i}": i for i in range(201)}},
            "too many (201, at most 200)",
        ),
        ({"id": "a", "title": "t", "price": -1}, "price: must be a finite number >= 0"),
        ({"id": "a", "title": "t", "availability": "soon"}, "availability: expected one of in_stock"),
        ({"id": "a", "title": "t", "category": "Home >  > Knives"}, "category: has an empty level"),
        (
            {"id": "a", "title": "t", "attributes": {"sizes": {"S": 1}}},
            "attributes.sizes: expected a string, number or list",
        ),
        (
            {"id": "a", "title": "t", "attributes": {"labels": ["Vegan", {"bio": True}]}},
            "attributes.labels: expected a list of strings or numbers",
        ),
        (
            {"id": "a", "title": "t", "attributes": {"labels": [str(i) for i in range(101)]}},
            "attributes.labels: too many values (101, at most 100)",
        ),
        ({"id": "", "title": "t"}, "id: required"),
        ({"id": "a\tb", "title": "t"}, "id: must not contain tabs"),
    ],
)
def test_limits_and_types(record: dict, expected: str) -> None:
    with pytest.raises(RecordError, match=re.escape(expected)):
        validate_record(record)


@pytest.mark.parametrize(
    ("fields", "availability"),
    [
        ({"purchasable": "N", "stock": "25"}, "out_of_stock"),  # BigCommerce's "Allow Purchases?"
        ({"purchasable": "1", "stock": "0"}, "out_of_stock"),  # orders taken, none left
        ({"purchasable": "Y"}, "in_stock"),
        ({"purchasable": "0", "availability": "preorder"}, "preorder"),  # a stated availability wins
    ],
)
def test_a_product_the_shop_takes_no_orders_for_is_out_of_stock(
    fields: dict[str, str], availability: str
) -> None:
    product = validate_record({"id": "1", "title": "WhisperLite stove", **fields})
    assert product.availability == availability and "purchasable" not in product.attributes


def test_a_purchasable_flag_that_is_no_yes_or_no_is_refused() -> None:
    with pytest.raises(RecordError, match="purchasable: expected yes or no, got 'soon'"):
        validate_record({"id": "1", "title": "WhisperLite stove", "purchasable": "soon"})
    with pytest.raises(RecordError, match="purchasable: expected yes or no, got 'soon'"):
        validate_record({"id": "1", "title": "Stove", "purchasable": "soon", "availability": "preorder"})


def test_limits_are_configurable() -> None:
    with pytest.raises(RecordError, match="title: too long"):
        validate_record({"id": "a", "title": "abcdef"}, Limits(title_chars=5))


def test_jsonl_problems_carry_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "catalog.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "title": "Alpha"}),
                "{not json",
                "",
                json.dumps({"id": "b"}),
                json.dumps(["a", "list"]),
                json.dumps({"id": "a", "title": "Alpha again"}),
                json.dumps({"id": "c", "title": "Gamma"}),
                '{"id": "d", "title": "Cut short", ',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    loaded = load_catalog(path)
    assert [p.id for p in loaded.products] == ["a", "c"]
    # the column of the record's own line, where it was cut short (not column 1 of a next line)
    assert loaded.problems[-1].line == 8 and loaded.problems[-1].message.endswith("(column 35)")
    loaded.problems.pop()
    assert [(p.line, p.message.split(":")[0]) for p in loaded.problems] == [
        (2, "invalid JSON"),
        (4, "title"),
        (5, "expected a JSON object, got list"),
        (6, "duplicate id 'a' (first seen on line 1)"),
    ]
    assert str(loaded.problems[1]) == f"{path}:4: title: required"
    assert loaded.entries[1].line == 7


def test_jsonl_bad_encoding_and_long_line(tmp_path: Path) -> None:
    path = tmp_path / "catalog.jsonl.gz"
    lines = [
        b'{"id": "a", "title": "ok"}',
        b'{"id": "b", "title": "\xff"}',
        b'{"id": "c", "title": "' + b"x" * 100 + b'"}',
    ]
    with gzip.open(path, "wb") as handle:
        handle.write(b"\n".join(lines) + b"\n")
    records = list(read_records(path, max_line_bytes=80))
    assert records[0] == (1, {"id": "a", "title": "ok"})
    hint = "; AISLE_CATALOG_ENCODING names another, e.g. cp1252 for a Windows export"
    assert records[1] == (2, Malformed(f"not valid UTF-8 (byte 22{hint})"))
    assert records[2] == (3, Malformed("line is longer than 80 bytes"))


def test_csv_rows_are_numbered_by_physical_line(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text(
        "id,title,description,price,category,attributes,material\n"
        'p1,Mug,"A mug\nthat spans lines",9.5,Home > Kitchen,"{""size"": ""L""}",ceramic\n'
        "p2,Plate,,not-a-price,,,\n"
        "p3,Bowl,,3\n"
        "p4,Cup,,2,Home,,glass\n",
        encoding="utf-8",
    )
    loaded = load_catalog(path)
    mug, cup = loaded.products
    assert mug.description == "A mug\nthat spans lines"
    assert mug.attributes == {"material": "ceramic", "size": "L"}
    assert mug.category == ("Home", "Kitchen")
    assert cup.price == 2.0 and cup.id == "p4"
    assert [(p.line, p.message) for p in loaded.problems] == [
        (4, "price: expected a number, got 'not-a-price'"),
        (5, "expected 7 columns as in the header, got 4"),
    ]
    assert [e.line for e in loaded.entries] == [2, 6]


def test_an_unclosed_quote_costs_its_own_line_only(tmp_path: Path) -> None:
    # A stray quote opens a field that would otherwise take every line after it into one record.
    path = tmp_path / "catalog.csv"
    path.write_text(
        'id,title,price\np1,Mug,3\np2,"Broken quote,4\np3,Plate,5\n'
        'p4,"Bowl\nwith a line break",6\np5,Cup,2\n',
        encoding="utf-8",
    )
    loaded = load_catalog(path)
    assert [(p.id, p.title) for p in loaded.products] == [
        ("p1", "Mug"),
        ("p3", "Plate"),
        ("p4", "Bowl\nwith a line break"),  # a quoted field that spans lines and closes is fine
        ("p5", "Cup"),
    ]
    assert [(p.line, p.message) for p in loaded.problems] == [
        (3, "a quote opened on this line is never closed")
    ]
    assert [e.line for e in loaded.entries] == [2, 4, 5, 7]
    path.write_text('id,title,price\np1,Mug,3\np2,"Broken quote,4\n', encoding="utf-8")
    loaded = load_catalog(path)
    assert [(p.line, p.message) for p in loaded.problems] == [
        (3, "a quote opened on this line is never closed")
    ]


def test_csv_header_must_name_id_and_title(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text("sku,name\n1,x\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"catalog\.csv:1: the CSV header must name"):
        load_catalog(path)


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_csv_separated_otherwise_than_by_commas_is_read_by_its_header(tmp_path: Path, delimiter: str) -> None:
    # A spreadsheet saved as CSV where the decimal separator is a comma separates its cells by semicolons.
    path = tmp_path / "katalog.csv"
    rows = [
        ["id", "title", "price", "brand"],
        ["x1", "Hammer, 500 g", "12,50", "Stanley"],
        ["x2", "Zange", "1.234,5", ""],
    ]
    path.write_text("\n".join(delimiter.join(row) for row in rows) + "\n", encoding="utf-8")
    loaded = load_catalog(path)
    assert [(p.id, p.title, p.price, p.brand) for p in loaded.products] == [
        ("x1", "Hammer, 500 g", 12.5, "Stanley"),
        ("x2", "Zange", 1234.5, ""),
    ]
    assert loaded.problems == [] and [e.line for e in loaded.entries] == [2, 3]


DUTCH_COLUMNS = {"sku": "id", "titel": "title", "prijs": "price", "merk": "brand", "op_voorraad": "available"}
DUTCH = FeedFormat(DUTCH_COLUMNS)


def test_an_export_in_the_shops_own_column_names_is_read_through_the_column_map(tmp_path: Path) -> None:
    path = tmp_path / "keuken.csv"
    path.write_text(
        "sku;titel;prijs;merk;op_voorraad;materiaal\n"
        "NL-1;Koekenpan 24 cm;€ 39,71;BK;ja;aluminium\n"
        "NL-2;Santoku 三徳包丁;133,71 €;KAI;nee;\n",
        encoding="utf-8",
    )
    with pytest.raises(
        InvalidInput, match=r"keuken\.csv:1: the CSV header must name at least 'id' and 'title'"
    ):
        load_catalog(path, Limits.for_shop("EUR"))
    loaded = load_catalog(path, Limits.for_shop("EUR"), DUTCH)
    assert loaded.problems == []
    assert [(p.id, p.title, p.price, p.brand, p.availability, p.attributes) for p in loaded.products] == [
        ("NL-1", "Koekenpan 24 cm", 39.71, "BK", "in_stock", {"materiaal": "aluminium"}),
        ("NL-2", "Santoku 三徳包丁", 133.71, "KAI", "out_of_stock", {}),
    ]
    jsonl = tmp_path / "keuken.jsonl"
    jsonl.write_text(
        json.dumps({"sku": "NL-1", "titel": "Garde", "prijs": 7})
        + "\n"
        + json.dumps({"sku": "NL-2", "titel": "Rasp", "title": "Grater"})
        + "\n",
        encoding="utf-8",
    )
    loaded = load_catalog(jsonl, feed=DUTCH)
    assert [(p.id, p.title, p.price) for p in loaded.products] == [("NL-1", "Garde", 7.0)]
    assert [(p.line, p.message) for p in loaded.problems] == [
        (
            2,
            "'title' is given twice, as 'titel' and as 'title' "
            "(AISLE_CATALOG_COLUMNS renames one to the other)",
        )
    ]


def test_an_export_saved_on_windows_is_read_in_the_encoding_the_shop_names(tmp_path: Path) -> None:
    path = tmp_path / "keuken.csv"
    path.write_bytes("sku;titel;prijs\nNL-1;Crème brûlée-brander;€ 24,95\nNL-2;Garde;7\n".encode("cp1252"))
    loaded = load_catalog(path, Limits.for_shop("EUR"), DUTCH)
    assert [p.id for p in loaded.products] == ["NL-2"]
    assert [p.message for p in loaded.problems] == [
        "not valid UTF-8 (byte 7; AISLE_CATALOG_ENCODING names another, e.g. cp1252 for a Windows export)"
    ]
    loaded = load_catalog(path, Limits.for_shop("EUR"), FeedFormat(DUTCH_COLUMNS, "cp1252"))
    assert [(p.title, p.price) for p in loaded.products] == [("Crème brûlée-brander", 24.95), ("Garde", 7.0)]
    assert loaded.problems == []


def test_a_csv_header_naming_a_field_twice_through_the_column_map_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "keuken.csv"
    path.write_text("sku,titel,title\n1,a,b\n", encoding="utf-8")
    with pytest.raises(
        InvalidInput, match=re.escape("keuken.csv:1: 'title' is given twice, as 'titel' and as 'title'")
    ):
        load_catalog(path, feed=DUTCH)


def test_two_columns_may_say_whether_a_product_is_shown_and_either_hides_it(tmp_path: Path) -> None:
    path = tmp_path / "wc-product-export.csv"  # WooCommerce: a draft in one, a hidden product in the other
    rows = ["ID,Name,Published,Visibility in catalog", "1,Melk,1,visible", "2,Concept,-1,visible"]
    rows += ["3,Statiegeld krat,1,hidden", "4,Alleen in zoekresultaten,1,search", "5,Winkelwagen,1,catalog"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    columns = {"ID": "id", "Name": "title", "Published": "published", "Visibility in catalog": "published"}
    loaded = load_catalog(path, feed=FeedFormat(columns))
    assert [p.id for p in loaded.products] == ["1", "4"] and loaded.problems == []
    assert loaded.unpublished == ["2", "3", "5"]
    lines = tmp_path / "export.jsonl"  # the same in any format
    lines.write_text('{"ID": 1, "Name": "Melk", "Published": true, "Visibility in catalog": "hidden"}\n')
    assert load_catalog(lines, feed=FeedFormat(columns)).unpublished == ["1"]
    lines.write_text('{"ID": 2, "Name": "Kaas", "Published": null, "Visibility in catalog": "visible"}\n')
    assert [p.id for p in load_catalog(lines, feed=FeedFormat(columns)).products] == ["2"]  # null: not given


def test_prestashops_active_and_visibility_and_a_second_column_no_flag_reads(tmp_path: Path) -> None:
    path = tmp_path / "products_import.csv"  # PrestaShop: Active (0/1), Visibility both/search/catalog/none
    rows = ["ID;Name *;Active (0/1);Visibility", "1;Barolo;1;both", "2;Barolo 2015;0;both"]
    rows += ["3;Confezione regalo;1;none", "4;Buono regalo;1;catalog", "5;Grappa;1;search"]
    rows += ["6;Amaro;1;ovunque"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    columns = {"ID": "id", "Name *": "title", "Active (0/1)": "published", "Visibility": "published"}
    loaded = load_catalog(path, feed=FeedFormat(columns))
    assert [p.id for p in loaded.products] == ["1", "5"] and loaded.unpublished == ["2", "3", "4"]
    assert [(p.line, p.message) for p in loaded.problems] == [
        (7, "published: expected true or false (or draft, private, hidden, archived), got 'ovunque'")
    ]  # a value neither column's flag reads is not passed over for the other column's


def test_a_column_mapped_to_null_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "wc-product-export.csv"
    path.write_text("ID,Name,Tax status,Position,Tags\n1,Melk,taxable,0,Zuivel\n", encoding="utf-8")
    columns = {"ID": "id", "Name": "title", "Tax status": None, "Position": None}
    (product,) = load_catalog(path, feed=FeedFormat(columns)).products
    assert product.attributes == {"Tags": "Zuivel"}  # the shop system's bookkeeping is not kept
    lines = tmp_path / "export.jsonl"
    lines.write_text('{"ID": 1, "Name": "Melk", "Tax status": "taxable", "Tags": "Zuivel"}\n')
    assert load_catalog(lines, feed=FeedFormat(columns)).products[0].attributes == {"Tags": "Zuivel"}


def test_a_list_attribute_holds_each_value_once_from_a_list_or_a_cell_the_shop_names(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    rows = ["id,title,Tags,Kleur", '1,Haverdrink,"Vegan, Lactosevrij,Vegan, Noten\\, pinda\'s","zwart, wit"']
    rows += ["2,Melk, , "]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    feed = FeedFormat(lists=frozenset({"tags"}))  # names match whatever their case
    first, second = load_catalog(path, feed=feed).products
    assert first.attributes["Tags"] == ["Vegan", "Lactosevrij", "Noten, pinda's"]  # "\\," stays a comma
    assert first.attributes["Kleur"] == "zwart, wit" and "Tags" not in second.attributes  # no value
    lines = tmp_path / "export.jsonl"  # a JSON catalog's text cell alike, and its lists as they are
    lines.write_text('{"id": 3, "title": "Soja", "Tags": "Vegan, Bio", "allergens": ["soja", 7]}\n')
    (third,) = load_catalog(lines, feed=feed).products
    assert third.attributes == {"Tags": ["Vegan", "Bio"], "allergens": ["soja", "7"]}


def test_empty_csv_is_an_empty_catalog(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    assert list(read_records(path)) == []


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("12.50", 12.5),
        ("12,50", 12.5),
        ("0,99", 0.99),
        ("1.234,56", 1234.56),
        ("1,234.56", 1234.56),
        (" 7 ", 7.0),
    ],
)
def test_prices_as_spreadsheets_in_any_locale_write_them(text: str, price: float) -> None:
    assert validate_record({"id": "a", "title": "t", "price": text}).price == pytest.approx(price)


def test_a_price_that_reads_two_ways_is_refused_with_the_reason() -> None:
    with pytest.raises(
        RecordError, match=re.escape("price: ambiguous number (a decimal comma or thousands?)")
    ):
        validate_record({"id": "a", "title": "t", "price": "1,250"})
    with pytest.raises(RecordError, match=re.escape("price: expected a number, got '1,2,3'")):
        validate_record({"id": "a", "title": "t", "price": "1,2,3"})
    with pytest.raises(RecordError, match=re.escape("price: ambiguous number")):  # euros have cents
        validate_record({"id": "a", "title": "t", "price": "1,250 €", "currency": "EUR"})
    with pytest.raises(RecordError, match=re.escape("price: expected a number, got 'オープン価格'")):
        validate_record({"id": "a", "title": "t", "price": "オープン価格", "currency": "JPY"})


@pytest.mark.parametrize(
    ("text", "currency", "price"),
    [
        ("€ 114,15", "EUR", 114.15),
        ("12,50 €", "EUR", 12.5),
        ("1.299,00 €", "EUR", 1299.0),
        ("EUR 12.50", "EUR", 12.5),
        ("$12.99", "USD", 12.99),
        ("$ 12.99", "CAD", 12.99),
        ("£7", "GBP", 7.0),
        ("CHF 9.90", "CHF", 9.9),
        ("Fr. 9.90", "CHF", 9.9),
        ("149 kr", "SEK", 149.0),
        ("1 299,00 €", "EUR", 1299.0),  # thousands grouped by a space, as French exports write them
        ("1\u00a0299,00\u00a0€", "EUR", 1299.0),  # ... often a no-break space
        ("CHF 1'299.00", "CHF", 1299.0),  # or an apostrophe, in Switzerland
        ("3,980", "JPY", 3980.0),  # yen have no decimals: a comma before three digits groups thousands
        ("2,480円", "JPY", 2480.0),
        ("￥9,900", "JPY", 9900.0),  # the full-width yen sign Shift_JIS exports write
        ("\\3,980", "JPY", 3980.0),  # or its byte 0x5C, shown as "¥" in Japan, read by cp932 as "\\"
        ("３，９８０円", "JPY", 3980.0),  # digits and comma typed full width
        ("₩12,000", "KRW", 12000.0),
        ("1.990 kr.", "ISK", 1990.0),
        ("1,980.50", "JPY", 1980.5),  # written with decimals all the same
        ("1.299,90 TL", "TRY", 1299.9),  # as Turkish shops write a price
        ("₺249,90", "TRY", 249.9),
        ("2 490 ₽", "RUB", 2490.0),
        ("2490 руб.", "RUB", 2490.0),
    ],
)
def test_a_price_may_carry_its_currency_sign_or_code(text: str, currency: str, price: float) -> None:
    product = validate_record({"id": "a", "title": "t", "price": text, "currency": currency})
    assert product.price == pytest.approx(price) and product.currency == currency


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("eur", "EUR"),  # an ISO code in any case
        ("RUR", "RUB"),  # the ruble's code before 1998, which YML feeds still write
        ("YTL", "TRY"),
        ("TL", "TRY"),  # a sign or local abbreviation naming one currency
        ("zł", "PLN"),
        ("₺", "TRY"),
        ("руб", "RUB"),
        ("€", "EUR"),
    ],
)
def test_a_records_currency_may_be_written_as_shop_systems_write_it(written: str, code: str) -> None:
    product = validate_record({"id": "a", "title": "t", "price": "12,50", "currency": written})
    assert product.currency == code
    if written != "eur":  # in a price, a code is read as ISO writes it, in capitals
        priced = validate_record({"id": "a", "title": "t", "price": f"1299 {written}", "currency": code})
        assert priced.price == 1299.0  # the price may carry the same old code or sign


def test_a_sign_of_several_currencies_is_no_records_currency() -> None:
    for written in ("$", "kr", "euro", "E"):
        with pytest.raises(RecordError, match=re.escape("currency: expected a 3-letter ISO 4217 code")):
            validate_record({"id": "a", "title": "t", "currency": written})


def test_a_price_in_another_currency_than_its_record_is_refused_naming_both() -> None:
    with pytest.raises(RecordError, match=re.escape("price: written in $ but the record's currency is EUR")):
        validate_record({"id": "a", "title": "t", "price": "$12", "currency": "EUR"})
    with pytest.raises(RecordError, match=re.escape("price: written in 円 but the record's currency is CNY")):
        validate_record({"id": "a", "title": "t", "price": "2,480円", "currency": "CNY"})
    with pytest.raises(
        RecordError, match=re.escape("price: written in USD but the record's currency is EUR")
    ):
        validate_record({"id": "a", "title": "t", "price": "12,50 USD"}, Limits.for_shop("EUR"))
    for text in ("12 abc", "€12€", "n.v.t.", "1 2 €"):
        with pytest.raises(RecordError, match=re.escape(f"price: expected a number, got {text!r}")):
            validate_record({"id": "a", "title": "t", "price": text, "currency": "EUR"})
    with pytest.raises(RecordError, match=re.escape("popularity: expected a number, got '€ 3'")):
        validate_record({"id": "a", "title": "t", "popularity": "€ 3", "currency": "EUR"})


@pytest.mark.parametrize(
    ("fields", "availability"),
    [
        ({"available": "ja"}, "in_stock"),
        ({"available": "Nee"}, "out_of_stock"),
        ({"available": "oui"}, "in_stock"),
        ({"available": "nein"}, "out_of_stock"),
        ({"available": "sì"}, "in_stock"),
        ({"available": False}, "out_of_stock"),
        ({"available": "true"}, "in_stock"),
        ({"available": "No"}, "out_of_stock"),
        ({"available": 0}, "out_of_stock"),
        ({"available": True, "availability": "preorder"}, "preorder"),  # both given and agreeing
        ({}, "in_stock"),
    ],
)
def test_the_available_flag_many_feeds_carry_is_read_as_availability(fields: dict, availability: str) -> None:
    product = validate_record({"id": "a", "title": "t", **fields})
    assert product.availability == availability and "available" not in product.attributes


def test_an_available_flag_that_is_no_flag_or_disagrees_is_refused() -> None:
    with pytest.raises(RecordError, match=re.escape("available: expected true or false, got 'soon'")):
        validate_record({"id": "a", "title": "t", "available": "soon"})
    with pytest.raises(
        RecordError, match=re.escape("available: False disagrees with availability 'in_stock'")
    ):
        validate_record({"id": "a", "title": "t", "available": False, "availability": "in stock"})


@pytest.mark.parametrize(
    ("fields", "availability"),
    [
        ({"stock": "0"}, "out_of_stock"),  # PrestaShop's "Quantité", Shopify's "Variant Inventory Qty"
        ({"stock": -2}, "out_of_stock"),  # oversold
        ({"stock": "12"}, "in_stock"),
        ({"stock": 0, "availability": "backorder"}, "backorder"),  # the shop's word outranks the count
        ({"stock": 0, "available": "yes"}, "in_stock"),
        ({"stock": 5, "availability": "discontinued"}, "discontinued"),
        ({"stock": ""}, "in_stock"),  # an empty cell: not given
    ],
)
def test_a_stock_count_decides_availability_when_none_is_stated(fields: dict, availability: str) -> None:
    product = validate_record({"id": "a", "title": "t", **fields})
    assert product.availability == availability
    assert product.attributes.get("stock") == (fields["stock"] if fields["stock"] != "" else None)


def test_a_stock_count_that_is_no_number_is_refused() -> None:
    with pytest.raises(
        RecordError, match=re.escape("stock: expected a number of items in stock, got 'many'")
    ):
        validate_record({"id": "a", "title": "t", "stock": "many"})
    with pytest.raises(RecordError, match="stock: expected a number"):
        validate_record({"id": "a", "title": "t", "attributes": {"stock": True}})


def test_a_record_without_currency_takes_the_shops(tmp_path: Path) -> None:
    assert validate_record({"id": "a", "title": "t"}).currency == "USD"
    shop = Limits.for_shop("EUR")
    assert validate_record({"id": "a", "title": "t"}, shop).currency == "EUR"
    assert validate_record({"id": "a", "title": "t", "currency": "chf"}, shop).currency == "CHF"
    path = tmp_path / "katalog.csv"
    path.write_text("id;title;price\nx1;Hammer;12,50\n", encoding="utf-8")
    assert [p.currency for p in load_catalog(path, shop).products] == ["EUR"]
    assert [p.currency for p in load_products_json({"id": "b", "title": "t"}, limits=shop).products] == [
        "EUR"
    ]


def test_parquet_rows_map_columns_and_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "catalog.parquet"
    table = pa.table(
        {
            "id": ["a", "b", "c"],
            "title": ["Alpha", None, "Gamma"],
            "category": [["Home", "Garden"], None, ["Toys"]],
            "price": [1.5, 2.0, float("nan")],
            "attributes": pa.array([[("color", "red")], [], None], type=pa.map_(pa.string(), pa.string())),
        }
    )
    pq.write_table(table, path)
    loaded = load_catalog(path)
    alpha, gamma = loaded.products
    assert alpha.category == ("Home", "Garden") and alpha.attributes == {"color": "red"}
    assert gamma.price is None
    assert [(p.line, p.message, p.product_id) for p in loaded.problems] == [(2, "title: required", "b")]


def test_unknown_format_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="unknown catalog format"):
        load_catalog(tmp_path / "catalog.xlsx")
    with pytest.raises(InvalidInput, match="no such file"):
        load_catalog(tmp_path / "missing.jsonl")


def test_inline_json_and_id_files(tmp_path: Path) -> None:
    loaded = load_products_json([{"id": "a", "title": "A"}, {"id": "a", "title": "B"}, {"title": "C"}])
    assert [p.id for p in loaded.products] == ["a"]
    assert [(p.line, p.message) for p in loaded.problems] == [(2, "duplicate id 'a'"), (3, "id: required")]
    ids = tmp_path / "gone.txt"
    ids.write_text("# discontinued\nsku-1\n\n  sku-2  \n", encoding="utf-8")
    assert read_ids(ids) == ["sku-1", "sku-2"]
    catalog = tmp_path / "gone.jsonl"
    catalog.write_text('{"id": 7, "title": "x"}\n{"id": "8"}\n', encoding="utf-8")
    assert read_ids(catalog) == ["7", "8"]


def test_decomposed_accents_are_composed_in_every_text_field() -> None:
    nfd = unicodedata.normalize("NFD", "Dübel Café")
    product = validate_record(
        {"id": "x", "title": nfd, "brand": nfd, "category": [nfd], "attributes": {"farbe": nfd}}
    )
    assert nfd != "Dübel Café"
    assert (
        product.title == product.brand == product.category[0] == product.attributes["farbe"] == "Dübel Café"
    )
