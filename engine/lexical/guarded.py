"""`GuardedLexical`: any `LexicalIndex` behind a circuit breaker (`engine.resilience`).

The gateway serves through it, so a hung or dead lexical backend fails calls at once after a few
timeouts; the search pipeline then answers from the dense side and readiness reports the lexical
check as failed within the breaker's refusal instead of waiting on a socket. `ping` never raises: an
open breaker answers False without asking the server.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

from engine.errors import BackendUnavailable
from engine.lexical.base import LexicalIndex
from engine.lexical.facets import PRICE_EDGES
from engine.lexical.matching import MatchQuery
from engine.records import FacetCounts, Filters, MemberHits, Product, ScoredId
from engine.resilience import OPEN, CircuitBreaker


class GuardedLexical:
    def __init__(self, inner: LexicalIndex, breaker: CircuitBreaker) -> None:
        self.inner = inner
        self.breaker = breaker

    def search(self, query: str, k: int, filters: Filters | None = None) -> list[ScoredId]:
        return self.breaker.call(self.inner.search, query, k, filters)

    def search_members(self, match: MatchQuery, k: int) -> MemberHits:
        return self.breaker.call(self.inner.search_members, match, k)

    def search_with_members(self, query: str, k: int, match: MatchQuery) -> tuple[list[ScoredId], MemberHits]:
        return self.breaker.call(self.inner.search_with_members, query, k, match)

    def count_matching(self, match: MatchQuery) -> int:
        return self.breaker.call(self.inner.count_matching, match)

    def family_sizes(
        self, match: MatchQuery, members: Collection[str] | None = None
    ) -> dict[str, int] | None:
        return self.breaker.call(self.inner.family_sizes, match, members)

    def match_ids(self, match: MatchQuery, within: Sequence[str] | None = None) -> set[str]:
        return self.breaker.call(self.inner.match_ids, match, within)

    def match_page(self, match: MatchQuery, sort: str, offset: int, limit: int) -> list[ScoredId]:
        return self.breaker.call(self.inner.match_page, match, sort, offset, limit)

    def facets(
        self,
        match: MatchQuery,
        fields: Sequence[str],
        size: int = 20,
        price_edges: Sequence[float] = PRICE_EDGES,
        families: bool = False,
    ) -> FacetCounts:
        return self.breaker.call(self.inner.facets, match, fields, size, price_edges, families)

    def filter_ids(self, filters: Filters) -> set[str]:
        return self.breaker.call(self.inner.filter_ids, filters)

    def get(self, ids: Sequence[str]) -> dict[str, Product]:
        return self.breaker.call(self.inner.get, ids)

    def upsert(self, products: Sequence[Product]) -> None:
        self.breaker.call(self.inner.upsert, products)

    def delete(self, ids: Sequence[str]) -> int:
        return self.breaker.call(self.inner.delete, ids)

    def rebuild(self, products: Iterable[Product]) -> int:
        return self.breaker.call(self.inner.rebuild, products)

    def stage(self, products: Iterable[Product]) -> tuple[str, int]:
        return self.breaker.call(self.inner.stage, products)

    def publish(self, name: str, keep: Iterable[str] = ()) -> None:
        self.breaker.call(self.inner.publish, name, keep)

    def use(self, name: str | None) -> None:
        """Not through the breaker: choosing the generation to read asks no server."""
        self.inner.use(name)

    def count(self) -> int:
        return self.breaker.call(self.inner.count)

    def all_ids(self) -> set[str]:
        return self.breaker.call(self.inner.all_ids)

    def refresh(self) -> None:
        self.breaker.call(self.inner.refresh)

    def ping(self) -> bool:
        """False while the breaker is open; otherwise the backend's own ping, which counts as a call."""
        if self.breaker.state == OPEN:
            return False

        def ping() -> bool:
            if not self.inner.ping():
                raise BackendUnavailable(self.breaker.backend, "ping failed")
            return True

        try:
            return self.breaker.call(ping)
        except BackendUnavailable:
            return False

    def close(self) -> None:
        close = getattr(self.inner, "close", None)
        if close is not None:
            close()
