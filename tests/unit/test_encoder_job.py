"""`engine encoder finetune` end to end on a tiny BERT: split, train, gate, write a version, serve it;
a rejected candidate writes nothing; a missing file or version is one line and exit status 1."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

pytest.importorskip("torch")

from engine.cli import main
from engine.config import Settings, load_settings
from engine.encoder.job import FinetuneRequest, run_finetune
from engine.encoder.train import FinetuneConfig
from engine.encoder.versions import QueryEncoderStore
from engine.models.text_encoder import resolve_text_model
from engine.triton.repository import prepare_runtime_repository
from tests.support.tiny_text import make_tiny_text_model
from tests.unit.test_encoder_versions import FakeLoader

COLOURS = ["red", "blue", "green", "black", "white", "grey", "pink", "brown", "orange", "yellow"]
TOOLS = ["drill", "hammer", "saw", "brush", "ladder", "wrench"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_text_model(tmp_path_factory.mktemp("tiny"), COLOURS + TOOLS)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    products, queries, qrels = tmp_path / "products.jsonl", tmp_path / "queries.tsv", tmp_path / "qrels.tsv"
    ids = [f"{c}-{t}" for c in COLOURS for t in TOOLS]
    products.write_text("".join(json.dumps({"id": i, "title": i.replace("-", " ")}) + "\n" for i in ids))
    queries.write_text("query_id\tquery\n" + "".join(f"q-{i}\t{i.replace('-', ' ')}\n" for i in ids))
    rows = [f"q-{i}\t{i}\t3\n" for i in ids] + [
        f"q-{i}\t{j}\t1\n" for i, j in zip(ids, ids[1:] + ids[:1], strict=True)
    ]
    qrels.write_text("query_id\tproduct_id\tgrade\n" + "".join(rows))
    return {"products": products, "queries": queries, "qrels": qrels}


@pytest.fixture
def shop(tmp_path: Path, tiny: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("AISLE_TEXT_MODEL", str(tiny))
    monkeypatch.setenv("AISLE_TEXT_RUNTIME", "torch")
    monkeypatch.setenv("AISLE_DATA_DIR", str(tmp_path / "var"))
    settings = load_settings()
    identity = resolve_text_model(settings.text_model, settings.resolved_text_model())[1]
    params = {"encoder_name": identity.name, "encoder_version": identity.version}
    prepare_runtime_repository(settings, {"query_encoder": params})
    return settings


def request(files: dict[str, Path], tmp_path: Path, tolerance: float) -> FinetuneRequest:
    config = FinetuneConfig(epochs=2, batch_size=8, lr=3e-3, eval_every=4, patience=3)
    return FinetuneRequest(
        files["queries"],
        files["qrels"],
        files["products"],
        pair_min_grade=2.5,
        tolerance=tolerance,
        plot=tmp_path / "curve.png",
        config=config,
    )


def test_an_accepted_tower_is_written_and_served(shop: Settings, files: dict, tmp_path: Path) -> None:
    loader = FakeLoader(shop)
    record = run_finetune(shop, request(files, tmp_path, tolerance=1.0), lambda: loader)
    store = QueryEncoderStore(shop)
    assert record["action"] == "rollout" and record["version"] == 2 and loader.loaded == [2]
    assert store.serving() == 2 and record["gate"]["accepted"] and record["gate"]["queries"] == 12
    manifest = store.manifest(2)
    assert manifest is not None and manifest.base == store.vectors_identity() and manifest.parent == 1
    assert (tmp_path / "curve.png").is_file() and record["training"]["steps"] > 0
    # The written weights load as a sentence-transformers model (what the Triton model does).
    from sentence_transformers import SentenceTransformer

    assert SentenceTransformer(str(store.weights(2)), device="cpu").encode(["red saw"]).shape == (1, 32)


def test_a_rejected_tower_writes_no_version(shop: Settings, files: dict, tmp_path: Path) -> None:
    loader = FakeLoader(shop)
    record = run_finetune(shop, request(files, tmp_path, tolerance=-1.0), lambda: loader)
    store = QueryEncoderStore(shop)
    assert (
        record["action"] == "rejected"
        and record["version"] is None
        and "< serving" in record["gate"]["reasons"][0]
    )
    assert store.versions() == [1] and loader.loaded == []
    assert store.rollouts.records()[-1]["action"] == "rejected"


def test_cli_errors_are_one_line(
    shop: Settings, files: dict, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    code = main(
        [
            "encoder",
            "finetune",
            "--products",
            str(tmp_path / "missing.jsonl"),
            "--queries",
            str(files["queries"]),
            "--qrels",
            str(files["qrels"]),
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "missing.jsonl" in err
    assert main(["encoder", "rollout", "9"]) == 1


def test_cli_finetune_writes_a_version_and_lists_it(
    shop: Settings, files: dict, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    args = ["--products", str(files["products"]), "--queries", str(files["queries"])]
    args += ["--qrels", str(files["qrels"]), "--batch-size", "8", "--lr", "3e-3", "--eval-every", "4"]
    code = main(["encoder", "finetune", *args, "--tolerance", "1", "--plot", str(tmp_path / "c.png")])
    assert code == 0 and capsys.readouterr().out.startswith("written: version 2")
    assert main(["encoder", "versions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("* 1") and lines[1].startswith("  2  from 1")


def test_cli_both_towers_writes_a_version_for_reembedding_and_never_rolls_it_out(
    shop: Settings, files: dict, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    args = ["--products", str(files["products"]), "--queries", str(files["queries"])]
    args += ["--qrels", str(files["qrels"]), "--batch-size", "8", "--lr", "3e-3", "--eval-every", "4"]
    args += ["--towers", "both", "--corpus", "20", "--plot", str(tmp_path / "c.png")]
    assert main(["encoder", "finetune", *args, "--rollout"]) == 2
    assert "--text-tower" in capsys.readouterr().err
    assert main(["encoder", "finetune", *args, "--tolerance", "1"]) == 0
    assert capsys.readouterr().out.startswith("written: version 2")
    store = QueryEncoderStore(shop)
    manifest = store.manifest(2)
    assert manifest is not None and manifest.embeds_products and manifest.base.name == "query_encoder/2"
    assert manifest.training["corpus_sample"] >= 20 and store.serving() == 1
    assert main(["encoder", "versions"]) == 0
    assert "(both towers)" in capsys.readouterr().out.splitlines()[1]
    with socket.socket() as busy, pytest.MonkeyPatch.context() as patch:
        busy.bind(("127.0.0.1", 0))
        busy.listen()  # a port Triton could not take: the refusal must come before Triton is reached
        patch.setenv("AISLE_TRITON_HTTP_PORT", str(busy.getsockname()[1]))
        assert main(["encoder", "rollout", "2"]) == 2
    assert "embeds products too" in capsys.readouterr().err


def test_judged_down_products_train_as_hard_negatives(shop: Settings, files: dict, tmp_path: Path) -> None:
    judged = request(files, tmp_path, tolerance=1.0)
    hard = FinetuneRequest(**{**judged.__dict__, "negative_grade": 1.0})
    record = run_finetune(shop, hard, lambda: FakeLoader(shop))
    sources = record["sources"]
    # Every training query has one product judged 1 (its neighbour in the fixture).
    assert sources["judged_hard_negatives"] == sources["judged_pairs"] > 0 and record["version"] == 2


def test_cli_refuses_a_negative_grade_that_is_not_below_the_pair_grade(
    shop: Settings, files: dict, capsys: pytest.CaptureFixture
) -> None:
    args = ["--products", str(files["products"]), "--queries", str(files["queries"])]
    args += ["--qrels", str(files["qrels"]), "--negative-grade", "2.5"]
    code = main(["encoder", "finetune", *args])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "--negative-grade (2.5) must be below" in err
    assert QueryEncoderStore(shop).versions() == [1]


def test_a_ranker_is_not_fitted_on_the_queries_the_serving_tower_learned(
    shop: Settings, files: dict, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from engine.cli.ranker import _without_encoder_queries
    from engine.encoder.trained import TRAINED_QUERIES_FILE
    from engine.learning.offline_data import load_judgements

    judgements = load_judgements(files["queries"], files["qrels"])
    assert _without_encoder_queries(shop, judgements).queries == judgements.queries  # shipped model only
    record = run_finetune(shop, request(files, tmp_path, tolerance=1.0), lambda: FakeLoader(shop))
    store = QueryEncoderStore(shop)
    listed = (store.model_dir / "2" / TRAINED_QUERIES_FILE).read_text().splitlines()
    assert len(listed) == record["sources"]["judged_train_queries"] > 0
    kept = _without_encoder_queries(shop, judgements)
    assert set(kept.queries.values()).isdisjoint(listed) and len(kept.queries) == 60 - len(listed)
    assert "left out" in capsys.readouterr().err
    # A version trained from version 2 inherits what 2 learned, even with no query of its own.
    child = run_finetune(shop, request(files, tmp_path, tolerance=1.0), lambda: FakeLoader(shop))
    manifest = store.manifest(3)
    assert child["version"] == 3 and manifest is not None and manifest.parent == 2
    (store.model_dir / "3" / TRAINED_QUERIES_FILE).write_text("")
    assert _without_encoder_queries(shop, judgements).queries == kept.queries


def test_cli_ranker_train_names_the_choice_when_every_judged_query_trained_the_tower(
    shop: Settings, files: dict, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from engine.encoder.trained import write_trained_queries
    from engine.learning.offline_data import load_judgements

    run_finetune(shop, request(files, tmp_path, tolerance=1.0), lambda: FakeLoader(shop))
    texts = load_judgements(files["queries"], files["qrels"]).queries.values()
    write_trained_queries(QueryEncoderStore(shop).model_dir / "2", [t.upper() for t in texts])
    args = ["--products", str(files["products"]), "--queries", str(files["queries"])]
    code = main(["ranker", "train", *args, "--qrels", str(files["qrels"])])
    err = capsys.readouterr().err
    assert code == 2 and "--include-encoder-queries" in err.splitlines()[-1]
