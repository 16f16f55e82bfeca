"""Client-side batching of the encoders and the checkpoint file format."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest

from engine.errors import BackendUnavailable, IndexMismatch
from engine.records import Product
from indexer.checkpoint import PROGRESS, Checkpoint
from indexer.embedding import EmbedOptions, document_text, encode_texts
from tests.fakes import FakeTextEncoder, hashed_vectors


class SlowEncoder(FakeTextEncoder):
    """Records how many calls overlap, to show requests really are in flight together."""

    def __init__(self) -> None:
        super().__init__()
        self.active = 0
        self.peak = 0
        self._lock = threading.Lock()

    def encode(self, texts):
        with self._lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        time.sleep(0.02)
        try:
            return super().encode(texts)
        finally:
            with self._lock:
                self.active -= 1


class PipelinedEncoder(FakeTextEncoder):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[int, int, int]] = []

    def encode_many(self, texts, batch_size, in_flight):
        self.calls.append((len(texts), batch_size, in_flight))
        return hashed_vectors(texts, self.info().dim)


def test_thread_pool_keeps_several_requests_in_flight_and_order() -> None:
    encoder = SlowEncoder()
    texts = [f"text number {i}" for i in range(40)]
    seen: list[int] = []
    vectors = encode_texts(encoder, texts, EmbedOptions(batch_size=4, in_flight=4), seen.append)
    np.testing.assert_allclose(vectors, hashed_vectors(texts, 32))
    assert encoder.batches == [4] * 10 and sum(seen) == 40
    assert encoder.peak >= 2


def test_encode_many_is_preferred_when_offered() -> None:
    encoder = PipelinedEncoder()
    vectors = encode_texts(encoder, ["a", "b", "c"], EmbedOptions(batch_size=8, in_flight=3))
    assert vectors.shape == (3, 32) and vectors.dtype == np.float32
    assert encoder.calls == [(3, 8, 3)] and encoder.batches == []


def test_wrong_shape_from_the_encoder_is_an_index_mismatch() -> None:
    class Broken(FakeTextEncoder):
        def encode(self, texts):
            return np.zeros((len(texts), 7), dtype=np.float32)

    with pytest.raises(IndexMismatch, match=r"shape \(2, 7\), expected \(2, 32\)"):
        encode_texts(Broken(), ["a", "b"])


def test_unavailable_server_is_retried_then_reported() -> None:
    class Flaky(FakeTextEncoder):
        failures = 2

        def encode(self, texts):
            if self.failures:
                self.failures -= 1
                raise BackendUnavailable("triton", "Deadline Exceeded")
            return super().encode(texts)

    options = EmbedOptions(batch_size=8, in_flight=1, retries=2, retry_delay_s=0)
    assert encode_texts(Flaky(), ["a", "b"], options).shape == (2, 32)
    with pytest.raises(BackendUnavailable, match="Deadline Exceeded"):
        encode_texts(Flaky(), ["a"], EmbedOptions(retries=1, retry_delay_s=0))


def test_document_text_is_trimmed_only_beyond_what_the_encoder_reads() -> None:
    short = Product(id="1", title="Kettle", brand="Acme", category=("Home", "Kitchen"), description="Boils.")
    assert document_text(short, 128) == "Kettle. Acme. Kitchen. Boils."
    long = Product(id="2", title="Kettle", description="word " * 5000)
    text = document_text(long, 16)
    assert text.startswith("Kettle. word") and len(text) <= 16 * 12 and not text.endswith(" ")


def test_checkpoint_resumes_matching_chunks_and_survives_a_torn_line(tmp_path: Path) -> None:
    key = {"checksum": "x", "chunk_size": 2}
    directory = tmp_path / "checkpoint"
    first = Checkpoint.open(directory, key)
    first.put("text-000000", ["a", "b"], np.ones((2, 3)))
    first.put("text-000001", ["c", "d"], np.zeros((2, 3)), {"note": 1})
    with (directory / PROGRESS).open("a") as handle:
        handle.write('{"chunk": "text-0000')  # the process died mid-write
    again = Checkpoint.open(directory, key)
    assert again.has("text-000000", ["a", "b"]) and not again.has("text-000000", ["a", "x"])
    assert again.extra("text-000001") == {"note": 1}
    np.testing.assert_array_equal(again.read("text-000000"), np.ones((2, 3), dtype=np.float32))
    again.put("text-000002", ["e"], np.ones((1, 3)))
    assert Checkpoint.open(directory, key).has("text-000002", ["e"])
    other = Checkpoint.open(directory, {"checksum": "y", "chunk_size": 2})
    assert not other.has("text-000000", ["a", "b"])
    assert not (directory / "text-000000.npy").exists()
