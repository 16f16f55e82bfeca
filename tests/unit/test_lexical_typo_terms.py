"""`TypoTerms` and `SpellIndex`: the spell terms within a word's typo distance, rebuilt when the index
gains words, the automaton standing in meanwhile."""

from __future__ import annotations

from pathlib import Path

from engine.lexical.embedded import EmbeddedLexical
from engine.lexical.matching import MatchQuery, SearchFields
from engine.lexical.typo_terms import SpellIndex, TypoTerms, deletions
from engine.records import Product

VOCABULARY = ["hammer", "hamper", "hammers", "hammock", "drill", "grill", "dril", "drills", "rdill", "x"]


class Reader:
    """A vocabulary that counts its reads."""

    def __init__(self, terms: list[str]) -> None:
        self.terms = list(terms)
        self.reads = 0

    def __call__(self) -> list[str]:
        self.reads += 1
        return list(self.terms)


def brute_force(word: str, distance: int, vocabulary: list[str]) -> list[str]:
    """Optimal string alignment distance by its definition."""

    def osa(a: str, b: str) -> int:
        d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
        for i in range(1, len(a) + 1):
            for j in range(1, len(b) + 1):
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
                if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
        return d[len(a)][len(b)]

    return sorted(t for t in vocabulary if osa(word, t) <= distance)


def test_deletions_reach_every_string_up_to_the_number_of_deletions() -> None:
    assert set(deletions("abc", 1)) == {"abc", "bc", "ac", "ab"}
    assert set(deletions("abc", 2)) == {"abc", "bc", "ac", "ab", "a", "b", "c"}


def test_the_index_finds_exactly_the_terms_within_the_distance() -> None:
    vocabulary = [*VOCABULARY, "hamburger", "hammering", "hammerhead", "grilled", "drilling", "drillbit"]
    index = SpellIndex(vocabulary)
    assert index.within("drill", 1) == ["dril", "drill", "drills", "grill", "rdill"]  # a swap is one edit
    assert index.within("hamer", 1) == ["hammer", "hamper"]
    for word in ("drilling", "hammeirng", "hamburgr", "drillbits", "grillled", "xxxxxxxx"):
        assert index.within(word, 2) == brute_force(word, 2, vocabulary), word
    for word in ("dril", "drlil", "hammr", "x", "hammock"):
        assert index.within(word, 1) == brute_force(word, 1, vocabulary), word


def test_answers_wait_for_the_index_and_stay_until_it_is_invalidated() -> None:
    reader = Reader(VOCABULARY)
    typos = TypoTerms(reader)
    typos.terms("drill", 1)  # None at first (the caller keeps the automaton), and a build starts
    assert typos.wait()
    assert typos.terms("drill", 1) == ("dril", "drill", "drills", "grill", "rdill")
    reader.terms.append("krill")
    assert "krill" not in (typos.terms("drill", 1) or ())  # the index was not said to change
    typos.invalidate()
    assert typos.wait()
    assert "krill" in (typos.terms("drill", 1) or ())
    assert reader.reads == 2 and typos.builds == 2


def test_an_unchanged_vocabulary_keeps_its_index() -> None:
    typos = TypoTerms(Reader(VOCABULARY))
    assert typos.wait()
    typos.invalidate()  # a commit that changed a price, not a word
    assert typos.wait() and typos.builds == 1


def test_a_word_within_reach_of_too_many_terms_is_left_to_the_automaton() -> None:
    typos = TypoTerms(Reader([f"ab{c}" for c in "cdefghij"]), max_terms=5)
    assert typos.wait()
    assert typos.terms("abz", 1) is None
    assert typos.terms("abzzz", 1) == ()


def test_a_build_overtaken_by_an_invalidation_reads_the_vocabulary_again() -> None:
    reader = Reader(["drill"])
    typos: TypoTerms

    def read_then_change() -> list[str]:
        terms = reader()
        if reader.reads == 1:
            reader.terms.append("grill")
            typos.invalidate()  # a commit lands while the vocabulary is being read
        return terms

    typos = TypoTerms(read_then_change)
    assert typos.wait()
    assert typos.terms("drill", 1) == ("drill", "grill")
    assert reader.reads == 2


def test_the_embedded_index_finds_a_new_word_through_typos_right_after_writing_it(tmp_path: Path) -> None:
    index = EmbeddedLexical(tmp_path)
    index.rebuild([Product(id="a", title="Claw hammer")])
    generation = index._current()
    assert generation is not None and generation.typos.wait()
    assert index.match_ids(MatchQuery("walnutt")) == set()
    index.upsert([Product(id="b", title="Walnut cutting board")])
    assert index.match_ids(MatchQuery("walnutt")) == {"b"}  # the automaton, until the index is rebuilt
    assert generation.typos.wait()
    assert index.match_ids(MatchQuery("walnutt")) == {"b"}  # the rebuilt index
    assert generation.typos.terms("walnutt", 1) == ("walnut",)


def test_another_process_new_words_are_found_through_typos_after_the_reload(tmp_path: Path) -> None:
    gateway = EmbeddedLexical(tmp_path, reload_interval_s=3600.0)
    indexer = EmbeddedLexical(tmp_path)
    indexer.rebuild([Product(id="a", title="Claw hammer")])
    gateway.refresh()
    generation = gateway._current()
    assert generation is not None and generation.typos.wait()
    assert gateway.match_ids(MatchQuery("walnutt")) == set()
    indexer.upsert([Product(id="b", title="Walnut cutting board")])
    gateway.refresh()
    assert gateway.match_ids(MatchQuery("walnutt")) == {"b"}
    assert generation.typos.wait() and generation.typos.terms("walnutt", 1) == ("walnut",)


def test_builds_start_on_their_own_at_most_once_per_interval() -> None:
    reader = Reader(VOCABULARY)
    typos = TypoTerms(reader, rebuild_interval_s=3600.0)
    assert typos.wait()
    reader.terms.append("krill")
    typos.invalidate()  # the last build finished a moment ago: the automaton answers for now
    assert typos.terms("drill", 1) is None and typos.beginning("dri") is None
    assert reader.reads == 1
    assert typos.wait()  # asked for explicitly (a warm start)
    assert "krill" in (typos.terms("drill", 1) or ())


def test_the_words_a_beginning_is_the_start_of() -> None:
    typos = TypoTerms(Reader([*VOCABULARY, "hamster"]), max_terms=4)
    assert typos.wait()
    assert typos.beginning("hamm") == ("hammer", "hammers", "hammock")
    assert typos.beginning("drills") == ("drills",)
    assert typos.beginning("zz") == ()
    assert typos.beginning("ham") is None  # five words: more than max_terms, left to the automaton


def test_a_word_that_becomes_known_is_ranked_as_written_after_the_write(tmp_path: Path) -> None:
    index = EmbeddedLexical(tmp_path)
    index.rebuild([Product(id="a", title="Claw hammer")])
    assert index.search("walnut", 5) == []  # "walnut" is no product's word yet: asked with its typos
    index.upsert([Product(id="b", title="Walnut cutting board"), Product(id="c", title="Walnut stain")])
    fresh = EmbeddedLexical(tmp_path)  # nothing remembered from before the write
    assert index.search("walnut", 5) == fresh.search("walnut", 5)
    assert {h.product_id for h in index.search("walnut", 5)} == {"b", "c"}


def test_a_vocabulary_too_large_to_index_leaves_every_word_to_the_automaton() -> None:
    reader = Reader(VOCABULARY)
    typos = TypoTerms(reader, max_vocabulary=5, rebuild_interval_s=0.0)
    assert not typos.wait(timeout=5.0)
    assert typos.terms("drill", 1) is None and typos.beginning("ham") is None
    assert reader.reads == 1  # not read again until the index changes
    reader.terms[:] = ["drill", "grill"]
    typos.invalidate()
    assert typos.wait(timeout=5.0) and typos.terms("drill", 1) == ("drill", "grill")


def test_the_words_an_ending_is_the_last_part_of() -> None:
    compounds = ["keukenweegschaal", "weegschaal", "eikenhout", "beukenhout", "hout", "span", "koekenpan"]
    typos = TypoTerms(Reader([*compounds, "wokpan", "grillpan", "braadpan", "steelpan"]), max_terms=4)
    assert typos.wait()
    assert typos.ending("weegschaal") == ("keukenweegschaal",)  # not the word itself
    assert typos.ending("hout") == ("beukenhout", "eikenhout")
    assert typos.ending("schaal") == ("keukenweegschaal", "weegschaal")
    assert typos.ending("zzz") == ()
    assert typos.ending("pan") is None  # five compounds ("span": too short a modifier): the automaton
    assert typos.ending("grillpan") == ()


def test_a_compound_is_found_by_its_last_part_with_and_without_the_spell_index(tmp_path: Path) -> None:
    index = EmbeddedLexical(tmp_path, fields=SearchFields(language="dutch"))
    index.rebuild([Product(id="a", title="Keukenweegschaal digitaal"), Product(id="b", title="Weegbrug")])
    generation = index._current()
    assert generation is not None and generation.typos.wait()
    index.upsert([Product(id="c", title="Snijplank van eikenhout")])  # just after a build: the automaton
    assert generation.typos.ending("hout") is None
    assert index.match_ids(MatchQuery("weegschaal")) == {"a"}
    assert index.match_ids(MatchQuery("hout")) == {"c"}
    assert generation.typos.wait()  # asked for explicitly
    assert index.match_ids(MatchQuery("weegschaal")) == {"a"}
    assert index.match_ids(MatchQuery("hout")) == {"c"}
    assert generation.typos.ending("hout") == ("eikenhout",)
