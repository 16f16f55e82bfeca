"""Turkish analysis (`engine.lexical.turkish`, `SnowballAnalyzer("turkish")`): every form a product name
or a shopper writes of a word comes to one term (plural, compound, possessive, the adjective's "-lı",
a softened consonant, typed with or without the Turkish letters, in capitals with "İ" and "I"), a
proper name's suffix after an apostrophe goes, and words of different meaning stay apart."""

from __future__ import annotations

import pytest

from engine.lexical.analysis import make_analyzer, tokenize
from engine.lexical.turkish import turkish_stem


@pytest.mark.parametrize(
    "forms",
    [
        ["havlu", "havlular", "havluları", "havlusu", "HAVLULARI"],
        ["yastık", "yastıklar", "yastığı", "yastik", "yastiklari", "YASTIK"],
        ["perde", "perdeler", "perdesi"],
        ["halı", "halılar", "halısı", "hali"],
        ["örtü", "örtüsü", "örtüler", "ortusu"],
        ["takım", "takımı", "takımları", "takimi", "TAKIMI"],
        ["kılıf", "kılıfı", "kılıflı", "KILIFI"],
        ["pamuk", "pamuklu"],
        ["renk", "rengi", "renkli"],
        ["önlük", "önlüğü", "önlükler", "onlugu"],
        ["ipek", "İPEK", "İpek"],
        ["dolap", "dolabı"],
    ],
)
def test_every_form_of_a_word_is_one_term(forms: list[str]) -> None:
    analyze = make_analyzer("turkish")
    assert len({tuple(analyze(form)) for form in forms}) == 1, {form: analyze(form) for form in forms}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("havlu", "halı"),
        ("perde", "per"),
        ("yastık", "yas"),
        ("masa", "mas"),
        ("beyaz", "bey"),
        ("gri", "gr"),
    ],
)
def test_words_of_different_meaning_stay_apart(first: str, second: str) -> None:
    analyze = make_analyzer("turkish")
    assert analyze(first) != analyze(second)


def test_a_name_loses_its_case_suffix_after_an_apostrophe() -> None:
    analyze = make_analyzer("turkish")
    assert analyze("Ege Çeyiz'in havluları") == analyze("ege ceyiz havlu")
    assert turkish_stem("samsung’un") == turkish_stem("samsung")


def test_stop_words_go_typed_either_way() -> None:
    assert make_analyzer("turkish")("havlu ve bornoz için") == make_analyzer("turkish")("havlu bornoz")
    assert make_analyzer("turkish")("en ucuz pike") == make_analyzer("turkish")("ucuz pike")


def test_a_dotted_capital_i_is_an_i_in_every_language() -> None:
    # lowercased alone, "İ" is "i" and a combining dot, which split "İPEK" into "i" and "pek"
    assert tokenize("İPEK EŞARP İstanbul") == ["ipek", "eşarp", "istanbul"]
    assert make_analyzer("english")("İPEK Scarf") == ["ipek", "scarf"]
