"""Words spelt as they sound (`engine.lexical.sounds`): read as the catalog spells them where it has what
that gives, in the languages with such spellings only, and never for a word the catalog has."""

from __future__ import annotations

from collections.abc import Collection

from engine.lexical.analysis import make_analyzer
from engine.lexical.sounds import respellings, sound_rewrites

PORTUGUESE = make_analyzer("portuguese")
WORDS = ("mochila", "chinelo", "açúcar", "xadrez", "escolar", "azul")
CATALOG = {term for word in WORDS for term in PORTUGUESE(word)}


def known(terms: Collection[str]) -> Collection[str]:
    return {t for t in terms if t in CATALOG}


def readings(query: str, language: str = "portuguese") -> list[tuple[str, str, str]]:
    return [(r.text, r.replacement, r.rest) for r in sound_rewrites(query, PORTUGUESE, language, known)]


def test_each_spelling_of_a_sound_is_tried_for_the_other() -> None:
    assert respellings("moxila", "portuguese") == ["mochila"]
    assert respellings("chinelo", "portuguese") == ["xinelo"]
    assert respellings("assucar", "portuguese") == ["açucar"]
    assert respellings("siya", "spanish") == ["silla"]
    assert respellings("xis", "portuguese") == []  # too short to tell
    assert respellings("moxila", "english") == []


def test_words_spelt_as_they_sound_read_as_the_catalog_spells_them() -> None:
    assert readings("moxila") == [("mochila", "mochila", "")]
    assert readings("moxila escolar") == [("mochila escolar", "mochila", "escolar")]
    assert readings("xinelo azul") == [("chinelo azul", "chinelo", "azul")]
    assert readings("assucar") == [("açucar", "açucar", "")]


def test_words_the_catalog_has_or_nothing_it_has_are_left_alone() -> None:
    assert readings("xadrez") == []  # the catalog's own word, not "chadrez"
    assert readings("mochila") == []  # as the catalog spells it
    assert readings("xaleira") == []  # "chaleira" is no word of it either
    assert readings("moxila", language="english") == []
