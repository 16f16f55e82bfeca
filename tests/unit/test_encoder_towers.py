"""Both towers against fakes: a re-embedded generation names its encoder version, the switch moves
vectors and query tower together, a generation is never searched with another space's queries (the
mismatch refusal), rollback restores the previous pair, updates embed with the live tower, and a
both-towers version is written with its own identity and never rolled out alone."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from engine.catalog import Catalog, IndexManifest, catalog_root, read_current, read_manifest
from engine.config import Settings, load_settings
from engine.encoder.rollout import roll_out
from engine.encoder.versions import QueryEncoderStore
from engine.errors import IndexMismatch, InvalidInput, NotFound
from engine.inference.base import EncoderInfo
from engine.inference.towers import PairedTextEncoder
from engine.models.sources import ModelIdentity, fingerprint
from engine.models.tower import WEIGHTS_DIR, TowerManifest
from engine.records import Product
from engine.triton.repository import prepare_runtime_repository
from indexer.build import Builder, BuildOptions
from indexer.rollback import roll_back
from indexer.updates import IndexUpdater
from tests.fakes import FakeInference, FakeLexicalIndex, FakeTextEncoder, FakeVectorIO

QUIET = BuildOptions(progress=False)
BOTH = BuildOptions(progress=False, text_tower=3)
CONFIGURED = EncoderInfo("fake-bert", "1", 32)
TOWER3 = EncoderInfo("query_encoder/3", "t3", 32)


class TowerInference(FakeInference):
    """Versions 1 (configured), 2 (a query tower of the configured space) and 3 (both towers), with
    Triton's loaded set and the calls a switch makes."""

    def __init__(self, ready: Sequence[int] = (1, 2)) -> None:
        super().__init__(FakeTextEncoder(name=CONFIGURED.name, version=CONFIGURED.version))
        self.tower = FakeTextEncoder(name=TOWER3.name, version=TOWER3.version)
        self.spaces = {1: CONFIGURED, 2: CONFIGURED, 3: TOWER3}
        self.ready = set(ready)
        self.loads: list[int] = []

    def product_text_encoder(self, version: int | None = None) -> FakeTextEncoder:
        return self.tower if version == 3 else self.text

    def query_version_for(self, space: EncoderInfo) -> int | None:
        return max((v for v in self.ready if self.spaces[v] == space), default=None)

    def add_query_encoder_version(self, version: int) -> None:
        self.loads.append(version)
        self.ready.add(version)


@pytest.fixture
def world(tmp_path: Path):
    settings = load_settings(data_dir=tmp_path / "var")
    catalog = tmp_path / "c.jsonl"
    rows = [{"id": f"p{i}", "title": f"cordless drill {i}"} for i in range(6)]
    catalog.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    lexical, vio, inference = FakeLexicalIndex(), FakeVectorIO(), TowerInference()
    first = Builder(settings, inference, lexical, vio).build(catalog, QUIET)
    return settings, catalog, lexical, vio, inference, first.generation


def test_a_both_towers_build_names_the_pair_and_switches_once(world) -> None:
    settings, catalog, lexical, vio, inference, old = world
    root = catalog_root(settings)
    assert read_manifest(root, old).text_tower == 1
    gateway = Catalog(settings, inference, lexical, vio)
    assert gateway.load().generation == old
    report = Builder(settings, inference, lexical, vio).build(catalog, BOTH)
    assert inference.loads == [3] and inference.tower.encoded == 6  # loaded first, then embedded
    new = read_manifest(root, report.generation)
    assert new.text_tower == 3 and new.encoders["text"] == TOWER3 and read_current(root) == new.generation
    assert gateway.manifest.generation == old  # serves the old pair until it reloads
    assert gateway.reload_if_changed() and gateway.manifest.generation == new.generation
    assert (root / old / "manifest.json").is_file()  # kept for rollback
    # An unchanged rebuild keeps the live pair (it does not fall back to the configured model).
    again = Builder(settings, inference, lexical, vio).build(catalog, QUIET)
    assert again.unchanged and again.generation == new.generation


def test_the_gateway_loads_the_tower_a_generation_names(world) -> None:
    settings, catalog, lexical, vio, inference, _ = world
    Builder(settings, inference, lexical, vio).build(catalog, BOTH)
    restarted = TowerInference(ready=(1,))  # e.g. Triton restarted with only version 1 loaded
    manifest = Catalog(settings, restarted, lexical, vio).load()
    assert manifest.text_tower == 3 and restarted.loads == [3]


def test_a_generation_whose_space_no_loaded_version_serves_is_refused(world) -> None:
    settings, catalog, lexical, vio, inference, _ = world
    Builder(settings, inference, lexical, vio).build(catalog, BOTH)
    root = catalog_root(settings)
    live = read_manifest(root, read_current(root))
    stranger = EncoderInfo("query_encoder/9", "other", 32)
    text = (root / live.generation / "manifest.json").read_text(encoding="utf-8")
    payload = json.loads(text)
    payload["encoders"]["text"] = stranger.__dict__
    payload["text_tower"] = 0  # names no version the gateway could load
    (root / live.generation / "manifest.json").write_text(json.dumps(payload), encoding="utf-8")
    with pytest.raises(IndexMismatch, match="query_encoder/9"):
        Catalog(settings, TowerInference(ready=(1, 2, 3)), lexical, vio).load()


def test_queries_name_the_version_paired_with_the_served_generation(world) -> None:
    settings, catalog, lexical, vio, inference, old = world
    root = catalog_root(settings)
    gateway = Catalog(settings, inference, lexical, vio)
    gateway.load()
    asked: list[int | None] = []

    class Inner:
        def info(self) -> EncoderInfo:
            return CONFIGURED

        def encode_versioned(self, texts: Sequence[str], version: int | None = None):
            asked.append(version)
            return np.zeros((len(texts), 32), dtype=np.float32), version or 0

    paired = PairedTextEncoder(
        Inner(), lambda: gateway.manifest.encoders["text"], inference.query_version_for
    )
    inference.ready = {1, 2, 3}  # mid-switch: both pairs loaded
    paired.encode(["drill"])
    Builder(settings, inference, lexical, vio).build(catalog, BOTH)
    paired.encode(["drill"])  # the gateway has not reloaded: still the old pair
    gateway.reload_if_changed()
    paired.encode(["drill"])
    switched = roll_back(root, inference.add_query_encoder_version)
    assert switched.current == old and switched.text_tower == 1
    gateway.reload_if_changed()
    paired.encode(["drill"])
    assert asked == [2, 2, 3, 2]
    inference.ready = {1, 2}  # version 3 unloaded while its generation is served: refused, not mixed
    Builder(settings, inference, lexical, vio).build(catalog, BOTH)
    gateway.reload_if_changed()
    inference.ready.discard(3)
    with pytest.raises(IndexMismatch, match="query_encoder/3"):
        paired.encode(["drill"])


def test_rollback_reloads_the_tower_of_a_both_towers_generation(world) -> None:
    settings, catalog, lexical, vio, inference, _ = world
    root = catalog_root(settings)
    both = Builder(settings, inference, lexical, vio).build(catalog, BOTH).generation
    plain = BuildOptions(progress=False, text_tower=1)
    third = Builder(settings, inference, lexical, vio).build(catalog, plain).generation
    assert read_manifest(root, third).text_tower == 1
    loads: list[int] = []
    switched = roll_back(root, loads.append, both)
    assert switched.current == both and loads == [3] and read_current(root) == both
    roll_back(root, loads.append, third)  # the configured pair: nothing to load
    assert loads == [3] and read_current(root) == third
    with pytest.raises(NotFound, match="only Triton"):
        roll_back(root, None, both)
    assert read_current(root) == third


def test_updates_embed_with_the_live_generations_tower(world) -> None:
    settings, catalog, lexical, vio, inference, _ = world
    Builder(settings, inference, lexical, vio).build(catalog, BOTH)
    before_tower, before_configured = inference.tower.encoded, inference.text.encoded
    updater = IndexUpdater(catalog_root(settings), lexical, inference, vio)
    updater.upsert([Product(id="n1", title="impact driver")])
    assert inference.tower.encoded == before_tower + 1 and inference.text.encoded == before_configured


def test_manifest_pair_round_trips_and_old_manifests_read_as_unrecorded() -> None:
    manifest = IndexManifest("g", {"text": TOWER3}, 3, "sha256:x", "now", text_tower=3)
    assert IndexManifest.from_json(manifest.to_json()).text_tower == 3
    legacy = json.loads(manifest.to_json())
    del legacy["text_tower"]
    assert IndexManifest.from_json(json.dumps(legacy)).text_tower == 0


class SavedTower:
    def save(self, path: str) -> None:
        Path(path).mkdir(parents=True)
        (Path(path) / "model.safetensors").write_bytes(b"tuned weights")


class PinLoader:
    def __init__(self) -> None:
        self.loaded: list[int] = []

    def load_query_encoder_version(self, version: int) -> None:
        self.loaded.append(version)


@pytest.fixture
def shop(tmp_path: Path) -> Settings:
    settings = load_settings(data_dir=tmp_path / "var")
    params = {"encoder_name": "fake-bert", "encoder_version": "1"}
    prepare_runtime_repository(settings, {"query_encoder": params})
    return settings


def test_a_both_towers_version_has_its_own_identity_and_never_rolls_out_alone(shop, tmp_path) -> None:
    store = QueryEncoderStore(shop)
    placeholder = ModelIdentity("", "")
    version = store.add(SavedTower(), TowerManifest(0, placeholder, parent=1, towers="both"))
    manifest = store.manifest(version)
    assert manifest is not None and manifest.embeds_products
    assert manifest.base == ModelIdentity(
        f"query_encoder/{version}", fingerprint(store.model_dir / "2" / WEIGHTS_DIR)
    )
    loader = PinLoader()
    with pytest.raises(InvalidInput, match="--text-tower"):
        roll_out(store, loader, version)
    assert loader.loaded == []
    # Once its generation is live, the configured model's query tower does not match the vectors.
    root = catalog_root(shop)
    live = IndexManifest(
        "g2",
        {"text": EncoderInfo(manifest.base.name, manifest.base.version, 32)},
        1,
        "x",
        "now",
        text_tower=2,
    )
    (root / "g2").mkdir(parents=True)
    (root / "g2" / "manifest.json").write_text(live.to_json(), encoding="utf-8")
    (root / "CURRENT").write_text("g2\n", encoding="utf-8")
    assert store.vectors_identity() == manifest.base and store.live_text_tower() == 2
    with pytest.raises(IndexMismatch, match="re-embed"):
        roll_out(store, loader, 1)
    assert loader.loaded == []
