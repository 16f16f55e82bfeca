"""Feeds that write product text as HTML (shop systems' exports) are read as words."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from engine.markup import plain_text
from engine.product_schema import validate_record
from indexer.loading import load_catalog


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("<p>Un <strong>bouquet</strong> floral.</p>", "Un bouquet floral."),
        ("<ul><li>T&ecirc;te</li><li>C&oelig;ur</li></ul>", "Tête\nCœur"),
        ("Conseil&nbsp;: matin<br/>et soir", "Conseil : matin\net soir"),
        ("J&#039;adore", "J'adore"),
        ("Terre d&#8217;Herm&egrave;s", "Terre d’Hermès"),
        ("<b>Cr</b>ème", "Crème"),
        ('<span style="color:#000">noir</span> <P CLASS=x>intense</P>', "noir\nintense"),
        ("<script>alert(1)</script><style>p{}</style>texte<!-- brouillon -->", "texte"),
        ("&lt;p&gt; is how a paragraph starts", "<p> is how a paragraph starts"),
    ],
)
def test_markup_is_read_as_its_words(written: str, read: str) -> None:
    assert plain_text(written) == read


@pytest.mark.parametrize(
    "text", ["AT&T", "Salt&pepper", "<3 love  it", "a < b > c", "<Größe 42>", "size &lt 10", "R&D  lab"]
)
def test_text_that_only_looks_like_markup_is_unchanged(text: str) -> None:
    assert plain_text(text) == text


def test_every_text_field_is_read_as_words() -> None:
    product = validate_record(
        {
            "id": "PF-105",
            "title": "Dior J&#039;adore Eau de Parfum",
            "description": "<p>Un bouquet <em>lumineux</em>&nbsp;: rose et jasmin.</p><h3>Notes</h3>",
            "brand": "Herm&egrave;s",
            "category": "Parfums &amp; soins > Femme",
            "image": "https://shop.example/img.jpg?w=600&amp;h=600",
            "short": "<p>Le <strong>jasmin</strong></p>",
        }
    )
    assert product.title == "Dior J'adore Eau de Parfum"
    assert product.description == "Un bouquet lumineux : rose et jasmin.\nNotes"
    assert product.brand == "Hermès"
    assert product.category == ("Parfums & soins", "Femme")
    assert product.attributes["short"] == "Le jasmin"
    assert product.image == "https://shop.example/img.jpg?w=600&h=600"  # a URL copied out of HTML


def test_length_limits_apply_to_the_words_not_the_markup() -> None:
    words = "mot " * 240  # 960 characters of words in 4,000 of markup
    value = "".join(f'<span class="x">{w}</span>' for w in words.split())
    assert len(value) > 1000
    product = validate_record({"id": "a", "title": "t", "note": value})
    assert len(product.attributes["note"]) < 1000


def test_a_shop_export_with_html_descriptions_loads_as_words(tmp_path: Path) -> None:
    path = tmp_path / "woo.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "title", "description"])
        writer.writerow(
            [
                "1",
                "Crème &amp; sérum",
                "<p>Pour peaux <strong>sensibles</strong>.</p>\n<ul><li>Matin</li></ul>",
            ]
        )
    (product,) = load_catalog(path).products
    assert product.title == "Crème & sérum"
    assert product.description == "Pour peaux sensibles.\nMatin"


@pytest.mark.parametrize(
    ("cell", "image"),
    [
        ("https://shop.example/a.jpg, https://shop.example/a-b.jpg", "https://shop.example/a.jpg"),
        ("https://shop.example/a.jpg|https://shop.example/b.jpg", "https://shop.example/a.jpg"),
        ("https://shop.example/a,b.jpg", "https://shop.example/a,b.jpg"),
        ("images/a, b.jpg", "images/a, b.jpg"),
        (["", "https://shop.example/a.jpg", "https://shop.example/b.jpg"], "https://shop.example/a.jpg"),
    ],
)
def test_the_first_of_several_images_is_the_products(cell: object, image: str) -> None:
    assert validate_record({"id": "a", "title": "t", "image": cell}).image == image
