"""The `indexer` command line: exit codes, one-line errors with file and line, every subcommand."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import indexer.cli as cli
from engine.feed_values import attribute_words
from engine.records import Product
from indexer.code_values import reads_like_identifiers
from tests.fakes import FakeInference, FakeLexicalIndex


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Real FAISS stores under a temp data dir; fake encoder and lexical index shared across runs."""
    monkeypatch.setenv("AISLE_DATA_DIR", str(tmp_path / "var"))
    lexical, inferences = FakeLexicalIndex(), []

    def inference(settings):
        inferences.append(FakeInference())
        return inferences[-1]

    monkeypatch.setattr(cli, "open_inference", inference)
    monkeypatch.setattr(cli, "open_lexical", lambda settings: lexical)
    catalog = tmp_path / "catalog.jsonl"
    rows = [json.dumps({"id": f"p{i}", "title": f"lamp {i}"}) for i in range(4)]
    catalog.write_text(
        "\n".join([*rows[:2], '{"id": "x", "title": ', *rows[2:], '{"id": "p1", "title": "again"}'])
    )
    return catalog, lexical, inferences


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_build_skips_bad_lines_reports_them_and_exits_3(env, capsys) -> None:
    catalog, lexical, inferences = env
    code, out, err = run(capsys, "build", str(catalog), "--no-progress", "--max-bad", "75")
    assert code == 3
    assert "built generation" in out and "4 products" in out
    lines = err.strip().splitlines()
    assert lines[0].startswith(f"indexer: error: {catalog}:3: invalid JSON")
    assert lines[1] == f"indexer: error: {catalog}:6: duplicate id 'p1' (first seen on line 2)"
    assert lines[2] == "indexer: error: skipped 2 bad records (the others were written)"
    assert lexical.count() == 4 and inferences[0].closed
    code, out, _ = run(capsys, "build", str(catalog), "--no-progress", "--max-bad", "75")
    assert code == 3 and out.startswith("unchanged: generation")


def test_a_build_with_more_bad_records_than_max_bad_publishes_nothing(env, capsys, tmp_path) -> None:
    """A whole catalog most of whose rows fail one way (a price format the shop's spreadsheet writes, a
    renamed column) must not replace the catalog a shop is serving with the few rows left."""
    catalog, lexical, _ = env
    good = tmp_path / "good.jsonl"
    good.write_text("\n".join(json.dumps({"id": f"g{i}", "title": f"lamp {i}"}) for i in range(10)))
    assert run(capsys, "build", str(good), "--no-progress")[0] == 0
    served = (tmp_path / "var" / "vectors" / "CURRENT").read_text()
    code, out, err = run(capsys, "build", str(catalog), "--no-progress")  # 2 bad of 6: 33% > 10%
    assert code == 1 and out == ""
    assert "2 bad records, more than --max-bad 10% of the 6 read; nothing was written" in err
    assert f"{catalog}:3: invalid JSON" in err
    assert lexical.all_ids() == {f"g{i}" for i in range(10)}
    assert (tmp_path / "var" / "vectors" / "CURRENT").read_text() == served
    code, out, _ = run(capsys, "build", str(catalog), "--no-progress", "--max-bad", "40")
    assert code == 3 and "4 products" in out and lexical.count() == 4
    for wrong in ("-1", "101"):
        code, _, err = run(capsys, "build", str(catalog), "--max-bad", wrong)
        assert code == 2 and "--max-bad must be a percentage from 0 to 100" in err


def test_strict_build_fails_and_writes_nothing(env, capsys, tmp_path) -> None:
    catalog, lexical, _ = env
    code, out, err = run(capsys, "build", str(catalog), "--strict", "--no-progress")
    assert code == 1 and out == ""
    assert f"{catalog}:3: invalid JSON" in err and "2 bad records; nothing was written" in err
    assert lexical.count() == 0 and not (tmp_path / "var" / "vectors" / "CURRENT").exists()


def test_upsert_delete_stats_and_verify(env, capsys, tmp_path) -> None:
    catalog, lexical, inferences = env
    run(capsys, "build", str(catalog), "--no-progress", "--max-bad", "75")
    code, out, _ = run(capsys, "upsert", "--json", '{"id": "n1", "title": "desk lamp", "price": "12.5"}')
    assert code == 0 and "upserted 1 product;" in out and "holds 5" in out
    assert lexical.get(["n1"])["n1"].price == 12.5
    ids = tmp_path / "gone.txt"
    ids.write_text("p0\nunknown\n")
    code, out, _ = run(capsys, "delete", "--file", str(ids))
    assert code == 0 and out.strip() == "deleted 1 of 2 ids; 4 products remain"
    code, out, _ = run(capsys, "delete", "p2")
    assert code == 0 and "deleted 1 of 1 ids" in out
    code, out, _ = run(capsys, "stats", "--json")
    data = json.loads(out)
    assert data["products"] == 3 and data["lexical_count"] == 3 and data["revision"] == 3
    assert data["spaces"]["text"]["vectors"] == 3 and data["spaces"]["text"]["index_type"] == "flat"
    starts = len(inferences)
    code, out, _ = run(capsys, "verify")
    assert code == 0 and out.startswith("ok: manifest 3, lexical 3, text 3")
    assert len(inferences) == starts  # inspecting the index starts no model server
    lexical.upsert([Product(id="stray", title="only lexical")])
    code, _, err = run(capsys, "verify")
    assert code == 1
    assert "indexer: error: counts differ: manifest 3, lexical 4, text vectors 3" in err
    assert "1 ids in lexical but not in text vectors: stray" in err


def test_an_upsert_never_takes_out_a_size_whose_family_it_does_not_list(
    env, capsys, tmp_path, monkeypatch
) -> None:
    catalog, lexical, _ = env
    export = tmp_path / "catalog_product.csv"
    header = "sku,name,price,visibility,configurable_variations\n"
    family = (
        'C-50,Cream-50 ml,12.99,Not Visible Individually,\nC,Cream,,"Catalog, Search","sku=C-50,size=50 ml"\n'
    )
    export.write_text(header + family, encoding="utf-8")
    columns = (
        '{"sku": "id", "name": "title", "visibility": "published", "configurable_variations": "variants"}'
    )
    monkeypatch.setenv("AISLE_CATALOG_COLUMNS", columns)
    run(capsys, "build", str(catalog), "--no-progress", "--max-bad", "75")
    code, out, _ = run(capsys, "upsert", str(export))
    assert code == 0 and "upserted 2 products" in out and lexical.get(["C-50"])["C-50"].family == "C"
    export.write_text(header + "C-50,Cream-50 ml,10.99,Not Visible Individually,\n", encoding="utf-8")
    code, out, err = run(capsys, "upsert", str(export))
    assert code == 3 and "shown only through its family's product" in err and "upsert --partial" in err
    assert lexical.get(["C-50"])["C-50"].price == 12.99  # still in the shop, unchanged


def test_upsert_reports_bad_json_and_bad_records(env, capsys) -> None:
    catalog, _, _ = env
    run(capsys, "build", str(catalog), "--no-progress", "--max-bad", "75")
    code, _, err = run(capsys, "upsert", "--json", "{oops")
    assert code == 2 and err.startswith("indexer: error: --json: invalid JSON")
    code, out, err = run(capsys, "upsert", "--json", '[{"id": "ok", "title": "fine"}, {"id": "bad"}]')
    assert code == 3 and "upserted 1 product;" in out
    assert "indexer: error: --json:2: title: required" in err


def test_usage_errors_and_help(env, capsys, tmp_path) -> None:
    code, _, err = run(capsys, "build", str(tmp_path / "missing.jsonl"))
    assert code == 2 and err.strip() == f"indexer: error: {tmp_path / 'missing.jsonl'}: no such file"
    code, _, err = run(capsys, "stats")
    assert code == 1 and "no index has been built" in err
    code, _, err = run(capsys, "build", "x.jsonl", "--chunk-size", "0")
    assert code == 2 and "--chunk-size must be at least 1" in err
    with pytest.raises(SystemExit) as exited:
        cli.main(["--help"])
    assert exited.value.code == 0 and "indexer upsert --json" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exited:
        cli.main(["delete"])
    assert exited.value.code == 2


def test_blank_attributes_and_bad_characters_are_bad_lines(env, capsys, tmp_path) -> None:
    catalog = tmp_path / "hostile.jsonl"
    catalog.write_text(
        "\n".join(
            [
                json.dumps({"id": "ok", "title": "desk lamp"}),
                '{"id": "a1", "title": "lamp", "attributes": " "}',
                '{"id": "s1", "title": "lamp \\ud800"}',
                '{"id": "c1", "title": "lamp", "colour": "re\\u0000d"}',
            ]
        )
    )
    code, out, err = run(capsys, "build", str(catalog), "--no-progress", "--max-bad", "75")
    assert code == 3 and "1 products" in out and "Traceback" not in err
    lines = err.strip().splitlines()
    where = f"indexer: error: {catalog}"
    assert lines[0].startswith(f"{where}:2: attributes: expected an object")
    assert lines[1].startswith(f"{where}:3: title: contains an unpaired surrogate (U+D800)")
    assert lines[2].startswith(f"{where}:4: attributes.colour: contains a control character")
    code, _, err = run(capsys, "upsert", "--json", '{"id": "a2", "title": "lamp", "attributes": " "}')
    assert code == 3 and "indexer: error: --json:1: attributes: expected an object" in err


def test_partial_upsert_changes_only_given_fields_and_reports_bad_records(env, capsys, tmp_path) -> None:
    catalog, lexical, inferences = env
    run(capsys, "build", str(catalog), "--no-progress", "--max-bad", "75")
    run(capsys, "upsert", "--json", '{"id": "b1", "title": "Emma", "isbn": "978-0141439587", "year": 1815}')
    encoded = sum(i.text.encoded for i in inferences)
    prices = tmp_path / "prices.csv"
    prices.write_text("id,price,availability\nb1,7.5,\nnope,1,\np2,free,\np3,,out_of_stock\n")
    code, out, err = run(capsys, "upsert", "--partial", str(prices))
    assert code == 3, err
    assert "changed 2 products" in out
    assert f"indexer: error: {prices}:3: no product with id 'nope' to change" in err
    assert f"indexer: error: {prices}:4: price: expected a number" in err
    book = lexical.get(["b1"])["b1"]
    assert (book.title, book.price, book.attributes) == (
        "Emma",
        7.5,
        {"isbn": "978-0141439587", "year": 1815},
    )
    assert lexical.get(["p3"])["p3"].availability == "out_of_stock"
    assert sum(i.text.encoded for i in inferences) == encoded  # nothing re-embedded
    code, out, err = run(
        capsys, "upsert", "--partial", "--strict", "--json", '[{"id": "b1", "price": 1}, {"price": 2}]'
    )
    assert code == 1 and "--json:2: id: required" in err and lexical.get(["b1"])["b1"].price == 7.5
    code, out, _ = run(capsys, "upsert", "--partial", "--json", '{"id": "b1", "title": "Emma (Penguin)"}')
    assert code == 0 and sum(i.text.encoded for i in inferences) == encoded + 1


def test_build_prints_the_calibrated_thresholds_and_notes_a_catalog_of_look_alikes(
    env, capsys, tmp_path
) -> None:
    alike = tmp_path / "alike.jsonl"
    rows = [{"id": f"s{i}", "title": f"steel wood screw zinc pack {i}"} for i in range(60)]
    alike.write_text("\n".join(json.dumps(r) for r in rows))
    code, out, err = run(capsys, "build", str(alike), "--no-progress")
    threshold = re.search(r"semantic match threshold ([0-9.]+), near [0-9.]+ \(calibrated", out)
    assert code == 0 and threshold is not None and float(threshold.group(1)) > 0.8
    assert "products are very alike" in err and "AISLE_SEMANTIC_MATCH_THRESHOLD" in err
    varied = tmp_path / "varied.jsonl"
    titles = [f"lamp{i} sofa{i} kettle{i}" for i in range(60)]  # no word shared: unrelated products
    varied.write_text("\n".join(json.dumps({"id": f"v{i}", "title": t}) for i, t in enumerate(titles)))
    code, out, err = run(capsys, "build", str(varied), "--no-progress")
    assert code == 0 and "semantic match threshold" in out and "very alike" not in err


def test_check_names_the_attributes_that_read_like_identifiers(env, capsys, tmp_path) -> None:
    export = tmp_path / "brico.csv"
    metals = ["acier", "inox", "laiton"]
    rows = [f"{n};Vis {n};VA{n}40ZF;{2601815908300 + n};{n % 3};{metals[n % 3]}" for n in range(10)]
    export.write_text(
        "id;title;Reference;EAN13;Quantite;Matiere\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    code, out, _ = run(capsys, "check", str(export))
    assert code == 0
    assert "Reference 10 (not searched, reads like an identifier)" in out
    assert "EAN13 10 (identifier)" in out  # PrestaShop's name for it is one of the defaults
    assert "Quantite 10 (not searched)," in out and "Matiere 10 (not searched)" in out  # repeated values
    # the hint names the attribute whose words a shopper could type, not a count
    assert '(to search what a shopper types of them, add "attr.Matiere": 1 to AISLE_SEARCH_FIELDS)' in out
    named = '["sku", "isbn", "gtin", "ean", "ean13", "jan", "upc", "barcode", "mpn", "model", "Reference"]'
    assert f"(to find a product by its Reference: AISLE_IDENTIFIER_FIELDS='{named}')" in out


def test_only_codes_read_like_identifiers() -> None:
    assert reads_like_identifiers(["06019H5200", "DHP482Z", "1-42-920", "87 01 250", "UX5"])
    assert not reads_like_identifiers(["12.50", "13.90", "9.99", "4.50"])  # prices
    assert not reads_like_identifiers(["rouge", "bleu", "vert", "noir"])  # words
    assert not reads_like_identifiers(["18 V", "18 V", "12 V", "36 V"])  # shared by many products
    assert not reads_like_identifiers(["A1"])  # one product says nothing
    assert not reads_like_identifiers(["CHF 20", "CHF 50", "100 €"])  # a gift card's values: amounts
    assert reads_like_identifiers(["DHP482", "GSR18", "EAN 123"])  # letters before digits: no currency
    assert not reads_like_identifiers(["24 mesi", "36 mesi", "12 anni"])  # ages: a cheese's, a vinegar's
    assert not reads_like_identifiers(["29 sq ft", "41 sq ft", "18 sq ft"])  # a tent's floor area
    assert not reads_like_identifiers(["3 lb 2 oz", "2 lb 5 oz", "9 lb 14 oz"])  # its weight
    assert not reads_like_identifiers(["45x56x88 cm", "160x200 cm", "90x200", "50 × 90 cm"])  # dimensions
    assert reads_like_identifiers(["KX-TG1611", "WM-SL-60", "DX-SZ-2D"])  # an "x" inside a code
    assert not reads_like_identifiers(["800 lm", "1200", "2400", "350"])  # a lamp's lumens, counts
    assert not reads_like_identifiers(["10/15", "12/15", "8/15"])  # a lock's security grade
    assert reads_like_identifiers(["100234", "100235", "100236"])  # article numbers: longer than a count
    assert reads_like_identifiers(["DIN 912 M8", "DIN 933 M6", "ISO 7380 M5"])  # words that are no units


def test_check_names_the_wordy_attributes_and_the_identifiers_a_spreadsheet_rounded(
    env, capsys, tmp_path, monkeypatch
) -> None:
    export = tmp_path / "products_export.csv"
    rows = [
        "bk-1,Homo faber,Max Frisch,Deutsch,true,9783518368541",
        "bk-2,Andorra,Max Frisch,Deutsch,true,9783518368558",
        "bk-3,L'Étranger,Albert Camus,Französisch,true,9.78207E+12",  # saved by a spreadsheet
        "bk-4,Heidi,Johanna Spyri,Deutsch,false,9783401065236",
    ]
    export.write_text("id,title,author,language,Published,isbn\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", str(export))
    assert code == 0
    # the author first (most distinct words), then the language; never the yes/no column
    hint = '(to search what a shopper types of them, add "attr.author": 1, "attr.language": 1 to'
    assert hint in out and '"attr.Published"' not in out
    assert (
        "identifiers:  1 isbn value(s) a spreadsheet rounded into scientific notation (first: product bk-3)"
        in out
    )
    code, out, _ = run(capsys, "check", str(export), "--json")
    assert json.loads(out)["rounded_identifiers"] == {"isbn": {"values": 1, "first": "bk-3"}}


def test_check_reads_an_export_as_build_would_and_writes_nothing(env, capsys, tmp_path, monkeypatch) -> None:
    _, lexical, inferences = env
    export = tmp_path / "keuken.csv"
    export.write_text(
        "sku;titel;prijs;op_voorraad;ean;materiaal\n"
        "NL-1;Koekenpan 24 cm;€ 39,71;ja;8 700000 000018;aluminium\n"
        "NL-2;Santoku 三徳包丁;133,71 €;nee;;\n"
        "NL-3;;9,99;ja;;\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "check", str(export))
    assert code == 2 and "the CSV header must name at least 'id' and 'title'" in err
    monkeypatch.setenv(
        "AISLE_CATALOG_COLUMNS",
        '{"sku": "id", "titel": "title", "prijs": "price", "op_voorraad": "available"}',
    )
    monkeypatch.setenv("AISLE_CURRENCY", "EUR")
    code, out, err = run(capsys, "check", str(export))
    assert code == 3
    lines = out.splitlines()
    assert lines[0] == f"{export}: 2 valid products, 1 bad records"
    assert lines[1] == (
        "              (a build publishes nothing from this file: 1 bad records, more than --max-bad 10% of"
        " the 3 read; fix the lines below"
    )
    assert "availability: in_stock 1, out_of_stock 1" in out and "currencies:   EUR 2" in out
    assert "attributes:   ean 1 (identifier), materiaal 1 (not searched)" in out
    assert err.strip() == f"indexer: error: {export}:4: title: required"
    code, out, _ = run(capsys, "check", str(export), "--json")
    report = json.loads(out)
    assert code == 3 and report["valid"] == 2 and report["first"]["price"] == 39.71
    assert report["build_refusal"] == "1 bad records, more than --max-bad 10% of the 3 read"
    assert report["price_buckets"][0] == "*-40" and report["bad"] == [
        {"line": 4, "message": "title: required"}
    ]
    assert lexical.count() == 0 and inferences == []  # nothing written, no model server
    assert not (tmp_path / "var").exists()


def test_check_reads_a_shopify_family_and_its_options_as_such(env, capsys, tmp_path, monkeypatch) -> None:
    export = tmp_path / "products_export.csv"
    rows = [
        "pienso-rc,Pienso Royal Canin,Peso,3 kg,RC-3,9.60,Pienso",
        "pienso-rc,,,12 kg,RC-12,30.72,",
        "arena,Arena aglomerante,Title,Default Title,AR-1,11.00,Arena",
    ]
    header = "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price,Type\n"
    export.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    columns = '{"Handle": "group", "Variant SKU": "id", "Title": "title", "Variant Price": "price"}'
    monkeypatch.setenv("AISLE_CATALOG_COLUMNS", columns)
    code, out, _ = run(capsys, "check", str(export))
    assert code == 0
    assert "group 3 (family)" in out and "variant 2 (searchable)" in out
    assert "Peso 2 (searched as the variant)," in out  # a size, not a code: an option, in the variant
    assert 'add "attr.Type": 1 to' in out  # not the family's key


def test_check_reads_a_magento_export_with_its_settings(env, capsys, tmp_path, monkeypatch) -> None:
    export = tmp_path / "catalog_product.csv"
    rows = [
        'AU-1,,Serum,Default Category/Skincare/Serums,"manufacturer=The Ordinary,skin_type=Oily|Dry",9.80',
        "AU-1,fr,Sérum,,,",
        'AU-2,,Shampoo,"Default Category/Hair/Shampoo,Default Category/Best Sellers",manufacturer=Dove,6.49',
    ]
    header = "sku,store_view_code,name,categories,additional_attributes,price\n"
    export.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    columns = '{"sku": "id", "name": "title", "categories": "category", "manufacturer": "brand", '
    monkeypatch.setenv("AISLE_CATALOG_COLUMNS", columns + '"store_view_code": "store_view"}')
    monkeypatch.setenv("AISLE_PAIR_COLUMNS", '["additional_attributes"]')
    monkeypatch.setenv("AISLE_CATEGORY_LISTS", ",")
    monkeypatch.setenv("AISLE_CATEGORY_LEVELS", "/")
    monkeypatch.setenv("AISLE_CATEGORY_ROOT", "Default Category")
    monkeypatch.setenv("AISLE_STORE_VIEW", "fr")
    code, out, _ = run(capsys, "check", str(export), "--json")
    report = json.loads(out)
    assert code == 0 and report["valid"] == 2 and report["fields"]["brand"] == 2
    assert report["first"]["title"] == "Sérum" and report["first"]["category"] == ["Skincare", "Serums"]
    assert (
        report["first"]["attributes"] == {"skin_type": ["Oily", "Dry"]} and report["several_categories"] == 1
    )


def test_a_blank_category_level_separator_is_refused(env, capsys, monkeypatch) -> None:
    monkeypatch.setenv("AISLE_CATEGORY_LEVELS", "  ")
    code, _, err = run(capsys, "stats")
    assert code == 2 and "AISLE_CATEGORY_LEVELS" in err and "only spaces" in err


def test_build_notes_the_identifiers_a_spreadsheet_rounded(env, capsys, tmp_path) -> None:
    catalog = tmp_path / "books.csv"
    catalog.write_text(
        "id,title,isbn\nbk-1,Homo faber,9783518368541\nbk-2,Andorra,9.78352E+12\nbk-3,Stiller,9.78352E+12\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "build", str(catalog), "--no-progress")
    assert code == 0 and "3 products" in out  # the products are built: only their ISBN is lost
    rounded = "indexer: note: 2 isbn value(s) a spreadsheet rounded into scientific notation"
    assert f"{rounded} (first: product bk-2)" in err


def test_check_names_bookkeeping_to_leave_out_and_cells_that_list_values(env, capsys, tmp_path) -> None:
    export = tmp_path / "wc-product-export.csv"
    tags = ["Vegan, Lactosevrij", "Lactosevrij", "Vegan", "Biologisch"]
    rows = [f'{n},Product {n},taxable,"{tags[n % 4]}"' for n in range(8)]
    export.write_text("id,title,Tax status,Tags\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", str(export))
    assert code == 0
    assert "(one value in every product: Tax status; " in out and '{"Tax status": null})' in out
    assert '(cells listing values, "A, B": Tags;' in out and "AISLE_LIST_ATTRIBUTES='[\"Tags\"]')" in out


def test_check_names_the_yes_no_attributes_a_shopper_types_by_name(env, capsys, tmp_path) -> None:
    export = tmp_path / "catalog.csv"
    rows = ["1,Shampoo,Yes,No,1", "2,Balm,No,yes,0", "3,Mascara,,No,2"]
    export.write_text("id,title,vegan,fragrance_free,pack\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", str(export), "--json")
    assert code == 0 and json.loads(out)["yes_no_attributes"] == ["fragrance_free", "vegan"]  # not "pack"
    code, out, _ = run(capsys, "check", str(export))
    assert (
        '(yes/no, found by name where yes, "vegan shampoo": add "attr.fragrance_free": 1, "attr.vegan": 1'
        in out
    )


def test_check_says_when_prices_naming_no_currency_read_as_dollars(
    env, capsys, tmp_path, monkeypatch
) -> None:
    feed = tmp_path / "heureka.xml"
    item = "<ITEM_ID>1</ITEM_ID><PRODUCTNAME>Horské kolo</PRODUCTNAME><PRICE_VAT>24990</PRICE_VAT>"
    feed.write_text(
        f'<?xml version="1.0" encoding="utf-8"?>\n<SHOP><SHOPITEM>{item}</SHOPITEM></SHOP>\n',
        encoding="utf-8",
    )
    monkeypatch.delenv("AISLE_CURRENCY", raising=False)
    code, out, _ = run(capsys, "check", str(feed))
    assert code == 0 and "currencies:   USD 1" in out
    assert "(AISLE_CURRENCY is unset: a price naming no currency reads as USD;" in out
    monkeypatch.setenv("AISLE_CURRENCY", "CZK")
    code, out, _ = run(capsys, "check", str(feed))
    assert code == 0 and "currencies:   CZK 1" in out and "AISLE_CURRENCY is unset" not in out


def test_a_yes_no_attribute_reads_as_its_name_where_it_says_yes() -> None:
    assert (
        attribute_words("vegan", "Yes") == "vegan"
        and attribute_words("fragrance_free", "oui") == "fragrance free"
    )
    assert attribute_words("vegan", "No") == "" and attribute_words("waterproof", True) == "waterproof"
    assert (
        attribute_words("size", "1") == "1" and attribute_words("colour", "Black") == "Black"
    )  # digits: no flag
    assert attribute_words("tags", ["Vegan", "Bio"]) == "Vegan Bio" and attribute_words("x", None) == ""
    assert attribute_words("Su Geçirmez", "Var") == "Su Geçirmez"  # Turkish: "there is"
    assert attribute_words("Su Geçirmez", "Yok") == ""


def test_a_partial_update_reads_categories_as_a_build_does(env, capsys, tmp_path, monkeypatch) -> None:
    _, lexical, _ = env
    monkeypatch.setenv("AISLE_CATEGORY_LISTS", ",")
    monkeypatch.setenv("AISLE_CATEGORY_LEVELS", "/")
    monkeypatch.setenv("AISLE_CATEGORY_ROOT", "Default Category")
    export = tmp_path / "export.csv"
    export.write_text('id,title,category\ns1,Shampoo,"Default Category/Hair,Default Category/Sale"\n')
    assert run(capsys, "build", str(export), "--no-progress")[0] == 0
    assert lexical.get(["s1"])["s1"].category_paths == (("Hair",), ("Sale",))
    moved = tmp_path / "moved.csv"
    moved.write_text('id,category\ns1,"Default Category/Hair/Shampoo,Default Category/Best Sellers"\n')
    assert run(capsys, "upsert", "--partial", str(moved))[0] == 0
    assert lexical.get(["s1"])["s1"].category_paths == (("Hair", "Shampoo"), ("Best Sellers",))


def test_list_attributes_read_alike_in_a_build_and_a_partial_update(
    env, capsys, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, lexical, _ = env
    monkeypatch.setenv("AISLE_LIST_ATTRIBUTES", '["tags"]')
    export = tmp_path / "export.csv"
    export.write_text('id,title,Tags\nt1,Haverdrink,"Vegan, Lactosevrij"\nt2,Melk,Lactosevrij\n')
    assert run(capsys, "build", str(export), "--no-progress")[0] == 0
    assert lexical.get(["t1"])["t1"].attributes == {"Tags": ["Vegan", "Lactosevrij"]}
    labels = tmp_path / "labels.csv"
    labels.write_text('id,Tags\nt2,"Biologisch, Lactosevrij"\n')
    assert run(capsys, "upsert", "--partial", str(labels))[0] == 0
    assert lexical.get(["t2"])["t2"].attributes == {"Tags": ["Biologisch", "Lactosevrij"]}


def test_sales_says_what_it_started_and_ended_and_when_the_next_change_is(env, capsys, tmp_path) -> None:
    catalog, lexical, inferences = env
    code, _, err = run(capsys, "sales")  # before any build, as the other commands say it
    assert code == 1 and "no index has been built" in err and "indexer build" in err
    run(capsys, "build", str(catalog), "--no-progress", "--max-bad", "75")
    record = {"id": "s1", "title": "panettone", "price": 30, "sale_percent": 15, "sale_from": "2090-11-27"}
    code, _, _ = run(capsys, "upsert", "--json", json.dumps(record))
    assert code == 0 and lexical.get(["s1"])["s1"].price == 30  # not begun
    count = len(inferences)
    code, out, _ = run(capsys, "sales")
    assert (
        code == 0
        and out.strip() == "sales: 0 started, 0 ended; the next starts or ends at 2090-11-27T00:00:00Z"
    )
    assert len(inferences) == count  # no model server asked for
    code, out, _ = run(capsys, "sales", "--json")
    assert json.loads(out) == {"started": [], "ended": [], "next_change": "2090-11-27T00:00:00Z"}


def test_a_bigcommerce_export_builds_and_its_stock_file_changes_each_sku(
    env, capsys, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, lexical, _ = env
    columns = {"Item Type": "row_type", "Product ID": "id", "Product Name": "title", "Price": "price"}
    columns |= {"Product Code/SKU": "sku", "Track Inventory": "inventory_tracking"}
    monkeypatch.setenv("AISLE_CATALOG_COLUMNS", json.dumps(columns | {"Current Stock Level": "stock"}))
    header = "Item Type,Product ID,Product Name,Product Code/SKU,Price,Track Inventory,Current Stock Level\n"
    export = tmp_path / "products-2026-12-07.csv"
    export.write_text(
        header + "Product,109,Sleeping Bag,MT-109,149.0000,by option,9\n"
        "  SKU,,[RT]Size=Regular,MT-109-1,,,9\n  SKU,,[RT]Size=Long,MT-109-2,,,0\n"
        "  Rule,,[RT]Size=Long,MT-109-2,[ADD]20.0000,,\n",
        encoding="utf-8",
    )
    assert run(capsys, "build", str(export), "--no-progress")[0] == 0
    long = lexical.get(["MT-109-2"])["MT-109-2"]
    assert (long.price, long.availability, long.family) == (169.0, "out_of_stock", "109")
    stock = tmp_path / "stock.csv"  # the same export's stock columns, for upsert --partial
    stock.write_text(
        "Item Type,Product ID,Product Code/SKU,Track Inventory,Current Stock Level\n"
        "Product,109,MT-109,by option,12\n  SKU,,MT-109-1,,9\n  SKU,,MT-109-2,,3\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "upsert", "--partial", str(stock))
    assert code == 0 and "changed 3 products" in out
    long = lexical.get(["MT-109-2"])["MT-109-2"]
    assert (long.price, long.availability, long.attributes["stock"]) == (169.0, "in_stock", "3")
    assert "row_type" not in long.attributes and "Size" in long.attributes
