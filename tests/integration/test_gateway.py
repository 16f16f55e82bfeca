"""The gateway against the real servers: Triton (with a tiny CLIP) and OpenSearch, on the sample catalog.

OpenSearch is reached through a loopback TCP proxy the test can switch off, which is exactly what the
gateway sees when OpenSearch stops, without stopping the session's node for the other tests.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.deps import Services, build_services
from api.main import create_app
from api.sales_clock import SalesClock
from engine.config import load_settings
from engine.product_schema import validate_record
from engine.records import Filters, Product
from engine.sample import load_sample_products, sample_catalog_path

pytestmark = pytest.mark.integration


class SwitchableProxy:
    """Forwards 127.0.0.1:<port> to a target; `stop()` closes every connection and refuses new ones."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.up = True
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self._conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def stop(self) -> None:
        self.up = False
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        self._conns.clear()

    def start(self) -> None:
        self.up = True

    def close(self) -> None:
        self.stop()
        self.server.close()


@pytest.fixture(scope="module")
def proxy(opensearch_url: str) -> Iterator[SwitchableProxy]:
    proxy = SwitchableProxy(int(opensearch_url.rsplit(":", 1)[1]))
    yield proxy
    proxy.close()


@pytest.fixture(scope="module")
def gateway(triton_server, proxy: SwitchableProxy, tmp_path_factory) -> Iterator[tuple[TestClient, Services]]:
    from engine.lexical.factory import create_lexical
    from indexer.build import Builder, BuildOptions

    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("gateway-data"),
        opensearch_url=f"http://127.0.0.1:{proxy.port}",
        opensearch_timeout_s=3.0,
        index_alias=f"gw-{uuid.uuid4().hex[:8]}",
        triton_url=triton_server.grpc_url,
        triton_timeout_s=120.0,  # a loaded 2-core CI machine can take seconds per encoder batch
        clip_model=triton_server.settings.clip_model,
        api_key="test-key",
    )
    from engine.inference.triton import TritonInference

    inference = TritonInference(triton_server.grpc_url, 120.0, repository=triton_server.repository)
    Builder(settings, inference, create_lexical(settings)).build(
        sample_catalog_path(), BuildOptions(progress=False)
    )
    services = build_services(settings)
    services.warm_products().join(60)
    with TestClient(create_app(services)) as client:
        yield client, services
    services.close()


@pytest.fixture(scope="module")
def products() -> dict[str, Product]:
    return {p.id: p for p in load_sample_products()}


def search(client: TestClient, **body) -> dict:
    response = client.post("/v1/search", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_ready_with_every_backend(gateway) -> None:
    client, _ = gateway
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    checks = ready.json()["checks"]
    assert checks["lexical"]["backend"] == "opensearch" and checks["triton"]["clip"] == "on"
    assert checks["index"]["count"] == 300
    # the start made the range search's copy (300 products: no int8 part to wait for)
    assert checks["index"]["range_search"] == "ready"


def test_filters_and_facets_agree_with_brute_force(gateway, products: dict[str, Product]) -> None:
    client, _ = gateway
    filters = Filters(category=("Home",), price_max=80.0, available_only=True)
    body = search(
        client,
        query="kitchen",
        size=100,
        facets=["brand", "availability", "category_path"],
        filters={"category": "Home", "price": {"max": 80}, "available_only": True},
    )
    hits = [products[h["id"]] for h in body["hits"]]
    # The answer is the query's match set within the filters: every hit passes them, every eligible
    # product that names "kitchen" is in it, and total and facets count exactly that set.
    assert hits and all(filters.matches(p) for p in hits)
    naming = {
        p.id
        for p in products.values()
        if filters.matches(p) and re.search(r"\bkitchen\b", p.text_for_embedding().lower())
    }
    assert naming <= {p.id for p in hits}
    assert body["total"] == len(hits) <= 100
    brands = {f["value"]: f["count"] for f in body["facets"]["brand"]}
    assert brands == dict(Counter(p.brand for p in hits).most_common(20))
    paths = {f["value"]: f["count"] for f in body["facets"]["category_path"]}
    assert sum(paths.values()) == len(hits)
    assert {f["value"] for f in body["facets"]["availability"]} <= {"in_stock", "preorder"}


def test_pagination_never_repeats_or_skips(gateway) -> None:
    client, _ = gateway
    first = search(client, query="jacket", size=60)
    whole = [h["id"] for h in first["hits"]]
    assert len(whole) == min(first["total"], 60) >= 20
    paged: list[str] = []
    for page in range(1, 7):
        paged += [h["id"] for h in search(client, query="jacket", size=10, page=page)["hits"]]
    assert paged == whole and len(set(paged)) == len(paged)


def test_similar_items_exclude_the_item(gateway, products: dict[str, Product]) -> None:
    client, _ = gateway
    with_image = next(p.id for p in products.values() if p.image)
    for space in ("text", "image"):
        response = client.get(f"/v1/products/{with_image}/similar", params={"space": space, "size": 20})
        assert response.status_code == 200, response.text
        ids = [h["id"] for h in response.json()["hits"]]
        assert ids and with_image not in ids
        assert all(products[i].available for i in ids)


def test_clicks_personalise_recommendations(gateway, products: dict[str, Product]) -> None:
    client, _ = gateway
    new_user = client.get("/v1/recommendations", params={"user_id": "first-visit", "size": 10}).json()
    assert new_user["strategy"] == "popular"
    hit = search(client, query="santoku knife", size=3, user_id="cook")
    events = [
        {
            "type": "click",
            "product_id": h["id"],
            "search_id": hit["search_id"],
            "position": i + 1,
            "user_id": "cook",
            "event_id": f"cook-{i}",
        }
        for i, h in enumerate(hit["hits"])
    ]
    assert client.post("/v1/events", json=events).status_code == 202
    cook = client.get("/v1/recommendations", params={"user_id": "cook", "size": 10}).json()
    assert cook["strategy"] == "personal"
    assert [h["id"] for h in cook["hits"]] != [h["id"] for h in new_user["hits"]]
    categories = Counter(products[h["id"]].category[0] for h in cook["hits"])
    assert categories.most_common(1)[0][0] == "Home"


def test_image_search_through_clip(gateway, products: dict[str, Product]) -> None:
    client, _ = gateway
    item = next(p for p in products.values() if p.image and p.available)
    data = Path(item.image or "").read_bytes()
    response = client.post("/v1/search", files={"image": ("q.png", data, "image/png")}, data={"size": "5"})
    assert response.status_code == 200, response.text
    assert response.json()["hits"][0]["id"] == item.id


def test_client_errors_are_4xx(gateway) -> None:
    client, _ = gateway
    cases = [
        client.post("/v1/search", content=b"{not json", headers={"content-type": "application/json"}),
        client.post("/v1/search", json={"query": "x" * 10_000}),
        client.post("/v1/search", json={"query": "   "}),
        client.get("/v1/products/does-not-exist"),
        client.get("/v1/products/does-not-exist/similar"),
        client.post("/v1/events", json={"type": "click"}),
        client.post("/v1/products", json={"id": "x", "title": "X"}),
    ]
    assert [r.status_code for r in cases] == [422, 422, 422, 404, 404, 422, 401]
    assert all(set(r.json()) == {"error"} for r in cases)


def test_the_sales_clock_starts_and_ends_sales_on_opensearch(gateway) -> None:
    """Two products read as a catalog sent three days ago read them (a sale that has ended since, one
    that has begun): one tick of the gateway's sales clock and OpenSearch's price filter, sort and
    answer follow."""
    client, services = gateway
    now = datetime.now(UTC)
    yesterday, then = (now - timedelta(days=1)).isoformat(), now - timedelta(days=3)
    records = [
        {"id": "sale-1", "title": "Zorblat teapot", "price": 89, "sale_price": 29, "sale_to": yesterday},
        {"id": "sale-2", "title": "Zorblat kettle", "price": 40, "sale_percent": 25, "sale_from": yesterday},
    ]
    services.upsert_products([validate_record(r, now=then) for r in records])

    def cheap() -> list[tuple[str, float]]:
        body = search(client, query="zorblat", sort="price_asc", filters={"price": {"max": 35}})
        return [(h["id"], h["price"]) for h in body["hits"]]

    assert cheap() == [("sale-1", 29.0)]  # the kettle's 40 until its sale starts
    report = SalesClock(services, 0).tick()
    assert ("sale-2" in report.started, "sale-1" in report.ended) == (True, True)
    assert cheap() == [("sale-2", 30.0)]
    hits = {h["id"]: h for h in search(client, query="zorblat")["hits"]}
    assert (hits["sale-1"]["price"], hits["sale-1"]["regular_price"]) == (89.0, None)
    assert (hits["sale-2"]["regular_price"], hits["sale-2"]["sale_ends"]) == (40.0, None)


def test_degraded_when_opensearch_stops(gateway, proxy: SwitchableProxy) -> None:
    client, _ = gateway
    proxy.stop()
    try:
        body = search(client, query="trail running shoes", size=5)
        assert body["degraded"] == ["lexical"]
        assert len(body["hits"]) == 5 and all(h["title"] for h in body["hits"])
        assert client.get("/readyz").status_code == 503
    finally:
        proxy.start()
    assert search(client, query="trail running shoes", size=5)["degraded"] == []
