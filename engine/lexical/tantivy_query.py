"""tantivy queries of the embedded index: ranking, the match set (`engine.lexical.matching`), filters.

Two text queries:

- `ranking_query` scores candidates for the fusion stage like the OpenSearch `most_fields` query: for
  every query term and searchable field, BM25 times the field's weight, summed; a product needs one
  term. Attribute fields (author, format, ...) score a constant `ATTRIBUTE_SCORE` per weight: they are
  sparse (most products lack a given attribute), and tantivy averages field lengths over every
  document, which would make their BM25 vanish. A word whose terms occur nowhere in the catalog is
  looked up with its typo distance instead (a constant `TYPO_SCORE`, about the BM25 of a common word),
  so a misspelt word still finds candidates while known words rank exactly as typed. In a German or
  Dutch catalog a word also scores the compounds ending with it (`compound_ends`), at `TYPO_SCORE`.
- `match_query` decides membership: the minimum-should-match rule over the query's units (a size is
  one, `engine.lexical.sizes`; a word: its terms in any searchable field, or a spelling within its typo
  distance), or an identifier equal to the query; plus the ids the caller adds (semantic matches),
  plus the caller's near ids that match `NEAR_WORDS` of the words (scoring nothing, like semantic
  members). Its scores order the members no ranker saw: by the number of query words matched
  (`WORD_SCORE` each), then BM25; exact terms outrank corrected ones because a correction adds a small
  constant and an exact term its BM25.

Filters become non-scoring clauses with `Filters.matches` semantics (`engine.lexical.tantivy_filters`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from operator import attrgetter
from typing import Any

from engine.lexical.analysis import tokenize
from engine.lexical.joined import JOINED_FIELD, JOINED_WEIGHT, may_be_joined
from engine.lexical.known_words import Spelt, held_to_one_edit
from engine.lexical.matching import (
    ATTRIBUTE_PREFIX,
    NEAR_WORDS,
    MatchQuery,
    QueryWord,
    SearchFields,
    compound_ends,
    identifier_candidates,
    identifier_prefixes,
    query_words,
    spell_forms,
)
from engine.lexical.query import IDENTIFIER_PREFIX_SCORE
from engine.lexical.readings import Rewrite, phrase_rewrites, query_rewrites, size_rewrites
from engine.lexical.sizes import Units, dimension_start, unit_needs, unit_words
from engine.lexical.synonym_typos import misspelt_synonyms
from engine.lexical.synonyms import Expansions
from engine.lexical.tantivy_filters import filtered
from engine.lexical.tantivy_schema import field_name, tantivy
from engine.lexical.tantivy_spell import SpellClauses
from engine.lexical.title_head import HEAD_FIELD, head_words
from engine.records import Filters

Occur = tantivy.Occur
Query = tantivy.Query
_WORD = attrgetter("word")  # a query word as written: what `Units` names
ATTRIBUTE_SCORE = 3.0
WORD_SCORE = 10.0


class QueryBuilder:
    def __init__(
        self,
        schema: Any,
        fields: SearchFields,
        analyzer: Callable[[str], list[str]],
        synonyms: Callable[[], Expansions] = dict,
        known: Callable[[str], bool] = lambda term: True,
        typo_terms: Callable[[str, int], tuple[str, ...] | None] = lambda word, distance: None,
        prefixed_terms: Callable[[str], tuple[str, ...] | None] = lambda begin: None,
        identifiers: Callable[[list[str]], list[str]] = lambda forms: forms,
        ending_terms: Callable[[str], tuple[str, ...] | None] = lambda end: None,
        spelt: Spelt | None = None,
        joined: bool = False,
        head: bool = False,
    ) -> None:
        self.schema = schema
        self.fields = fields
        self.analyzer = analyzer
        self.synonyms = synonyms
        self.known = known  # whether an analysed term occurs in some product's searchable fields
        self.spell = SpellClauses(schema, typo_terms, prefixed_terms, ending_terms)
        # The normalised identifier forms some product has (`Generation.identifiers`); all: not known
        self.identifiers = identifiers
        self.spelt = spelt  # the forms some product has as written (`engine.lexical.known_words`)
        self.joined = joined  # the index has the names' words written as one (`engine.lexical.joined`)
        self.head = head  # the index has the titles' heads (`engine.lexical.title_head`)

    def words(self, text: str, prefix_last: bool = False, typos: bool = True) -> list[QueryWord]:
        table = self.synonyms()
        words = held_to_one_edit(query_words(text, self.analyzer, table, prefix_last, typos), self.spelt)
        words = misspelt_synonyms(words, table, self._known)
        return may_be_joined(words, self._known) if self.joined else words

    # --- text ---------------------------------------------------------------------------------------
    def _term(self, name: str, term: str, weight: float) -> Any:
        query = Query.term_query(self.schema, field_name(name), term)
        if name.startswith(ATTRIBUTE_PREFIX):
            return Query.const_score_query(query, ATTRIBUTE_SCORE * weight)
        return Query.boost_query(query, weight)

    def _word(self, word: QueryWord, exact: bool, typos: bool) -> Any:
        clauses = []
        if exact:
            for name, weight in self.fields.weights.items():
                for term in word.terms:
                    clauses.append((Occur.Should, self._term(name, term, weight)))
            for _, phrase in word.alternatives:  # synonyms: every word of the entry, in any field
                weights = self.fields.weights.items()
                each = [[(Occur.Should, self._term(n, t, w)) for n, w in weights] for t in phrase]
                must = [(Occur.Must, Query.boolean_query(clause)) for clause in each]
                clauses.append((Occur.Should, Query.boolean_query(must)))
        if word.joined:  # "proplan" for the catalog's "Pro Plan"
            for term in word.terms:
                joined = Query.term_query(self.schema, JOINED_FIELD, term)
                clauses.append((Occur.Should, Query.boost_query(joined, JOINED_WEIGHT)))
        for form in spell_forms(word.word) if (typos and word.typos) or word.prefix else ():
            if typos and word.typos:
                clauses.append((Occur.Should, self.spell.typo(form, word.typos)))
            if word.prefix:
                clauses.append((Occur.Should, self.spell.begins(form)))
        clauses.extend(
            (Occur.Should, self.spell.ends(end)) for end in compound_ends(word, self.fields.language)
        )
        if (start := dimension_start(word.word)) is not None:  # "29" also finds "29x2.25"
            clauses.append((Occur.Should, self.spell.begins(start)))
        return Query.boolean_query(clauses)

    @staticmethod
    def _counted(word: Any) -> Any:
        """A word's clause plus `WORD_SCORE` when it matches: members matching more words come first."""
        return Query.boolean_query(
            [(Occur.Should, word), (Occur.Should, Query.const_score_query(word, WORD_SCORE))]
        )

    def ranking_query(self, text: str, known: Callable[[str], bool]) -> Any | None:
        """Scoring query for candidate retrieval; None when the text has no searchable term."""
        words = self.words(text)
        if not words:
            return None
        groups = []
        for word in words:
            unknown = not any(known(term) for term in word.terms) and not word.alternatives
            groups.append((Occur.Should, self._word(word, exact=not unknown, typos=unknown)))
        for rewrite in phrase_rewrites(text, self.analyzer, self.synonyms()):  # a synonym's entries score
            each = [
                (Occur.Should, self._word(w, exact=True, typos=False))
                for w in self.words(rewrite.replacement)
            ]
            if each:
                groups.append((Occur.Should, Query.boolean_query(each)))
        own = {term for word in words for term in word.terms}
        for rewrite in size_rewrites(text, self.analyzer):  # "18v" scores the catalog's "18-Volt" too
            each = [
                (Occur.Should, self._word(w, exact=True, typos=False))
                for w in self.words(rewrite.replacement)
                if not own.issuperset(w.terms)
            ]
            if each:
                groups.append((Occur.Should, Query.boolean_query(each)))
        return Query.boolean_query(groups)

    def _known(self, terms: Collection[str]) -> set[str]:
        return {term for term in terms if self.known(term)}

    def _may_match(self, replacement: list[QueryWord]) -> bool:
        """Whether a reading's replacement words, matched without typos, can match anything: every one
        (all are required) has a term some product has, or is a synonym. "18 volt" in a catalog without
        "volt" is skipped, as is a joined word no product has."""
        return bool(replacement) and all(w.alternatives or any(map(self.known, w.terms)) for w in replacement)

    def _needing(
        self,
        words: list[QueryWord],
        units: Sequence[Sequence[str]],
        needed: int,
        counted: Callable[[Any], Any],
        whole: Sequence[QueryWord] = (),
    ) -> Any:
        """Every word of `whole`, and `needed` of the `units` of `words` (a size's words all, a CJK run's
        most, or one word)."""
        clauses = [(Occur.Must, counted(self._word(w, exact=True, typos=True))) for w in whole]
        alternatives = []
        for group in unit_words(units, words, _WORD):
            parts = [counted(self._word(w, exact=True, typos=True)) for w in group]
            needs = unit_needs(group, _WORD)
            if len(parts) == 1:
                one = parts[0]
            elif needs == len(parts):
                one = Query.boolean_query([(Occur.Must, p) for p in parts])
            else:
                one = Query.boolean_query([(Occur.Should, p) for p in parts], needs)
            alternatives.append((Occur.Should, one))
        if alternatives:
            occur = Occur.Must if needed else Occur.Should
            clauses.append((occur, Query.boolean_query(alternatives, needed)))
        return Query.boolean_query(clauses)

    def _reading(
        self, rewrite: Rewrite, replacement: list[QueryWord], units: Units, match: MatchQuery, counted: Any
    ) -> Any:
        """The membership clause of one reading of the query (`Rewrite`, its replacement's words
        analysed without typos)."""
        typos = match.typos and rewrite.rest_typos
        rest = self.words(rewrite.rest, match.prefix_last, typos) if rewrite.rest else []
        left = units.rest([w.word for w in rest])
        whole = [*replacement, *(w for w in rest if w.word in left.whole)]
        return self._needing(rest, left.units, left.needed, counted, whole)

    def match_query(self, match: MatchQuery, scored: bool = True) -> Any:
        """Membership query of a match set (filters applied).

        `scored=False` gives the same members for a caller that only asks which products match (counts,
        membership, a filter under the ranking query): each word's clause is built once instead of
        twice (the `WORD_SCORE` copy evaluates its typo automaton again), about a third of the query's
        cost on a catalog of tens of thousands of products."""
        counted = self._counted if scored else (lambda word: word)
        alternatives = []
        words = self.words(match.text, match.prefix_last, match.typos) if match.text is not None else []
        if match.lexical and match.text is None:
            alternatives.append((Occur.Should, Query.all_query()))
        elif match.lexical and match.text is not None:
            units = Units.of(tokenize(match.text), [w.word for w in words], match.every_word)
            if words:
                alternatives.append((Occur.Should, self._needing(words, units.units, units.needed, counted)))
            table = self.synonyms()
            language = self.fields.language
            for rewrite in query_rewrites(
                match.text, self.analyzer, table, language=language, known=self._known
            ):
                replacement = self.words(rewrite.replacement, typos=False)
                if self._may_match(replacement):  # else the reading matches nothing: skip its cost
                    reading = self._reading(rewrite, replacement, units, match, counted)
                    alternatives.append((Occur.Should, reading))
            idents = self.identifiers(identifier_candidates(match.text))
            if idents:
                ident = Query.term_set_query(self.schema, "ident", idents)
                alternatives.append((Occur.Should, Query.const_score_query(ident, 100.0)))
            for begin in identifier_prefixes(match.text) if match.prefix_last else []:
                ident = Query.fuzzy_term_query(self.schema, "ident", begin, 0, True, True)
                alternatives.append((Occur.Should, Query.const_score_query(ident, IDENTIFIER_PREFIX_SCORE)))
        if match.also_ids:
            ids = Query.term_set_query(self.schema, "id", sorted(match.also_ids))
            alternatives.append((Occur.Should, Query.const_score_query(ids, 0.0)))
        if match.near_ids and words:
            alternatives.append((Occur.Should, self._near(words, match.near_ids)))
        base = Query.boolean_query(alternatives) if alternatives else Query.empty_query()
        if match.head is not None:
            base = self._in_head(base, match.head, words)
        return self.filtered(base, match.filters)

    def _in_head(self, base: Any, wanted: bool, words: list[QueryWord]) -> Any:
        """`base` narrowed to the members whose title head holds every `head_words` word (`wanted`) or
        to the others (`engine.lexical.title_head.in_head` on OpenSearch); without such a word, or in an
        index written before heads, every member is of the first part."""
        asked = head_words(words, self._known({t for w in words for t in w.terms})) if self.head else []
        if not asked:
            return base if wanted else Query.empty_query()
        each = []
        for word in asked:
            ways = [word.terms, *(terms for _, terms in word.alternatives if terms)]
            every = [Query.boolean_query([(Occur.Must, self._head_term(t)) for t in way]) for way in ways]
            each.append((Occur.Must, Query.boolean_query([(Occur.Should, one) for one in every])))
        head = Query.const_score_query(Query.boolean_query(each), 0.0)
        return Query.boolean_query([(Occur.Must, base), (Occur.Must if wanted else Occur.MustNot, head)])

    def _head_term(self, term: str) -> Any:
        return Query.term_query(self.schema, HEAD_FIELD, term)

    def _near(self, words: list[QueryWord], near_ids: frozenset[str]) -> Any:
        """The products of `near_ids` that match `NEAR_WORDS` of `words`, scoring 0 (ordered like
        semantic members)."""
        shared = [(Occur.Should, self._word(w, exact=True, typos=True)) for w in words]
        ids = Query.term_set_query(self.schema, "id", sorted(near_ids))
        near = Query.boolean_query(
            [(Occur.Must, ids), (Occur.Must, Query.boolean_query(shared, min(NEAR_WORDS, len(shared))))]
        )
        return Query.const_score_query(near, 0.0)

    def identifier_query(self, idents: Sequence[str], filters: Filters | None) -> Any | None:
        """The products whose identifier is one of `idents` (normalised forms: `identifier_candidates`
        of a query, the match query's identifier clause alone), under `filters`; None without forms."""
        if not idents:
            return None
        return self.filtered(Query.term_set_query(self.schema, "ident", list(idents)), filters)

    def ranked_members(self, match: MatchQuery, ranking: Any | None) -> Any:
        """The lexical members of `match` scored by `ranking` (the candidate query): membership is a
        non-scoring clause, so a member scores exactly what `ranking` gives it (0 when it matched only
        through a typo or an identifier the ranking query does not hold)."""
        members = Query.const_score_query(self.match_query(match, scored=False), 0.0)
        if ranking is None:
            return members
        return Query.boolean_query([(Occur.Must, members), (Occur.Should, ranking)])

    def filtered(self, query: Any, filters: Filters | None) -> Any:
        """`query` under `filters` (`engine.lexical.tantivy_filters`)."""
        return filtered(self.schema, query, filters)
