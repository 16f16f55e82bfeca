"""Words typed with the keyboard in its other layout (`engine.lexical.layouts`): read as meant where the
catalog has what they give, in a Cyrillic catalog only, and never for a word the catalog has."""

from __future__ import annotations

from collections.abc import Collection

from engine.lexical.analysis import make_analyzer
from engine.lexical.layouts import layout_rewrites, other_layout

RUSSIAN = make_analyzer("russian")
CATALOG = {"стиральн", "машин", "монитор", "samsung", "bosch", "холодильник"}


def known(terms: Collection[str]) -> Collection[str]:
    return {t for t in terms if t in CATALOG}


def readings(query: str, language: str = "russian") -> list[tuple[str, str, str]]:
    return [(r.text, r.replacement, r.rest) for r in layout_rewrites(query, RUSSIAN, language, known)]


def test_the_other_layout_key_for_key() -> None:
    assert other_layout("[jkjlbkmybr") == "холодильник"
    assert other_layout("ищыср") == "bosch"
    assert other_layout("ab") is None  # too short to tell
    assert other_layout("bosch7") is None  # a digit is no key of either layout's letters
    assert other_layout("тv") is None  # both alphabets


def test_words_typed_in_the_wrong_layout_read_as_meant() -> None:
    assert readings("cnbhfkmyfz vfibyf") == [("стиральная машина", "стиральная машина", "")]
    assert readings("vjybnjh samsung") == [("монитор samsung", "монитор", "samsung")]
    assert readings("холодильник ищыср") == [("холодильник bosch", "bosch", "холодильник")]


def test_words_the_catalog_has_or_nothing_it_has_are_left_alone() -> None:
    assert readings("samsung монитор") == []  # both words are the catalog's as typed
    assert readings("qwerty") == []  # "йцукен" is no word of it either
    assert readings("cnbhfkmyfz vfibyf", language="english") == []  # a Latin catalog: no layouts
