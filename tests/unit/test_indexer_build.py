"""Full builds against fakes: generations, checkpoints, idempotency, strictness and images."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import indexer.build as build_module
from engine.catalog import CURRENT, Catalog, catalog_root, read_current, read_manifest
from engine.config import Settings, load_settings
from engine.lexical.embedded import EmbeddedLexical
from engine.lexical.matching import MatchQuery, SearchFields
from engine.vectors.calibration import NEAR_QUANTILE, calibrate_store
from indexer.build import Builder, BuildOptions
from indexer.checksum import CatalogChecksum
from indexer.embedding import EmbedOptions
from indexer.loading import load_catalog
from indexer.problems import BadRecords
from indexer.rollback import roll_back
from tests.fakes import (
    EncoderCrash,
    FakeClipEncoder,
    FakeInference,
    FakeLexicalIndex,
    FakeTextEncoder,
    FakeVectorIO,
    png_bytes,
)

QUIET = BuildOptions(progress=False, chunk_size=4, embed=EmbedOptions(batch_size=2, in_flight=1))


def write_catalog(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def products(n: int, prefix: str = "p") -> list[dict]:
    return [
        {"id": f"{prefix}{i}", "title": f"product {prefix} number {i}", "brand": "Acme"} for i in range(n)
    ]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "var")


@pytest.fixture
def lexical() -> FakeLexicalIndex:
    return FakeLexicalIndex()


@pytest.fixture
def vio() -> FakeVectorIO:
    return FakeVectorIO()


def test_build_writes_generation_manifest_and_current(tmp_path, settings, lexical, vio) -> None:
    catalog = write_catalog(tmp_path / "c.jsonl", products(10))
    inference = FakeInference()
    report = Builder(settings, inference, lexical, vio).build(catalog, QUIET)
    root = catalog_root(settings)
    assert read_current(root) == report.generation
    manifest = read_manifest(root, report.generation)
    assert manifest.count == 10 and report.count == 10
    assert manifest.encoders == {"text": inference.text.info()}
    assert manifest.catalog_checksum == str(CatalogChecksum.of(load_catalog(catalog).products))
    assert manifest.space_counts == {"text": 10}
    assert manifest.source == str(catalog)
    store = Catalog(settings, inference, lexical, vio)
    store.load()
    assert manifest.semantic_threshold == calibrate_store(store.vector_store("text"))
    assert manifest.near_threshold == calibrate_store(store.vector_store("text"), NEAR_QUANTILE)
    assert manifest.near_threshold is not None and manifest.near_threshold < manifest.semantic_threshold
    assert lexical.count() == 10
    assert not (root / report.generation / "checkpoint").exists()
    catalog_handle = Catalog(settings, inference, lexical, vio)
    assert catalog_handle.load().generation == report.generation
    assert sorted(catalog_handle.vector_store("text").ids()) == sorted(f"p{i}" for i in range(10))


def test_stores_and_lexical_are_written_before_manifest_and_current(
    tmp_path, settings, lexical, vio, monkeypatch
):
    """The lexical generation is staged before the commit and published (its own pointer) after it."""
    events: list[str] = []
    catalog = write_catalog(tmp_path / "c.jsonl", products(3))

    class RecordingLexical(FakeLexicalIndex):
        def stage(self, items):
            events.append("lexical staged")
            return super().stage(items)

        def publish(self, name, keep=()):
            events.append("lexical published")
            return super().publish(name, keep)

    real_manifest, real_switch = build_module.write_manifest, build_module.switch_current
    monkeypatch.setattr(
        build_module, "write_manifest", lambda *a: (events.append("manifest"), real_manifest(*a))
    )
    monkeypatch.setattr(
        build_module, "switch_current", lambda *a: (events.append("current"), real_switch(*a))
    )
    real_save = build_module.write_stores

    def recording_save(*args):
        out = real_save(*args)
        events.append("vectors")
        return out

    monkeypatch.setattr(build_module, "write_stores", recording_save)
    Builder(settings, FakeInference(), RecordingLexical(), vio).build(catalog, QUIET)
    assert events == ["vectors", "lexical staged", "manifest", "current", "lexical published"]


def test_identical_rebuild_is_a_noop_unless_forced(tmp_path, settings, lexical, vio) -> None:
    catalog = write_catalog(tmp_path / "c.jsonl", products(6))
    inference = FakeInference()
    first = Builder(settings, inference, lexical, vio).build(catalog, QUIET)
    encoded = inference.text.encoded
    reordered = write_catalog(tmp_path / "c2.jsonl", list(reversed(products(6))))
    again = Builder(settings, inference, lexical, vio).build(reordered, QUIET)
    assert again.unchanged and again.generation == first.generation
    assert inference.text.encoded == encoded and lexical.rebuilds == 1
    forced = Builder(settings, inference, lexical, vio).build(
        catalog, BuildOptions(**{**vars(QUIET), "force": True})
    )
    assert not forced.unchanged and forced.generation != first.generation
    assert read_current(catalog_root(settings)) == forced.generation
    # the previous generation is kept for rollback, nothing older
    assert {p.name for p in catalog_root(settings).iterdir() if p.is_dir()} == {
        first.generation,
        forced.generation,
    }


def test_changed_encoder_forces_a_rebuild(tmp_path, settings, lexical, vio) -> None:
    catalog = write_catalog(tmp_path / "c.jsonl", products(4))
    Builder(settings, FakeInference(), lexical, vio).build(catalog, QUIET)
    newer = FakeInference(FakeTextEncoder(version="2"))
    report = Builder(settings, newer, lexical, vio).build(catalog, QUIET)
    assert not report.unchanged
    assert read_manifest(catalog_root(settings), report.generation).encoders["text"].version == "2"


def test_killed_build_keeps_serving_and_rerun_resumes(tmp_path, settings, lexical, vio) -> None:
    old = write_catalog(tmp_path / "old.jsonl", products(5, "old"))
    serving = Builder(settings, FakeInference(), lexical, vio).build(old, QUIET).generation
    new = write_catalog(tmp_path / "new.jsonl", products(20, "new"))
    crashing = FakeInference(FakeTextEncoder(fail_after=5))  # 2 full chunks of 4 (2 batches each), then dies
    with pytest.raises(EncoderCrash):
        Builder(settings, crashing, lexical, vio).build(new, QUIET)
    root = catalog_root(settings)
    assert read_current(root) == serving
    assert sorted(lexical.all_ids()) == sorted(f"old{i}" for i in range(5))
    handle = Catalog(settings, FakeInference(), lexical, vio)
    assert handle.load().generation == serving and handle.vector_store("text").count() == 5

    resumed_encoder = FakeTextEncoder()
    report = Builder(settings, FakeInference(resumed_encoder), lexical, vio).build(new, QUIET)
    assert report.reused == 8
    assert resumed_encoder.encoded == 12
    assert read_current(root) == report.generation
    # the resumed index equals one computed from scratch
    store = vio.load(root / report.generation / "text", resumed_encoder.info())
    fresh = FakeTextEncoder()
    from indexer.embedding import document_text

    items = load_catalog(new).products
    expected = fresh.encode([document_text(p, settings.text_max_tokens) for p in items])
    for row, product in enumerate(items):
        np.testing.assert_allclose(store.get_vector(product.id), expected[row], rtol=1e-6)
    assert handle.reload_if_changed() and handle.manifest.count == 20


def test_checkpoint_of_another_catalog_is_not_reused(tmp_path, settings, lexical, vio) -> None:
    first = write_catalog(tmp_path / "a.jsonl", products(12, "a"))
    with pytest.raises(EncoderCrash):
        Builder(settings, FakeInference(FakeTextEncoder(fail_after=3)), lexical, vio).build(first, QUIET)
    other = write_catalog(tmp_path / "b.jsonl", products(12, "b"))
    encoder = FakeTextEncoder()
    report = Builder(settings, FakeInference(encoder), lexical, vio).build(other, QUIET)
    assert report.reused == 0 and encoder.encoded == 12
    # the abandoned generation of the other catalog is cleaned up after the switch
    dirs = [p.name for p in catalog_root(settings).iterdir() if p.is_dir()]
    assert dirs == [report.generation]


def test_default_mode_skips_bad_records_strict_writes_nothing(tmp_path, settings, lexical, vio) -> None:
    records = [*products(3), {"id": "bad", "price": "x"}, {"id": "p0", "title": "dup"}]
    catalog = write_catalog(tmp_path / "c.jsonl", records)
    with pytest.raises(BadRecords) as caught:
        Builder(settings, FakeInference(), lexical, vio).build(
            catalog, BuildOptions(**{**vars(QUIET), "strict": True})
        )
    assert [p.line for p in caught.value.problems] == [4, 5]
    assert f"{catalog}:4: title: required" in caught.value.message
    assert not catalog_root(settings).exists() or read_current(catalog_root(settings)) is None
    assert lexical.count() == 0
    with pytest.raises(BadRecords, match="2 bad records, more than --max-bad 10% of the 5 read"):
        Builder(settings, FakeInference(), lexical, vio).build(catalog, QUIET)
    assert lexical.count() == 0
    lenient = BuildOptions(**{**vars(QUIET), "max_bad_share": 0.5})
    report = Builder(settings, FakeInference(), lexical, vio).build(catalog, lenient)
    assert report.count == 3 and [p.line for p in report.problems] == [4, 5]
    assert lexical.all_ids() == {"p0", "p1", "p2"}


def test_catalog_without_valid_products_is_refused(tmp_path, settings, lexical, vio) -> None:
    catalog = write_catalog(tmp_path / "c.jsonl", [{"id": "x"}])
    with pytest.raises(BadRecords, match="no valid product"):
        Builder(settings, FakeInference(), lexical, vio).build(catalog, QUIET)
    assert not (catalog_root(settings) / CURRENT).exists()


def test_images_go_to_their_own_store_and_unreadable_ones_are_reported(
    tmp_path, settings, lexical, vio
) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "red.png").write_bytes(png_bytes((255, 0, 0)))
    (tmp_path / "img" / "broken.png").write_bytes(b"not an image")
    records = [
        {"id": "a", "title": "red thing", "image": "img/red.png"},
        {"id": "b", "title": "broken thing", "image": "img/broken.png"},
        {"id": "c", "title": "missing thing", "image": "img/nope.png"},
        {"id": "d", "title": "no image"},
    ]
    catalog = write_catalog(tmp_path / "c.jsonl", records)
    clip = FakeClipEncoder()
    inference = FakeInference(clip=clip)
    with pytest.raises(BadRecords) as caught:
        Builder(settings, inference, lexical, vio).build(
            catalog, BuildOptions(**{**vars(QUIET), "strict": True})
        )
    assert [(p.line, p.product_id) for p in caught.value.problems] == [(2, "b"), (3, "c")]
    assert "not a decodable image" in caught.value.problems[0].message
    assert "cannot read" in caught.value.problems[1].message
    assert read_current(catalog_root(settings)) is None

    report = Builder(settings, inference, lexical, vio).build(catalog, QUIET)
    assert report.count == 2 and report.space_counts == {"text": 2, "image": 1}
    assert lexical.all_ids() == {"a", "d"}
    manifest = read_manifest(catalog_root(settings), report.generation)
    assert manifest.encoders["image"] == clip.info()
    handle = Catalog(settings, inference, lexical, vio)
    handle.load()
    assert handle.vector_store("image").ids() == ["a"]


def test_a_rebuild_under_other_analysis_settings_writes_only_the_lexical_index(
    tmp_path, settings, vio
) -> None:
    """A shop makes an attribute searchable and builds again: a new lexical generation, no embedding."""
    records = [
        {"id": f"b{i}", "title": f"Novel {i}", "attributes": {"format": "hardcover"}} for i in range(4)
    ]
    catalog = write_catalog(tmp_path / "c.jsonl", records)
    inference = FakeInference()

    def lexical_for(current: Settings) -> EmbeddedLexical:
        return EmbeddedLexical(current.path("lexical"), fields=SearchFields.from_settings(current))

    first = Builder(settings, inference, lexical_for(settings), vio).build(catalog, QUIET)
    root = catalog_root(settings)
    before = read_manifest(root, first.generation)
    assert before.analysis == SearchFields.from_settings(settings).analysis()
    assert lexical_for(settings).count_matching(MatchQuery("hardcover")) == 0  # not searchable yet
    encoded = inference.text.encoded
    wider = load_settings(data_dir=settings.data_dir, search_fields={"title": 3.0, "attr.format": 1.0})
    again = Builder(wider, inference, lexical_for(wider), vio).build(catalog, QUIET)
    assert again.reanalysed and not again.unchanged and again.generation == first.generation
    assert inference.text.encoded == encoded  # nothing embedded again
    after = read_manifest(root, first.generation)
    assert after.lexical != before.lexical and after.revision == before.revision + 1
    assert after.analysis == SearchFields.from_settings(wider).analysis()
    reader = lexical_for(wider)
    reader.use(after.lexical)
    assert reader.count_matching(MatchQuery("hardcover")) == 4 and reader.count() == 4
    third = Builder(wider, inference, lexical_for(wider), vio).build(catalog, QUIET)
    assert third.unchanged and not third.reanalysed


def test_a_rollback_after_a_re_analysis_finds_the_older_generations_lexical_index(
    tmp_path, settings, vio
) -> None:
    inference = FakeInference()
    lexical = EmbeddedLexical(settings.path("lexical"), fields=SearchFields.from_settings(settings))
    older = write_catalog(tmp_path / "old.jsonl", products(3, "old"))
    Builder(settings, inference, lexical, vio).build(older, QUIET)
    newer = write_catalog(tmp_path / "new.jsonl", products(4, "new"))
    Builder(settings, inference, lexical, vio).build(newer, QUIET)
    wider = load_settings(data_dir=settings.data_dir, search_fields={"title": 3.0, "brand": 2.0})
    relexed = EmbeddedLexical(wider.path("lexical"), fields=SearchFields.from_settings(wider))
    assert Builder(wider, inference, relexed, vio).build(newer, QUIET).reanalysed
    back = roll_back(catalog_root(settings), None)
    manifest = read_manifest(catalog_root(settings), back.current)
    reader = EmbeddedLexical(settings.path("lexical"))
    reader.use(manifest.lexical)
    assert reader.all_ids() == {"old0", "old1", "old2"}
