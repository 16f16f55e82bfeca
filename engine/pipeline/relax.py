"""The "Did you mean" of a query that matches nothing: the same query relaxed until it matches.

Kept apart from the match set (`engine.pipeline.matchset`) because it asks the lexical backend about
readings of the query the shopper did not type, one count per reading, and only for empty answers.
"""

from __future__ import annotations

from typing import NamedTuple

from engine.lexical.analysis import ENGLISH_STOPWORDS, is_cjk
from engine.lexical.base import LexicalIndex
from engine.lexical.matching import MatchQuery
from engine.lexical.title_head import QUALIFYING
from engine.records import Filters

# Catalog languages whose noun phrases put the head noun first ("vino rosso", "sac de couchage"); in the
# others it comes last ("backpacking stove", "Schlafsack", "寝袋").
HEAD_FIRST_LANGUAGES = frozenset({"french", "spanish", "italian", "portuguese"})
MAX_RELAXED_WORDS = 8  # longer zero-result queries are not relaxed word by word (cost grows with length)
# Hiragana (U+3041..U+3096) as the katakana the same sounds are written in (U+30A1..U+30F6).
_KATAKANA = str.maketrans({chr(code): chr(code + 0x60) for code in range(0x3041, 0x3097)})


class _Piece(NamedTuple):
    """A word a relaxation may drop: a whitespace-separated part, or a character bigram of a CJK run
    (`run` names the run, -1 for other parts; `at` is the bigram's place in it)."""

    text: str
    run: int
    at: int


def _pieces(text: str) -> list[_Piece]:
    """Chinese and Japanese are written without spaces, so a CJK run is relaxed bigram by bigram, the
    way it is matched (`engine.lexical.analysis.cjk_bigrams`): "苹果手表" can drop "苹果" and keep "手表"."""
    pieces: list[_Piece] = []
    for run, part in enumerate(text.split()):
        if len(part) > 2 and is_cjk(part):
            pieces.extend(_Piece(part[i : i + 2], run, i) for i in range(len(part) - 1))
        else:
            pieces.append(_Piece(part, -1, 0))
    return pieces


def _text(pieces: list[_Piece]) -> str:
    """The pieces as a query: neighbouring bigrams of one run written as one word again ("手表" "表带"
    -> "手表带"), the rest separated by spaces."""
    out = ""
    for i, piece in enumerate(pieces):
        before = pieces[i - 1] if i else None
        joined = (
            before is not None and piece.run >= 0 and (piece.run, piece.at) == (before.run, before.at + 1)
        )
        out += piece.text[1:] if joined else (" " if out else "") + piece.text
    return out


def relaxed_query(
    lexical: LexicalIndex, text: str, filters: Filters, language: str = "english"
) -> str | None:
    """A relaxed query that matches where `text` matches nothing.

    First the words that match on their own (a typo beyond the tolerance, or a word the catalog does
    not have, is dropped). When every word matches alone but not together ("cat food" in a shop whose
    cat products never say "food"), the query without one word, then a single word: whichever matches
    the most products, so the shopper is offered the broadest sensible reading rather than nothing.
    Between readings that match as many, the one keeping the head noun, which names the kind of product:
    the last word in English ("backpacking stove" -> "stove", not "backpacking", which finds tents),
    the first in the `HEAD_FIRST_LANGUAGES` ("vino rosso" -> "vino"). Before the number of products
    comes what a preposition qualifies (`QUALIFYING`): the words before the first one are the thing
    asked for, those after it what it is for, so "helma na kolo" (a helmet for the bike) in a bicycle
    shop whose helmets never say "kolo" suggests "helma", not "kolo", which finds every bike and
    every part for one.
    A reading whose words match as written beats one that matches only through typo tolerance, however
    many products that finds: in a pet-and-hardware shop "dog food" suggests "dog" (a dog lead), not
    "food" (which reaches "wood" screws by one edit). A CJK run's words are its bigrams (`_pieces`).

    Before any of that, a query holding hiragana is read in katakana: a Japanese shopper on a phone
    often sends the kana as typed ("ふらいぱん") without converting it to the katakana the catalog
    writes ("フライパン"). The index keeps the two apart (folded together, short words would match
    inside others), so this is offered, never applied; where it matches nothing either, it is relaxed
    first ("ふらいぱん 36cm" -> "フライパン").
    """
    flt = None if filters.is_empty else filters
    katakana = text.translate(_KATAKANA)
    order = _Order(language in HEAD_FIRST_LANGUAGES, frozenset(QUALIFYING.get(language, ())))
    if katakana == text:
        return _relaxed(lexical, text, flt, order)
    if lexical.count_matching(MatchQuery(katakana, flt)) > 0:
        return katakana
    return _relaxed(lexical, katakana, flt, order) or _relaxed(lexical, text, flt, order)


class _Order(NamedTuple):
    """How the catalog language orders a query: head noun first, and its `QUALIFYING` prepositions."""

    head_first: bool
    prepositions: frozenset[str]


def _relaxed(lexical: LexicalIndex, text: str, flt: Filters | None, order: _Order) -> str | None:
    """`relaxed_query` without the katakana reading."""
    words = _pieces(text)

    counted: dict[tuple[str, bool], int] = {}  # each relaxation is asked of the backend once

    def count(words_: list[_Piece], typos: bool = True) -> int:
        key = (_text(words_), typos)
        if key not in counted:
            counted[key] = lexical.count_matching(MatchQuery(key[0], flt, typos=typos))
        return counted[key]

    qualified = _qualified(words, order.prepositions)

    def preference(words_: list[_Piece]) -> tuple[bool, int, int, int]:
        places = sum(words.index(w) for w in words_)  # later words kept: a higher sum
        qualifiers = sum(1 for w in words_ if words.index(w) >= qualified)
        return (
            count(words_, typos=False) > 0,
            -qualifiers,
            count(words_),
            -places if order.head_first else places,
        )

    kept = [w for w in words if count([w]) > 0]
    if not kept or len(kept) > MAX_RELAXED_WORDS:
        return None
    if len(kept) < len(words) and count(kept) > 0:
        return _text(kept) if _says_something(kept) else None
    shorter = [kept[:i] + kept[i + 1 :] for i in range(len(kept))] if len(kept) > 2 else []
    singles = [[w] for w in kept] if len(kept) > 1 else []
    for level in (shorter, singles):
        matching = [option for option in level if count(option) > 0 and _says_something(option)]
        if matching:
            best: list[_Piece] = max(matching, key=preference)
            return _text(best)
    return None


def _qualified(pieces: list[_Piece], prepositions: frozenset[str]) -> int:
    """Where the words a preposition qualifies begin: the place after the first of `prepositions` that
    follows a word ("helma na kolo": 2), past the end when there is none."""
    for place, piece in enumerate(pieces[1:], 1):
        if piece.text.lower() in prepositions:
            return place + 1
    return len(pieces)


def _says_something(pieces: list[_Piece]) -> bool:
    """Whether a relaxation keeps a word beside English function words: "Did you mean: the" is no
    answer to "the stranger". English titles turn up in catalogs of every language ("The Hobbit" in a
    German bookshop), where their "the" and "of" are words the index matches; in an English catalog
    they are stop words, which never match on their own anyway."""
    return any(piece.text.lower() not in ENGLISH_STOPWORDS for piece in pieces)
