"""Client side of product embedding: batching, several requests in flight, order preserved.

Triton's dynamic batcher only fills large batches when requests keep arriving, so the client cuts the
texts into batches and keeps `in_flight` of them outstanding. A Triton text encoder offers a pipelined
`encode_many(texts, batch_size, in_flight)`; any other `TextEncoder` is driven by a thread pool of
`encode()` calls (both release the GIL while waiting on the network or on torch).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from engine.errors import BackendUnavailable, IndexMismatch
from engine.inference.base import ClipEncoder, EncoderInfo, InferenceBackend, TextEncoder
from engine.records import Product

log = logging.getLogger(__name__)

CHARS_PER_TOKEN_BOUND = 12
"""Generous bound on characters per word-piece token: trimming the text to max_tokens * 12 characters
never changes what the encoder sees (it truncates at max_tokens itself) but stops a 20,000-character
description from travelling to the server only to be cut there."""


@dataclass(frozen=True)
class EmbedOptions:
    """`retries`: how often a request that timed out or found the server unavailable is retried (with
    doubling pauses from `retry_delay_s`) before the build stops; a long bulk job should ride out a
    server restart or a burst of load rather than lose its progress since the last checkpoint."""

    batch_size: int = 64
    in_flight: int = 4
    retries: int = 3
    retry_delay_s: float = 2.0


DEFAULT_EMBED = EmbedOptions()


def document_text(product: Product, max_tokens: int) -> str:
    """`Product.text_for_embedding()` trimmed (at a word boundary) to what `max_tokens` can cover."""
    text = product.text_for_embedding()
    limit = max_tokens * CHARS_PER_TOKEN_BOUND
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit]


def encode_texts(
    encoder: TextEncoder,
    texts: Sequence[str],
    options: EmbedOptions = DEFAULT_EMBED,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Embed `texts` in order; returns float32 of shape (len(texts), dim).

    The texts travel longest first and the rows are put back in input order at the end: a batch pads
    every text to its longest one, so batches of similar lengths save the encoder that padding (on
    catalogs with descriptions, a large share of its work).
    """
    info = encoder.info()
    if not texts:
        return np.zeros((0, info.dim), dtype=np.float32)
    order = length_order(texts)
    ordered = [texts[i] for i in order]
    encode_many = getattr(encoder, "encode_many", None)
    if callable(encode_many):
        vectors = retrying(
            lambda: encode_many(ordered, batch_size=options.batch_size, in_flight=options.in_flight),
            options,
        )
        if progress:
            progress(len(texts))
        vectors = checked(vectors, len(texts), info)
    else:
        vectors = _pooled(encoder.encode, ordered, options, info, progress)
    restored = np.empty_like(vectors)
    restored[order] = vectors
    return restored


def length_order(texts: Sequence[str]) -> np.ndarray:
    """Positions of `texts` from the longest to the shortest (ties keep input order)."""
    return np.argsort([-len(text) for text in texts], kind="stable")


def encode_images(
    encoder: ClipEncoder,
    images: Sequence[bytes],
    options: EmbedOptions = DEFAULT_EMBED,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """Embed encoded images (JPEG/PNG bytes) in order; float32 of shape (len(images), dim)."""
    info = encoder.info()
    if not images:
        return np.zeros((0, info.dim), dtype=np.float32)
    batch = max(1, options.batch_size // 4)  # images are far heavier per item than texts
    images_options = EmbedOptions(batch, options.in_flight, options.retries, options.retry_delay_s)
    return _pooled(encoder.encode_images, images, images_options, info, progress)


def _pooled(
    encode: Callable[[Sequence], np.ndarray],
    items: Sequence,
    options: EmbedOptions,
    info: EncoderInfo,
    progress: Callable[[int], None] | None,
) -> np.ndarray:
    size = max(1, options.batch_size)
    batches = [items[i : i + size] for i in range(0, len(items), size)]

    def run(batch: Sequence) -> np.ndarray:
        vectors = checked(retrying(lambda: encode(batch), options), len(batch), info)
        if progress:
            progress(len(batch))
        return vectors

    if len(batches) == 1 or options.in_flight <= 1:
        return np.concatenate([run(b) for b in batches])
    with ThreadPoolExecutor(max_workers=options.in_flight, thread_name_prefix="embed") as pool:
        return np.concatenate(list(pool.map(run, batches)))


def retrying(call: Callable[[], np.ndarray], options: EmbedOptions) -> np.ndarray:
    """`call()`, retried on `BackendUnavailable` (timeouts, a restarting server) `options.retries` times."""
    delay = options.retry_delay_s
    for attempt in range(options.retries + 1):
        try:
            return call()
        except BackendUnavailable as exc:
            if attempt == options.retries:
                raise
            log.warning(
                "encoder request failed (%s); retry %d of %d in %.0f s",
                exc,
                attempt + 1,
                options.retries,
                delay,
            )
            time.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def checked(vectors: np.ndarray, n: int, info: EncoderInfo) -> np.ndarray:
    """The encoder's answer as float32 (n, dim); an `IndexMismatch` if it contradicts `info`."""
    array = np.asarray(vectors, dtype=np.float32)
    if array.shape != (n, info.dim):
        raise IndexMismatch(
            f"{info.name} returned vectors of shape {array.shape}, expected ({n}, {info.dim})"
        )
    if not np.isfinite(array).all():
        raise IndexMismatch(f"{info.name} returned non-finite values")
    return array


def product_encoder(inference: InferenceBackend, tower: int) -> TextEncoder:
    """The encoder that embeds product texts in the space of query-encoder version `tower` (a
    both-towers version when > 1; the backend's product encoder otherwise)."""
    return inference.product_text_encoder(tower) if tower > 1 else inference.product_text_encoder()
