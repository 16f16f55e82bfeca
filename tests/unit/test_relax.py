"""The "Did you mean" of an empty answer on the real embedded index: CJK queries relaxed by bigram."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.lexical.embedded import EmbeddedLexical
from engine.lexical.matching import MatchQuery, SearchFields
from engine.pipeline.relax import relaxed_query
from engine.records import Filters, Product


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedLexical:
    index = EmbeddedLexical(Path(tmp_path_factory.mktemp("shop")), reload_interval_s=0.0)
    index.rebuild(
        [
            Product("watch", "Apple Watch Series 9 智能手表"),
            Product("band", "小米手环 8 智能手表"),
            Product("huawei", "华为手表 GT 4"),
            Product("case", "iPhone 15 硅胶手机壳"),
            Product("pan", "ティファール フライパン 26cm"),
        ]
    )
    return index


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("苹果手表", "手表"),  # no product says 苹果 (Apple): the bigrams that match are kept
        ("红色手机壳", "手机壳"),  # neighbouring bigrams are written as one word again
        ("小米 苹果手表", "小米 手表"),  # a run relaxed beside a word written apart
        ("苹果 香蕉", None),
    ],
)
def test_a_cjk_query_that_matches_nothing_suggests_the_bigrams_that_match(
    shop: EmbeddedLexical, query: str, suggestion: str | None
) -> None:
    assert shop.count_matching(MatchQuery(query)) == 0
    assert relaxed_query(shop, query, Filters()) == suggestion
    if suggestion is not None:
        assert shop.count_matching(MatchQuery(suggestion)) > 0


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("ふらいぱん", "フライパン"),  # sent as typed, not converted to the katakana the catalog writes
        ("ふらいぱん 26cm", "フライパン 26cm"),
        ("てぃふぁーる", "ティファール"),  # the long vowel mark is the same in both
        ("ふらいぱん 36cm", "フライパン"),  # then relaxed as any query
        ("ぴあの", None),
    ],
)
def test_a_query_in_hiragana_suggests_its_katakana_reading(
    shop: EmbeddedLexical, query: str, suggestion: str | None
) -> None:
    assert shop.count_matching(MatchQuery(query)) == 0
    assert relaxed_query(shop, query, Filters()) == suggestion


@pytest.fixture(scope="module")
def bookshop(tmp_path_factory: pytest.TempPathFactory) -> EmbeddedLexical:
    """A German bookshop's index, with English titles among the German ones."""
    index = EmbeddedLexical(
        Path(tmp_path_factory.mktemp("books")),
        fields=SearchFields(language="german"),
        reload_interval_s=0.0,
    )
    index.rebuild(
        [
            Product("bk-1", "The Hobbit"),  # ids are codes: an id is an identifier, matched as one
            Product("bk-2", "The Hound of the Baskervilles"),
            Product("bk-3", "Der Steppenwolf", description="Die Aufzeichnungen des Harry Haller"),
        ]
    )
    return index


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("the stranger", None),  # not "the": English function words alone are no reading of a query
        ("hobbit stranger", "hobbit"),
        ("harry potter", "harry"),
    ],
)
def test_a_relaxed_query_keeps_more_than_english_function_words(
    bookshop: EmbeddedLexical, query: str, suggestion: str | None
) -> None:
    assert bookshop.count_matching(MatchQuery(query)) == 0
    assert relaxed_query(bookshop, query, Filters()) == suggestion


def outfitter(path: Path, language: str) -> EmbeddedLexical:
    index = EmbeddedLexical(path, fields=SearchFields(language=language), reload_interval_s=0.0)
    index.rebuild(
        [
            Product("od-1", "MSR Hubba Hubba 2-Person Backpacking Tent"),
            Product("od-2", "MSR PocketRocket 2 Stove"),
            Product("od-3", "Calici da degustazione"),
            Product("od-4", "Vino Nobile di Montepulciano"),
        ]
    )
    return index


@pytest.mark.parametrize(
    ("language", "query", "suggestion"),
    [
        ("english", "backpacking stove", "stove"),  # the head noun: "backpacking" finds tents
        ("english", "ultralight backpacking stove", "stove"),  # a word the catalog lacks dropped first
        ("italian", "vino degustazione", "vino"),  # Italian puts the head first
    ],
)
def test_between_readings_that_match_as_many_the_one_keeping_the_head_noun_is_suggested(
    tmp_path: Path, language: str, query: str, suggestion: str
) -> None:
    index = outfitter(tmp_path, language)
    assert index.count_matching(MatchQuery(query)) == 0
    assert relaxed_query(index, query, Filters(), language) == suggestion


@pytest.mark.parametrize(
    ("language", "query", "suggestion"),
    [
        ("czech", "helma na kolo", "helma"),  # the helmets never say "kolo", which finds every bike
        ("czech", "lahev na kolo", "lahev"),
        ("english", "helmet for bike", "helmet"),
        ("english", "bike helmet", "bike"),  # no preposition: the broadest reading, as before
    ],
)
def test_the_words_a_preposition_qualifies_are_dropped_before_the_head(
    tmp_path: Path, language: str, query: str, suggestion: str
) -> None:
    index = EmbeddedLexical(tmp_path, fields=SearchFields(language=language), reload_interval_s=0.0)
    index.rebuild(
        [
            Product("b-1", "Horské kolo Horal Trail 29"),
            Product("b-2", "Dětské kolo Kuba 20"),
            Product("b-3", "Montážní stojan na kolo"),
            Product("b-4", "Cyklistická přilba Ještěd Air", description="Helma"),
            Product("b-5", "Cyklistická láhev 750 ml"),
            Product("e-1", "Mountain bike Trail 29"),
            Product("e-2", "Kids bike 20"),
            Product("e-3", "Repair stand for a bike"),
            Product("e-4", "Cycling helmet Air"),
        ]
    )
    assert index.count_matching(MatchQuery(query)) == 0
    assert relaxed_query(index, query, Filters(), language) == suggestion
