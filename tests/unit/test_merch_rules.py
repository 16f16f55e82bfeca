"""Merchandising rules: validation (the field is named, nothing half-built), storage, and the stage."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from engine.errors import InvalidInput
from engine.merch.rules import RuleSet, normalise_query
from engine.merch.store import RuleStore
from engine.pipeline.merchandise import Merchandiser
from engine.pipeline.types import RankedHit, SearchQuery
from engine.ranking.features import CandidateSignals
from engine.records import Filters, Product


def product(pid: str, brand: str = "Acme", price: float = 10.0, availability: str = "in_stock") -> Product:
    return Product(
        pid, f"title {pid}", brand=brand, category=("Books", brand), price=price, availability=availability
    )


CATALOG = {
    p.id: p
    for p in [
        product("a"),
        product("b", brand="Kobo", price=99.0),
        product("c", availability="out_of_stock"),
        product("d", brand="Lamy", price=3.0),
        product("e", brand="Kobo", price=150.0),
        product("f"),
        product("x", brand="Gift"),  # never retrieved: only a pin can bring it in
    ]
}
ORDER = ["a", "b", "c", "d", "e", "f"]


def lookup(ids: list[str]) -> dict[str, Product]:
    return {pid: CATALOG[pid] for pid in ids if pid in CATALOG}


def hits(ids: list[str] = ORDER) -> list[RankedHit]:
    return [RankedHit(CandidateSignals(pid), rank=n) for n, pid in enumerate(ids, start=1)]


def run(rules: dict, query: SearchQuery | None = None, ids: list[str] = ORDER) -> tuple[list[str], dict]:
    ruleset = RuleSet.from_dict(rules)
    out = Merchandiser(lambda: ruleset).apply(query or SearchQuery(text="Books"), hits(ids), lookup)
    assert [h.rank for h in out.hits] == list(range(1, len(out.hits) + 1))
    return [h.product_id for h in out.hits], {a.rule_id: a for a in out.applied}


# --- the stage -------------------------------------------------------------------------------------------
def test_unavailable_products_are_buried_by_default() -> None:
    order, applied = run({})
    assert order == ["a", "b", "d", "e", "f", "c"]
    assert applied["bury_unavailable"].product_ids == ("c",)


def test_a_sold_out_strict_match_stays_before_the_near_members() -> None:
    ranked = hits(["a", "c", "b", "d", "e"])
    for hit in ranked[2:]:
        hit.loose = True  # near members: sharing a word, close in meaning, after the strict matches
    out = Merchandiser(RuleSet).apply(SearchQuery(text="Books"), ranked, lookup)
    assert [h.product_id for h in out.hits] == ["a", "c", "b", "d", "e"]  # "c" is the answer, sold out
    near_sold_out = hits(["a", "b", "c", "d"])
    near_sold_out[2].loose = near_sold_out[3].loose = True
    out = Merchandiser(RuleSet).apply(SearchQuery(text="Books"), near_sold_out, lookup)
    assert [h.product_id for h in out.hits] == ["a", "b", "d", "c"]  # a near member: buried as ever


def test_with_nothing_to_bury_the_list_is_left_as_ranked() -> None:
    ranked = hits(["a", "gone", "b", "d"])
    ranks = [h.rank for h in ranked]
    out = Merchandiser(RuleSet).apply(SearchQuery(text="Books"), ranked, lookup)
    assert out.hits is ranked and not out.applied and not out.pinned
    assert [h.rank for h in out.hits] == ranks


def availability(ids: list[str]) -> list[bool | None]:
    return [CATALOG[pid].available if pid in CATALOG else None for pid in ids]


def test_with_availabilities_given_a_list_with_nothing_to_bury_reads_no_product() -> None:
    read: list[list[str]] = []

    def counted(ids: list[str]) -> dict[str, Product]:
        read.append(ids)
        return lookup(ids)

    ranked = hits(["a", "gone", "b", "d"])
    out = Merchandiser(RuleSet).apply(SearchQuery(text="Books"), ranked, counted, availability)
    assert out.hits is ranked and not out.applied and read == []
    buried = Merchandiser(RuleSet).apply(SearchQuery(text="Books"), hits(), counted, availability)
    assert [h.product_id for h in buried.hits] == run({})[0] == ["a", "b", "d", "e", "f", "c"]
    assert read == [ORDER]  # something to bury: the products are read


def test_bury_unavailable_can_be_switched_off_and_leaves_price_sorts_alone() -> None:
    assert run({"bury_unavailable": False})[0] == ORDER
    order, applied = run({}, SearchQuery(text="books", sort="price_asc"))
    assert order == ORDER and not applied


def test_boost_by_brand_all_the_way_keeps_relative_order() -> None:
    rule = {"id": "kobo", "action": "boost", "filter": {"brand": "Kobo"}}
    order, applied = run({"bury_unavailable": False, "rules": [rule]})
    assert order == ["b", "e", "a", "c", "d", "f"]
    assert applied["kobo"].product_ids == ("b", "e")


def test_boost_and_bury_by_positions_and_price_range() -> None:
    rules = [
        {"id": "up2", "action": "boost", "filter": {"brand": ["Lamy"]}, "positions": 2},
        {"id": "cheap-down", "action": "bury", "filter": {"price_max": 5}, "positions": 1},
    ]
    # d: up 2, down 1 = up one place, past c.
    order, applied = run({"bury_unavailable": False, "rules": rules})
    assert order == ["a", "b", "d", "c", "e", "f"]
    assert set(applied) == {"up2", "cheap-down"}


def test_bury_by_category_to_the_bottom() -> None:
    rule = {"id": "kobo-down", "action": "bury", "filter": {"category": "Books > Kobo"}}
    order, _ = run({"bury_unavailable": False, "rules": [rule]})
    assert order == ["a", "c", "d", "f", "b", "e"]


def test_rules_for_another_query_or_disabled_do_nothing() -> None:
    rules = [
        {"id": "q", "action": "boost", "filter": {"brand": "Kobo"}, "query": "e-readers"},
        {"id": "off", "action": "bury", "filter": {"brand": "Acme"}, "enabled": False},
    ]
    order, applied = run({"bury_unavailable": False, "rules": rules})
    assert order == ORDER and not applied
    order, applied = run({"bury_unavailable": False, "rules": rules}, SearchQuery(text="  E-READERS "))
    assert order[:2] == ["b", "e"] and set(applied) == {"q"}


def test_boosts_do_not_reorder_a_price_sort() -> None:
    rule = {"id": "kobo", "action": "boost", "filter": {"brand": "Kobo"}}
    order, applied = run(
        {"bury_unavailable": False, "rules": [rule]}, SearchQuery(text="b", sort="price_asc")
    )
    assert order == ORDER and not applied


def test_pins_place_products_at_positions_and_add_missing_ones() -> None:
    rule = {
        "id": "gift",
        "action": "pin",
        "query": "Books",
        "pins": [{"product_id": "x", "position": 1}, {"product_id": "f", "position": 3}],
    }
    order, applied = run({"rules": [rule]})
    assert order == ["x", "a", "f", "b", "d", "e", "c"]
    assert applied["gift"].product_ids == ("x", "f") and applied["gift"].skipped == ()


@pytest.mark.parametrize(
    ("language", "rule_query", "query", "applies"),
    [
        ("english", "running shoes", "Running  Shoe", True),  # the same analysed words
        ("english", "running shoes", "shoes", False),
        ("english", "the hobbit", "Hobbit", True),  # stop words aside
        ("german", "Dübel", "duebel", True),  # "ue" written for "ü"
        ("german", "Dübel", "Dübel 6 mm", False),
    ],
)
def test_a_rule_for_a_query_applies_to_the_same_words_however_written(
    language: str, rule_query: str, query: str, applies: bool
) -> None:
    rule = {"id": "gift", "action": "pin", "query": rule_query, "pins": [{"product_id": "x", "position": 1}]}
    ruleset = RuleSet.from_dict({"rules": [rule]})
    out = Merchandiser(lambda: ruleset, language=language).apply(SearchQuery(text=query), hits(), lookup)
    assert (out.hits[0].product_id == "x") is applies


def test_pins_win_over_the_bury_and_skip_products_outside_the_filters() -> None:
    rule = {
        "id": "p",
        "action": "pin",
        "query": "books",
        "pins": [
            {"product_id": "c", "position": 1},
            {"product_id": "x", "position": 2},
            {"product_id": "gone", "position": 3},
        ],
    }
    query = SearchQuery(text="books", filters=Filters(brands=("Acme",)))
    order, applied = run({"rules": [rule]}, query, ids=["a", "c", "f"])
    assert order == ["c", "a", "f"]  # x is a Gift product: outside the shopper's brand filter
    assert applied["p"].product_ids == ("c",) and set(applied["p"].skipped) == {"x", "gone"}


def test_a_pin_shows_even_when_nothing_else_matched() -> None:
    rule = {
        "id": "gift",
        "action": "pin",
        "query": "gift ideas",
        "pins": [{"product_id": "x", "position": 2}],
    }
    order, applied = run({"rules": [rule]}, SearchQuery(text="Gift ideas"), ids=[])
    assert order == ["x"] and applied["gift"].product_ids == ("x",)


def test_a_pin_beyond_the_list_goes_last() -> None:
    rule = {"id": "p", "action": "pin", "query": "books", "pins": [{"product_id": "a", "position": 50}]}
    assert run({"bury_unavailable": False, "rules": [rule]})[0] == ["b", "c", "d", "e", "f", "a"]


def test_the_pipeline_reports_rules_and_skips_exploration_under_pins(tmp_path: Path) -> None:
    from engine.pipeline.types import PipelineConfig
    from tests.unit.gateway_fakes import make_services

    config = PipelineConfig(max_query_chars=64, exploration_rate=1.0, exploration_start=1)
    services = make_services(tmp_path, config=config)
    try:
        pin = {
            "id": "p",
            "action": "pin",
            "query": "Running shoes",
            "pins": [{"product_id": "p4", "position": 1}],
        }
        ruleset = RuleSet.from_dict({"bury_unavailable": False, "rules": [pin]})
        services.pipeline.merchandise.rules = lambda: ruleset
        outcome = services.pipeline.search(SearchQuery(text="running shoes", user_id="u1", size=5))
        assert outcome.hits[0].product_id == "p4" and "p4" in outcome.products
        assert [a.rule_id for a in outcome.merchandising] == ["p"]
        assert outcome.propensity_swaps == ()
        # Without the pin the same shopper's list is explored (rate 1.0): swaps are logged.
        services.pipeline.merchandise.rules = RuleSet
        assert services.pipeline.search(
            SearchQuery(text="running shoes", user_id="u1", size=5)
        ).propensity_swaps
    finally:
        services.close()


# --- validation -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rules": [{"id": "a", "action": "lift", "filter": {"brand": "x"}}]}, "rules[0].action"),
        ({"rules": [{"id": "a", "action": "boost"}]}, "rules[0].filter"),
        ({"rules": [{"id": "a", "action": "boost", "filter": {}}]}, "rules[0].filter"),
        ({"rules": [{"id": "a", "action": "boost", "filter": {"colour": "x"}}]}, "rules[0].filter.colour"),
        (
            {"rules": [{"id": "a", "action": "bury", "filter": {"price_min": -1}}]},
            "rules[0].filter.price_min",
        ),
        (
            {"rules": [{"id": "a", "action": "bury", "filter": {"price_min": 9, "price_max": 1}}]},
            "rules[0].filter.price_min",
        ),
        (
            {"rules": [{"id": "a", "action": "boost", "filter": {"brand": "x"}, "positions": 0}]},
            "rules[0].positions",
        ),
        (
            {"rules": [{"id": "a", "action": "pin", "pins": [{"product_id": "p", "position": 1}]}]},
            "rules[0].query",
        ),
        ({"rules": [{"id": "a", "action": "pin", "query": "q", "pins": []}]}, "rules[0].pins"),
        (
            {
                "rules": [
                    {"id": "a", "action": "pin", "query": "q", "pins": [{"product_id": "p", "position": 0}]}
                ]
            },
            "rules[0].pins[0].position",
        ),
        ({"rules": [{"id": "bad id!", "action": "boost", "filter": {"brand": "x"}}]}, "rules[0].id"),
        (
            {
                "rules": [
                    {"id": "a", "action": "boost", "filter": {"brand": "x"}},
                    {"id": "a", "action": "bury", "filter": {"brand": "y"}},
                ]
            },
            "rules[1].id",
        ),
        (
            {
                "rules": [
                    {"id": "a", "action": "pin", "query": "Q", "pins": [{"product_id": "p", "position": 1}]},
                    {"id": "b", "action": "pin", "query": "q", "pins": [{"product_id": "r", "position": 1}]},
                ]
            },
            "rules[1].pins[0].position",
        ),
        ({"bury_unavailable": "yes"}, "bury_unavailable"),
        ({"rules": {}}, "rules"),
    ],
)
def test_bad_rules_name_the_field(body: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        RuleSet.from_dict(body)
    assert error.value.message.startswith(f"{field}:"), error.value.message


def test_round_trip_and_normalised_queries() -> None:
    body = {
        "bury_unavailable": False,
        "rules": [
            {
                "id": "a",
                "action": "boost",
                "filter": {"brand": "Kobo", "category": "Books > Fantasy"},
                "positions": 3,
            },
            {
                "id": "b",
                "action": "pin",
                "query": "  Harry  POTTER ",
                "pins": [{"product_id": "bk-1", "position": 2}],
            },
        ],
    }
    rules = RuleSet.from_dict(body)
    assert rules.rules[1].query == "harry potter" == normalise_query("harry   potter")
    assert RuleSet.from_dict(rules.to_dict()) == rules


# --- storage --------------------------------------------------------------------------------------------
def test_store_defaults_saves_atomically_and_other_readers_see_changes(tmp_path: Path) -> None:
    path = tmp_path / "merch" / "rules.json"
    writer, reader = RuleStore(path), RuleStore(path)
    assert reader.current() == RuleSet()  # no file: the defaults (unavailable buried)
    rule = {"id": "k", "action": "boost", "filter": {"brand": "Kobo"}}
    saved = writer.update(lambda _: RuleSet.from_dict({"rules": [rule]}))
    assert saved.generation == 1 and saved.updated_at
    assert reader.current().rules[0].id == "k"
    assert json.loads(path.read_text())["format"] == 1
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_rejected_change_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    store = RuleStore(path)
    store.update(lambda _: RuleSet.from_dict({"bury_unavailable": False}))
    before = path.read_bytes()

    def bad(_: RuleSet) -> RuleSet:
        return RuleSet.from_dict({"rules": [{"id": "x", "action": "boost", "filter": {}}]})

    with pytest.raises(InvalidInput):
        store.update(bad)
    assert path.read_bytes() == before and store.current().generation == 1


def test_a_broken_file_keeps_the_rules_loaded_before(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    store = RuleStore(path)
    store.update(lambda _: RuleSet.from_dict({"bury_unavailable": False}))
    assert store.current().bury_unavailable is False
    path.write_text("{not json")
    os.utime(path, ns=(1, 1))
    assert store.current().bury_unavailable is False
