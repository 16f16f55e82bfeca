"""Czech analysis (`engine.lexical.czech`, `SnowballAnalyzer("czech")`): the forms a product name or a
shopper writes of a noun or an adjective come to one term (singular and plural, other cases, the
genders an adjective agrees in, a vowel that drops, typed with or without the Czech letters), function
words are dropped, and words of different meaning stay apart."""

from __future__ import annotations

import pytest

from engine.lexical.analysis import make_analyzer
from engine.lexical.czech import RULES
from engine.lexical.rule_stemmer import RuleStemmer


@pytest.mark.parametrize(
    "forms",
    [
        ["kolo", "kola", "kolem", "kolu", "kole", "KOLO"],
        ["přilba", "přilby", "přilbu", "přilbou", "prilba"],
        ["horské", "horská", "horský", "horských", "horskými", "horske"],
        ["dětské", "dětská", "dětského", "detske"],
        ["zámek", "zámky", "zámku", "zámkem", "zamek"],
        ["světlo", "světla", "světel", "svetlo"],
        ["láhev", "lahve", "láhví"],
        ["řetěz", "řetězy", "řetězem", "retez"],
        ["elektrokolo", "elektrokola", "elektrokolem"],
        ["trekingový", "trekingová", "trekingové"],
    ],
)
def test_every_form_of_a_word_is_one_term(forms: list[str]) -> None:
    analyze = make_analyzer("czech")
    assert len({tuple(analyze(form)) for form in forms}) == 1, {form: analyze(form) for form in forms}


@pytest.mark.parametrize(
    ("first", "second"),
    [("kolo", "kolečko"), ("pumpa", "pumpička"), ("helma", "hlava"), ("zámek", "zimní"), ("dres", "duše")],
)
def test_words_of_different_meaning_stay_apart(first: str, second: str) -> None:
    analyze = make_analyzer("czech")
    assert analyze(first) != analyze(second)


def test_function_words_sizes_and_short_words_are_left_alone() -> None:
    analyze = make_analyzer("czech")
    assert analyze("helma na kolo") == analyze("helmy kola")  # "na" (for, on) is a stop word
    assert analyze("Plášť 29x2,25 pro děti") == ["plast", "29x2.25", "det"]
    assert [RuleStemmer(RULES).stem(word) for word in ("av", "fv", "gps", "usb", "kol")] == [
        "av",
        "fv",
        "gps",
        "usb",
        "kol",
    ]
