"""Offline training from judgements: data loading, training, the written version and check set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.config import Settings
from engine.errors import InvalidInput, NotFound
from engine.learning.labelled import load_labelled
from engine.learning.offline import OfflineConfig, collect, split, train_from_judgements
from engine.learning.offline_data import Judgements, load_judgements, load_product_ids
from engine.learning.versions import RankerStore
from tests.unit.test_learning_fixtures import World, shop

__all__ = ["shop"]


class WorldSource:
    """Candidates of query "query <q>" from the synthetic world, in the prior's order."""

    def __init__(self, world: World) -> None:
        self.world = world

    def candidates(self, query: str, depth: int) -> tuple[list[str], np.ndarray]:
        q = int(query.split()[-1])
        order = self.world.served_order(q)[:depth]
        return [f"p{q}-{d}" for d in order], self.world.features[q, order]


def world_judgements(world: World) -> Judgements:
    judgements = Judgements(queries={f"q{q}": f"query {q}" for q in range(world.queries)})
    for q in range(world.queries):
        # Grades 1..4 like the datasets; grade-0 products are simply not judged.
        judgements.grades[f"q{q}"] = {
            f"p{q}-{d}": float(g + 1) for d, g in enumerate(world.grades[q]) if g > 0
        }
    return judgements


def test_training_on_judgements_beats_the_prior_on_held_out_queries(shop: Settings) -> None:
    world = World(queries=60, seed=3)
    judgements = world_judgements(world)
    store = RankerStore(shop)
    lists = collect(WorldSource(world), judgements, depth=10)
    assert len(lists) == 60
    result = train_from_judgements(
        store, lists, judgements, OfflineConfig(epochs=30, lr=0.02), data={"data": {"qrels": "x.tsv"}}
    )

    m = result.metrics
    assert m["holdout_ndcg@10_after"] > m["holdout_ndcg@10_before"] + 0.05
    assert m["train_ndcg@10_after"] > m["train_ndcg@10_before"]
    assert result.improved and result.version == 2 and result.parent == 1
    assert store.serving() == 1  # written, not served
    manifest = store.manifest(2)
    assert manifest.training.kind == "judgements" and manifest.training.details["data"] == {"qrels": "x.tsv"}
    assert manifest.training.details["queries"]["holdout"] == 12
    checks, names, min_grade = load_labelled(store.data_dir / "learning" / "checkset.jsonl")
    assert sorted(c.query_id for c in checks) == sorted(item.query_id for item in lists)  # every judged query
    assert names == manifest.feature_names and min_grade == judgements.min_grade == 2.0


def test_lambdarank_also_learns(shop: Settings) -> None:
    world = World(queries=40, seed=4)
    judgements = world_judgements(world)
    lists = collect(WorldSource(world), judgements, depth=10)
    result = train_from_judgements(
        RankerStore(shop), lists, judgements, OfflineConfig(loss="lambdarank", epochs=20, lr=0.02)
    )
    assert result.metrics["holdout_ndcg@10_after"] > result.metrics["holdout_ndcg@10_before"]


def test_split_is_deterministic_and_disjoint() -> None:
    world = World(queries=20)
    lists = collect(WorldSource(world), world_judgements(world), depth=5)
    kept, held = split(lists, 0.25, seed=1)
    _again_kept, again_held = split(list(reversed(lists)), 0.25, seed=1)
    assert [x.query_id for x in held] == [x.query_id for x in again_held]
    assert len(held) == 5 and not {x.query_id for x in kept} & {x.query_id for x in held}


def test_nothing_retrieved_is_a_clear_error(shop: Settings) -> None:
    class Empty:
        def candidates(self, query: str, depth: int) -> tuple[list[str], np.ndarray]:
            return [], np.zeros((0, 18), dtype=np.float32)

    judgements = world_judgements(World(queries=3))
    lists = collect(Empty(), judgements, depth=10)
    with pytest.raises(InvalidInput, match="indexed"):
        train_from_judgements(RankerStore(shop), lists, judgements, OfflineConfig())


def test_judgement_files(tmp_path: Path) -> None:
    queries = tmp_path / "queries.tsv"
    qrels = tmp_path / "qrels.tsv"
    queries.write_text("query_id\tquery\nq1\tred shoes\nq2\twii microphone\n")
    qrels.write_text("query_id\tproduct_id\tgrade\nq1\tp1\t4\nq1\tp2\t1\n")
    judgements = load_judgements(queries, qrels)
    assert judgements.grades == {"q1": {"p1": 4.0, "p2": 1.0}}
    assert judgements.judged_queries() == ["q1"] and judgements.min_grade == 1.0

    qrels.write_text("query_id\tproduct_id\tgrade\nq9\tp1\t4\n")
    with pytest.raises(InvalidInput, match="q9"):
        load_judgements(queries, qrels)
    qrels.write_text("query_id\tproduct_id\tgrade\nq1\tp1\tgood\n")
    with pytest.raises(InvalidInput, match="not a number"):
        load_judgements(queries, qrels)
    qrels.write_text("query\tproduct\n")
    with pytest.raises(InvalidInput, match="missing column"):
        load_judgements(queries, qrels)
    with pytest.raises(NotFound):
        load_judgements(tmp_path / "nope.tsv", qrels)


def test_product_ids(tmp_path: Path) -> None:
    products = tmp_path / "products.jsonl"
    products.write_text('{"id": "a", "title": "x"}\n\n{"id": 7, "title": "y"}\n')
    assert load_product_ids(products) == {"a", "7"}
    products.write_text('{"title": "no id"}\n')
    with pytest.raises(InvalidInput, match=":1:"):
        load_product_ids(products)
