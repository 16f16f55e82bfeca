"""Query-tower fine-tuning on a tiny BERT: the loss falls, early stopping stops and restores the best
weights, the anchor term keeps the weights near the start, and the gate compares two towers fairly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from engine.encoder.data import Pair, split_queries  # noqa: E402
from engine.encoder.evaluate import EvalQuery, ProductVectors, dense_ndcg  # noqa: E402
from engine.encoder.job import load_tower  # noqa: E402
from engine.encoder.plot import plot_curve  # noqa: E402
from engine.encoder.rollout import gate  # noqa: E402
from engine.encoder.train import FinetuneConfig, finetune, query_embedder  # noqa: E402
from engine.errors import InvalidInput  # noqa: E402
from tests.support.tiny_text import make_tiny_text_model  # noqa: E402

COLOURS = ["red", "blue", "green", "black", "white", "grey", "pink", "brown"]
TOOLS = ["drill", "hammer", "saw", "brush", "ladder", "wrench"]


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    torch.set_num_threads(1)
    return make_tiny_text_model(tmp_path_factory.mktemp("tiny"), COLOURS + TOOLS + ["cordless", "steel"])


@pytest.fixture
def catalog() -> tuple[list[Pair], ProductVectors, list[EvalQuery]]:
    """48 products (colour x tool); a query names both words; product vectors are random but fixed."""
    rng = np.random.default_rng(0)
    ids = [f"{c}-{t}" for c in COLOURS for t in TOOLS]
    vectors = rng.normal(size=(len(ids), 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    products = ProductVectors(tuple(ids), vectors)
    pairs = [Pair(f"q-{pid}", pid.replace("-", " "), pid) for pid in ids]
    validation = [EvalQuery(p.query_id, p.query, {p.product_id: 3.0}) for p in pairs[:12]]
    return pairs, products, validation


def drift(model: Any, start: dict[str, Any]) -> float:
    return float(
        sum(((v - start[k]) ** 2).sum() for k, v in model.state_dict().items() if v.is_floating_point())
    )


def test_loss_goes_down_and_validation_rises(tiny_model_dir: Path, catalog: Any, tmp_path: Path) -> None:
    pairs, products, validation = catalog
    model = load_tower(tiny_model_dir, 32, "cpu")
    config = FinetuneConfig(
        epochs=12, batch_size=16, lr=3e-3, warmup=0.1, anchor=0.0, eval_every=9, patience=50
    )
    result = finetune(model, pairs, products, validation, config)
    per_epoch = len(pairs) // 16
    assert np.mean(result.losses[-per_epoch:]) < 0.7 * np.mean(result.losses[:per_epoch])
    assert result.best_ndcg > result.start_ndcg
    # The model holds the best weights seen: its validation nDCG is the best recorded one.
    assert dense_ndcg(query_embedder(model), validation, products) == pytest.approx(result.best_ndcg)
    png = plot_curve(result, tmp_path / "curve.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_early_stopping_stops_and_restores_the_best_weights(tiny_model_dir: Path, catalog: Any) -> None:
    pairs, products, _ = catalog
    # Validation whose judged product is not in the corpus: nDCG stays 0, so no evaluation improves.
    hopeless = [EvalQuery("qx", "red drill", {"not-in-corpus": 3.0})]
    model = load_tower(tiny_model_dir, 32, "cpu")
    start = {k: v.clone() for k, v in model.state_dict().items()}
    config = FinetuneConfig(epochs=20, batch_size=8, lr=1e-3, eval_every=2, patience=2, anchor=0.0)
    result = finetune(model, pairs, products, hopeless, config)
    assert result.stopped_early
    assert len(result.losses) == 4  # evaluations at steps 2 and 4 did not beat step 0
    assert result.best_step == 0
    assert all(torch.equal(v, start[k]) for k, v in model.state_dict().items())


def test_anchor_term_keeps_weights_close_to_the_start(tiny_model_dir: Path, catalog: Any) -> None:
    pairs, products, validation = catalog
    drifts = {}
    for anchor in (0.0, 50.0):
        model = load_tower(tiny_model_dir, 32, "cpu")
        start = {k: v.clone() for k, v in model.state_dict().items()}
        config = FinetuneConfig(
            epochs=3, batch_size=16, lr=3e-3, anchor=anchor, eval_every=1000, restore_best=False
        )
        finetune(model, pairs, products, validation, config)
        drifts[anchor] = drift(model, start)
    assert drifts[50.0] < 0.5 * drifts[0.0]


def test_bad_settings_and_inputs_are_named(tiny_model_dir: Path, catalog: Any) -> None:
    pairs, products, validation = catalog
    model = load_tower(tiny_model_dir, 32, "cpu")
    with pytest.raises(InvalidInput, match="lr"):
        finetune(model, pairs, products, validation, FinetuneConfig(lr=0.0))
    with pytest.raises(InvalidInput, match="2 training pairs"):
        finetune(model, pairs[:1], products, validation, FinetuneConfig())
    with pytest.raises(InvalidInput, match="validation"):
        finetune(model, pairs, products, [], FinetuneConfig())


def test_split_is_query_disjoint_seeded_and_complete() -> None:
    ids = [f"q{i}" for i in range(100)]
    a, b = split_queries(ids, 0.5, seed=7)
    assert sorted(a + b) == sorted(ids) and not set(a) & set(b) and len(a) == 50
    assert split_queries(list(reversed(ids)), 0.5, seed=7) == (a, b)
    assert split_queries(ids, 0.5, seed=8) != (a, b)


def test_gate_accepts_a_better_tower_and_rejects_a_worse_one(catalog: Any) -> None:
    _, products, validation = catalog
    lookup = {q.text: products.rows(list(q.grades))[0] for q in validation}
    rng = np.random.default_rng(1)

    def exact(texts: Any) -> np.ndarray:
        return np.stack([lookup[t] for t in texts])

    def noise(texts: Any) -> np.ndarray:
        rows = rng.normal(size=(len(texts), 32)).astype(np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    better = gate(exact, noise, validation, products)
    assert better.accepted and better.candidate == pytest.approx(1.0) and better.queries == 12
    worse = gate(noise, exact, validation, products)
    assert not worse.accepted and "< serving" in worse.reasons[0]
    assert not gate(exact, noise, [], products).accepted


def test_both_towers_train_the_product_side_and_validate_in_their_own_space(
    tiny_model_dir: Path, catalog: Any
) -> None:
    pairs, products, validation = catalog
    texts = {pid: pid.replace("-", " ") + " tool" for pid in products.ids}
    config = FinetuneConfig(
        epochs=6,
        batch_size=16,
        lr=3e-3,
        anchor=0.0,
        eval_every=6,
        patience=50,
        towers="both",
        restore_best=False,
    )
    with pytest.raises(InvalidInput, match="product texts"):
        finetune(load_tower(tiny_model_dir, 32, "cpu"), pairs, products, validation, config)
    with pytest.raises(InvalidInput, match="no text"):
        finetune(
            load_tower(tiny_model_dir, 32, "cpu"),
            pairs,
            products,
            validation,
            config,
            product_texts={k: v for k, v in texts.items() if k != "red-drill"},
        )
    # The random fixed vectors are ignored: validation embeds the corpus with the weights trained.
    model = load_tower(tiny_model_dir, 32, "cpu")
    encode = query_embedder(model)
    before = encode([texts["red-drill"]])
    result = finetune(model, pairs, products, validation, config, product_texts=texts)
    own = ProductVectors(products.ids, encode([texts[i] for i in products.ids]))
    assert dense_ndcg(encode, validation, own) == pytest.approx(result.evals[-1][1])
    assert not np.allclose(encode([texts["red-drill"]]), before, atol=1e-4)
    with pytest.raises(InvalidInput, match="towers"):
        FinetuneConfig(towers="product").check()
