"""The text features compare words in the catalog language's stems outside English
(`engine.lexical.word_forms`): a query in the plural matches the title in the singular, in Polish,
Turkish, Russian and German alike, the same stems the lexical analysis writes; English keeps its words
as written, so its features do not move."""

from __future__ import annotations

import pytest

from engine.lexical.word_forms import word_forms
from engine.ranking.features import (
    FEATURE_NAMES,
    QueryContext,
    SignalColumns,
    TitleMatcher,
    build_features,
    query_terms,
    text_terms,
)
from engine.records import Product


@pytest.mark.parametrize(
    ("language", "query", "title"),
    [
        ("polish", "półki", "Półka ścienna dębowa"),  # shelves / a shelf
        ("polish", "białe łóżka", "Łóżko drewniane białe"),
        ("turkish", "havlular", "Pamuklu Banyo Havlusu"),
        ("russian", "холодильники", "Холодильник Bosch"),
        ("german", "Tische", "Tisch aus Eiche"),
    ],
)
def test_a_word_in_another_form_matches_the_title(language: str, query: str, title: str) -> None:
    forms = word_forms(language)
    overlap, _ = TitleMatcher(query_terms(query, forms), forms)(title)
    assert overlap == 1.0
    plain, _ = TitleMatcher(query_terms(query))(title)  # as written, the forms differ
    assert plain < 1.0


def test_english_keeps_its_words_and_one_function_serves_a_language() -> None:
    assert word_forms("english") is None and query_terms("Shelves", None) == ("shelves",)
    assert word_forms("polish") is word_forms("polish")  # the feature caches key on it
    assert text_terms("Półka ścienna", word_forms("polish"))[0] == ("polk", "scienn")


def test_the_feature_builder_compares_titles_brands_and_categories_in_the_forms() -> None:
    products = {"shelf": Product("shelf", "Półka ścienna", brand="Meble Warta", category=("Meble", "Półki"))}
    forms = word_forms("polish")
    rows = build_features(
        QueryContext("półka meble warty", forms=forms), SignalColumns.empty(["shelf"]), products
    )
    title, brand, category = (
        FEATURE_NAMES.index(n) for n in ("title_overlap", "brand_match", "category_match")
    )
    assert rows[0, title] == pytest.approx(1 / 3) and rows[0, brand] == 1.0  # "warty": the brand's "Warta"
    assert rows[0, category] == pytest.approx(2 / 3)  # "półka" is "Półki", "meble" is "Meble"
