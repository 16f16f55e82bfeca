"""A title's head: its words before the first preposition, what the product *is* rather than what it
is for.

"Zámek na kolo U Ocel 18 mm" (a lock for the bike) is a lock, "Montážní stojan na kolo" a repair stand,
"Ink cartridges for fountain pens" ink: each title says "kolo" or "pens", so each is a member of the
match set of "kolo" or "pens", as it should be (the shopper may want the lock too). Under a relevance
sort the ranker puts the bikes first; under a price sort nothing did, and "kolo" sorted by lowest price
began with an inner tube, a cable lock and a rear light. So the lexical index keeps each product's head
in a field of its own (`HEAD_FIELD`, analysed like the title), and a price sort lists first the members
whose head holds every query word (`MatchQuery.head`, `engine.pipeline.price_order`), then the other
members, each part in the order asked for. `total`, facets and the set are untouched: only the order
of a price sort's pages.

A product's head also holds its variant (`Product.variant`: "Negro / L"), which says what the product
is as much as its title does: "arnés negro L" asks for the harness "Arnés Julius-K9 IDC Power para
perros" whose variant is "Negro / L" (`product_head`).

The prepositions are the catalog language's ones that begin what qualifies a noun (`QUALIFYING`), the
same the "Did you mean" of an empty answer drops first (`engine.pipeline.relax`). A title that begins
with one, or a language without the table (Turkish puts its postpositions after the qualifier,
Japanese has particles), keeps its whole title as its head.

Query words the catalog does not have as typed (a typo matched through the tolerance, a misspelt word
matched through its synonyms) are not asked of the head (`head_words`): the head holds words as
written, and asking for a typo would leave every member in the second part.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import Any

from engine.lexical.analysis import is_cjk
from engine.lexical.matching import QueryWord
from engine.lexical.readings import KnownTerms
from engine.records import Product

HEAD_FIELD = "head"
# Prepositions that end a noun phrase's head and begin what qualifies it, by catalog language: "helma
# na kolo" (a helmet for the bike), "materac do łóżka", "case for iphone", "housse pour canapé".
QUALIFYING = {
    "english": ("for", "with"), "german": ("für", "mit"), "french": ("pour", "avec"),
    "spanish": ("para", "con"), "italian": ("per", "con"), "dutch": ("voor", "met"),
    "portuguese": ("para", "com"), "swedish": ("för", "med", "till"), "danish": ("til", "med", "for"),
    "norwegian": ("til", "med", "for"), "russian": ("для", "на", "с"), "polish": ("do", "na", "dla", "z"),
    "czech": ("na", "pro", "do", "k", "ke", "s", "se"),
}  # fmt: skip


@lru_cache(maxsize=32)
def _preposition(language: str) -> re.Pattern[str] | None:
    words = QUALIFYING.get(language)
    if not words:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)", re.IGNORECASE)


def title_head(title: str, language: str) -> str:
    """`title` up to its first preposition of `language` ("Zámek na kolo U" -> "Zámek"); the whole
    title where none follows a word."""
    pattern = _preposition(language)
    if pattern is None:
        return title
    for found in pattern.finditer(title):
        head = title[: found.start()]
        if any(c.isalnum() for c in head):
            return head
    return title


def product_head(product: Product, language: str) -> str:
    """What `HEAD_FIELD` holds for `product`: its title's head (`title_head`) and its variant."""
    head = title_head(product.title, language)
    variant = product.variant
    return f"{head} {variant}" if variant else head


def head_words(words: Sequence[QueryWord], known: Collection[str]) -> list[QueryWord]:
    """The query words a head must hold: those with analysed terms that the catalog has as typed
    (`known`: the analysed terms some product has, among the words' terms)."""
    return [w for w in words if w.terms and all(term in known for term in w.terms)]


def in_head(
    query: dict[str, Any], wanted: bool | None, words: Sequence[QueryWord], known: KnownTerms | None
) -> dict[str, Any]:
    """OpenSearch: `query` narrowed to the members whose head holds every `head_words` word (`wanted`
    True) or to the others (False; None: not narrowed). Without such a word every member is of the
    first part, as where `known` (which terms the catalog has) is not given."""
    if wanted is None:
        return query
    asked = head_words(words, known([t for w in words for t in w.terms])) if known is not None else []
    clause = head_clause(asked)
    if clause is None:
        return query if wanted else {"match_none": {}}
    return {"bool": {"must": [query], ("filter" if wanted else "must_not"): [clause]}}


def head_clause(words: Sequence[QueryWord]) -> dict[str, Any] | None:
    """OpenSearch: every word in `HEAD_FIELD`, as written (analysed there like the title) or as one of
    its synonym entries, all of the entry's words; a CJK word as its bigram, as the match query reads
    it; None without words (the embedded index's `QueryBuilder._in_head` is the same clause)."""
    if not words:
        return None
    each = []
    for word in words:
        written = word.terms[0] if is_cjk(word.word) else word.word
        ways = [_every_word(text) for text in (written, *(entry for entry, _ in word.alternatives))]
        each.append(ways[0] if len(ways) == 1 else {"bool": {"should": ways, "minimum_should_match": 1}})
    return {"bool": {"filter": each}}


def _every_word(text: str) -> dict[str, Any]:
    return {"match": {HEAD_FIELD: {"query": text, "operator": "and"}}}
