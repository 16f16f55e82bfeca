"""Synthetic shops for the learning tests: a known relevance, a known position bias, a real event log.

World: each query has `docs` products with a hidden grade 0..3. Feature `title_overlap` tracks the grade
closely, `fused_score` (what the prior ranker, version 1, ranks by) only weakly, so a ranker that learns
from clicks has something real to find. Shoppers examine position k with probability `1 / k**eta` and
click an examined product with a probability set by its grade; the served list carries gateway-style
exploration (random swaps of adjacent pairs below position 2, recorded in `propensity_swaps`).
"""

from __future__ import annotations

import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from engine.config import PROJECT_ROOT, Settings, load_settings
from engine.events.base import Event, Impression
from engine.events.embedded import EmbeddedEventLog
from engine.models.make_prior_ranker import make_prior
from engine.ranking.features import FEATURE_NAMES
from engine.triton.repository import CONFIG_FILE, read_config, set_version_policy, write_config

ATTRACTION = np.array([0.03, 0.15, 0.45, 0.85])
COL = {name: i for i, name in enumerate(FEATURE_NAMES)}


@dataclass
class World:
    queries: int = 30
    docs: int = 10
    eta: float = 1.0
    seed: int = 0
    grades: np.ndarray = field(init=False)
    features: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        self.grades = rng.integers(0, 4, size=(self.queries, self.docs))
        f = np.zeros((self.queries, self.docs, len(FEATURE_NAMES)), dtype=np.float32)
        f[..., COL["title_overlap"]] = self.grades / 3 + rng.normal(0, 0.1, self.grades.shape)
        f[..., COL["fused_score"]] = 0.25 * self.grades / 3 + rng.uniform(0, 0.75, self.grades.shape)
        f[..., COL["dense_score"]] = rng.uniform(0, 1, self.grades.shape)
        f[..., COL["available"]] = 1.0
        self.features = f

    def served_order(self, q: int) -> list[int]:
        """The prior ranker's order (by fused_score)."""
        return list(np.argsort(-self.features[q, :, COL["fused_score"]], kind="stable"))


def make_log(
    log: EmbeddedEventLog,
    world: World,
    sessions: int,
    rng: np.random.Generator,
    *,
    invert: bool = False,
    explore: bool = True,
) -> list[Impression]:
    """Serve `sessions` searches with exploration and append them with their simulated clicks."""
    theta = 1.0 / np.arange(1, world.docs + 1) ** world.eta
    attraction = ATTRACTION[::-1] if invert else ATTRACTION
    served = []
    for _ in range(sessions):
        q = int(rng.integers(world.queries))
        order = world.served_order(q)
        swaps = []
        if explore:
            for k in range(1 + int(rng.integers(2)), world.docs - 1, 2):  # 0-based index k, k+1
                if rng.random() < 0.5:
                    order[k], order[k + 1] = order[k + 1], order[k]
                    swaps.append((k + 1, k + 2))
        impression = Impression(
            search_id=uuid.uuid4().hex,
            timestamp=0.0,
            query=f"query {q}",
            product_ids=tuple(f"p{q}-{d}" for d in order),
            positions=tuple(range(1, world.docs + 1)),
            ranker_version=1,
            features=tuple(tuple(float(x) for x in world.features[q, d]) for d in order),
            feature_names=FEATURE_NAMES,
            propensity_swaps=tuple(swaps),
        )
        log.append_impression(impression)
        clicks = [
            Event(
                event_id=uuid.uuid4().hex,
                type="click",
                product_id=impression.product_ids[k],
                timestamp=0.0,
                search_id=impression.search_id,
                position=k + 1,
            )
            for k, d in enumerate(order)
            if rng.random() < theta[k] * attraction[world.grades[q, d]]
        ]
        log.append_events(clicks)
        served.append(impression)
    return served


class FakeLoader:
    """Stands in for Triton's explicit model control: pins the version in the runtime config."""

    def __init__(self, settings: Settings, fail: bool = False) -> None:
        self.config_path = Path(settings.data_dir) / "model_repository" / "ranker" / CONFIG_FILE
        self.loaded: list[int] = []
        self.fail = fail
        self.closed = False

    def load_ranker_version(self, version: int, candidate: int | None = None) -> None:
        if self.fail:
            raise RuntimeError("simulated crash while loading")
        config = read_config(self.config_path)
        set_version_policy(config, [version] if candidate is None else [version, candidate])
        write_config(self.config_path, config)
        self.loaded.append(version)

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def shop(tmp_path: Path) -> Settings:
    """Settings over a data dir whose runtime repository holds the prior ranker as version 1."""
    settings = load_settings(data_dir=tmp_path / "var")
    ranker_dir = tmp_path / "var" / "model_repository" / "ranker"
    make_prior(ranker_dir / "1")
    shutil.copy(PROJECT_ROOT / "model_repository" / "ranker" / CONFIG_FILE, ranker_dir / CONFIG_FILE)
    return settings


@pytest.fixture
def event_log(shop: Settings):
    log = EmbeddedEventLog(Path(shop.data_dir) / "events" / "events.sqlite3")
    yield log
    log.close()
