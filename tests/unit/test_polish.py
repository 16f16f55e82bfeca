"""Polish analysis (`engine.lexical.polish`, `SnowballAnalyzer("polish")`): the forms a product name or
a shopper writes of a noun or an adjective come to one term (singular and plural, other cases, the
genders an adjective agrees in, typed with or without the Polish letters), function words are dropped,
and words of different meaning stay apart."""

from __future__ import annotations

import pytest

from engine.lexical.analysis import make_analyzer
from engine.lexical.polish import RULES
from engine.lexical.rule_stemmer import RuleStemmer


@pytest.mark.parametrize(
    "forms",
    [
        ["krzesło", "krzesła", "krzesłami", "krzeslo", "KRZESŁA"],
        ["łóżko", "łóżka", "łóżku", "lozko", "ŁÓŻKA"],
        ["stół", "stoły", "stołu", "stołów", "stol"],
        ["stolik", "stoliki", "stolików", "stolikiem"],
        ["szafa", "szafy", "szafie", "szafę"],
        ["biały", "biała", "białe", "białego", "białych", "bialy"],
        ["materac", "materace", "materacy", "materaców"],
        ["kieszeniowy", "kieszeniowa", "kieszeniowe"],
        ["lampa", "lampy", "lampę", "lampami"],
        ["meble", "mebli", "meblami"],
        ["ogrodowe", "ogrodowych", "ogrodowy"],
    ],
)
def test_every_form_of_a_word_is_one_term(forms: list[str]) -> None:
    analyze = make_analyzer("polish")
    assert len({tuple(analyze(form)) for form in forms}) == 1, {form: analyze(form) for form in forms}


@pytest.mark.parametrize(
    ("first", "second"),
    [("szafa", "szafka"), ("lampa", "lampka"), ("stół", "stolik"), ("sofa", "szafa"), ("dąb", "dom")],
)
def test_words_of_different_meaning_stay_apart(first: str, second: str) -> None:
    analyze = make_analyzer("polish")
    assert analyze(first) != analyze(second)


def test_function_words_numbers_and_short_words_are_left_alone() -> None:
    analyze = make_analyzer("polish")
    assert analyze("szafka pod umywalkę") == analyze("szafka umywalka")  # "pod" (under) is a stop word
    assert analyze("łóżko dla dzieci 90x200") == ["lozk", "dziec", "90x200"]
    assert [RuleStemmer(RULES).stem(word) for word in ("fi", "led", "rtv", "sofa")] == [
        "fi",
        "led",
        "rtv",
        "sof",
    ]
