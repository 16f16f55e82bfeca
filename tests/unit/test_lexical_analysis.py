"""English analysis of the embedded index (mirrors the `aisle_english` OpenSearch analyser)."""

from __future__ import annotations

import builtins
from collections.abc import Collection

import pytest

from engine.errors import MissingDependency
from engine.lexical import analysis
from engine.lexical.analysis import EnglishAnalyzer, irregular_plural_rules, make_analyzer, tokenize
from engine.lexical.joined import joined_words
from engine.lexical.known_words import held_to_one_edit
from engine.lexical.matching import compound_ends, identifier_prefixes, query_words
from engine.lexical.readings import (
    Rewrite,
    dimension_rewrites,
    joined_rewrites,
    phrase_rewrites,
    query_rewrites,
    size_rewrites,
    split_rewrites,
)
from engine.lexical.sizes import Rest, Units
from engine.lexical.synonyms import expansions
from engine.records import Product


def test_tokenize_lowercases_and_strips_possessives() -> None:
    assert tokenize("Chef's KNIFE, 8-inch") == ["chef", "knife", "8", "inch"]
    assert tokenize("3.5 mm U.S.A") == ["3.5", "mm", "usa"]  # initials: one word of their letters
    assert tokenize("J.R.R. Tolkien, St.Gallen v1.2") == ["jrr", "tolkien", "st.gallen", "v1.2"]
    spaced = tokenize("J. R. R. Tolkien, z. B. Romane, A. Smith")  # German spacing; a lone initial stays
    assert spaced == ["jrr", "tolkien", "zb", "romane", "a", "smith"]
    assert tokenize("Dr. B. Meier, St. Gallen, Bd. 3") == ["dr", "b", "meier", "st", "gallen", "bd", "3"]
    assert tokenize("M&M's, H&M, Ben & Jerry's") == ["mm", "hm", "ben", "jerry"]  # a name's ampersand goes
    # A dot between a letter and a digit ends a word, as OpenSearch's standard tokenizer reads it.
    assert tokenize("Olaplex No.4, Nr.12a, a.b.4, 1.5l") == [
        "olaplex",
        "no",
        "4",
        "nr",
        "12a",
        "a.b",
        "4",
        "1.5l",
    ]


def test_cjk_runs_become_bigrams_and_accents_stay() -> None:
    assert tokenize("日本の包丁 knife") == ["日本の包丁", "knife"]
    assert EnglishAnalyzer()("日本の包丁") == ["日", "本", "の", "包", "丁", "日本", "本の", "の包", "包丁"]
    assert EnglishAnalyzer()("包") == ["包"]
    assert tokenize("Crème Brûlée") == ["crème", "brûlée"]
    assert tokenize("🔪 !!") == []


def test_analyzer_drops_stop_words_and_stems() -> None:
    analyze = EnglishAnalyzer()
    assert analyze("The knives and the knife") == ["knife", "knife"]
    assert analyze("running shoes") == analyze("run shoe")
    assert analyze("the of and") == []


@pytest.mark.parametrize("plural", sorted(analysis.IRREGULAR_PLURALS))
def test_irregular_plurals_meet_their_singular(plural: str) -> None:
    analyze = EnglishAnalyzer()
    assert analyze(plural) == analyze(analysis.IRREGULAR_PLURALS[plural])


def test_plural_rules_are_opensearch_synonym_rules() -> None:
    rules = irregular_plural_rules()
    assert "knives => knife" in rules
    assert len(rules) == len(analysis.IRREGULAR_PLURALS)


def test_porter_is_used_when_pystemmer_is_installed() -> None:
    assert EnglishAnalyzer().stemmer_name == "porter"
    assert EnglishAnalyzer()("generalizations") == ["gener"]


def test_without_pystemmer_the_analyser_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def no_stemmer(name: str, *args, **kwargs):
        if name == "Stemmer":
            raise ImportError("No module named 'Stemmer'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_stemmer)
    with pytest.raises(MissingDependency, match="pip install PyStemmer"):
        EnglishAnalyzer()


@pytest.mark.parametrize(
    ("language", "forms"),
    [
        ("german", ["Tische", "Tisch"]),
        ("french", ["chaussures", "chaussure"]),
        ("spanish", ["zapatos", "zapato"]),
        ("italian", ["scarpe", "scarpa"]),
        ("dutch", ["boeken", "boek"]),
    ],
)
def test_each_catalog_language_stems_its_own_words(language: str, forms: list[str]) -> None:
    analyze = analysis.make_analyzer(language)
    assert analyze(forms[0]) == analyze(forms[1]) != []
    assert analyze(" ".join(sorted(analysis.STOPWORDS[language]))) == []


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="klingon"):
        analysis.make_analyzer("klingon")


def test_only_the_last_word_is_marked_as_a_beginning() -> None:
    analyzer = make_analyzer("english")
    words = query_words("pride and prejud", analyzer, prefix_last=True)
    assert [(w.word, w.prefix) for w in words] == [("pride", False), ("prejud", True)]
    assert not any(w.prefix for w in query_words("pride and prejud", analyzer))
    # After another word any length will do ("scratching p"); alone, three characters.
    assert [(w.word, w.prefix) for w in query_words("pride p", analyzer, prefix_last=True)][-1] == ("p", True)
    # Too short alone, CJK, or a stop word: no beginning, so "shirt for" still needs only "shirt".
    for text in ("pr", "pvc 4", "pvc 10", "猫の本", "shirt for"):
        assert not any(w.prefix for w in query_words(text, analyzer, prefix_last=True)), text
    # A repeated word is kept once, as the beginning.
    assert [(w.word, w.prefix) for w in query_words("drill drill", analyzer, prefix_last=True)] == [
        ("drill", True)
    ]


def test_compound_endings_are_the_word_and_its_stem_in_compounding_languages_only() -> None:
    def ends(text: str, language: str) -> list[tuple[str, ...]]:
        return [compound_ends(w, language) for w in query_words(text, make_analyzer(language))]

    assert ends("weegschalen pannen", "dutch") == [("weegschalen", "weegschaal"), ("pannen", "pan")]
    assert ends("Schrauber Dübel", "german") == [("schrauber", "schraub"), ("dubel",)]  # folded as spelt
    assert ends("pan", "english") == [()]  # English writes compounds apart
    assert ends("18v mm 三徳包丁", "german") == [(), ()] + [()] * 3  # numbers, short words, CJK bigrams
    assert ends("ei", "dutch") == [()]


def test_identifier_beginnings_are_the_runs_ending_the_query() -> None:
    assert identifier_prefixes("drill DCD 791") == ["drilldcd791", "dcd791"]
    assert identifier_prefixes("n506-k") == ["n506k"]
    assert identifier_prefixes("dcd7") == []


def readings(rewrites: list[Rewrite]) -> list[str]:
    return [r.text for r in rewrites]


def test_a_multi_word_synonym_in_a_query_rewrites_it_once_per_other_entry() -> None:
    analyzer = make_analyzer("english")
    table = expansions([["drill driver", "akkuschrauber", "power drill"], ["bag of words", "bow"]], analyzer)
    rewrites = phrase_rewrites("Cordless Drill Drivers 18V", analyzer, table)
    assert readings(rewrites) == ["cordless akkuschrauber 18v", "cordless power drill 18v"]  # stemmed, cased
    assert rewrites[0] == Rewrite("cordless akkuschrauber 18v", "akkuschrauber", "cordless 18v")
    assert readings(phrase_rewrites("a bag of words", analyzer, table)) == ["a bow"]  # stop words inside
    assert readings(phrase_rewrites("bag words", analyzer, table)) == ["bow"]
    assert phrase_rewrites("driver drill", analyzer, table) == []  # the words in their order only
    assert phrase_rewrites("drill", analyzer, table) == []  # one word of a phrase is no trigger
    assert readings(phrase_rewrites("drill driver", analyzer, table, limit=1)) == ["akkuschrauber"]
    assert phrase_rewrites("drill driver", analyzer, {}) == []


def test_adjacent_words_also_read_as_one_word_but_numbers_stay_apart() -> None:
    analyzer = make_analyzer("english")
    assert readings(joined_rewrites("table fire pit", analyzer)) == ["tablefire pit", "table firepit"]
    joined = joined_rewrites("wi fi", analyzer)[0]
    assert joined == Rewrite("wifi", "wifi", "", rest_typos=False)  # a joined reading is as written
    assert joined_rewrites("1/4 inch", analyzer) == joined_rewrites("18 v", analyzer) == []
    assert joined_rewrites("a b", analyzer) == []  # one-letter words are not joined
    assert readings(joined_rewrites("fire and pit", analyzer)) == []  # a stop word keeps them apart
    assert joined_rewrites("猫 玩具", analyzer) == []


def test_a_compound_also_reads_as_its_parts_where_the_catalog_has_both() -> None:
    analyzer = make_analyzer("german")
    catalog = {analyzer(word)[0] for word in ("hund", "futter", "katze", "streu", "tasche", "lamm")}
    asked: list[set[str]] = []

    def known(terms: Collection[str]) -> set[str]:
        asked.append(set(terms))
        return {t for t in terms if t in catalog}

    assert split_rewrites("hundefutter lamm", analyzer, "german", known) == [
        Rewrite("hunde futter lamm", "hunde futter", "lamm", rest_typos=False)
    ]
    assert len(asked) == 1 and {"hund", "futt", "efutt"} <= asked[0]  # every cut asked at once
    assert readings(split_rewrites("katzenstreu", analyzer, "german", known)) == ["katzen streu"]
    assert split_rewrites("laptoptasche", analyzer, "german", known) == []  # "laptop": no word here
    assert split_rewrites("hundefutter", analyzer, "english", known) == []  # compounds written apart
    assert split_rewrites("hund 12kg", analyzer, "german", known) == []  # too short, and a size
    assert readings(query_rewrites("hundefutter", analyzer, None, language="german", known=known)) == [
        "hunde futter"
    ]
    assert query_rewrites("hundefutter", analyzer, None, language="german") == []  # nobody to ask
    reading = split_rewrites("hundefutter lamm", analyzer, "german", known)[0]
    assert rest(reading, "hundefutter lamm", "german").needed == 1  # "lamm" still needed


def test_a_size_also_reads_as_the_other_ways_a_catalog_writes_it() -> None:
    analyzer = make_analyzer("english")
    assert size_rewrites("dewalt 18v battery", analyzer) == [
        Rewrite("dewalt 18 volt battery", "18 volt", "dewalt battery", rest_typos=False),
        Rewrite("dewalt 18 v battery", "18 v", "dewalt battery", rest_typos=False),
    ]
    assert readings(size_rewrites("18 v", analyzer)) == ["18 volt", "18v"]
    assert readings(size_rewrites("18 volts", analyzer)) == ["18v", "18 v"]
    assert readings(size_rewrites("10l lettiera", analyzer)) == ["10 liter lettiera", "10 l lettiera"]
    assert readings(size_rewrites("5gal bucket", analyzer)) == ["5 gallon bucket", "5 gal bucket"]
    assert readings(size_rewrites("6panel door", analyzer)) == ["6 panel door"]  # not only units
    # "36 in" analyses to "36": "36 inch" would add nothing next to it.
    assert readings(size_rewrites("36in vanity", analyzer)) == ["36 in vanity"]
    assert size_rewrites("t8 5000k", analyzer) == size_rewrites("4x", analyzer) == []
    assert size_rewrites("2x tape", analyzer) == []  # one letter that is no unit stays
    assert readings(size_rewrites("bosch gsr18v", analyzer)) == ["bosch gsr 18v"]  # a model's letters
    german = make_analyzer("german")  # another language's inch also reads "inch", as a `55"` is indexed
    assert readings(size_rewrites("fernseher 55 zoll", german)) == ["fernseher 55 inch"]
    assert readings(size_rewrites("55zoll tv", german)) == ["55 zoll tv", "55 inch tv"]
    assert size_rewrites("ps3 pad", analyzer) == size_rewrites("mm2", analyzer) == []  # two letters; a unit
    assert readings(query_rewrites("fire pit 18v", analyzer, None)) == [
        "fire pit 18 volt",
        "fire pit 18 v",
        "firepit 18v",
    ]


def units(text: str, language: str = "english") -> Units:
    return Units.of(tokenize(text), [w.word for w in query_words(text, make_analyzer(language))])


def rest(reading: Rewrite, query: str, language: str = "english") -> Rest:
    """What `reading` of `query` leaves its other words to match."""
    words = query_words(reading.rest, make_analyzer(language))
    return units(query, language).rest([w.word for w in words])


def test_a_size_is_one_unit_of_the_query_matched_with_all_its_words() -> None:
    # "cable 2.5 mm2": a size and "cable", two units, both needed; the size with both its words
    assert units("cable 2.5 mm2").units == (("2.5", "mm2"), ("cable",))
    assert units("cable 2.5 mm2").needed == 2
    assert units("vis 4 x 40 mm", "french").units == (("4", "x", "40", "mm"), ("vis",))
    assert units("m8 x 40").units == (("m8", "x", "40"),)
    assert units("1/2 in pvc elbow").units == (("1", "2"), ("pvc",), ("elbow",))  # "in": a stop word
    assert units("1/2 in pvc elbow").needed == 2  # three units: the size may be the one missed
    assert units("mm wrench").units == (("mm",), ("wrench",))  # a unit is no size without its number
    assert units("x 4 table").units == (("4",), ("x",), ("table",))  # "x" before any number is a word
    # an age is a size too: the 24-month cheese does not stand in for "parmigiano 36 mesi" by "mesi"
    assert units("parmigiano 36 mesi", "italian").units == (("36", "mesi"), ("parmigiano",))
    assert units("balsamic vinegar 12 years").units == (("12", "years"), ("balsamic",), ("vinegar",))
    # without sizes, the rule as it was: all of one or two words, all but one of three or four
    queries = ("tent", "tent pole", "tent pole bag", "tent pole bag blue", "tent pole bag blue green")
    assert [units(q).needed for q in queries] == [1, 2, 2, 3, 4]


def test_a_size_reading_stands_for_the_size() -> None:
    analyzer = make_analyzer("english")
    joined, apart = size_rewrites("36 inch vanity", analyzer)
    assert joined.text == "36in vanity" and rest(joined, "36 inch vanity") == Rest((("vanity",),), (), 1)
    assert apart.text == "36 in vanity" and rest(apart, "36 inch vanity") == Rest((("vanity",),), (), 1)


def test_a_dimension_reads_together_and_apart() -> None:
    assert readings(dimension_rewrites("vis 4x40")) == ["vis 4 x 40"]
    assert readings(dimension_rewrites("4x40mm screws")) == ["4 x 40 mm screws"]
    assert readings(dimension_rewrites("table 120x60x75")) == ["table 120 x 60 x 75"]
    assert readings(dimension_rewrites("m8 x 40 din 912")) == ["m8x40 din 912"]
    assert readings(dimension_rewrites("3.5 x 30 x 2")) == ["3.5x30x2"]
    assert dimension_rewrites("x 4 wide") == dimension_rewrites("dcd771 4x") == []
    # read as "vis 4x40 mm": the reading stands for the size, whose "mm" is still needed, and "vis" too
    reading = dimension_rewrites("vis 4 x 40 mm")[0]
    assert reading.text == "vis 4x40 mm"
    assert rest(reading, "vis 4 x 40 mm", "french") == Rest((("vis",),), ("mm",), 1)


def test_a_reading_never_matches_more_loosely_than_the_query() -> None:
    # "table fire pit cover": 4 words, 3 needed; read as "table firepit cover", the joined word counts
    # for two, so one of "table" and "cover" is still needed.
    reading = joined_rewrites("table fire pit cover", make_analyzer("english"))[1]
    assert reading.text == "table firepit cover"
    assert rest(reading, "table fire pit cover") == Rest((("table",), ("cover",)), (), 1)
    assert rest(joined_rewrites("fire pit", make_analyzer("english"))[0], "fire pit").needed == 0


def test_a_word_the_catalog_has_is_held_to_one_edit() -> None:
    words = query_words("perceuse sans fil perseuze", make_analyzer("french"))
    asked: list[set[str]] = []

    def spelt(forms: Collection[str]) -> set[str]:
        asked.append(set(forms))
        return {"perceuse", "sans"}

    held = held_to_one_edit(words, spelt)
    assert [(w.word, w.typos) for w in held] == [("perceuse", 1), ("sans", 1), ("fil", 0), ("perseuze", 2)]
    assert asked == [{"perceuse", "perseuze"}]  # only the words allowed two edits, in one call
    assert held_to_one_edit(words, None) == words


def test_names_written_with_signs_are_also_kept_without_them() -> None:
    product = Product("x", "M&M's Peanut", brand="L'OR")
    assert joined_words(product) == ["mmpeanut", "mms", "lor"]  # neighbours joined, then unsigned names
