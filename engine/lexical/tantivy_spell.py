"""Clauses of the embedded index on its `spell` field, the words as written: typos, unfinished words and
compounds.

Each clause is a disjunction of the terms the spell index names (`engine.lexical.typo_terms`), a third
of what tantivy's automaton costs, or that automaton (fuzzy, prefix, regex) while the index is being
built or when a word reaches too many terms: a word new to the catalog is never missed. Every clause
scores the constant `TYPO_SCORE`, so a word matched through its spelling ranks below one matched as
analysed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from engine.lexical.matching import MIN_COMPOUND_MODIFIER
from engine.lexical.tantivy_schema import tantivy

Terms = Callable[[str], tuple[str, ...] | None]
TYPO_SCORE = 1.0


class SpellClauses:
    """`typo_terms(form, distance)`, `prefixed_terms(begin)` and `ending_terms(end)` name the `spell`
    terms within a distance of a form, that begin with it or that end with it (None: not known now)."""

    def __init__(
        self,
        schema: Any,
        typo_terms: Callable[[str, int], tuple[str, ...] | None],
        prefixed_terms: Terms,
        ending_terms: Terms,
    ) -> None:
        self.schema = schema
        self.typo_terms = typo_terms
        self.prefixed_terms = prefixed_terms
        self.ending_terms = ending_terms

    def typo(self, form: str, distance: int) -> Any:
        """The spellings within `distance` edits of one of a word's `spell_forms`."""
        terms = self.typo_terms(form, distance)
        if terms is None:
            return self._constant(
                tantivy.Query.fuzzy_term_query(self.schema, "spell", form, distance, True, False)
            )
        return self._terms(terms)

    def begins(self, form: str) -> Any:
        """The words as written that `form` begins (search as you type)."""
        terms = self.prefixed_terms(form)
        if terms is None:
            return self._constant(tantivy.Query.fuzzy_term_query(self.schema, "spell", form, 0, True, True))
        return self._terms(terms)

    def ends(self, end: str) -> Any:
        """The words as written that end with `end` after `MIN_COMPOUND_MODIFIER` letters (compounds)."""
        terms = self.ending_terms(end)
        if terms is None:
            pattern = f".{{{MIN_COMPOUND_MODIFIER},}}{re.escape(end)}"
            return self._constant(tantivy.Query.regex_query(self.schema, "spell", pattern))
        return self._terms(terms)

    def _terms(self, terms: Sequence[str]) -> Any:
        if not terms:
            return tantivy.Query.empty_query()
        spelt = [(tantivy.Occur.Should, tantivy.Query.term_query(self.schema, "spell", t)) for t in terms]
        return self._constant(tantivy.Query.boolean_query(spelt))

    @staticmethod
    def _constant(query: Any) -> Any:
        return tantivy.Query.const_score_query(query, TYPO_SCORE)
