"""What a page says of a family it shows: its variants in the set and their price range, the head of a
WooCommerce family in neither, and a failing backend costing the ranges only."""

from __future__ import annotations

from collections.abc import Sequence

from engine.errors import BackendUnavailable
from engine.lexical.matching import MatchQuery
from engine.pipeline.family_view import family_view
from engine.records import Filters, Product, ScoredId


def member(pid: str, family: str | None, price: float) -> Product:
    return Product(pid, "Futter", price=price, attributes={"group": family} if family else {})


CATALOG = {
    p.id: p
    for p in (
        member("101", "101", 10.0),  # the head: the ingest gave it its variants' lowest price
        member("102", "101", 10.0),
        member("103", "101", 25.0),
        member("s1", "shirt", 30.0),
        member("s2", "shirt", 30.0),
        member("own", None, 5.0),
    )
}


class Members:
    """`match_page` over the catalog, by the filters' family values; or failing."""

    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.asked: list[MatchQuery] = []

    def match_page(self, match: MatchQuery, sort: str, offset: int, limit: int) -> list[ScoredId]:
        self.asked.append(match)
        if self.fail:
            raise BackendUnavailable("lexical", "down")
        filters = match.filters or Filters()
        return [ScoredId(p.id, 1.0) for p in CATALOG.values() if filters.matches(p)][offset : offset + limit]


def lookup(ids: Sequence[str]) -> dict[str, Product]:
    return {i: CATALOG[i] for i in ids}


SIZES = {"101": 3, "shirt": 2}
SHOWN = [CATALOG["101"], CATALOG["s1"], CATALOG["own"]]


def test_variants_and_ranges_leave_the_head_out() -> None:
    backend = Members()
    view = family_view(backend, lookup, MatchQuery("futter", Filters(brands=())), SHOWN, SIZES)
    assert view.variants == {"101": 2, "s1": 2, "own": 1}
    assert view.prices == {"101": (10.0, 25.0)}  # the shirts cost the same: no range
    assert len(backend.asked) == 1 and backend.asked[0].filters is not None
    assert backend.asked[0].filters.attributes == {"group": ("101", "shirt")}  # the page's families only


def test_a_failing_backend_costs_the_ranges_not_the_answer() -> None:
    view = family_view(Members(fail=True), lookup, MatchQuery("futter"), SHOWN, SIZES)
    assert view.variants == {"101": 3, "s1": 2, "own": 1} and view.prices == {}


def test_a_page_without_families_asks_nothing() -> None:
    backend = Members()
    view = family_view(backend, lookup, MatchQuery("futter"), [CATALOG["own"]], {})
    assert view.variants == {"own": 1} and backend.asked == []
