"""Exploration swaps: the policy alone, then inside the search pipeline over the gateway fakes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from engine.config import load_settings
from engine.errors import ConfigError, InvalidInput
from engine.pipeline.explore import ExplorationKey, ExplorationPolicy, swaps_on_page
from engine.pipeline.types import PipelineConfig, SearchOutcome, SearchQuery
from engine.records import Filters
from engine.services import EngineServices as Services
from tests.unit.gateway_fakes import make_services

# --- the policy ----------------------------------------------------------------------------------------


def test_rate_zero_is_the_identity() -> None:
    items = list(range(30))
    order, pairs = ExplorationPolicy(rate=0.0).apply(items, seed=7)
    assert order == items and pairs == []


def test_same_seed_same_swaps_and_other_seeds_differ() -> None:
    policy = ExplorationPolicy(rate=0.5, start=3)
    assert policy.apply(range(40), 11) == policy.apply(range(40), 11)
    assert len({tuple(policy.swaps(40, seed)) for seed in range(20)}) > 10


@pytest.mark.parametrize(("rate", "start"), [(0.3, 3), (1.0, 1), (1.0, 4), (0.7, 2)])
def test_pairs_are_adjacent_disjoint_and_below_start(rate: float, start: int) -> None:
    policy = ExplorationPolicy(rate=rate, start=start)
    for seed in range(200):
        pairs = policy.swaps(25, seed)
        flat = [p for pair in pairs for p in pair]
        assert len(flat) == len(set(flat))
        assert all(b == a + 1 and a >= start and b <= 25 for a, b in pairs)
        order, _ = policy.apply(list(range(1, 26)), seed)
        assert order[: start - 1] == list(range(1, start))
        assert all(abs(order[k] - (k + 1)) <= 1 for k in range(25))


def test_every_boundary_below_start_gets_swapped_across() -> None:
    # The pair grid starts at `start` or `start + 1`, so 3|4, 4|5, 5|6 ... are all explored.
    policy = ExplorationPolicy(rate=1.0, start=3)
    seen = {pair for seed in range(50) for pair in policy.swaps(12, seed)}
    assert seen == {(k, k + 1) for k in range(3, 12)}


def test_a_longer_list_keeps_the_shorter_lists_decisions() -> None:
    policy = ExplorationPolicy(rate=0.4, start=3)
    for seed in range(50):
        short = policy.swaps(20, seed)
        assert [p for p in policy.swaps(60, seed) if p[1] <= 20] == short


def test_swap_rate_matches_the_setting() -> None:
    policy = ExplorationPolicy(rate=0.25, start=3)
    swapped = sum(len(policy.swaps(22, seed)) for seed in range(2000))
    # 22 positions from 3: 10 pairs when the grid starts at 3, 9 when at 4.
    assert swapped / (2000 * 9.5) == pytest.approx(0.25, abs=0.02)


def test_bad_settings_fail_fast() -> None:
    with pytest.raises(InvalidInput):
        ExplorationPolicy(rate=1.5)
    with pytest.raises(InvalidInput):
        ExplorationPolicy(start=0)
    with pytest.raises(ConfigError, match="AISLE_EXPLORATION_RATE"):
        load_settings(exploration_rate=-0.1)
    with pytest.raises(ConfigError, match="AISLE_EXPLORATION_START"):
        load_settings(exploration_start=0)


def test_key_depends_on_shopper_query_filters_and_ranker() -> None:
    base = ExplorationKey("shoes", Filters(), "relevance", "u1", 3)
    assert base.seed() == ExplorationKey("shoes", Filters(), "relevance", "u1", 3).seed()
    variants = [
        replace(base, shopper="u2"),
        replace(base, text="boots"),
        replace(base, filters=Filters(brands=("Acme",))),
        replace(base, ranker_version=4),
        replace(base, image=b"\x89PNG"),
    ]
    assert len({base.seed()} | {v.seed() for v in variants}) == 6


def test_swaps_on_page_keeps_pairs_touching_the_page() -> None:
    pairs = [(3, 4), (5, 6), (10, 11), (13, 14)]
    assert swaps_on_page(pairs, 1, 10) == ((3, 4), (5, 6), (10, 11))
    assert swaps_on_page(pairs, 11, 10) == ((10, 11), (13, 14))
    assert swaps_on_page(pairs, 21, 10) == ()


# --- inside the pipeline ---------------------------------------------------------------------------------

QUERY = "running knife shoes cup"


def services_with(tmp_path: Path, rate: float, start: int = 2) -> Services:
    config = PipelineConfig(
        max_query_chars=64, exploration_rate=rate, exploration_start=start, semantic_threshold=0.01
    )
    return make_services(tmp_path, config=config)


@pytest.fixture
def explored(tmp_path: Path):
    built = services_with(tmp_path / "explored", rate=1.0)
    yield built
    built.close()


@pytest.fixture
def plain(tmp_path: Path):
    built = services_with(tmp_path / "plain", rate=0.0)
    yield built
    built.close()


def run(services: Services, **kwargs: object) -> SearchOutcome:
    return services.pipeline.search(SearchQuery(**{"text": QUERY, **kwargs}))  # type: ignore[arg-type]


def ids(outcome: SearchOutcome) -> list[str]:
    return [h.product_id for h in outcome.hits]


def test_served_list_is_the_ranked_list_with_the_recorded_swaps(explored: Services, plain: Services) -> None:
    ranked = ids(run(plain, size=50, user_id="u1"))
    outcome = run(explored, size=50, user_id="u1")
    assert len(ranked) >= 6
    swaps = outcome.propensity_swaps
    assert swaps and all(a >= 2 for a, _ in swaps)
    expected = list(ranked)
    for a, b in swaps:
        expected[a - 1], expected[b - 1] = expected[b - 1], expected[a - 1]
    assert ids(outcome) == expected != ranked
    assert [h.rank for h in outcome.hits] == list(range(1, len(expected) + 1))


def test_same_shopper_gets_identical_repeats_and_consistent_pages(explored: Services) -> None:
    whole = run(explored, size=50, session_id="s1")
    assert ids(run(explored, size=50, session_id="s1")) == ids(whole)
    paged: list[str] = []
    recorded: set[tuple[int, int]] = set()
    for page in range(1, 6):
        outcome = run(explored, size=2, page=page, session_id="s1")
        paged += ids(outcome)
        recorded |= set(outcome.propensity_swaps)
        first = (page - 1) * 2 + 1
        assert all(a <= first + 1 and b >= first for a, b in outcome.propensity_swaps)
    assert paged == ids(whole)
    assert recorded == set(whole.propensity_swaps)


def test_different_shoppers_see_different_swaps(tmp_path: Path) -> None:
    services = services_with(tmp_path, rate=0.5)
    try:
        orders = {tuple(ids(run(services, size=50, user_id=f"u{i}"))) for i in range(30)}
    finally:
        services.close()
    assert len(orders) > 2


@pytest.mark.parametrize(
    "kwargs",
    [
        {"user_id": "u1", "sort": "price_asc"},
        {"user_id": "u1", "method": "linear"},
        {"user_id": "u1", "method": "bm25"},
        {},  # no shopper: benchmarks and integrations get the ranker's order
    ],
)
def test_only_shopper_relevance_full_lists_are_explored(
    explored: Services, plain: Services, kwargs: dict[str, object]
) -> None:
    outcome = run(explored, size=50, **kwargs)
    assert outcome.propensity_swaps == ()
    assert ids(outcome) == ids(run(plain, size=50, **kwargs))
