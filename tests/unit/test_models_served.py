"""The Triton python-backend adapters, driven through a stand-in for `triton_python_backend_utils`:
exactly one response per request, bad requests isolated, model failures become error responses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from engine.config import PROJECT_ROOT
from engine.models.served import QueryEncoderServable, RankerServable


class FakeTensor:
    def __init__(self, name: str, array: np.ndarray) -> None:
        self.name, self.array = name, array

    def as_numpy(self) -> np.ndarray:
        return self.array


class FakeError:
    INVALID_ARG = "INVALID_ARG"

    def __init__(self, message: str, code: str = "INTERNAL") -> None:
        self.message, self.code = message, code


class FakeResponse:
    def __init__(self, output_tensors: list[FakeTensor], error: FakeError | None = None) -> None:
        self.outputs, self.error = output_tensors, error


class FakeRequest:
    def __init__(self, parameters: str = "{}", **inputs: np.ndarray) -> None:
        self.inputs, self._parameters = inputs, parameters

    def parameters(self) -> str:
        return self._parameters


@pytest.fixture
def pb(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    module = types.ModuleType("triton_python_backend_utils")
    module.Tensor = FakeTensor  # type: ignore[attr-defined]
    module.TritonError = FakeError  # type: ignore[attr-defined]
    module.InferenceResponse = FakeResponse  # type: ignore[attr-defined]

    def get_input(request: FakeRequest, name: str) -> FakeTensor | None:
        return FakeTensor(name, request.inputs[name]) if name in request.inputs else None

    module.get_input_tensor_by_name = get_input  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "triton_python_backend_utils", module)
    return module


def _ranker(pb: Any) -> RankerServable:
    servable = RankerServable()
    servable.initialize(
        {
            "model_config": '{"parameters": {}}',
            "model_repository": str(PROJECT_ROOT / "model_repository" / "ranker"),
            "model_version": "1",
            "model_instance_kind": "CPU",
        }
    )
    return servable


def test_ranker_answers_each_request_and_isolates_a_bad_one(pb: Any) -> None:
    servable = _ranker(pb)
    good = np.random.default_rng(0).random((4, 18), dtype=np.float32)
    requests = [FakeRequest(FEATURES=good), FakeRequest(FEATURES=good[:, :5]), FakeRequest(FEATURES=good[:2])]
    responses = servable.execute(requests)
    assert len(responses) == 3
    assert responses[0].error is None and responses[2].error is None
    np.testing.assert_allclose(responses[0].outputs[0].array[:, 0], good[:, 6], atol=1e-6)
    assert responses[0].outputs[0].array.shape == (4, 1) and responses[2].outputs[0].array.shape == (2, 1)
    assert responses[1].error.code == "INVALID_ARG" and "18 features" in responses[1].error.message


def test_ranker_rejects_non_finite_features(pb: Any) -> None:
    rows = np.ones((2, 18), dtype=np.float32)
    rows[1, 3] = np.nan
    (response,) = _ranker(pb).execute([FakeRequest(FEATURES=rows)])
    assert response.error.code == "INVALID_ARG" and "NaN" in response.error.message


class FakeEncoder:
    dim = 3

    def __init__(self, fail: bool = False) -> None:
        self.fail, self.calls = fail, []

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        self.calls.append(list(texts))
        if self.fail:
            raise RuntimeError("out of memory")
        return np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)

    def encode_queries(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """The query graph: marked by -1 in the second column."""
        self.calls.append(["query:", *texts])
        return np.array([[len(t), -1.0, 0.0] for t in texts], dtype=np.float32)


def _encoder(pb: Any, model: FakeEncoder) -> QueryEncoderServable:
    servable = QueryEncoderServable()
    servable.pb, servable.model = pb, model
    return servable


def _text(*texts: bytes, parameters: str = "{}") -> FakeRequest:
    return FakeRequest(parameters, TEXT=np.array([[t] for t in texts], dtype=object))


def test_encoder_batches_all_requests_into_one_model_call(pb: Any) -> None:
    model = FakeEncoder()
    responses = _encoder(pb, model).execute(
        [_text(b"ab", b"abc"), _text(b"\xff\xfe"), _text("日本".encode())]
    )
    assert model.calls == [["ab", "abc", "日本"]]
    assert [r.outputs[0].array[:, 0].tolist() if r.error is None else None for r in responses] == [
        [2.0, 3.0],
        None,
        [2.0],
    ]
    assert "UTF-8" in responses[1].error.message


def test_queries_and_products_of_one_batch_run_on_their_own_graphs_in_request_order(pb: Any) -> None:
    model = FakeEncoder()
    query = json.dumps({"purpose": "query"})
    responses = _encoder(pb, model).execute(
        [
            _text(b"drill", parameters=query),
            _text(b"a product", b"another"),
            _text(b"saw", parameters=query),
            _text(b"odd", parameters="not json"),
            _text(b"odd2", parameters=json.dumps({"purpose": 3})),
        ]
    )
    assert model.calls == [["a product", "another", "odd", "odd2"], ["query:", "drill", "saw"]]
    assert [r.outputs[0].array.tolist() for r in responses] == [
        [[5.0, -1.0, 0.0]],
        [[9.0, 1.0, 0.0], [7.0, 1.0, 0.0]],
        [[3.0, -1.0, 0.0]],
        [[3.0, 1.0, 0.0]],
        [[4.0, 1.0, 0.0]],
    ]


def test_model_failure_becomes_an_error_response_per_request(pb: Any) -> None:
    responses = _encoder(pb, FakeEncoder(fail=True)).execute([_text(b"a"), _text(b"b")])
    assert len(responses) == 2
    assert all(r.error is not None and "out of memory" in r.error.message for r in responses)
    assert all(r.error.code == "INTERNAL" for r in responses)


def test_model_files_only_re_export_the_adapters() -> None:
    for name, cls in (("query_encoder", "QueryEncoderServable"), ("clip", "ClipServable")):
        text = Path(PROJECT_ROOT / "model_repository" / name / "1" / "model.py").read_text()
        assert f"from engine.models.served import {cls} as TritonPythonModel" in text


def test_the_served_ranker_starts_without_torch() -> None:
    """A (re)started ranker stub loads and scores without importing torch: that import is seconds of CPU
    on a small host, most of what a crashed Triton used to need before it served again."""
    script = f"""
import json, sys, types
import numpy as np
pb = types.ModuleType("triton_python_backend_utils")
pb.Tensor = lambda name, array: array
pb.InferenceResponse = lambda output_tensors, error=None: (output_tensors, error)
pb.TritonError = Exception
pb.get_input_tensor_by_name = lambda request, name: types.SimpleNamespace(as_numpy=lambda: request)
sys.modules["triton_python_backend_utils"] = pb
from engine.models.served import RankerServable
servable = RankerServable()
servable.initialize({{"model_config": '{{"parameters": {{}}}}', "model_version": "1",
    "model_repository": {str(PROJECT_ROOT / "model_repository" / "ranker")!r}}})
rows = np.random.default_rng(0).random((3, 18), dtype=np.float32)
((scores,), error), = servable.execute([rows])
ok = bool(np.allclose(scores[:, 0], rows[:, 6]))
print(json.dumps({{"torch": "torch" in sys.modules, "error": error, "ok": ok}}))
"""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT_ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True, env=env
    )
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"torch": False, "error": None, "ok": True}
