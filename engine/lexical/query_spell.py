"""OpenSearch clauses on the `spell` field, the words as written: typos, unfinished words, dimensions
begun and compounds.

The counterpart of the embedded index's `engine.lexical.tantivy_spell`: `fuzzy`, `prefix` and `regexp`
term queries where tantivy has its spell index or automaton. Every clause scores the constant
`TYPO_SCORE`, so a word matched through its spelling ranks below one matched as analysed.
"""

from __future__ import annotations

from typing import Any

from engine.lexical.matching import MIN_COMPOUND_MODIFIER, QueryWord, compound_ends, spell_forms
from engine.lexical.sizes import dimension_start

TYPO_SCORE = 1.0  # the embedded index's too (engine.lexical.tantivy_spell)


def spelling_clauses(word: QueryWord, language: str) -> list[dict[str, Any]]:
    """The word's typos within its distance, the words it begins (the unfinished last word), the
    dimensions a number begins (`dimension_start`) and the compounds it ends (`compound_ends`), as far as
    each applies."""
    clauses = []
    for form in spell_forms(word.word) if word.typos or word.prefix else ():
        if word.typos:
            clauses.append(
                {"fuzzy": {"spell": {"value": form, "fuzziness": word.typos, "transpositions": True}}}
            )
        if word.prefix:
            clauses.append({"prefix": {"spell": {"value": form}}})
    if (start := dimension_start(word.word)) is not None:  # "29" also finds "29x2.25"
        clauses.append({"prefix": {"spell": {"value": start}}})
    return [_constant(clause) for clause in clauses] + compound_clauses(word, language)


def compound_clauses(word: QueryWord, language: str) -> list[dict[str, Any]]:
    """Only the compounds the word ends (what the ranking query adds to its BM25 terms)."""
    return [_constant(_ending(end)) for end in compound_ends(word, language)]


def _constant(clause: dict[str, Any]) -> dict[str, Any]:
    return {"constant_score": {"filter": clause, "boost": TYPO_SCORE}}


def _ending(end: str) -> dict[str, Any]:
    escaped = "".join(c if c.isalnum() else "\\" + c for c in end)  # Lucene's regexp operators
    return {"regexp": {"spell": {"value": f".{{{MIN_COMPOUND_MODIFIER},}}{escaped}"}}}
