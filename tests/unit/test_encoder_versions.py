"""Query-tower versions: written beside the shipped one, served by pinning, refused against product
vectors of another encoder (by the rollout and by the Triton model itself), rolled back, kept across a
refresh of the runtime repository; and the query-embedding cache never crosses versions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engine.config import Settings, load_settings
from engine.encoder.rollout import roll_out, rollback
from engine.encoder.versions import QueryEncoderStore
from engine.errors import IndexMismatch, NotFound
from engine.models.served import QueryEncoderServable
from engine.models.sources import ModelIdentity
from engine.models.tower import MANIFEST_FILE, WEIGHTS_DIR, TowerManifest
from engine.pipeline.embed import QueryEmbedder
from engine.triton.repository import (
    CONFIG_FILE,
    pinned_versions,
    prepare_runtime_repository,
    read_config,
    set_version_policy,
    write_config,
)

SPACE = ModelIdentity("all-MiniLM-L6-v2", "abc123")


class SavedTower:
    """Stands in for a `SentenceTransformer`: `save` writes a weights directory."""

    def save(self, path: str) -> None:
        Path(path).mkdir(parents=True)
        (Path(path) / "model.safetensors").write_bytes(b"weights")


class FakeLoader:
    """Triton's explicit model control for `query_encoder`: pins the version in the runtime config."""

    def __init__(self, settings: Settings, fail: bool = False) -> None:
        self.path = Path(settings.data_dir) / "model_repository" / "query_encoder" / CONFIG_FILE
        self.loaded: list[int] = []
        self.fail = fail

    def load_query_encoder_version(self, version: int) -> None:
        if self.fail:
            raise RuntimeError("simulated failed load")
        config = read_config(self.path)
        set_version_policy(config, [version])
        write_config(self.path, config)
        self.loaded.append(version)


@pytest.fixture
def shop(tmp_path: Path) -> Settings:
    """A runtime repository prepared the way the launcher does, naming SPACE as the product space."""
    settings = load_settings(data_dir=tmp_path / "var")
    params = {"encoder_name": SPACE.name, "encoder_version": SPACE.version}
    prepare_runtime_repository(settings, {"query_encoder": params})
    return settings


def add(store: QueryEncoderStore, base: ModelIdentity = SPACE) -> int:
    return store.add(SavedTower(), TowerManifest(version=0, base=base, parent=store.serving()))


def test_a_new_version_is_written_whole_and_not_served(shop: Settings) -> None:
    store = QueryEncoderStore(shop)
    assert store.versions() == [1] and store.serving() == 1 and store.manifest(1) is None
    assert add(store) == 2
    assert store.serving() == 1  # pinned before the new directory appeared
    version_dir = store.model_dir / "2"
    assert (version_dir / "model.py").is_file() and (
        version_dir / WEIGHTS_DIR / "model.safetensors"
    ).is_file()
    manifest = store.manifest(2)
    assert manifest is not None and manifest.version == 2 and manifest.base == SPACE and manifest.parent == 1
    assert store.weights(2) == version_dir / WEIGHTS_DIR and store.weights(1) is None


def test_rollout_then_rollback_restores_the_previous_version(shop: Settings) -> None:
    store, loader = QueryEncoderStore(shop), FakeLoader(shop)
    add(store)
    record = roll_out(store, loader, 2)
    assert record["previous"] == 1 and store.serving() == 2
    back = rollback(store, loader)
    assert back["action"] == "rollback" and back["version"] == 1 and store.serving() == 1
    assert loader.loaded == [2, 1]
    assert store.versions() == [1, 2]  # rolling forward again stays possible
    assert [r["action"] for r in store.rollouts.records()] == ["rollout", "rollback"]


def test_a_tower_of_another_product_space_is_refused(shop: Settings) -> None:
    store, loader = QueryEncoderStore(shop), FakeLoader(shop)
    add(store, base=ModelIdentity(SPACE.name, "other-weights"))
    with pytest.raises(IndexMismatch, match="re-embed"):
        roll_out(store, loader, 2)
    assert loader.loaded == [] and store.serving() == 1 and store.rollouts.records() == []


def test_a_failed_load_records_nothing_and_unknown_versions_are_named(shop: Settings) -> None:
    store = QueryEncoderStore(shop)
    add(store)
    with pytest.raises(RuntimeError):
        roll_out(store, FakeLoader(shop, fail=True), 2)
    assert store.rollouts.records() == [] and store.serving() == 1
    with pytest.raises(NotFound, match="version 7"):
        roll_out(store, FakeLoader(shop), 7)
    with pytest.raises(NotFound, match="no earlier"):
        rollback(store, FakeLoader(shop))


def test_refreshing_the_runtime_repository_keeps_versions_and_the_pin(shop: Settings) -> None:
    store, loader = QueryEncoderStore(shop), FakeLoader(shop)
    add(store)
    roll_out(store, loader, 2)
    prepare_runtime_repository(shop, {"query_encoder": {"encoder_version": SPACE.version}})
    assert store.versions() == [1, 2] and store.serving() == 2
    # The loader pinned version 2 alone; the refresh adds the product-space version products need.
    assert pinned_versions(read_config(loader.path)) == [1, 2]


def servable(version_dir: Path, params: dict[str, str]) -> QueryEncoderServable:
    model = QueryEncoderServable()
    model.args = {"model_repository": str(version_dir.parent), "model_version": version_dir.name}
    model.params = params
    return model


def test_the_served_model_loads_a_versions_weights_and_refuses_a_mismatch(tmp_path: Path) -> None:
    version_dir = tmp_path / "query_encoder" / "3"
    version_dir.mkdir(parents=True)
    manifest = TowerManifest(version=3, base=SPACE)
    (version_dir / MANIFEST_FILE).write_text(manifest.to_json())
    params = {"encoder_name": SPACE.name, "encoder_version": SPACE.version}
    assert servable(version_dir, params)._tower_weights("/configured") == str(version_dir / WEIGHTS_DIR)
    with pytest.raises(IndexMismatch, match="trained against product vectors"):
        servable(version_dir, {**params, "encoder_version": "rebuilt"})._tower_weights("/configured")
    plain = tmp_path / "query_encoder" / "1"
    plain.mkdir()
    assert servable(plain, params)._tower_weights("/configured") == "/configured"
    assert json.loads((version_dir / MANIFEST_FILE).read_text())["base"]["version"] == SPACE.version


class VersionedEncoder:
    """A text encoder whose vectors depend on the tower version serving, like Triton's."""

    def __init__(self) -> None:
        self.serving = 1
        self.calls = 0

    def info(self) -> Any:
        return None

    def tower_version(self) -> int:
        return self.serving

    def encode(self, texts: Any) -> np.ndarray:
        return self.encode_versioned(texts)[0]

    def encode_versioned(self, texts: Any) -> tuple[np.ndarray, int]:
        self.calls += 1
        return np.full((len(texts), 4), float(self.serving), dtype=np.float32), self.serving


def test_the_embedding_cache_never_answers_with_another_versions_vector() -> None:
    text = VersionedEncoder()
    embedder = QueryEmbedder(text, None)
    assert embedder.embed_text("drill")[0] == 1.0
    assert embedder.embed_text("drill")[0] == 1.0 and text.calls == 1  # cached
    text.serving = 2  # rollout
    assert embedder.embed_text("drill")[0] == 2.0 and text.calls == 2
    text.serving = 1  # rollback: version 1's entry is valid again
    assert embedder.embed_text("drill")[0] == 1.0 and text.calls == 2


def test_an_encoder_without_versions_is_cached_as_before() -> None:
    class Plain:
        calls = 0

        def info(self) -> Any:
            return None

        def encode(self, texts: Any) -> np.ndarray:
            Plain.calls += 1
            return np.ones((len(texts), 4), dtype=np.float32)

    embedder = QueryEmbedder(Plain(), None)
    embedder.embed_text("saw")
    embedder.embed_text("saw")
    assert Plain.calls == 1
