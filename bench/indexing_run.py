"""The two sides of the indexing benchmark: the encoder in this process, and the real build pipeline.

`RawEncoder` is the upper bound: the same sentence-transformers model and the same texts, encoded in
this process with no server, no network and no index writes. `PipelineRunner` runs the real
`indexer.build.Builder` (catalog validation, Triton embeddings, FAISS, lexical index, manifest) into a
fresh data directory each time, with thin timing wrappers around its parts so a slow run can be
explained (busy seconds of embedding, vector store and lexical index).

Thread parity: Triton's python-backend stub is a separate process whose torch picks its own thread
count; `start_server` passes `OMP_NUM_THREADS` to it and `RawEncoder` calls `torch.set_num_threads`
with the same number, and both sides see `TOKENIZERS_PARALLELISM=false`.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from bench.indexing_metrics import Timing, thread_env
from engine.config import Settings
from engine.errors import AisleError
from engine.inference.base import ClipEncoder, EncoderInfo, InferenceBackend, TextEncoder
from engine.lexical.base import LexicalIndex
from engine.ports import free_port
from engine.vectors.base import VectorStore
from indexer.embedding import EmbedOptions, document_text
from indexer.loading import load_catalog


# --- inputs --------------------------------------------------------------------------------------------
def limited_catalog(path: Path, limit: int | None, work: Path) -> Path:
    """`path` itself, or a copy of its first `limit` lines under `work` (the build takes a file)."""
    if limit is None:
        return path
    target = work / f"catalog-{limit}{path.suffix}"
    with path.open(encoding="utf-8") as source, target.open("w", encoding="utf-8") as out:
        for number, line in enumerate(source):
            if number >= limit:
                break
            out.write(line)
    return target


def catalog_texts(path: Path, max_tokens: int) -> list[str]:
    """The texts a build of `path` sends to the encoder, in the same order (valid products only)."""
    loaded = load_catalog(path)
    return [document_text(e.product, max_tokens) for e in loaded.entries]


# --- the raw encoder -----------------------------------------------------------------------------------
class RawEncoder:
    """The query encoder's model loaded in this process, exactly as the Triton model loads it (same
    `AISLE_TEXT_RUNTIME`: ONNX Runtime on CPU by default)."""

    def __init__(self, settings: Settings, threads: int) -> None:
        import torch

        from engine.models.text_encoder import SentenceEncoder, resolve_text_model

        torch.set_num_threads(threads)
        model_dir, _ = resolve_text_model(settings.text_model, settings.resolved_text_model())
        self.encoder = SentenceEncoder(
            model_dir,
            settings.text_max_tokens,
            runtime=settings.text_runtime,
            onnx_cache=settings.path("models", "onnx"),
        )
        self.threads = torch.get_num_threads()

    @property
    def max_tokens(self) -> int:
        return self.encoder.max_tokens

    def run(self, texts: Sequence[str], batch_size: int, label: str, progress: bool = True) -> Timing:
        """One timed pass over `texts`. The call is `SentenceEncoder.encode`'s own (which sorts the
        whole list by length before batching) with a progress bar switched on."""
        start = time.perf_counter()
        if self.encoder.onnx is not None:  # the runtime Triton's model uses too (AISLE_TEXT_RUNTIME)
            vectors = self.encoder.onnx.encode(list(texts), batch_size=batch_size, progress=progress)
        else:
            vectors = self.encoder.model.encode(
                list(texts),
                batch_size=batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=progress,
            )
        seconds = time.perf_counter() - start
        if len(vectors) != len(texts):
            raise AisleError(f"raw encoder returned {len(vectors)} vectors for {len(texts)} texts")
        return Timing(label, len(texts), seconds, batch_size)


# --- the Triton server ---------------------------------------------------------------------------------
def server_settings(base: Settings, work: Path) -> Settings:
    """`base` with the server's runtime files under `work` and free loopback ports."""
    return base.model_copy(
        update={
            "data_dir": work / "triton",
            "triton_http_port": free_port(),
            "triton_grpc_port": free_port(),
            "triton_metrics_port": free_port(),
        }
    )


@contextmanager
def start_server(settings: Settings, threads: int) -> Iterator[tuple[InferenceBackend, Any]]:
    """A local Triton on `settings`' ports whose encoder runs `threads` torch threads; always stopped."""
    from engine.inference.triton import TritonInference
    from engine.triton.launcher import start_triton

    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    server = start_triton(settings)
    inference = TritonInference(server.grpc_url, settings.triton_bulk_timeout_s, server=server)
    try:
        yield inference, server
    finally:
        inference.close()


def stub_environment(server_pid: int, model: str = "query_encoder") -> dict[str, str | None]:
    """Threading variables of the python-backend stub serving `model` (read from /proc)."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            parent = next(int(x.split()[1]) for x in status.splitlines() if x.startswith("PPid:"))
        except (OSError, StopIteration, ValueError, IndexError):
            continue
        if parent == server_pid and any(f"/{model}/".encode() in part for part in cmdline):
            environ = (entry / "environ").read_bytes().decode(errors="replace").split("\0")
            return thread_env(dict(item.partition("=")[::2] for item in environ if "=" in item))
    return {}


def dynamic_batching(repository: Path, model: str = "query_encoder") -> dict[str, Any]:
    """The encoder's dynamic-batching settings as the running server read them."""
    from google.protobuf import json_format

    from engine.triton.repository import CONFIG_FILE, read_config

    config = read_config(repository / model / CONFIG_FILE)
    return {
        "max_batch_size": config.max_batch_size,
        "dynamic_batching": json_format.MessageToDict(config.dynamic_batching),
        "instances": sum(group.count or 1 for group in config.instance_group),
    }


# --- the pipeline --------------------------------------------------------------------------------------
class BusyClock:
    """Seconds spent inside each named part; safe to use from several threads."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._lock = threading.Lock()

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            with self._lock:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


class _TimedTextEncoder:
    def __init__(self, inner: TextEncoder, clock: BusyClock) -> None:
        self.inner, self.clock = inner, clock

    def info(self) -> EncoderInfo:
        return self.inner.info()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self.clock.part("embed"):
            return self.inner.encode(texts)

    def encode_many(self, texts: Sequence[str], batch_size: int = 64, in_flight: int = 4) -> np.ndarray:
        with self.clock.part("embed"):
            return self.inner.encode_many(texts, batch_size=batch_size, in_flight=in_flight)  # type: ignore[attr-defined]


class _TimedInference:
    """Hands the builder a timed text encoder; everything else is the real backend's."""

    def __init__(self, inner: InferenceBackend, clock: BusyClock) -> None:
        self.inner = inner
        self.text = _TimedTextEncoder(inner.product_text_encoder(), clock)

    def text_encoder(self) -> TextEncoder:
        return self.text

    def product_text_encoder(self) -> TextEncoder:
        return self.text

    def clip_encoder(self) -> ClipEncoder | None:
        return self.inner.clip_encoder()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class _TimedStore:
    def __init__(self, inner: VectorStore, clock: BusyClock) -> None:
        self.inner, self.clock = inner, clock

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        with self.clock.part("vectors"):
            self.inner.add(ids, vectors)

    def save(self, *args: Any, **kwargs: Any) -> Any:
        with self.clock.part("vectors"):
            return self.inner.save(*args, **kwargs)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class _TimedIO:
    def __init__(self, settings: Settings, clock: BusyClock) -> None:
        from engine.vectors.factory import FactoryVectorIO

        self.inner, self.clock = FactoryVectorIO(settings), clock
        self.index_types: list[str] = []

    def create(self, space: str, dim: int, expected_count: int) -> VectorStore:
        with self.clock.part("vectors"):
            store = self.inner.create(space, dim, expected_count)
        self.index_types.append(str(getattr(store, "index_type", "?")))
        return _TimedStore(store, self.clock)  # type: ignore[return-value]

    def load(self, directory: Path, expect: EncoderInfo) -> VectorStore:
        return self.inner.load(directory, expect)


class _TimedLexical:
    def __init__(self, inner: LexicalIndex, clock: BusyClock) -> None:
        self.inner, self.clock = inner, clock

    def stage(self, products: Any) -> tuple[str, int]:
        with self.clock.part("lexical"):
            return self.inner.stage(products)

    def publish(self, name: str, keep: Any = ()) -> None:
        with self.clock.part("lexical"):
            self.inner.publish(name, keep)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class PipelineRunner:
    """Full builds of one catalog, each into a fresh data directory under `work` (removed after)."""

    def __init__(
        self,
        settings: Settings,
        inference: InferenceBackend,
        lexical: Callable[[Settings], LexicalIndex],
        work: Path,
        embed: EmbedOptions,
        chunk_size: int,
    ) -> None:
        self.settings, self.inference, self.lexical = settings, inference, lexical
        self.work, self.embed, self.chunk_size = work, embed, chunk_size
        self.index_types: list[str] = []
        self._runs = 0

    def run(self, catalog: Path, expected: int, label: str, progress: bool = True) -> Timing:
        from indexer.build import Builder, BuildOptions

        self._runs += 1
        data_dir = self.work / f"build-{self._runs}"
        settings = self.settings.model_copy(update={"data_dir": data_dir})
        clock = BusyClock()
        lexical = self.lexical(settings)
        io = _TimedIO(settings, clock)
        builder = Builder(settings, _TimedInference(self.inference, clock), _TimedLexical(lexical, clock), io)  # type: ignore[arg-type]
        options = BuildOptions(force=True, chunk_size=self.chunk_size, embed=self.embed, progress=progress)
        try:
            start = time.perf_counter()
            report = builder.build(catalog, options)
            seconds = time.perf_counter() - start
        finally:
            close = getattr(lexical, "close", None)
            if callable(close):
                close()
            shutil.rmtree(data_dir, ignore_errors=True)
        if report.count != expected or report.unchanged:
            raise AisleError(f"the build indexed {report.count} products, expected {expected}")
        self.index_types = io.index_types
        parts = {name: round(value, 3) for name, value in sorted(clock.seconds.items())}
        return Timing(label, report.count, seconds, self.embed.batch_size, parts)


def drop_opensearch_indexes(settings: Settings) -> None:
    """Delete the benchmark's alias and every physical index behind it."""
    from engine.lexical.opensearch import make_client

    client = make_client(settings)
    try:
        client.indices.delete(index=f"{settings.index_alias}-*", ignore_unavailable=True)
    finally:
        client.close()
