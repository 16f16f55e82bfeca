"""`engine encoder finetune` end to end on a tiny BERT: split, train, gate, write a version, serve it;
a rejected candidate writes nothing; a missing file or version is one line and exit status 1."""

from __future__ import annotations

import json
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
    assert main(["encoder", "rollout", "2"]) == 2
