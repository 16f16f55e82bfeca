"""Small in-memory implementations of the engine's protocols, for unit tests without servers.

They follow the protocol contracts in `engine/*/base.py` closely enough that code tested against them
behaves the same against the real backends: encoders return L2-normalised float32 rows, stores replace
by id, `save` round-trips through files.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
from PIL import Image

from engine.errors import IndexMismatch, NotFound
from engine.inference.base import EncoderInfo
from engine.records import Filters, Product, ScoredId
from engine.vectors.base import VectorManifest

_TOKEN = re.compile(r"\w+")


def hashed_vectors(texts: Sequence[str], dim: int) -> np.ndarray:
    """Bag-of-words hashed into `dim` buckets, normalised: similar texts get similar vectors."""
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for row, text in enumerate(texts):
        for token in _TOKEN.findall(text.lower()) or ["<empty>"]:
            digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
            out[row, int.from_bytes(digest, "big") % dim] += 1.0
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def png_bytes(color: tuple[int, int, int] = (255, 0, 0), size: int = 4) -> bytes:
    """A tiny valid PNG (image tests need real, decodable bytes)."""
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), color).save(buffer, format="PNG")
    return buffer.getvalue()


class EncoderCrash(RuntimeError):
    """Raised by a fake encoder told to die after some calls (a killed build)."""


class FakeTextEncoder:
    def __init__(
        self, dim: int = 32, name: str = "fake-bert", version: str = "1", fail_after: int | None = None
    ):
        self._info = EncoderInfo(name, version, dim)
        self.fail_after = fail_after
        self.batches: list[int] = []

    def info(self) -> EncoderInfo:
        return self._info

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if self.fail_after is not None and len(self.batches) >= self.fail_after:
            raise EncoderCrash(f"encoder died after {self.fail_after} batches")
        self.batches.append(len(texts))
        return hashed_vectors(texts, self._info.dim)

    @property
    def encoded(self) -> int:
        return sum(self.batches)


class FakeClipEncoder:
    """Embeds image bytes by their hash (identical images, identical vectors) and texts by words."""

    def __init__(self, dim: int = 16) -> None:
        self._info = EncoderInfo("fake-clip", "1", dim)
        self.images = 0

    def info(self) -> EncoderInfo:
        return self._info

    def encode_images(self, images: Sequence[bytes]) -> np.ndarray:
        self.images += len(images)
        return hashed_vectors([hashlib.sha256(i).hexdigest() for i in images], self._info.dim)

    def encode_texts(self, texts: Sequence[str]) -> np.ndarray:
        return hashed_vectors(texts, self._info.dim)


class FakeInference:
    def __init__(self, text: FakeTextEncoder | None = None, clip: FakeClipEncoder | None = None) -> None:
        self.text = text or FakeTextEncoder()
        self.clip = clip
        self.closed = False

    def text_encoder(self) -> FakeTextEncoder:
        return self.text

    def product_text_encoder(self, version: int | None = None) -> FakeTextEncoder:
        return self.text

    def clip_encoder(self) -> FakeClipEncoder | None:
        return self.clip

    def ranker(self):  # not needed by the tests that use this fake
        raise NotImplementedError

    def ready(self) -> dict[str, bool]:
        return {"query_encoder": True, "clip": self.clip is not None}

    def load_ranker_version(self, version: int) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.closed = True


class FakeLexicalIndex:
    """Products in a dict; search scores by shared words with the title and description. For the
    indexer's tests (writes); searches that need match sets run on the real embedded index.

    Generations as the real backends have them: `stage` fills a new one, `publish` points `current` at
    it and drops the others not kept, `use` pins the one read and written."""

    def __init__(self) -> None:
        self.generations: dict[str, dict[str, Product]] = {"gen-0": {}}
        self.current = "gen-0"
        self.pinned: str | None = None
        self.staged = 0
        self.rebuilds = 0
        self.refreshed = 0

    @property
    def products(self) -> dict[str, Product]:
        return self.generations[self.pinned or self.current]

    @products.setter
    def products(self, value: dict[str, Product]) -> None:
        self.generations[self.pinned or self.current] = value

    def stage(self, products: Iterable[Product]) -> tuple[str, int]:
        self.staged += 1
        name = f"gen-{self.staged}"
        self.generations[name] = {p.id: p for p in products}
        return name, len(self.generations[name])

    def publish(self, name: str, keep: Iterable[str] = ()) -> None:
        self.rebuilds += 1
        self.current = name
        kept = {name, *keep, *([self.pinned] if self.pinned else [])}
        self.generations = {n: g for n, g in self.generations.items() if n in kept}

    def use(self, name: str | None) -> None:
        self.pinned = name

    def search(self, query: str, k: int, filters: Filters | None = None) -> list[ScoredId]:
        words = set(_TOKEN.findall(query.lower()))
        hits = []
        for product in self.products.values():
            if filters is not None and not filters.matches(product):
                continue
            score = len(words & set(_TOKEN.findall(f"{product.title} {product.description}".lower())))
            if score:
                hits.append(ScoredId(product.id, float(score)))
        return sorted(hits, key=lambda h: (-h.score, h.product_id))[:k]

    def filter_ids(self, filters: Filters) -> set[str]:
        return {pid for pid, p in self.products.items() if filters.matches(p)}

    def get(self, ids: Sequence[str]) -> dict[str, Product]:
        return {pid: self.products[pid] for pid in ids if pid in self.products}

    def upsert(self, products: Sequence[Product]) -> None:
        self.products.update({p.id: p for p in products})

    def delete(self, ids: Sequence[str]) -> int:
        return sum(self.products.pop(pid, None) is not None for pid in set(ids))

    def rebuild(self, products: Iterable[Product]) -> int:
        name, count = self.stage(products)
        self.publish(name)
        return count

    def count(self) -> int:
        return len(self.products)

    def refresh(self) -> None:
        self.refreshed += 1

    def all_ids(self) -> set[str]:
        return set(self.products)

    def ping(self) -> bool:
        return True


class FakeVectorStore:
    """Exact inner-product search over a dict; saved as vectors.npy + ids.json + manifest.json."""

    index_type = "fake-flat"

    def __init__(self, dim: int, space: str = "text") -> None:
        self.dim, self.space = dim, space
        self.vectors: dict[str, np.ndarray] = {}

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        array = np.asarray(vectors, dtype=np.float32)
        assert array.shape == (len(ids), self.dim), (array.shape, len(ids), self.dim)
        self.vectors.update({pid: array[i] for i, pid in enumerate(ids)})

    def remove(self, ids: Sequence[str]) -> int:
        return sum(self.vectors.pop(pid, None) is not None for pid in set(ids))

    def search(
        self, query: np.ndarray, k: int, allowed_ids: set[str] | None = None, exclude: Sequence[str] = ()
    ) -> list[ScoredId]:
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        hits = [
            ScoredId(pid, float(v @ q))
            for pid, v in self.vectors.items()
            if (allowed_ids is None or pid in allowed_ids) and pid not in exclude
        ]
        return sorted(hits, key=lambda h: -h.score)[:k]

    def get_vector(self, product_id: str) -> np.ndarray | None:
        return self.vectors.get(product_id)

    def get_vectors(self, product_ids: Sequence[str]) -> dict[str, np.ndarray]:
        return {pid: self.vectors[pid] for pid in product_ids if pid in self.vectors}

    def contains(self, product_id: str) -> bool:
        return product_id in self.vectors

    def count(self) -> int:
        return len(self.vectors)

    def ids(self) -> list[str]:
        return list(self.vectors)

    def save(self, directory: Path, manifest: VectorManifest) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        ids = list(self.vectors)
        matrix = np.stack([self.vectors[i] for i in ids]) if ids else np.zeros((0, self.dim), np.float32)
        np.save(directory / "vectors.npy", matrix)
        (directory / "ids.json").write_text(json.dumps(ids))
        (directory / "manifest.json").write_text(json.dumps(asdict(manifest)))


class FakeVectorIO:
    """`engine.catalog.VectorStoreIO` over `FakeVectorStore`; counts loads (reloads are observable)."""

    def __init__(self) -> None:
        self.loads = 0

    def create(self, space: str, dim: int, expected_count: int) -> FakeVectorStore:
        return FakeVectorStore(dim, space)

    def load(self, directory: Path, expect: EncoderInfo) -> FakeVectorStore:
        if not (directory / "manifest.json").is_file():
            raise NotFound(f"no vector store in {directory}")
        manifest = VectorManifest(**json.loads((directory / "manifest.json").read_text()))
        if (manifest.model_name, manifest.model_version, manifest.dim) != (
            expect.name,
            expect.version,
            expect.dim,
        ):
            raise IndexMismatch(f"{directory}: built with {manifest.model_name}, expected {expect.name}")
        store = FakeVectorStore(manifest.dim, manifest.space)
        ids = json.loads((directory / "ids.json").read_text())
        store.add(ids, np.load(directory / "vectors.npy").reshape(len(ids), manifest.dim))
        self.loads += 1
        return store
