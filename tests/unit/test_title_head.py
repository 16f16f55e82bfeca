"""A title's head ends at its first preposition of the catalog language; the OpenSearch clause asks the
head for every query word the catalog has as typed; a price sort's parts are disjoint and in order."""

from __future__ import annotations

import pytest

from engine.lexical.matching import MatchQuery, QueryWord
from engine.lexical.title_head import head_words, in_head, product_head, title_head
from engine.pipeline.price_order import price_parts
from engine.records import Product


@pytest.mark.parametrize(
    ("title", "language", "head"),
    [
        ("Zámek na kolo U Ocel 18 mm", "czech", "Zámek "),
        ("Montážní stojan na kolo", "czech", "Montážní stojan "),
        ("Horské kolo Horal Trail 29", "czech", "Horské kolo Horal Trail 29"),
        ("Plášť 29x2,25 s reflexním pruhem", "czech", "Plášť 29x2,25 "),
        ("Ink cartridges for fountain pens", "english", "Ink cartridges "),
        ("Ceiling fan WITH light kit", "english", "Ceiling fan "),  # any case
        ("Forged steel hammer", "english", "Forged steel hammer"),  # "for" only as a word
        ("For Men shower gel", "english", "For Men shower gel"),  # nothing before it: the whole title
        ("Housse pour canapé", "french", "Housse "),
        ("Kaffeemaschine mit Mahlwerk", "german", "Kaffeemaschine "),
        ("Köpek için mama", "turkish", "Köpek için mama"),  # no table: the whole title
        ("Hose for garden", "japanese", "Hose for garden"),
    ],
)
def test_the_head_ends_at_the_first_preposition(title: str, language: str, head: str) -> None:
    assert title_head(title, language) == head


def test_a_products_head_holds_its_variant() -> None:
    harness = Product("h", "Arnés Julius-K9 IDC Power para perros", attributes={"variant": "Negro / L"})
    assert product_head(harness, "spanish") == "Arnés Julius-K9 IDC Power  Negro / L"
    shirt = Product("s", "T-shirt with print", attributes={"color": "Blue", "size": "M"})
    assert product_head(shirt, "english") == "T-shirt  Blue / M"  # the variant of colour and size
    assert product_head(Product("t", "Juguete para perros"), "spanish") == "Juguete "


def _word(word: str, *alternatives: str) -> QueryWord:
    return QueryWord(word, (word,), 1, tuple((a, (a,)) for a in alternatives))


def test_only_words_the_catalog_has_as_typed_are_asked_of_the_head() -> None:
    words = [_word("kolo"), _word("kilo"), QueryWord("na", (), 0)]
    assert head_words(words, {"kolo"}) == [words[0]]
    assert head_words(words, set()) == []


def test_the_opensearch_clause_narrows_to_one_part_or_the_other() -> None:
    query = {"bool": {"should": [{"match_all": {}}]}}
    words = [_word("helma", "přilba"), _word("kilo")]
    known = lambda terms: {"helma"}  # noqa: E731 - the catalog lacks "kilo"
    first = in_head(query, True, words, known)
    either = [{"match": {"head": {"query": w, "operator": "and"}}} for w in ("helma", "přilba")]
    head = {"bool": {"filter": [{"bool": {"should": either, "minimum_should_match": 1}}]}}
    assert first == {"bool": {"must": [query], "filter": [head]}}
    assert in_head(query, False, words, known) == {"bool": {"must": [query], "must_not": [head]}}
    assert in_head(query, None, words, known) is query
    # No word to ask: every member is of the first part, none of the second.
    assert in_head(query, True, words[1:], known) is query
    assert in_head(query, False, words[1:], known) == {"match_none": {}}
    assert in_head(query, False, words, None) == {"match_none": {}}


def test_a_price_sort_lists_the_head_then_the_other_strict_members_then_the_loose_ones() -> None:
    match = MatchQuery("kolo", also_ids=frozenset({"a", "b"}), near_ids=frozenset({"b"}))
    head, rest, loose = price_parts(match, frozenset({"b"}))
    assert (head.head, rest.head, loose.head) == (True, False, None)
    assert head.also_ids == rest.also_ids == {"a"}
    assert loose.also_ids == {"b"} and not loose.lexical and not loose.near_ids
    assert price_parts(MatchQuery(None), frozenset()) == [MatchQuery(None)]  # browsing: one part


def test_a_cjk_word_is_asked_of_the_head_as_its_bigram() -> None:
    # "フライパン" is read as bigrams, one query word each, every one of them in the match query.
    words = [QueryWord("フライパン", ("フラ",), 0), QueryWord("フライパン", ("ライ",), 0)]
    clause = in_head({"match_all": {}}, True, words, lambda terms: set(terms))
    asked = [c["match"]["head"]["query"] for c in clause["bool"]["filter"][0]["bool"]["filter"]]
    assert asked == ["フラ", "ライ"]
