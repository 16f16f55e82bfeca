"""A fake Triton that speaks Triton's own gRPC protocol, in-process, and can hang.

`FakeTriton` serves `query_encoder` (the hashed bag-of-words vectors of `tests.fakes.hashed_vectors`,
the same the gateway fakes index with) and `ranker` (features @ the prior ranker's weights) through
`tritonclient`'s service definition on a free loopback port, so `engine.inference.triton` talks to it
exactly as to a real server: real gRPC deadlines, real status codes. `hang()` makes every call wait
without answering, as a tritonserver stopped by SIGSTOP does, until the caller gives up or `resume()`;
`calls` counts the calls that reached it (what a circuit breaker saves the server from).
"""

from __future__ import annotations

import threading
import time
from concurrent import futures
from typing import Any

import grpc  # type: ignore[import-untyped]
import numpy as np
from tritonclient.grpc import model_config_pb2, service_pb2, service_pb2_grpc
from tritonclient.utils import deserialize_bytes_tensor

from engine.ports import free_port
from tests.fakes import hashed_vectors

ENCODER_NAME, ENCODER_VERSION = "fake-bert", "1"


class FakeTriton(service_pb2_grpc.GRPCInferenceServiceServicer):
    def __init__(self, dim: int = 64, ranker_weights: np.ndarray | None = None, port: int = 0) -> None:
        self.dim = dim
        self.weights = ranker_weights
        self.calls = 0
        self.ranker_error: str | None = None  # the ranker answers with this error (server up)
        self._hung = threading.Event()
        self._lock = threading.Lock()
        self.port = port or free_port()
        self.url = f"127.0.0.1:{self.port}"
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=32))
        service_pb2_grpc.add_GRPCInferenceServiceServicer_to_server(self, self._server)
        self._server.add_insecure_port(self.url)

    def __enter__(self) -> FakeTriton:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._hung.clear()
        self._server.stop(grace=None)

    def hang(self) -> None:
        self._hung.set()

    def resume(self) -> None:
        self._hung.clear()

    def _enter(self, context: Any) -> None:
        """Count the call; while hung, answer nothing until the caller gives up (or `resume`)."""
        with self._lock:
            self.calls += 1
        while self._hung.is_set() and context.is_active():
            time.sleep(0.005)
        if self._hung.is_set():
            context.abort(grpc.StatusCode.CANCELLED, "the caller gave up")

    # --- the calls engine.inference.triton makes ------------------------------------------------------
    def ModelReady(self, request: Any, context: Any) -> Any:
        self._enter(context)
        return service_pb2.ModelReadyResponse(ready=request.name in ("query_encoder", "ranker"))

    def RepositoryIndex(self, request: Any, context: Any) -> Any:
        self._enter(context)
        models = [
            service_pb2.RepositoryIndexResponse.ModelIndex(name=name, version="1", state="READY")
            for name in ("query_encoder", "ranker")
        ]
        return service_pb2.RepositoryIndexResponse(models=models)

    def ModelConfig(self, request: Any, context: Any) -> Any:
        self._enter(context)
        config = model_config_pb2.ModelConfig(name=request.name)
        for key, value in (("encoder_name", ENCODER_NAME), ("encoder_version", ENCODER_VERSION)):
            config.parameters[key].string_value = value
        return service_pb2.ModelConfigResponse(config=config)

    def ModelInfer(self, request: Any, context: Any) -> Any:
        self._enter(context)
        if request.model_name == "ranker":
            if self.ranker_error is not None:
                context.abort(grpc.StatusCode.INTERNAL, self.ranker_error)
            shape = tuple(request.inputs[0].shape)
            features = np.frombuffer(request.raw_input_contents[0], dtype=np.float32).reshape(shape)
            weights = self.weights if self.weights is not None else np.ones(shape[1], np.float32)
            return _response(request, "SCORE", (features @ weights).astype(np.float32).reshape(-1, 1))
        texts = [t.decode() for t in deserialize_bytes_tensor(request.raw_input_contents[0]).reshape(-1)]
        return _response(request, "EMBEDDING", hashed_vectors(texts, self.dim).astype(np.float32))


def _response(request: Any, name: str, array: np.ndarray) -> Any:
    output = service_pb2.ModelInferResponse.InferOutputTensor(
        name=name, datatype="FP32", shape=list(array.shape)
    )
    return service_pb2.ModelInferResponse(
        model_name=request.model_name,
        model_version=request.model_version or "1",
        outputs=[output],
        raw_output_contents=[array.tobytes()],
    )
