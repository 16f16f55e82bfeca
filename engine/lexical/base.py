"""The lexical index protocol: BM25 search with filters and facets, plus the writes the indexer needs.

Implementations: `engine.lexical.opensearch` (production; an alias over physical indexes so full
rebuilds switch atomically) and `engine.lexical.embedded` (tantivy under the data directory, the default
when no OpenSearch URL is configured). `engine.lexical.factory` picks one.

Two kinds of text query: `search` ranks candidates (any query term, BM25 over the weighted searchable
fields); the `MatchQuery` methods answer over a search's match set, defined in `engine.lexical.matching`
(all words with minimum-should-match and typo tolerance, identifiers exactly, plus the ids the caller
adds), so `total`, facets, price sort and deep pages are exact at any size. `search_members` joins the
two: the candidates ranked as `search` ranks them, among the match set's lexical members, with their
count, which is what a search's lexical side needs in one backend query.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Protocol, runtime_checkable

from engine.lexical.facets import PRICE_EDGES
from engine.lexical.matching import MatchQuery
from engine.records import FacetCounts, Filters, MemberHits, Product, ScoredId


@runtime_checkable
class LexicalIndex(Protocol):
    def search(self, query: str, k: int, filters: Filters | None = None) -> list[ScoredId]:
        """Top-k products by weighted BM25 over the searchable fields (any term), filters applied."""
        ...

    def search_members(self, match: MatchQuery, k: int) -> MemberHits:
        """Top-k lexical members of `match` (its text's words under its rules, filters applied; its
        `also_ids` and `near_ids` are not asked) ordered by `search`'s BM25 score, plus how many lexical
        members there are: the candidates and the lexical count of a search in one backend query."""
        ...

    def search_with_members(self, query: str, k: int, match: MatchQuery) -> tuple[list[ScoredId], MemberHits]:
        """`search(query, k, match.filters)` and `search_members(match, k)` in one call: a search's
        lexical side (the embedded backend builds the ranking query once for both), with the members'
        `identified` filled in (the products `match.text` names by an exact identifier)."""
        ...

    def count_matching(self, match: MatchQuery) -> int:
        """Size of the match set."""
        ...

    def family_sizes(
        self, match: MatchQuery, members: Collection[str] | None = None
    ) -> dict[str, int] | None:
        """How many members of the match set each product family has ({family key: count}, families
        with none left out; the key is `Product.family`), or None when no product of the index names a
        family, so a catalog without variants pays nothing for showing each family once. `members`: the
        set's ids where the caller knows them all, so the backend counts those instead of evaluating
        the set's query again."""
        ...

    def match_ids(self, match: MatchQuery, within: Sequence[str] | None = None) -> set[str]:
        """Ids in the match set; with `within`, only those of these ids that are in it."""
        ...

    def match_page(self, match: MatchQuery, sort: str, offset: int, limit: int) -> list[ScoredId]:
        """Members of the match set from `offset`, ordered by lexical score ("relevance") or by price
        ("price_asc" / "price_desc", products without a price last)."""
        ...

    def facets(
        self,
        match: MatchQuery,
        fields: Sequence[str],
        size: int = 20,
        price_edges: Sequence[float] = PRICE_EDGES,
        families: bool = False,
    ) -> FacetCounts:
        """Facet counts over the match set: products per value, or with `families` the product families
        with a member there per value (a product without a family is one), exact on both backends
        (`engine.lexical.family_facets`)."""
        ...

    def filter_ids(self, filters: Filters) -> set[str]:
        """Ids of every product that passes `filters` (used to filter dense retrieval exactly)."""
        ...

    def get(self, ids: Sequence[str]) -> dict[str, Product]:
        """Stored products by id; unknown ids are absent from the result."""
        ...

    def upsert(self, products: Sequence[Product]) -> None:
        """Insert or replace products in the serving index; visible to search when this returns."""
        ...

    def delete(self, ids: Sequence[str]) -> int:
        """Remove products from the serving index; returns how many existed."""
        ...

    def rebuild(self, products: Iterable[Product]) -> int:
        """Write all products into a new physical index and switch serving to it atomically.

        Until the switch, searches keep hitting the old index; a failure leaves it serving. Returns the
        number of products written.
        """
        ...

    def stage(self, products: Iterable[Product]) -> tuple[str, int]:
        """Write all products into a new physical generation that nothing serves yet; returns (its
        name, the number written). A failure removes it. `rebuild` is `stage` + `publish`; a full
        ingest commits the catalog manifest naming the staged generation in between (`indexer.build`),
        so lexical and vectors switch as one."""
        ...

    def publish(self, name: str, keep: Iterable[str] = ()) -> None:
        """Make generation `name` the one this index's own pointer (folder pointer, alias) names, then
        delete every other generation not in `keep`: the previous one stays for readers still on it,
        orphans of killed builds go."""
        ...

    def use(self, name: str | None) -> None:
        """Read and write generation `name` from now on instead of the one the index's own pointer
        names (None: follow the pointer). Readers of the catalog use the generation its manifest names."""
        ...

    def count(self) -> int: ...

    def all_ids(self) -> set[str]: ...

    def refresh(self) -> None:
        """Make writes committed by other processes visible to reads now, not at the next periodic check
        (the gateway calls it when the catalog manifest moved, before it refills its product cache)."""
        ...

    def ping(self) -> bool:
        """True when the backend answers (the gateway's /readyz and degraded mode use it)."""
        ...
