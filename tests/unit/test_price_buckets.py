"""Price buckets that suit the catalog's prices: round numbers spread by ratio from its cheap end to its
dear end (`price_edges_of`), and for an index built before those were kept, the base edges times a
power of ten, from the median."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from engine.catalog import catalog_root, read_manifest, write_manifest
from engine.config import load_settings
from engine.lexical.facets import (
    PRICE_EDGES,
    price_buckets,
    price_edges,
    price_edges_of,
    price_label,
    price_scale,
)
from engine.pipeline.facets import facet_counts
from engine.records import Product
from indexer.build import Builder, BuildOptions
from tests.fakes import FakeInference, FakeLexicalIndex, FakeVectorIO


@pytest.mark.parametrize(
    ("prices", "scale"),
    [
        ([], 0),
        ([None, 0.0], 0),
        ([4.99, 12.5, 39.0, 89.0, 249.0], 0),  # a shop in dollars or euros: the base edges
        ([980, 2480, 4980, 12800, 39800], 2),  # yen: ¥1,000-¥50,000
        ([129, 259, 899, 1374, 1999], 1),  # yuan around ¥900: 100-5,000
        ([0.35, 1.2, 2.9, 4.5, 9.9], -1),  # screws and washers: 1-50
        ([590_000, 1_200_000, 2_300_000], 4),  # rupiah: 100,000-5,000,000
    ],
)
def test_the_scale_centres_the_buckets_on_the_median_price(prices: list, scale: int) -> None:
    assert price_scale(prices) == scale


def test_a_hardware_shops_screws_and_drills_both_get_buckets() -> None:
    screws = [2.9 + 0.1 * i for i in range(60)]  # 2.90-8.80
    tools = [49.0, 69.9, 79.0, 89.0, 119.0, 139.0, 159.0, 189.0, 219.0, 259.0, 349.0]
    prices = [*screws, *[14.9, 19.9, 24.5] * 10, *tools]
    edges = price_edges_of(prices)
    assert edges == (3.0, 7.5, 15.0, 30.0, 75.0, 150.0)
    counts = {
        label: sum(1 for p in prices if price_label(p, edges) == label)
        for label, _, _ in price_buckets(edges)
    }
    assert (counts["30-75"], counts["75-150"], counts["150-*"]) == (2, 4, 5)  # the drills: three buckets
    assert all(count > 0 for count in counts.values())


@pytest.mark.parametrize(
    ("prices", "edges"),
    [
        ([980, 2480, 4980, 12800, 39800], (1000.0, 1500.0, 3000.0, 5000.0, 7500.0, 15000.0)),  # yen
        ([9.99, 12.5, 14.0, 19.99, 24.5, 29.0], (10.0, 15.0, 20.0, 25.0)),  # narrow: fewer edges
        ([10.0] * 5, (1.0, 2.5, 5.0, 10.0, 25.0, 50.0)),  # one price: the scaled base edges
        ([], PRICE_EDGES),
    ],
)
def test_edges_are_round_numbers_spread_by_ratio(prices: list, edges: tuple) -> None:
    assert price_edges_of(prices) == edges


def test_scaled_edges_and_their_labels() -> None:
    assert price_edges(0) == PRICE_EDGES
    assert price_edges(2) == (1000, 2500, 5000, 10000, 25000, 50000)
    assert price_edges(-2) == (0.1, 0.25, 0.5, 1, 2.5, 5)
    assert [label for label, _, _ in price_buckets(price_edges(6))][-2:] == [
        "250000000-500000000",
        "500000000-*",
    ]
    assert price_label(3980, price_edges(2)) == "2500-5000" and price_label(3980) == "500-*"
    assert price_label(0.3, price_edges(-2)) == "0.25-0.5"
    yen = [
        Product("a", "Santoku", price=3980.0),
        Product("b", "Nakiri", price=12800.0),
        Product("c", "Hashi"),
    ]
    assert facet_counts(yen, ["price"], price_edges=price_edges(2)) == {
        "price": [("10000-25000", 1), ("2500-5000", 1)]
    }


def test_a_build_stores_the_catalogs_price_scale(tmp_path: Path) -> None:
    catalog = tmp_path / "shop.jsonl"
    records = [
        {"id": f"k{i}", "title": f"包丁 {i}", "price": p, "currency": "JPY"}
        for i, p in enumerate((980, 3980, 12800))
    ]
    catalog.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    settings = load_settings(data_dir=tmp_path / "var")
    report = Builder(settings, FakeInference(), FakeLexicalIndex(), FakeVectorIO()).build(
        catalog, BuildOptions(progress=False)
    )
    manifest = read_manifest(catalog_root(settings), report.generation)
    assert manifest.price_scale == 2 and manifest.price_edges == price_edges_of((980, 3980, 12800))
    assert manifest.price_edges[0] == 1000.0


def test_an_index_from_before_the_scale_was_kept_gets_it_when_its_next_build_re_analyses_it(
    tmp_path: Path,
) -> None:
    catalog = tmp_path / "shop.jsonl"
    records = [{"id": f"k{i}", "title": f"包丁 {i}", "price": p} for i, p in enumerate((980, 3980, 12800))]
    catalog.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    settings = load_settings(data_dir=tmp_path / "var")
    inference, lexical, vio = FakeInference(), FakeLexicalIndex(), FakeVectorIO()
    report = Builder(settings, inference, lexical, vio).build(catalog, BuildOptions(progress=False))
    root = catalog_root(settings)
    old = replace(
        read_manifest(root, report.generation), price_scale=0, price_edges=(), analysis=""
    )  # as older code wrote it
    write_manifest(root, old)
    again = Builder(settings, inference, lexical, vio).build(catalog, BuildOptions(progress=False))
    assert again.reanalysed and read_manifest(root, report.generation).price_scale == 2
    assert read_manifest(root, report.generation).price_edges == price_edges_of((980, 3980, 12800))
