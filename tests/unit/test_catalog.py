"""The serving-side catalog handle: manifest files, encoder checks, reloads and in-process updates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.catalog import (
    Catalog,
    IndexManifest,
    catalog_root,
    manifest_stamp,
    read_current,
    switch_current,
    write_manifest,
)
from engine.config import load_settings
from engine.errors import ConfigError, IndexMismatch, NotFound
from engine.inference.base import EncoderInfo
from engine.records import Product
from engine.vectors.base import VectorManifest
from indexer.build import Builder, BuildOptions
from indexer.updates import serving_updater
from tests.fakes import (
    FakeClipEncoder,
    FakeInference,
    FakeLexicalIndex,
    FakeTextEncoder,
    FakeVectorIO,
    FakeVectorStore,
)


@pytest.fixture
def built(tmp_path: Path):
    settings = load_settings(data_dir=tmp_path / "var")
    lexical, vio, inference = FakeLexicalIndex(), FakeVectorIO(), FakeInference()
    catalog = tmp_path / "c.jsonl"
    rows = [{"id": f"p{i}", "title": f"garden hose {i} metres"} for i in range(4)]
    catalog.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    Builder(settings, inference, lexical, vio).build(catalog, BuildOptions(progress=False))
    return settings, lexical, vio, inference, catalog


def test_manifest_round_trips_and_rejects_other_formats() -> None:
    manifest = IndexManifest(
        generation="g1",
        encoders={"text": EncoderInfo("bert", "3", 384), "image": EncoderInfo("clip", "1", 512)},
        count=7,
        catalog_checksum="sha256sum:00",
        created_at="2025-01-01T00:00:00+00:00",
        space_counts={"text": 7, "image": 5},
        revision=2,
    )
    assert IndexManifest.from_json(manifest.to_json()) == manifest
    with pytest.raises(IndexMismatch, match="unsupported manifest format"):
        IndexManifest.from_json(json.dumps({"format": 99}))
    with pytest.raises(IndexMismatch, match="unreadable index manifest"):
        IndexManifest.from_json("{")


def test_no_build_yet_is_not_found(tmp_path: Path) -> None:
    handle = Catalog(load_settings(data_dir=tmp_path), FakeInference(), FakeLexicalIndex(), FakeVectorIO())
    with pytest.raises(NotFound, match="indexer build"):
        handle.load()


def test_encoder_mismatch_is_refused(built) -> None:
    settings, lexical, vio, _, _ = built
    other = FakeInference(FakeTextEncoder(dim=64, name="other-bert"))
    with pytest.raises(IndexMismatch, match=r"built with fake-bert v1 \(32-d\) but other-bert v1 \(64-d\)"):
        Catalog(settings, other, lexical, vio).load()


def test_missing_clip_leaves_the_image_side_unqueried_but_loaded(tmp_path: Path) -> None:
    """An index with images still serves text when no CLIP weights can be loaded."""
    settings = load_settings(data_dir=tmp_path / "var")
    root = catalog_root(settings)
    (root / "g1" / "text").mkdir(parents=True)
    manifest = IndexManifest(
        "g1",
        {"text": FakeTextEncoder().info(), "image": FakeClipEncoder().info()},
        0,
        "sha256sum:00",
        "now",
    )
    vio = FakeVectorIO()
    for space, info in manifest.encoders.items():
        FakeVectorStore(info.dim, space).save(
            root / "g1" / space, VectorManifest(space, info.name, info.version, info.dim, 0, "fake")
        )
    write_manifest(root, manifest)
    switch_current(root, "g1")
    handle = Catalog(settings, FakeInference(clip=None), FakeLexicalIndex(), vio)
    assert handle.load().generation == "g1"
    assert handle.vector_store("text") is not None


def test_reload_only_when_the_manifest_changes(built) -> None:
    settings, lexical, vio, inference, catalog = built
    handle = Catalog(settings, inference, lexical, vio)
    handle.load()
    loads = vio.loads
    assert handle.reload_if_changed() is False and vio.loads == loads
    # another process upserts: a new manifest revision appears
    other = Catalog(settings, inference, lexical, vio, writer=serving_updater)
    other.upsert([Product(id="x1", title="sprinkler")])
    assert handle.reload_if_changed() is True
    assert handle.manifest.count == 5 and handle.vector_store("text").contains("x1")
    # a full rebuild switches generations
    generation = handle.manifest.generation
    Builder(settings, inference, lexical, vio).build(catalog, BuildOptions(progress=False, force=True))
    assert handle.reload_if_changed() is True
    assert handle.manifest.generation != generation
    assert handle.manifest.generation == read_current(catalog_root(settings))
    assert not handle.vector_store("text").contains("x1")


def test_upsert_and_delete_through_the_handle(built) -> None:
    settings, lexical, vio, inference, _ = built
    handle = Catalog(settings, inference, lexical, vio, writer=serving_updater)
    handle.load()
    stamp = manifest_stamp(catalog_root(settings))
    manifest = handle.upsert([Product(id="n", title="watering can")])
    assert manifest.count == 5 and handle.vector_store("text").contains("n")
    assert manifest_stamp(catalog_root(settings)) != stamp
    assert handle.reload_if_changed() is False  # its own write is already loaded
    assert handle.delete(["n", "p0"]) == 2
    assert handle.manifest.count == 3 and lexical.count() == 3
    assert not handle.vector_store("text").contains("p0")


def test_a_catalog_without_a_writer_refuses_writes(built) -> None:
    settings, lexical, vio, inference, _ = built
    handle = Catalog(settings, inference, lexical, vio)
    handle.load()
    with pytest.raises(ConfigError, match="read-only"):
        handle.upsert([Product(id="n", title="watering can")])
    with pytest.raises(ConfigError, match="read-only"):
        handle.delete(["p0"])
    assert handle.manifest.count == 4 and lexical.count() == 4


def test_a_patch_through_the_handle_reads_categories_as_the_apis_upserts_do(built) -> None:
    settings, lexical, vio, inference, _ = built
    shop = load_settings(data_dir=settings.data_dir, category_lists=", ")
    handle = Catalog(shop, inference, lexical, vio, writer=serving_updater)
    handle.load()
    [moved] = handle.patch({"p0": {"category": "Hund > Reisen, Katze > Reisen"}})
    assert moved.category_paths == (("Hund", "Reisen"), ("Katze", "Reisen"))
    plain = Catalog(settings, inference, lexical, vio, writer=serving_updater)  # no list separator set
    plain.load()
    [kept] = plain.patch({"p0": {"category": "Hats, Caps"}})
    assert kept.category_paths == (("Hats, Caps",),)
