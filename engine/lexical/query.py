"""OpenSearch query DSL for product search: ranking query, match-set query, `Filters` and facets.

Kept apart from the client code so the translation of `Filters` can be read (and tested) against
`Filters.matches`, the reference semantics both backends must agree with. The match-set query follows
`engine.lexical.matching` clause for clause like the embedded index's (`engine.lexical.tantivy_query`):
one clause per query word (its analysed terms in any searchable field, or a `fuzzy` term on `spell`
within the word's typo distance, or in a German or Dutch catalog a `regexp` on `spell` for the
compounds ending with it), `minimum_should_match` from `required_matches`, identifiers as
`terms` on `ident`, the caller's semantic ids as `ids`, the caller's near ids as `ids` that also match
`NEAR_WORDS` of the word clauses (scoring 0); the same constants order the members.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

from engine.lexical.analysis import is_cjk, tokenize
from engine.lexical.joined import JOINED_FIELD, JOINED_WEIGHT, may_be_joined
from engine.lexical.known_words import Spelt, held_to_one_edit
from engine.lexical.mapping import attribute_field
from engine.lexical.matching import (
    ATTRIBUTE_PREFIX,
    NEAR_WORDS,
    MatchQuery,
    QueryWord,
    SearchFields,
    identifier_candidates,
    identifier_prefixes,
    query_words,
)
from engine.lexical.query_spell import compound_clauses, spelling_clauses
from engine.lexical.readings import KnownTerms, Rewrite, query_rewrites
from engine.lexical.sizes import Units, unit_needs, unit_words
from engine.lexical.synonym_typos import misspelt_synonyms
from engine.lexical.synonyms import Expansions
from engine.lexical.title_head import in_head
from engine.records import BUYABLE, CATEGORY_SEPARATOR, Filters

_WORD = attrgetter("word")  # a query word as written: what `Units` names
_PLAIN_FIELDS = {
    "title": "title",
    "description": "description",
    "brand": "brand.text",
    "category": "category",
}
# The same constants as the embedded index's match query (engine.lexical.tantivy_query).
ATTRIBUTE_SCORE = 3.0
WORD_SCORE = 10.0
IDENTIFIER_PREFIX_SCORE = 50.0  # below an exact identifier (100), above any word match
AVAILABLE_VALUES = list(BUYABLE)  # what `Product.available` and a price sort's buyable side read
_MISSING = "None"  # what `Filters.matches` compares a missing attribute as


def search_fields(fields: SearchFields) -> list[str]:
    """`field^weight` for every searchable field."""
    return [
        f"{_PLAIN_FIELDS.get(name) or attribute_field(name)}^{weight:g}"
        for name, weight in fields.weights.items()
    ]


def text_query(
    query: str | None,
    fields: SearchFields | None = None,
    analyzer: Callable[[str], list[str]] | None = None,
    known: KnownTerms | None = None,
) -> dict[str, Any]:
    """BM25 over the search fields, summed over fields (like the embedded backend); None = all. With the
    catalog's `analyzer`, a German or Dutch catalog's compounds ending with a word score too, and with
    `known` (which terms the catalog has) a word it lacks scores the names written apart that it joins
    ("proplan" for "Pro Plan", `engine.lexical.joined`)."""
    if query is None:
        return {"match_all": {}}
    fields = fields or SearchFields()
    scored = {"multi_match": {"query": query, "fields": search_fields(fields), "type": "most_fields"}}
    words = may_be_joined(query_words(query, analyzer), known) if analyzer is not None else []
    extra = [clause for word in words for clause in compound_clauses(word, fields.language)]
    extra += [_joined(word) for word in words if word.joined]
    return {"bool": {"should": [scored, *extra], "minimum_should_match": 1}} if extra else scored


def _joined(word: QueryWord) -> dict[str, Any]:
    """A word matching the names' words written as one, scoring like a title word."""
    return {"match": {JOINED_FIELD: {"query": word.word, "boost": JOINED_WEIGHT}}}


def _word(word: QueryWord, fields: SearchFields) -> dict[str, Any]:
    text = word.terms[0] if is_cjk(word.word) else word.word
    plain = [
        f"{_PLAIN_FIELDS[n]}^{w:g}" for n, w in fields.weights.items() if not n.startswith(ATTRIBUTE_PREFIX)
    ]
    should: list[dict[str, Any]] = []
    if plain:
        should.append(
            {"multi_match": {"query": text, "fields": plain, "type": "most_fields", "operator": "and"}}
        )
    for name, weight in fields.weights.items():
        if name.startswith(ATTRIBUTE_PREFIX):
            exact = {"match": {attribute_field(name): {"query": text, "operator": "and"}}}
            should.append({"constant_score": {"filter": exact, "boost": ATTRIBUTE_SCORE * weight}})
    for alternative, _ in word.alternatives:  # synonyms: every word of the entry
        if plain:
            phrase = {"query": alternative, "fields": plain, "type": "cross_fields", "operator": "and"}
            should.append({"multi_match": phrase})
    should.extend(spelling_clauses(word, fields.language))
    if word.joined:  # "proplan" for the catalog's "Pro Plan" (`engine.lexical.joined`)
        should.append(_joined(word))
    clause = {"bool": {"should": should, "minimum_should_match": 1}}
    return {"bool": {"should": [clause, {"constant_score": {"filter": clause, "boost": WORD_SCORE}}]}}


def _needing(
    words: Sequence[QueryWord],
    units: Sequence[Sequence[str]],
    needed: int,
    fields: SearchFields,
    whole: Sequence[QueryWord] = (),
) -> dict[str, Any]:
    """Every word of `whole`, and `needed` of the `units` of `words` (a size's words all, a CJK run's
    most, or one word)."""
    body: dict[str, Any] = {}
    if whole:
        body["must"] = [_word(w, fields) for w in whole]
    clauses = []
    for group in unit_words(units, words, _WORD):
        parts = [_word(w, fields) for w in group]
        needs = unit_needs(group, _WORD)
        if len(parts) == 1:
            clauses.append(parts[0])
        elif needs == len(parts):
            clauses.append({"bool": {"must": parts}})
        else:
            clauses.append({"bool": {"should": parts, "minimum_should_match": needs}})
    if clauses:
        body["should"] = clauses
        body["minimum_should_match"] = needed
    return {"bool": body}


def _settled(
    words: list[QueryWord], synonyms: Expansions | None, spelt: Spelt | None, known: KnownTerms | None
) -> list[QueryWord]:
    """A query's words as the catalog reads them: long words held to one edit where it has them as
    written, a misspelt word with its synonyms, a name it writes apart marked joined (the embedded
    index's `QueryBuilder.words` does the same)."""
    return may_be_joined(misspelt_synonyms(held_to_one_edit(words, spelt), synonyms, known), known)


def _reading(
    rewrite: Rewrite,
    units: Units,
    match: MatchQuery,
    fields: SearchFields,
    analyzer: Callable[[str], list[str]],
    synonyms: Expansions | None,
    spelt: Spelt | None,
    known: KnownTerms | None,
) -> dict[str, Any] | None:
    """The membership clause of one reading of the query (`Rewrite`); None when it has no word."""
    typos = match.typos and rewrite.rest_typos
    replacement = may_be_joined(query_words(rewrite.replacement, analyzer, synonyms, typos=False), known)
    if not replacement:
        return None
    rest = query_words(rewrite.rest, analyzer, synonyms, match.prefix_last, typos) if rewrite.rest else []
    rest = _settled(rest, synonyms, spelt, known)
    left = units.rest([w.word for w in rest])
    whole = [*replacement, *(w for w in rest if w.word in left.whole)]
    return _needing(rest, left.units, left.needed, fields, whole)


def match_query(
    match: MatchQuery,
    fields: SearchFields,
    analyzer: Callable[[str], list[str]],
    synonyms: Expansions | None = None,
    known: KnownTerms | None = None,
    spelt: Spelt | None = None,
) -> dict[str, Any]:
    """The membership query of a match set, filters applied (see the module docstring); `known`: which
    analysed terms the catalog has, for the compounds of `split_rewrites` (none read without it);
    `spelt`: which words it has as written, held to one edit (`engine.lexical.known_words`)."""
    alternatives: list[dict[str, Any]] = []
    words = (
        query_words(match.text, analyzer, synonyms, match.prefix_last, match.typos)
        if match.text is not None
        else []
    )
    words = _settled(words, synonyms, spelt, known)
    if match.lexical and match.text is None:
        alternatives.append({"match_all": {}})
    elif match.lexical and match.text is not None:
        units = Units.of(tokenize(match.text), [w.word for w in words], match.every_word)
        if words:
            alternatives.append(_needing(words, units.units, units.needed, fields))
        for rewrite in query_rewrites(match.text, analyzer, synonyms, language=fields.language, known=known):
            reading = _reading(rewrite, units, match, fields, analyzer, synonyms, spelt, known)
            if reading is not None:
                alternatives.append(reading)
        idents = identifier_candidates(match.text)
        if idents:
            alternatives.append({"constant_score": {"filter": {"terms": {"ident": idents}}, "boost": 100.0}})
        for begin in identifier_prefixes(match.text) if match.prefix_last else []:
            begins = {"prefix": {"ident": {"value": begin}}}
            alternatives.append({"constant_score": {"filter": begins, "boost": IDENTIFIER_PREFIX_SCORE}})
    if match.also_ids:
        ids = {"ids": {"values": sorted(match.also_ids)}}
        alternatives.append({"constant_score": {"filter": ids, "boost": 0.0}})
    if match.near_ids and words:
        shared = {"bool": {"should": [_word(w, fields) for w in words], "minimum_should_match": NEAR_WORDS}}
        near = {"bool": {"filter": [{"ids": {"values": sorted(match.near_ids)}}, shared]}}
        alternatives.append({"constant_score": {"filter": near, "boost": 0.0}})
    must, must_not = filter_clauses(match.filters)
    body: dict[str, Any] = {"should": alternatives, "minimum_should_match": 1}
    if not alternatives:
        body = {"must": [{"match_none": {}}]}
    if must:
        body["filter"] = must
    if must_not:
        body["must_not"] = must_not
    return in_head({"bool": body}, match.head, words, known)


def attribute_clause(name: str, accepted: Sequence[str]) -> dict[str, Any]:
    has_value = {
        "nested": {
            "path": "attributes",
            "query": {
                "bool": {
                    "filter": [
                        {"term": {"attributes.name": name}},
                        {"terms": {"attributes.value": list(accepted)}},
                    ]
                }
            },
        }
    }
    if _MISSING not in accepted:
        return has_value
    has_name = {"nested": {"path": "attributes", "query": {"term": {"attributes.name": name}}}}
    return {"bool": {"should": [has_value, {"bool": {"must_not": [has_name]}}], "minimum_should_match": 1}}


def filter_clauses(filters: Filters | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(bool.filter, bool.must_not) clauses equivalent to `filters.matches`."""
    if filters is None or filters.is_empty:
        return [], []
    must: list[dict[str, Any]] = []
    must_not: list[dict[str, Any]] = []
    if filters.category:
        must.append({"term": {"category_prefixes": CATEGORY_SEPARATOR.join(filters.category)}})
    if filters.brands:
        must.append({"terms": {"brand": list(filters.brands)}})
    if filters.price_min is not None or filters.price_max is not None:
        bounds: dict[str, float] = {}
        if filters.price_min is not None:
            bounds["gte"] = filters.price_min
        if filters.price_max is not None:
            bounds["lte"] = filters.price_max
        must.append({"range": {"price": bounds}})
    if filters.available_only:
        must.append({"terms": {"availability": AVAILABLE_VALUES}})
    if filters.availability:
        must.append({"terms": {"availability": list(filters.availability)}})
    for name, accepted in filters.attributes.items():
        must.append(attribute_clause(name, accepted))
    if filters.exclude_ids:
        must_not.append({"ids": {"values": list(filters.exclude_ids)}})
    return must, must_not


def identifier_query(text: str, filters: Filters | None) -> dict[str, Any] | None:
    """The products whose identifier `text`, or a run of its parts, names exactly (the match query's
    identifier clause alone), under `filters`; None when the text holds no identifier form."""
    idents = identifier_candidates(text)
    if not idents:
        return None
    must, must_not = filter_clauses(filters)
    body: dict[str, Any] = {"filter": [{"terms": {"ident": idents}}, *must]}
    if must_not:
        body["must_not"] = must_not
    return {"bool": body}


def bool_query(
    query: str | None,
    filters: Filters | None,
    fields: SearchFields | None = None,
    analyzer: Callable[[str], list[str]] | None = None,
    known: KnownTerms | None = None,
) -> dict[str, Any]:
    must, must_not = filter_clauses(filters)
    body: dict[str, Any] = {"must": [text_query(query, fields, analyzer, known)]}
    if must:
        body["filter"] = must
    if must_not:
        body["must_not"] = must_not
    return {"bool": body}
