"""Saving and loading vector stores: round trips, encoder checks and crash safety."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from engine.errors import IndexMismatch, NotFound
from engine.inference.base import EncoderInfo
from engine.vectors import persist
from engine.vectors.factory import load_vector_store
from engine.vectors.faiss_indexes import IndexParams
from engine.vectors.faiss_store import FaissVectorStore
from engine.vectors.idmap import IdMap
from tests.unit.test_vectors_data import DIM, IVFPQ_COUNT, clustered, ids_for

ENCODER = EncoderInfo(name="all-MiniLM-L6-v2", version="1", dim=DIM)


def _store(kind: str, n: int) -> tuple[FaissVectorStore, np.ndarray, list[str]]:
    vectors, ids = clustered(n), ids_for(n)
    store = FaissVectorStore(DIM, kind, space="text", params=IndexParams(expected_count=n, ef_search=77))
    store.add(ids, vectors)
    return store, vectors, ids


@pytest.mark.parametrize(
    ("kind", "n"),
    [("flat", 800), ("hnsw", 800), ("ivfpq", IVFPQ_COUNT), ("ivfpq", 300)],
    ids=["flat", "hnsw", "ivfpq", "ivfpq-untrained"],
)
def test_round_trip_keeps_ids_vectors_and_answers(tmp_path: Path, kind: str, n: int) -> None:
    store, vectors, ids = _store(kind, n)
    store.remove(ids[:5])  # HNSW: tombstones must survive the trip
    store.save(tmp_path, store.manifest_for(ENCODER, catalog_checksum="abc"))

    loaded, manifest = load_vector_store(tmp_path, ENCODER)
    assert (manifest.count, manifest.index_type, manifest.space) == (n - 5, kind, "text")
    assert (manifest.model_name, manifest.dim, manifest.catalog_checksum) == (ENCODER.name, DIM, "abc")
    assert manifest.created_at
    assert loaded.params.ef_search == 77
    assert sorted(loaded.ids()) == sorted(ids[5:])
    for row in (5, 99, n - 1):
        assert [h.product_id for h in loaded.search(vectors[row], 10)] == [
            h.product_id for h in store.search(vectors[row], 10)
        ]
    np.testing.assert_allclose(loaded.get_vector(ids[7]), store.get_vector(ids[7]), rtol=1e-6)
    loaded.add(["new"], vectors[:1])  # a loaded store keeps working
    assert loaded.search(vectors[0], 20, allowed_ids={"new"})[0].product_id == "new"


@pytest.mark.parametrize(
    "other",
    [
        EncoderInfo("clip-ViT-B-32", "1", DIM),
        EncoderInfo(ENCODER.name, "2", DIM),
        EncoderInfo(ENCODER.name, "1", DIM * 2),
    ],
    ids=["model", "version", "dim"],
)
def test_load_refuses_an_index_from_another_encoder(tmp_path: Path, other: EncoderInfo) -> None:
    store, _, _ = _store("flat", 50)
    store.save(tmp_path, store.manifest_for(ENCODER))
    with pytest.raises(IndexMismatch, match="rebuild"):
        load_vector_store(tmp_path, other)
    assert load_vector_store(tmp_path, None)[1].count == 50


def test_loading_nothing_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        load_vector_store(tmp_path / "never-saved", ENCODER)


def test_save_refuses_a_manifest_of_another_dimension(tmp_path: Path) -> None:
    store, _, _ = _store("flat", 10)
    with pytest.raises(IndexMismatch):
        store.save(tmp_path, store.manifest_for(EncoderInfo("x", "1", DIM + 1)))


def _boom(*args: object, **kwargs: object) -> None:
    raise OSError("disk full")


@pytest.mark.parametrize(
    "crash_point",
    ["idmap", "manifest", "pointer"],
    ids=["after-index-file", "before-manifest", "before-pointer-switch"],
)
def test_a_crash_during_save_leaves_the_previous_state_loadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, crash_point: str
) -> None:
    store, vectors, ids = _store("hnsw", 300)
    store.save(tmp_path, store.manifest_for(ENCODER))
    store.remove(ids[:100])
    store.add(["late"], vectors[:1])

    with monkeypatch.context() as patch:
        target = {
            "idmap": (IdMap, "save"),
            "manifest": (persist, "write_manifest"),
            "pointer": (persist, "switch_pointer"),
        }[crash_point]
        patch.setattr(*target, _boom)
        with pytest.raises(OSError, match="disk full"):
            store.save(tmp_path, store.manifest_for(ENCODER))

    loaded, manifest = load_vector_store(tmp_path, ENCODER)
    assert manifest.count == 300 and sorted(loaded.ids()) == sorted(ids)
    assert not loaded.contains("late")

    store.save(tmp_path, store.manifest_for(ENCODER))  # the next save recovers and cleans up
    loaded, manifest = load_vector_store(tmp_path, ENCODER)
    assert manifest.count == 201 and loaded.contains("late")
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == []


def test_only_the_live_and_previous_generations_are_kept(tmp_path: Path) -> None:
    store, _, _ = _store("flat", 20)
    for _ in range(4):
        store.save(tmp_path, store.manifest_for(ENCODER))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["CURRENT", "gen-000003", "gen-000004"]
    assert (tmp_path / "CURRENT").read_text().strip() == "gen-000004"
    saved = json.loads((tmp_path / "gen-000004" / "manifest.json").read_text())
    assert saved["params"]["ef_search"] == 77 and saved["count"] == 20


def test_an_inconsistent_generation_is_refused(tmp_path: Path) -> None:
    store, _, _ = _store("flat", 20)
    store.save(tmp_path, store.manifest_for(ENCODER))
    manifest_file = tmp_path / "gen-000001" / "manifest.json"
    payload = json.loads(manifest_file.read_text())
    manifest_file.write_text(json.dumps({**payload, "count": 21}))
    with pytest.raises(IndexMismatch, match="disagree"):
        load_vector_store(tmp_path, ENCODER)
