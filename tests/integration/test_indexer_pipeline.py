"""The ingest pipeline against the real servers: Triton (text + tiny CLIP) and an OpenSearch node.

The `indexer` CLI runs as a subprocess, exactly as an operator runs it; the gateway's view is the
`Catalog` handle in this process. Each test gets its own data directory and OpenSearch alias.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.catalog import Catalog, catalog_root, read_current
from engine.config import Settings, load_settings
from engine.inference.triton import TritonInference
from engine.lexical.opensearch import OpenSearchLexical
from engine.records import Product
from engine.sample import sample_catalog_path
from indexer.embedding import document_text
from indexer.updates import serving_updater

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Env:
    settings: Settings
    variables: dict[str, str]
    inference: TritonInference
    lexical: OpenSearchLexical

    def indexer(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "indexer.cli", *args],
            env=self.variables,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def catalog(self) -> Catalog:
        handle = Catalog(self.settings, self.inference, self.lexical, writer=serving_updater)
        handle.load()
        return handle


@pytest.fixture
def env(tmp_path: Path, triton_server, opensearch_url: str) -> Iterator[Env]:
    alias = f"it-indexer-{uuid.uuid4().hex[:10]}"
    values = {
        "data_dir": str(tmp_path / "var"),
        "triton_url": triton_server.grpc_url,
        "opensearch_url": opensearch_url,
        "index_alias": alias,
        # bulk requests queue behind each other on a small shared test machine
        "triton_timeout_s": "60",
    }
    variables = {k: v for k, v in os.environ.items() if not k.startswith("AISLE_")}
    variables.update({f"AISLE_{k.upper()}": v for k, v in values.items()})
    settings = load_settings(**values)
    inference = TritonInference(triton_server.grpc_url, settings.triton_timeout_s)
    lexical = OpenSearchLexical.from_settings(settings)
    try:
        yield Env(settings, variables, inference, lexical)
    finally:
        lexical.client.indices.delete(index=f"{alias}-*", ignore_unavailable=True)
        lexical.close()
        inference.close()


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def synthetic(n: int, prefix: str) -> list[dict]:
    colours = ["red", "teal", "amber", "navy", "olive"]
    things = ["lamp", "kettle", "backpack", "scarf", "skillet", "headphones", "tent", "mug"]
    return [
        {
            "id": f"{prefix}{i:05d}",
            "title": f"{colours[i % 5]} {things[i % 8]} model {i}",
            "description": f"A {things[i % 8]} in {colours[i % 5]}, item {i} of the {prefix} range.",
            "brand": "Testco",
            "category": "Home > Test",
            "price": 10 + i % 50,
        }
        for i in range(n)
    ]


def test_sample_catalog_builds_and_verifies(env: Env) -> None:
    built = env.indexer("build", str(sample_catalog_path()), "--no-progress")
    assert built.returncode == 0, built.stderr
    assert "300 products" in built.stdout and "image " in built.stdout
    verified = env.indexer("verify")
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("ok: manifest 300, lexical 300, text 300, image ")
    stats = json.loads(env.indexer("stats", "--json").stdout)
    assert stats["products"] == 300 and stats["spaces"]["image"]["vectors"] > 0
    again = env.indexer("build", str(sample_catalog_path()), "--no-progress")
    assert again.returncode == 0 and again.stdout.startswith("unchanged: generation")
    assert env.lexical.count() == 300


def test_upsert_then_search_finds_it_and_delete_removes_it(env: Env, tmp_path: Path) -> None:
    catalog = write_jsonl(tmp_path / "base.jsonl", synthetic(40, "b"))
    assert env.indexer("build", str(catalog), "--no-progress").returncode == 0
    handle = env.catalog()
    product = Product(
        id="new-1",
        title="Quokka-shaped titanium thermos flask",
        description="Keeps tea hot for a whole day on the trail.",
        brand="Marsupial Gear",
        category=("Outdoor", "Bottles"),
        price=39.0,
    )
    upserted = env.indexer("upsert", "--json", json.dumps(product.to_dict()))
    assert upserted.returncode == 0, upserted.stderr
    started = time.monotonic()
    assert handle.reload_if_changed() is True
    assert time.monotonic() - started < 5
    assert handle.manifest.count == 41
    assert env.lexical.search("quokka thermos", 3)[0].product_id == "new-1"
    query = env.inference.text_encoder().encode([document_text(product, env.settings.text_max_tokens)])[0]
    assert handle.vector_store("text").search(query, 3)[0].product_id == "new-1"

    assert handle.delete(["new-1"]) == 1
    assert "new-1" not in {hit.product_id for hit in env.lexical.search("quokka thermos", 10)}
    assert "new-1" not in {hit.product_id for hit in handle.vector_store("text").search(query, 10)}
    assert env.indexer("verify").returncode == 0


def test_bad_lines_are_reported_by_line_number(env: Env, tmp_path: Path) -> None:
    catalog = tmp_path / "shop.csv"
    catalog.write_text(
        "id,title,price,category\n"
        "a1,Good kettle,20,Home > Kitchen\n"
        "a2,,5,Home\n"
        "a3,Cheap mug,free,Home\n"
        "a1,Duplicate kettle,20,Home\n"
        "a4,Plain plate,3,Home > Kitchen\n",
        encoding="utf-8",
    )
    strict = env.indexer("build", str(catalog), "--strict", "--no-progress")
    assert strict.returncode == 1 and not (catalog_root(env.settings) / "CURRENT").exists()
    refused = env.indexer("build", str(catalog), "--no-progress")  # 3 bad of 5: more than --max-bad 10%
    assert refused.returncode == 1 and not (catalog_root(env.settings) / "CURRENT").exists()
    assert "3 bad records, more than --max-bad 10% of the 5 read; nothing was written" in refused.stderr
    result = env.indexer("build", str(catalog), "--no-progress", "--max-bad", "60")
    assert result.returncode == 3
    errors = result.stderr.strip().splitlines()
    assert errors[:3] == [
        f"indexer: error: {catalog}:3: title: required",
        f"indexer: error: {catalog}:4: price: expected a number, got 'free'",
        f"indexer: error: {catalog}:5: duplicate id 'a1' (first seen on line 2)",
    ]
    assert env.lexical.all_ids() == {"a1", "a4"}


def test_killed_build_keeps_serving_old_generation_and_rerun_resumes(env: Env, tmp_path: Path) -> None:
    old = write_jsonl(tmp_path / "old.jsonl", synthetic(30, "old"))
    assert env.indexer("build", str(old), "--no-progress").returncode == 0
    root = catalog_root(env.settings)
    serving = read_current(root)
    big = write_jsonl(tmp_path / "big.jsonl", synthetic(600, "big"))
    process = subprocess.Popen(
        [sys.executable, "-m", "indexer.cli", "build", str(big), "--chunk-size", "16", "--no-progress"],
        env=env.variables,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        progress = _wait_for_checkpoint(root, serving, process, chunks=2)
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
    assert read_current(root) == serving
    handle = env.catalog()
    assert handle.manifest.generation == serving and handle.manifest.count == 30
    assert env.lexical.count() == 30 and env.lexical.search("teal lamp model", 1)[0].product_id.startswith(
        "old"
    )
    done_before = sum(1 for _ in progress.open()) - 1

    rerun = env.indexer("build", str(big), "--chunk-size", "16", "--no-progress", timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    resumed = re.search(r"(\d+) embeddings resumed from checkpoint", rerun.stdout)
    assert resumed is not None, rerun.stdout
    assert int(resumed.group(1)) >= done_before * 16 > 0
    assert handle.reload_if_changed() and handle.manifest.count == 600
    assert env.indexer("verify").returncode == 0


def _wait_for_checkpoint(root: Path, serving: str | None, process: subprocess.Popen, chunks: int) -> Path:
    """The progress file of the new generation once it lists `chunks` finished chunks."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        assert process.poll() is None, "the build finished before it could be killed"
        for progress in root.glob("*/checkpoint/progress.jsonl"):
            if progress.parts[-3] != serving and sum(1 for _ in progress.open()) > chunks:
                return progress
        time.sleep(0.02)
    raise AssertionError("no checkpoint appeared within 240 s")
