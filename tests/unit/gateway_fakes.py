"""Fakes for the gateway's unit tests, built on the shared ones in `tests/fakes.py`.

`make_services` assembles a real `Services` (real pipeline, recommender, event log on a temp SQLite file)
over an in-memory catalog: the real embedded lexical index (tantivy, in the temp directory) with a switch
that makes it fail, hashed-bag-of-words encoders, exact vector stores, and a ranker that behaves like
ranker version 1 (weight 1.0 on `fused_score`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from api.deps import Services
from api.main import create_app
from engine.catalog import Catalog
from engine.config import Settings, load_settings
from engine.errors import BackendUnavailable, NotFound
from engine.events.embedded import EmbeddedEventLog
from engine.lexical.embedded import EmbeddedLexical
from engine.lexical.matching import MatchQuery
from engine.lexical.synonyms import SynonymFile, synonyms_path
from engine.pipeline.types import PipelineConfig
from engine.ranking.features import FEATURE_NAMES
from engine.records import Filters, MemberHits, Product, ScoredId
from indexer.partial import apply_patch
from indexer.updates import serving_updater
from tests.fakes import FakeClipEncoder, FakeInference, FakeTextEncoder, FakeVectorStore

FUSED = FEATURE_NAMES.index("fused_score")
# Depth 5 per retriever and thresholds no hashed vector of another text reaches: a search's match set is
# its lexical one, and pages past the first come from the set rather than the ranked head.
LEXICAL_SETS = PipelineConfig(
    max_query_chars=64, lexical_depth=5, dense_depth=5, semantic_threshold=0.99, near_threshold=0.99
)


class PriorRanker:
    """Scores = features @ weights; the default weights copy ranker version 1 (fused_score only)."""

    def __init__(self, version: int = 1, weights: dict[str, float] | None = None) -> None:
        self._version = version
        self.weights = np.zeros(len(FEATURE_NAMES), dtype=np.float32)
        for name, weight in (weights or {"fused_score": 1.0}).items():
            self.weights[FEATURE_NAMES.index(name)] = weight
        self.calls: list[np.ndarray] = []
        self.down = False

    def score(self, features: np.ndarray) -> np.ndarray:
        if self.down:
            raise BackendUnavailable("triton", "ranker: connection refused")
        self.calls.append(features)
        return features @ self.weights

    def version(self) -> int:
        return self._version


class GatewayInference(FakeInference):
    def __init__(self, clip: bool = False) -> None:
        super().__init__(FakeTextEncoder(dim=64), FakeClipEncoder() if clip else None)
        self.prior = PriorRanker()
        self.encoder_down = False
        original = self.text.encode

        def encode(texts: Sequence[str]) -> np.ndarray:
            if self.encoder_down:
                raise BackendUnavailable("triton", "query_encoder: connection refused")
            return original(texts)

        self.text.encode = encode  # type: ignore[method-assign]

    def ranker(self) -> PriorRanker:  # type: ignore[override]
        return self.prior

    def ready(self) -> dict[str, bool]:
        up = not self.encoder_down
        return {"query_encoder": up, "ranker": up, "clip": self.clip is not None}


class FlakyLexical(EmbeddedLexical):
    """The embedded index with a switch that makes retrieval fail like a dead OpenSearch."""

    def __init__(self, directory: Path, synonyms: Path) -> None:
        super().__init__(directory, synonyms=SynonymFile(synonyms), reload_interval_s=0.0)
        self.down = False
        self.reason = "connection refused"
        self.refreshed = 0

    def refresh(self) -> None:
        self.refreshed += 1
        super().refresh()

    def _check(self) -> None:
        if self.down:
            raise BackendUnavailable("opensearch", self.reason)

    def search(self, query: str, k: int, filters: Filters | None = None) -> list[ScoredId]:
        self._check()
        return super().search(query, k, filters)

    def search_members(self, match: MatchQuery, k: int) -> MemberHits:
        self._check()
        return super().search_members(match, k)

    def search_with_members(self, query: str, k: int, match: MatchQuery) -> tuple[list[ScoredId], MemberHits]:
        self._check()
        return super().search_with_members(query, k, match)

    def filter_ids(self, filters: Filters) -> set[str]:
        self._check()
        return super().filter_ids(filters)

    def ping(self) -> bool:
        return not self.down


class MemoryCatalog:
    """`ServingCatalog` over in-memory stores; upserts embed with the fake encoders like the indexer."""

    def __init__(self, lexical: FlakyLexical, inference: GatewayInference, built: bool = True) -> None:
        self.lexical = lexical
        self.inference = inference
        self.stores = {"text": FakeVectorStore(inference.text.info().dim, "text")}
        if inference.clip is not None:
            self.stores["image"] = FakeVectorStore(inference.clip.info().dim, "image")
        self.built = built
        self.embedded = 0  # products re-embedded by patches

    def load(self) -> dict[str, object]:
        if not self.built:
            raise NotFound("no index has been built yet: run `indexer build CATALOG`")
        return self.manifest

    def changed(self, force: bool = False) -> object | None:
        return None

    def install(self, live: object) -> bool:
        """Nothing to swap: the stores live in memory."""
        return True

    @property
    def manifest(self) -> dict[str, object]:
        if not self.built:
            raise NotFound("no index has been built yet")
        return {"generation": "test", "count": self.lexical.count()}

    def vector_store(self, space: str) -> FakeVectorStore | None:
        return self.stores.get(space)

    def upsert(self, products: list[Product]) -> None:
        self.lexical.upsert(products)
        ids = [p.id for p in products]
        self.stores["text"].add(ids, self.inference.text.encode([p.text_for_embedding() for p in products]))
        if "image" in self.stores and self.inference.clip is not None:
            with_image = [p for p in products if p.image]
            if with_image:
                images = [p.image.encode() for p in with_image if p.image]
                self.stores["image"].add(
                    [p.id for p in with_image], self.inference.clip.encode_images(images)
                )

    def patch(self, patches: Mapping[str, Mapping[str, object]]) -> list[Product]:
        current = self.lexical.get(list(patches))
        missing = [pid for pid in patches if pid not in current]
        if missing:
            raise NotFound(f"no product with id {missing[0]!r}")
        products = [apply_patch(current[pid], patch) for pid, patch in patches.items()]
        changed = [p for p in products if p.text_for_embedding() != current[p.id].text_for_embedding()]
        self.embedded += len(changed)
        self.upsert(products) if changed else self.lexical.upsert(products)
        return products

    def delete(self, ids: list[str]) -> int:
        for store in self.stores.values():
            store.remove(ids)
        return self.lexical.delete(ids)


CATALOG = [
    Product(
        "p1",
        "Red running shoes",
        "Light shoes for road running",
        "Acme",
        ("Sports", "Shoes"),
        59.0,
        popularity=10,
        attributes={"color": "red"},
        image="img-p1",
    ),
    Product(
        "p2",
        "Blue running shoes",
        "Cushioned shoes for trail running",
        "Acme",
        ("Sports", "Shoes"),
        79.0,
        popularity=5,
        attributes={"color": "blue"},
        image="img-p2",
    ),
    Product(
        "p3",
        "Trail running jacket",
        "Waterproof jacket",
        "Peak",
        ("Sports", "Clothing"),
        129.0,
        popularity=3,
        attributes={"color": "black"},
    ),
    Product("p4", "Chef knife", "Steel kitchen knife", "Blade", ("Home", "Kitchen"), 35.0, popularity=50),
    Product(
        "p5",
        "Bread knife",
        "Serrated knife for bread",
        "Blade",
        ("Home", "Kitchen"),
        22.0,
        availability="out_of_stock",
        popularity=40,
    ),
    Product(
        "p6", "Cutting board", "Oak board for the kitchen", "Woodco", ("Home", "Kitchen"), 45.0, popularity=20
    ),
    Product(
        "p7",
        "Running socks",
        "Socks for running",
        "Peak",
        ("Sports", "Clothing"),
        12.0,
        popularity=8,
        attributes={"color": "red"},
    ),
    Product("p8", "Espresso cup", "Porcelain cup", "Cafe", ("Home", "Kitchen", "Cups"), None, popularity=1),
]


def make_services(
    tmp: Path,
    *,
    clip: bool = False,
    api_key: str | None = "secret",
    built: bool = True,
    products: Sequence[Product] = CATALOG,
    config: PipelineConfig | None = None,
    **overrides: object,
) -> Services:
    """Services over fakes; `overrides` are further settings (e.g. search_concurrency=1)."""
    settings = load_settings(data_dir=tmp, api_key=api_key, max_query_chars=64, **overrides)
    lexical = FlakyLexical(tmp / "lexical", synonyms_path(settings))
    inference = GatewayInference(clip=clip)
    catalog = MemoryCatalog(lexical, inference, built=built)
    if products:
        catalog.upsert(list(products))
    events = EmbeddedEventLog(tmp / "events.sqlite3")
    return Services.assemble(
        settings,
        lexical,
        inference,
        catalog,
        events,
        config or PipelineConfig(max_query_chars=64, lexical_depth=5, dense_depth=5),
    )


@contextmanager
def app_client(
    tmp: Path, products: Sequence[Product], config: PipelineConfig = LEXICAL_SETS
) -> Iterator[TestClient]:
    """A test client of the gateway over `make_services(tmp, products=..., config=...)`, closed after."""
    services = make_services(tmp, products=products, config=config)
    try:
        with TestClient(create_app(services)) as client:
            yield client
    finally:
        services.close()


def search(client: TestClient, **body: object) -> dict:
    """The answer of `POST /v1/search` with `body`, which must be 200."""
    response = client.post("/v1/search", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def embedded_services(settings: Settings, events: Path) -> Services:
    """The gateway's services over the real embedded index and FAISS stores of `settings`' data
    directory (an index `indexer build` wrote), writable as the gateway is, with the hashed fake
    encoders; `events`: the event log's file."""
    lexical = EmbeddedLexical.from_settings(settings)
    inference = GatewayInference()
    return Services.assemble(
        settings,
        lexical,
        inference,
        Catalog(settings, inference, lexical, writer=serving_updater),
        EmbeddedEventLog(events),
        PipelineConfig(lexical_depth=20, dense_depth=20),
    )
