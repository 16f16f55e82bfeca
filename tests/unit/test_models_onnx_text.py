"""The text encoder on ONNX Runtime computes the same vectors as on PyTorch, and caches its export."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest

from engine.config import PROJECT_ROOT, load_settings
from engine.errors import ConfigError
from engine.models.onnx_text import export_plan
from engine.models.text_encoder import SentenceEncoder

TEXTS = [
    "cordless drill",
    "Bosch 18V brushless hammer drill with two batteries and a charger, in a carry case",
    "Äpfel & Birnen – 日本語のテキスト",
    "x",
]


@pytest.fixture(scope="module")
def model_dir() -> Path:
    return Path(load_settings().resolved_text_model())


def test_onnx_and_torch_vectors_agree(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    cache = tmp_path_factory.mktemp("onnx")
    onnx = SentenceEncoder(model_dir, 128, runtime="onnx", onnx_cache=cache)
    torch = SentenceEncoder(model_dir, 128, runtime="torch")
    assert (onnx.runtime, torch.runtime) == ("onnx", "torch")
    a, b = onnx.encode(TEXTS, batch_size=3), torch.encode(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), onnx.dim) and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert float((a * b).sum(axis=1).min()) > 0.9999
    assert onnx.encode([]).shape == (0, onnx.dim)
    exported = list(cache.glob("*.onnx"))
    assert len(exported) == 1
    again = SentenceEncoder(model_dir, 128, runtime="auto", onnx_cache=cache)
    assert again.runtime == "onnx" and list(cache.glob("*.onnx")) == exported  # reused, not re-exported


def test_a_different_token_limit_is_a_different_export(model_dir: Path, tmp_path: Path) -> None:
    SentenceEncoder(model_dir, 128, runtime="onnx", onnx_cache=tmp_path)
    short = SentenceEncoder(model_dir, 16, runtime="onnx", onnx_cache=tmp_path)
    assert len(list(tmp_path.glob("*.onnx"))) == 2
    long_text = " ".join(["drill"] * 100)
    torch_short = SentenceEncoder(model_dir, 16, runtime="torch")
    assert float(short.encode([long_text])[0] @ torch_short.encode([long_text])[0]) > 0.9999


def test_the_export_tokenises_exactly_like_the_model_tokenizer(model_dir: Path, tmp_path: Path) -> None:
    """The exported tokenizer file alone (no transformers) gives the ids and masks the Hugging Face
    tokenizer gives with the encoder's padding and truncation, short and over-long texts alike."""
    from sentence_transformers import SentenceTransformer

    encoder = SentenceEncoder(model_dir, 16, runtime="onnx", onnx_cache=tmp_path)
    assert encoder.onnx is not None
    texts = [*TEXTS, " ".join(["cordless"] * 40), "", "  Mixed-CASE  tabs\tand\nnewlines  "]
    reference = SentenceTransformer(str(model_dir), device="cpu").tokenizer(
        texts, return_tensors="np", padding=True, truncation=True, max_length=16
    )
    encodings = encoder.onnx.tokenizer.encode_batch(texts, add_special_tokens=True)
    np.testing.assert_array_equal([e.ids for e in encodings], reference["input_ids"])
    np.testing.assert_array_equal([e.attention_mask for e in encodings], reference["attention_mask"])
    assert max(len(e.ids) for e in encodings) == 16


def test_a_cached_export_serves_without_torch(model_dir: Path, tmp_path: Path) -> None:
    """Once exported, a new process (a restarted Triton stub) runs the encoder without importing torch,
    transformers or sentence-transformers, and computes the same vectors as the process that exported."""
    first = SentenceEncoder(model_dir, 64, runtime="auto", onnx_cache=tmp_path, threads=1)
    expected = first.encode(TEXTS)
    script = (
        "import sys, json; from pathlib import Path; from engine.models.text_encoder import SentenceEncoder\n"
        f"e = SentenceEncoder(Path({str(model_dir)!r}), 64, runtime='auto',"
        f" onnx_cache=Path({str(tmp_path)!r}))\n"
        f"v = e.encode({TEXTS!r})\n"
        "heavy = [m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules]\n"
        "print(json.dumps({'heavy': heavy, 'runtime': e.runtime, 'model': e.model is None,"
        " 'max_tokens': e.max_tokens, 'vectors': v.tolist()}))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True, env=env
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["heavy"] == [] and result["runtime"] == "onnx" and result["model"] is True
    assert result["max_tokens"] == 64
    np.testing.assert_allclose(np.array(result["vectors"], dtype=np.float32), expected, atol=1e-6)


def test_unknown_runtime_is_a_config_error(model_dir: Path) -> None:
    with pytest.raises(ConfigError, match="AISLE_TEXT_RUNTIME"):
        SentenceEncoder(model_dir, 128, runtime="tensorrt")
    with pytest.raises(ConfigError, match="AISLE_TEXT_QUERY_PRECISION"):
        SentenceEncoder(model_dir, 128, runtime="onnx", query_precision="fp16")


def test_int8_queries_run_a_quantised_graph_written_once_and_products_stay_float32(
    model_dir: Path, tmp_path: Path
) -> None:
    full = SentenceEncoder(model_dir, 128, runtime="onnx", onnx_cache=tmp_path, threads=1)
    int8 = SentenceEncoder(
        model_dir, 128, runtime="onnx", onnx_cache=tmp_path, threads=1, query_precision="int8"
    )
    assert (full.query_precision, int8.query_precision) == ("fp32", "int8")
    quantised = sorted(tmp_path.glob("*.int8-*.onnx"))
    assert len(quantised) == 1
    ops = {node.op_type for node in onnx.load(str(quantised[0]), load_external_data=False).graph.node}
    assert {"DynamicQuantizeLinear", "MatMulInteger"} <= ops
    np.testing.assert_array_equal(int8.encode(TEXTS), full.encode(TEXTS))  # products: float32
    np.testing.assert_array_equal(full.encode_queries(TEXTS), full.encode(TEXTS))
    queries, exact = int8.encode_queries(TEXTS), full.encode(TEXTS)
    np.testing.assert_allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-5)
    cosine = (queries * exact).sum(axis=1)
    assert cosine.min() > 0.95 and not np.array_equal(queries, exact)
    alone = np.concatenate([int8.encode_queries([text]) for text in TEXTS])
    np.testing.assert_array_equal(queries, alone)  # a query's vector does not depend on its batch
    written = quantised[0].stat().st_mtime_ns
    again = SentenceEncoder(model_dir, 128, runtime="onnx", onnx_cache=tmp_path, query_precision="int8")
    assert quantised[0].stat().st_mtime_ns == written  # reused
    np.testing.assert_array_equal(again.encode_queries(TEXTS), queries)
    on_torch = SentenceEncoder(model_dir, 128, runtime="torch", query_precision="int8")
    assert on_torch.query_precision == "fp32"  # no int8 graph without ONNX: queries stay exact
    np.testing.assert_array_equal(on_torch.encode_queries(TEXTS[:2]), on_torch.encode(TEXTS[:2]))


def test_in_process_queries_use_the_query_graph_and_products_float32(tmp_path: Path) -> None:
    from engine.inference.inprocess import InProcessInference

    settings = load_settings(data_dir=tmp_path, triton_url="inprocess", text_query_precision="int8")
    inference = InProcessInference(settings)
    try:
        queries, products = inference.text_encoder(), inference.product_text_encoder()
        assert queries.info() == products.info()
        model = products.model  # type: ignore[attr-defined]
        np.testing.assert_array_equal(products.encode(TEXTS), model.encode(TEXTS))
        np.testing.assert_array_equal(queries.encode(TEXTS), model.encode_queries(TEXTS))
        assert not np.array_equal(queries.encode(TEXTS), products.encode(TEXTS))
    finally:
        inference.close()


def test_export_plan_refuses_models_it_cannot_reproduce() -> None:
    class Transformer:
        pass

    class Dense:
        pass

    class Pooling:
        def __init__(self, config: dict) -> None:
            self.config = config

        def get_config_dict(self) -> dict:
            return self.config

    assert export_plan([Transformer(), Pooling({"pooling_mode": "mean"})]).pooling == "mean"  # type: ignore[union-attr]
    assert export_plan([Transformer(), Pooling({"pooling_mode_cls_token": True})]).pooling == "cls"  # type: ignore[union-attr]
    assert export_plan([Transformer(), Pooling({"pooling_mode": "max"})]) is None
    assert export_plan([Transformer(), Pooling({"pooling_mode": "mean"}), Dense()]) is None


def test_two_towers_with_the_same_file_sizes_and_times_get_their_own_export(tmp_path: Path) -> None:
    """Fine-tuned versions have files of the same names and sizes as their parent; when their times
    match too (saved within one second, copied with their times), each must still run its own weights."""
    import torch
    from sentence_transformers import SentenceTransformer

    from tests.support.tiny_text import make_tiny_text_model

    base = make_tiny_text_model(tmp_path / "tiny", ["red", "blue", "drill", "saw"])
    dirs = []
    for n in range(2):
        model = SentenceTransformer(str(base), device="cpu")
        with torch.no_grad():
            for p in model.parameters():
                p.add_(0.05 * (n + 1) * torch.randn_like(p))
        target = tmp_path / f"v{n}" / "encoder"
        model.save(str(target))
        for path in target.rglob("*"):
            os.utime(path, (1_700_000_000, 1_700_000_000))
        dirs.append(target)
    texts = ["red drill", "blue saw"]
    cache = tmp_path / "onnx"
    for target in dirs:
        served = SentenceEncoder(target, 32, runtime="onnx", onnx_cache=cache).encode(texts)
        trained = SentenceEncoder(target, 32, runtime="torch").encode(texts)
        assert float((served * trained).sum(axis=1).min()) > 0.9999
    assert len(list(cache.glob("*.onnx"))) == 2
