"""The readings of an oil's grade, a tyre's size and a model's generation (`engine.lexical.code_readings`),
and the words they leave alone: a size ("XL", "M"), a number before its unit, a dimension."""

from __future__ import annotations

import pytest

from engine.lexical.analysis import make_analyzer, tokenize
from engine.lexical.code_readings import arabic, code_rewrites, roman
from engine.lexical.joined import joined_words
from engine.lexical.readings import query_rewrites
from engine.records import Product


@pytest.mark.parametrize(
    ("query", "readings"),
    [
        ("5w30", ["5w 30"]),
        ("motoröl 10w40", ["motoröl 10w 40"]),
        ("205 55 16", ["205 55 r16", "205 55r16"]),
        ("205/55r16", ["205 55 r16"]),  # its own form, "205 55r16", is no other reading
        ("reifen 225 45 r17", ["reifen 225 45r17"]),
        ("golf 7", ["golf vii"]),
        ("octavia iii", ["octavia 3"]),
        ("bremsbeläge golf 7 vorne", ["bremsbeläge golf vii vorne"]),
        ("4x40", []),  # a dimension, read by `dimension_rewrites`
        ("shirt xl", []),  # forty, but a size
        ("hose m", []),
        ("fernseher 55 zoll", []),  # a number before its unit is a size
        ("golf 40", []),  # beyond the numerals a model's generation takes
        ("7 zwerge", []),  # no word before the number
        ("100 55 16", []),  # no tyre that narrow
        ("205 55 30", []),  # nor a rim that large
    ],
)
def test_codes_read_as_the_catalog_writes_them(query: str, readings: list[str]) -> None:
    assert [r.text for r in code_rewrites(tokenize(query))] == readings


def test_a_reading_stands_for_its_words_and_the_rest_is_matched_as_written() -> None:
    (grade,) = [r for r in query_rewrites("öl 5w30", make_analyzer("german"), None) if "5w 30" in r.text]
    assert (grade.replacement, grade.rest, grade.rest_typos) == ("5w 30", "öl", False)


def test_numerals_both_ways() -> None:
    assert [roman(n) for n in (2, 4, 7, 9, 14, 39)] == ["ii", "iv", "vii", "ix", "xiv", "xxxix"]
    assert [arabic(w) for w in ("ii", "vii", "xiv", "xxxix", "i", "xl", "mix", "vv", "iiii")] == [
        2,
        7,
        14,
        39,
        None,
        None,
        None,
        None,
        None,
    ]


def test_a_grade_is_joined_in_the_title_as_shoppers_type_it() -> None:
    joined = joined_words(Product("o", "Motoröl Edge 5W-30 LL", brand="Castrol"))
    assert "5w30" in joined and "edge5w" in joined
    assert "4x" not in "".join(joined_words(Product("s", "Vis 4 x 40 mm")))  # numbers stay apart
