"""Query-tower training from a small synthetic click log: clicks become pairs weighted by inverse
propensity, products shown above the last click and passed over become negatives (never a product
clicked for the same query), the loss honours both, and `engine encoder finetune --clicks` trains,
gates on held-out click queries and writes a version with no judgements at all."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from engine.cli import main  # noqa: E402
from engine.config import Settings  # noqa: E402
from engine.encoder.clicks import click_eval_queries, click_pairs  # noqa: E402
from engine.encoder.data import Pair  # noqa: E402
from engine.encoder.evaluate import ProductVectors  # noqa: E402
from engine.encoder.job import FinetuneRequest, load_tower, run_finetune  # noqa: E402
from engine.encoder.sources import Splits, from_clicks  # noqa: E402
from engine.encoder.train import FinetuneConfig, _step_loss  # noqa: E402
from engine.encoder.versions import QueryEncoderStore  # noqa: E402
from engine.events.base import Event, Impression  # noqa: E402
from engine.events.embedded import EmbeddedEventLog  # noqa: E402
from engine.learning.clicks import ClickedList  # noqa: E402
from engine.learning.propensity import Propensities  # noqa: E402
from tests.unit import test_encoder_job as shared  # noqa: E402
from tests.unit.test_encoder_versions import FakeLoader  # noqa: E402

tiny, files, shop = shared.tiny, shared.files, shared.shop  # the same tiny BERT and shop fixtures
IDS = [f"{c}-{t}" for c in shared.COLOURS for t in shared.TOOLS]
TEXTS = {pid: pid.replace("-", " ") for pid in IDS}


def shown(query: str, products: list[str], clicked: list[int], sid: str = "s") -> ClickedList:
    n = len(products)
    impression = Impression(
        sid, 0.0, query, tuple(products), tuple(range(1, n + 1)), 1, features=((0.0,),) * n
    )
    return ClickedList(impression, tuple(clicked))


def test_clicks_are_weighted_by_inverse_propensity_with_passed_over_negatives() -> None:
    theta = Propensities(theta=(1.0, 0.5, 0.25, 0.2, 0.1), max_weight=8.0)
    order = ["red-saw", "blue-saw", "green-saw", "black-saw", "white-saw", "grey-saw"]
    lists = [
        shown("red saw", order, [0, 3]),  # clicks at 1 and 4: 2 and 3 were seen and passed over
        shown("red saw", order, [1]),  # blue-saw is clicked for this query elsewhere: never a negative
        shown("pink drill", ["pink-drill", "not-in-catalog"], [0, 1]),
    ]
    pairs = click_pairs(lists, theta, TEXTS)
    assert [(p.query, p.product_id, p.weight) for p in pairs] == [
        ("red saw", "red-saw", 1.0),
        ("red saw", "black-saw", 5.0),
        ("red saw", "blue-saw", 2.0),
        ("pink drill", "pink-drill", 1.0),
    ]
    assert pairs[0].negatives == ("green-saw",) == pairs[1].negatives
    assert pairs[2].negatives == () and pairs[3].negatives == ()
    # A position past the table is capped at max_weight (1 / 0.1 = 10 > 8).
    deep = click_pairs([shown("grey saw", order, [5])], theta, TEXTS)
    assert deep[0].weight == 8.0 and deep[0].negatives[:2] == ("white-saw", "black-saw")
    assert click_pairs(lists, theta, TEXTS, query_ids={"click:pink drill"})[0].query == "pink drill"
    [held_out] = click_eval_queries(lists, ["click:red saw"], grade=2.0)
    assert held_out.grades == {"red-saw": 2.0, "black-saw": 2.0, "blue-saw": 2.0}


def test_loss_honours_weights_and_hard_negatives(tiny: Path) -> None:
    model = load_tower(tiny, 32, "cpu")
    model.eval()  # no dropout: the same input gives the same loss
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(len(IDS), 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    products = ProductVectors(tuple(IDS), vectors)
    config = FinetuneConfig(anchor=0.0)

    def loss(batch: list[Pair]) -> float:
        with torch.no_grad():
            return float(_step_loss(model, batch, products, config, [], []))

    a, b = Pair("qa", "red saw", "red-saw"), Pair("qb", "blue drill", "blue-drill")
    heavy_a = Pair("qa", "red saw", "red-saw", weight=3.0)
    # Weights: only the relative size counts, and a heavier pair pulls the mean towards its own term.
    assert loss([Pair("qa", "red saw", "red-saw", 2.0), Pair("qb", "blue drill", "blue-drill", 2.0)]) == (
        pytest.approx(loss([a, b]))
    )
    alone_a = loss([a, Pair("qb", "blue drill", "blue-drill", weight=1e-9)])
    alone_b = loss([Pair("qa", "red saw", "red-saw", weight=1e-9), b])
    assert loss([heavy_a, b]) == pytest.approx((3 * alone_a + alone_b) / 4, rel=1e-4)
    # A passed-over product adds a negative column: the loss can only rise.
    with_negative = Pair("qa", "red saw", "red-saw", negatives=("green-hammer",))
    assert loss([with_negative, b]) > loss([a, b])
    # ... unless it is this query's own positive elsewhere in the batch: then it is masked.
    same_query = Pair("qa", "red saw", "black-saw")
    own = Pair("qa", "red saw", "red-saw", negatives=("black-saw",))
    assert loss([own, same_query, b]) == pytest.approx(loss([a, same_query, b]))


def synthetic_log(path: Path, sessions: int, seed: int = 0) -> EmbeddedEventLog:
    """Each query names a product; the list shows it at a random position among 5 others, and the
    shopper examines position k with probability 1/k and clicks the named product when examined."""
    rng = random.Random(seed)
    log = EmbeddedEventLog(path)
    for n in range(sessions):
        target = rng.choice(IDS)
        others = rng.sample([p for p in IDS if p != target], 5)
        order = others[:]
        order.insert(rng.randrange(6), target)
        sid = f"s{n}"
        log.append_impression(
            Impression(sid, float(n), TEXTS[target], tuple(order), tuple(range(1, 7)), 1, ((0.0,),) * 6)
        )
        position = order.index(target) + 1
        if rng.random() < 1.0 / position:
            log.append_events([Event(f"e{n}", "click", target, float(n), sid, position)])
    return log


def test_click_set_is_split_by_query_and_deep_clicks_weigh_more(tmp_path: Path) -> None:
    log = synthetic_log(tmp_path / "events.sqlite3", 600)
    from engine.encoder.sources import read_clicked_lists

    data = from_clicks(read_clicked_lists(log, 10_000), TEXTS, Splits(0.15, 0.25, seed=3))
    train = {p.query_id for p in data.pairs}
    held = {q.query_id for q in data.validation} | {q.query_id for q in data.check}
    assert train and data.validation and data.check and not train & held
    theta = data.summary["propensities"]["theta"]  # type: ignore[index]
    assert theta[0] == 1.0 and theta[-1] < 0.5  # examination falls with the position
    by_position: dict[float, list[float]] = {}
    for pair in data.pairs:
        by_position.setdefault(len(pair.negatives), []).append(pair.weight)
    # A click with more passed-over products above it was deeper, so its weight is larger.
    assert max(by_position) > 0 and min(by_position[max(by_position)]) > max(by_position[0])
    log.close()


def test_finetune_from_clicks_alone_writes_a_version(shop: Settings, tmp_path: Path, files: Any) -> None:
    log = synthetic_log(tmp_path / "events.sqlite3", 400)
    config = FinetuneConfig(epochs=2, batch_size=8, lr=3e-3, eval_every=4, patience=3)
    request = FinetuneRequest(
        None, None, files["products"], tolerance=1.0, plot=tmp_path / "c.png", config=config, clicks=True
    )
    loader = FakeLoader(shop)
    record = run_finetune(shop, request, lambda: loader, log_source=log)
    assert record["action"] == "rollout" and loader.loaded == [2]
    assert record["sources"]["click_pairs"] == record["pairs"] > 0
    assert "judged_pairs" not in record["sources"] and record["gate"]["queries"] > 0
    assert QueryEncoderStore(shop).serving() == 2
    log.close()


def test_cli_needs_a_source(shop: Settings, files: Any, capsys: pytest.CaptureFixture) -> None:
    assert main(["encoder", "finetune", "--products", str(files["products"])]) == 2
    assert "nothing to learn from" in capsys.readouterr().err
    args = ["encoder", "finetune", "--products", str(files["products"]), "--qrels", str(files["qrels"])]
    assert main(args) == 2
    assert "--queries and --qrels go together" in capsys.readouterr().err
