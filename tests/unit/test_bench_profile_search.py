"""bench.profile_search and bench.search_cpu_parts without servers: the ASGI call, the timed loop's
report (thread groups, stages, pages), and the side-by-side check of two implementations."""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path

import numpy as np
import pytest

from api.main import create_app
from bench import search_cpu_parts as parts
from bench.profile_search import GcPauses, drive, parse_args, post
from engine.pipeline import fusion, merchandise, retrieve
from engine.ranking import features
from engine.records import Product
from tests.unit.gateway_fakes import make_services


def test_a_search_goes_straight_through_the_asgi_app(tmp_path: Path) -> None:
    services = make_services(tmp_path)
    app = create_app(services=services)
    try:
        status, body = asyncio.run(post(app, "/v1/search", b'{"query": "red shoes"}', []))
        assert status == 200 and json.loads(body)["hits"]
        status, body = asyncio.run(post(app, "/v1/search", b'{"query": "x", "page": 0}', []))
        assert status == 422 and "error" in json.loads(body)
    finally:
        services.close()


def test_the_timed_loop_reports_cpu_by_thread_stages_and_pages(tmp_path: Path) -> None:
    queries = tmp_path / "queries.tsv"
    queries.write_text("query_id\tquery\nq1\tred shoes\nq2\tblue jacket\nq3\tshoes\n", encoding="utf-8")
    args = argparse.Namespace(
        queries=queries,
        warmup=1,
        offset=1,
        limit=2,
        size=5,
        pipeline="full",
        sort="price_asc",
        no_log=False,
        py_spy=None,
    )
    services = make_services(tmp_path / "data")
    try:
        report = asyncio.run(drive(create_app(services=services), services, args, lambda: []))
    finally:
        services.close()
    assert report["searches"] == 2 and set(report["pages"]["full"]) == {"q2", "q3"}
    assert report["sort"] == "price_asc"  # the order asked for is reported beside its pages
    assert all(page["total"] >= len(page["ids"]) for page in report["pages"]["full"].values())
    assert "event_loop" in report["thread_cpu_ms"] and "search_threads" in report["thread_cpu_ms"]
    assert "fusion" in report["stage_wall_ms"] and report["gateway_cpu_ms"] >= 0
    assert isinstance(report["gc"], dict)  # the collector's runs (often none in two searches)


def test_gc_pauses_are_counted_per_generation() -> None:
    import gc

    with GcPauses() as pauses:
        gc.collect(0)
        gc.collect(2)
    report = pauses.report(searches=2)
    assert report["gen0"]["runs"] >= 1 and report["gen2"]["runs"] >= 1
    assert report["gen2"]["max_ms"] >= 0 and pauses not in gc.callbacks


def test_a_missing_file_or_py_spy_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_args(["--products", str(tmp_path / "none.jsonl"), "--queries", str(tmp_path / "q.tsv")])
    assert exit_info.value.code == 2


def test_the_parts_agree_between_two_copies_of_the_same_code() -> None:
    products = [
        Product(f"p{i}", f"{word} lamp {i}", brand="Acme" if i % 2 else "", availability="in_stock")
        for i, word in enumerate(["solar", "wall", "desk", "floor", "solar outdoor"] * 40)
    ]
    catalog = parts.Catalog(products, seed=1, dims=8)
    cases = parts.build_cases(products, ["solar lamp", "desk", "nothing here"], seed=1)
    steps = parts.Steps(features, fusion, retrieve, merchandise, catalog)
    other = parts.Steps(features, fusion, retrieve, merchandise, catalog)
    for case in cases:
        columns = parts.columns_of(case, steps)
        assert np.all(np.diff(columns.fused_score) <= 0)  # in fused order
        for method in ("products", "dense_fill", "title_match", "fuse", "features_of", "merchandise"):
            a = getattr(steps, method)(case, columns.take(np.arange(len(columns))))
            b = getattr(other, method)(case, columns.take(np.arange(len(columns))))
            assert parts.same(a, b), method


def test_a_baseline_that_git_cannot_show_is_named() -> None:
    with pytest.raises(SystemExit, match="no-such-revision"):
        parts.baseline_module("no-such-revision", parts.MODULES["fusion"], "baseline_missing")
