"""A query tower's match thresholds: carried over so real queries clear the same share of products,
written with the version, and used by the gateway exactly while that version serves."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.catalog import Catalog, catalog_root, read_current, read_manifest
from engine.encoder.evaluate import ProductVectors
from engine.encoder.thresholds import carried_thresholds
from engine.errors import InvalidInput
from engine.events.embedded import EmbeddedEventLog
from engine.models.tower_thresholds import THRESHOLDS_FILE, read_thresholds, write_thresholds
from engine.services import EngineServices
from engine.vectors.calibration import VERY_ALIKE, carry_threshold
from tests.unit.test_encoder_towers import world  # noqa: F401  (fixture)

RNG = np.random.default_rng(7)


def test_a_carried_threshold_lets_the_same_share_of_scores_through() -> None:
    before = RNG.normal(0.2, 0.1, 5000)
    after = before - 0.08 + RNG.normal(0.0, 0.01, 5000)  # the new tower sits lower, in the same order
    carried = carry_threshold(before, after, 0.41)
    assert np.mean(after >= carried) == pytest.approx(np.mean(before >= 0.41), abs=1e-3)
    assert 0.30 < carried < 0.35
    assert carry_threshold(before, before, 0.41) == pytest.approx(0.41, abs=0.01)
    assert carry_threshold(before, after, 5.0) > after.max()  # nothing reached it: nothing will
    assert carry_threshold(np.array([]), after, 0.41) == 0.41


def test_the_same_tower_carries_the_thresholds_unchanged_and_a_lower_one_lowers_them() -> None:
    vectors = RNG.normal(size=(300, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    products = ProductVectors(tuple(f"p{i}" for i in range(300)), vectors)
    table = {f"q{i}": vectors[i] + RNG.normal(0, 0.3, 16).astype(np.float32) for i in range(40)}

    def serving(texts: list[str]) -> np.ndarray:
        rows = np.stack([table[t] for t in texts])
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    def shrunk(texts: list[str]) -> np.ndarray:  # same directions, scores scaled down
        return serving(texts) * 0.8

    stored = {"semantic_threshold": 0.5, "near_threshold": 0.3, "unset": None}
    same, details = carried_thresholds(serving, serving, list(table), products, stored)
    assert set(same) == {"semantic_threshold", "near_threshold"} and details["queries"] == 40
    scores = serving(list(table)) @ vectors.T
    for name in same:
        assert np.mean(scores >= same[name]) == np.mean(scores >= stored[name])
    lower, _ = carried_thresholds(shrunk, serving, list(table), products, stored)
    assert lower["semantic_threshold"] == pytest.approx(0.8 * same["semantic_threshold"], rel=1e-5)
    assert carried_thresholds(shrunk, serving, [], products, stored) == ({}, {})


def test_a_malformed_thresholds_file_is_named(tmp_path: Path) -> None:
    write_thresholds(tmp_path, {"semantic_threshold": 0.35}, {"queries": 3})
    assert read_thresholds(tmp_path / THRESHOLDS_FILE) == {"semantic_threshold": 0.35}
    (tmp_path / THRESHOLDS_FILE).write_text("{}")
    with pytest.raises(InvalidInput, match="holds no thresholds"):
        read_thresholds(tmp_path / THRESHOLDS_FILE)


def test_the_gateway_uses_a_towers_thresholds_only_while_it_serves(world, tmp_path: Path) -> None:  # noqa: F811
    settings, _, lexical, vio, inference, _ = world
    root = catalog_root(settings)
    built = read_manifest(root, read_current(root) or "")
    assert built.semantic_threshold is not None
    folder = Path(settings.data_dir) / "model_repository" / "query_encoder" / "2"
    folder.mkdir(parents=True)
    write_thresholds(folder, {"semantic_threshold": 0.123, "near_threshold": 0.045}, {})
    services = EngineServices.assemble(
        settings,
        lexical,
        inference,
        Catalog(settings, inference, lexical, vio),
        EmbeddedEventLog(tmp_path / "e"),
    )
    try:
        inference.ready = {1, 2}  # version 2 (a query tower of the configured space) serves
        assert services.pipeline.matchset.threshold() == 0.123
        assert services.pipeline.matchset.near_threshold() == 0.045
        inference.ready = {1}  # rolled back: the generation's calibrated values again
        assert services.pipeline.matchset.threshold() == built.semantic_threshold
        # The fake encoder's vectors of this small catalog are very alike: near matches are off then.
        alike = built.semantic_threshold > VERY_ALIKE
        assert services.pipeline.matchset.near_threshold() == (None if alike else built.near_threshold)
    finally:
        services.close()
