"""A family's row without an id is named by its family and options (`indexer.variant_ids`): a shop that
leaves SKUs empty for its own lines gets every size and colour, each with an id that stays the same
from one export to the next; a made id another row gives is a duplicate; a row of no family still
needs its id."""

from __future__ import annotations

import csv
from pathlib import Path

from engine.lexical.matching import SearchFields
from engine.product_schema import Limits
from indexer.check import check_catalog
from indexer.loading import load_catalog
from indexer.readers import FeedFormat

HEADER = ["Handle", "Title", "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "SKU", "Price"]
COLUMNS = {"Handle": "group", "Title": "title", "SKU": "id", "Price": "price"}
ROWS = [
    ["chinelo-brisa", "Chinelo de Dedo Brisa", "Cor", "Azul", "Tamanho", "37/38", "", "39,90"],
    ["chinelo-brisa", "", "Cor", "Azul", "Tamanho", "39/40", "", "39,90"],
    ["chinelo-brisa", "", "Cor", "Amarelo", "Tamanho", "37/38", "CH-AM-37", "39,90"],
    ["oculos-aviador", "Óculos de Sol Aviador", "", "", "", "", "", "149,90"],
    ["camiseta", "Camiseta Básica", "Tamanho", "P", "", "", "camiseta/p", "49,90"],
    ["camiseta", "", "Tamanho", "P", "", "", "", "49,90"],  # the same options again: a duplicate
    ["", "Boné sem família", "", "", "", "", "", "59,90"],
]


def export(tmp_path: Path) -> Path:
    path = tmp_path / "produtos.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


def test_rows_without_an_id_are_named_by_their_family_and_options(tmp_path: Path) -> None:
    loaded = load_catalog(export(tmp_path), Limits.for_shop("BRL"), FeedFormat(columns=COLUMNS))
    ids = [p.id for p in loaded.products]
    flip_flops = ["chinelo-brisa/azul-37-38", "chinelo-brisa/azul-39-40", "CH-AM-37"]
    assert ids == [*flip_flops, "oculos-aviador", "camiseta/p"]
    second = loaded.products[1]
    assert (second.title, second.price, second.family) == ("Chinelo de Dedo Brisa", 39.9, "chinelo-brisa")
    made = ["chinelo-brisa/azul-37-38", "chinelo-brisa/azul-39-40", "oculos-aviador", "camiseta/p"]
    assert loaded.family_ids == made  # the last one then refused as a duplicate
    assert [(p.line, p.message) for p in loaded.problems] == [
        (7, "duplicate id 'camiseta/p' (first seen on line 6)"),
        (8, "id: required"),
    ]


def test_the_same_export_gives_the_same_ids(tmp_path: Path) -> None:
    feed = FeedFormat(columns=COLUMNS)
    first = [p.id for p in load_catalog(export(tmp_path), Limits.for_shop("BRL"), feed).products]
    again = [p.id for p in load_catalog(export(tmp_path), Limits.for_shop("BRL"), feed).products]
    assert first == again


def test_check_says_how_many_ids_it_made(tmp_path: Path) -> None:
    feed = FeedFormat(columns=COLUMNS)
    report = check_catalog(export(tmp_path), Limits.for_shop("BRL"), feed, SearchFields())
    assert report.family_ids[0] == "chinelo-brisa/azul-37-38" and report.to_json()["ids_from_families"] == 4


def test_a_hidden_familys_rows_without_an_id_are_hidden_under_the_ids_they_are_shown_by(
    tmp_path: Path,
) -> None:
    # An update hiding the flip-flops takes every size out of the index, not the first row's only.
    header = ["Handle", "Title", "Option1 Name", "Option1 Value", "SKU", "Price", "Status", "Image Src"]
    rows = [
        ["chinelo-brisa", "Chinelo de Dedo Brisa", "Tamanho", "37/38", "", "39,90", "draft", "a.jpg"],
        ["chinelo-brisa", "", "Tamanho", "39/40", "", "39,90", "", ""],
        ["chinelo-brisa", "", "", "", "", "", "", "b.jpg"],  # only another picture: no id
    ]
    path = tmp_path / "rascunho.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    columns = {**COLUMNS, "Status": "published", "Image Src": "image"}
    loaded = load_catalog(path, Limits.for_shop("BRL"), FeedFormat(columns=columns))
    assert loaded.products == [] and loaded.problems == []
    assert loaded.unpublished == ["chinelo-brisa/37-38", "chinelo-brisa/39-40"]
