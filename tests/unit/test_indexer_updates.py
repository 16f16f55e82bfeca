"""Incremental upserts and deletes: every store agrees, updates are idempotent and survive reloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.catalog import catalog_root, open_live, read_current, read_manifest, served_encoders
from engine.config import load_settings
from engine.records import Product
from indexer.build import Builder, BuildOptions
from indexer.checksum import CatalogChecksum
from indexer.problems import BadRecords
from indexer.updates import IndexUpdater
from indexer.verify import verify
from tests.fakes import FakeClipEncoder, FakeInference, FakeLexicalIndex, FakeVectorIO, png_bytes

QUIET = BuildOptions(progress=False)


@pytest.fixture
def world(five_items):
    root, lexical, vio, inference = five_items
    updater = IndexUpdater(root, lexical, inference, vio)
    return root, lexical, vio, inference, updater


def reopen(root: Path, vio: FakeVectorIO, inference: FakeInference):
    return open_live(root, vio, served_encoders(inference))


def test_upsert_inserts_and_replaces_everywhere(world) -> None:
    root, lexical, vio, inference, updater = world
    before = read_manifest(root, read_current(root))
    new = Product(id="n1", title="Brand new titanium spork")
    changed = Product(id="p1", title="Renamed item one", price=99.0)
    live = updater.upsert([new, changed])
    assert live.manifest.count == 6 and live.manifest.revision == before.revision + 1
    assert lexical.get(["p1"])["p1"].title == "Renamed item one"
    assert lexical.search("titanium spork", 3)[0].product_id == "n1"
    disk = reopen(root, vio, inference)
    assert disk.manifest == live.manifest
    query = inference.text.encode(["Brand new titanium spork"])[0]
    assert disk.stores["text"].search(query, 1)[0].product_id == "n1"
    assert verify(disk, lexical).ok
    expected = CatalogChecksum.of(lexical.products.values())
    assert disk.manifest.catalog_checksum == str(expected)


def test_upsert_and_delete_are_idempotent_and_checksum_round_trips(world) -> None:
    root, lexical, vio, inference, updater = world
    original = read_manifest(root, read_current(root)).catalog_checksum
    product = Product(id="n1", title="Extra item")
    once = updater.upsert([product]).manifest
    twice = updater.upsert([product]).manifest
    assert (once.count, once.catalog_checksum) == (twice.count, twice.catalog_checksum)
    removed, live = updater.delete(["n1", "n1", "unknown"])
    assert removed == 1 and live.manifest.count == 5
    assert live.manifest.catalog_checksum == original
    revision = live.manifest.revision
    removed, live = updater.delete(["n1"])
    assert removed == 0 and live.manifest.revision == revision  # nothing to do, nothing rewritten
    assert verify(reopen(root, vio, inference), lexical).ok


def test_a_stale_handle_reloads_before_writing(world) -> None:
    """Two writers (e.g. the gateway and the CLI) never overwrite each other's update."""
    root, lexical, vio, inference, updater = world
    gateway_view = reopen(root, vio, inference)
    updater.upsert([Product(id="cli", title="Added from the command line")])
    live = updater.upsert([Product(id="api", title="Added through the gateway")], gateway_view)
    assert {"cli", "api"} <= set(live.stores["text"].ids())
    disk = reopen(root, vio, inference)
    assert disk.manifest.count == 7 and verify(disk, lexical).ok


def test_image_store_follows_upserts_and_deletes(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "var")
    lexical, vio = FakeLexicalIndex(), FakeVectorIO()
    inference = FakeInference(clip=FakeClipEncoder())
    (tmp_path / "a.png").write_bytes(png_bytes((0, 0, 255)))
    catalog = tmp_path / "c.jsonl"
    catalog.write_text(json.dumps({"id": "a", "title": "blue", "image": "a.png"}) + "\n", encoding="utf-8")
    Builder(settings, inference, lexical, vio).build(catalog, QUIET)
    root = catalog_root(settings)
    updater = IndexUpdater(root, lexical, inference, vio, image_base_dir=tmp_path)
    live = updater.upsert([Product(id="a", title="blue, no picture any more")])
    assert live.stores["image"].count() == 0 and live.manifest.space_counts["image"] == 0
    live = updater.upsert([Product(id="b", title="blue again", image="a.png")])
    assert live.stores["image"].ids() == ["b"]
    with pytest.raises(BadRecords, match="cannot read"):
        updater.upsert([Product(id="c", title="missing", image="nope.png")])
    assert "c" not in lexical.all_ids()
    api = IndexUpdater(root, lexical, inference, vio, allow_local_images=False)
    with pytest.raises(BadRecords, match="local paths are only accepted from catalog files"):
        api.upsert([Product(id="d", title="local", image=str(tmp_path / "a.png"))])
    removed, live = updater.delete(["b"])
    assert removed == 1 and live.stores["image"].count() == 0


def test_verify_reports_differences(world) -> None:
    root, lexical, vio, inference, _ = world
    lexical.upsert([Product(id="ghost", title="only in lexical")])
    lexical.delete(["p0"])
    report = verify(reopen(root, vio, inference), lexical)
    assert not report.ok
    assert report.counts == {"manifest": 5, "lexical": 5, "text": 5}
    assert "1 ids in lexical but not in text vectors: ghost" in report.differences
    assert "1 ids in text vectors but not in lexical: p0" in report.differences
