"""Write-path robustness of the OpenSearch backend against a scripted client: chunking, retries with
back-off, error mapping and rebuild clean-up, and the error mapping of the one-round-trip search.
(Search behaviour is tested on a real node in tests/integration/test_opensearch_lexical.py.)"""

from __future__ import annotations

import json
import socket
from typing import Any

import opensearchpy
import pytest
from opensearchpy import OpenSearch

from engine.errors import BackendUnavailable, InvalidInput
from engine.lexical.mapping import mappings
from engine.lexical.matching import MatchQuery
from engine.lexical.opensearch import OpenSearchLexical
from engine.records import Product


class FakeIndices:
    def __init__(self) -> None:
        self.created: list[str] = []
        self.deleted: list[str] = []
        self.alias_updates: list[Any] = []
        self.lacking: set[str] = set()  # fields the index's mapping lacks (made by an older version)
        self.mapping_puts: list[tuple[str, Any]] = []

    def exists_alias(self, name: str) -> bool:
        return True

    def exists(self, index: str) -> bool:
        return True

    def get_alias(self, name: str) -> dict[str, Any]:
        return {"products-old": {"aliases": {name: {}}}}

    def create(self, index: str, body: Any) -> None:
        self.created.append(index)

    def get(self, index: str) -> dict[str, Any]:
        return {name: {} for name in self.created if name not in self.deleted}

    def delete(self, index: str, params: Any = None) -> None:
        self.deleted.append(index)

    def put_settings(self, index: str, body: Any) -> None:
        pass

    def refresh(self, index: str) -> None:
        pass

    def update_aliases(self, body: Any) -> None:
        self.alias_updates.append(body)

    def get_mapping(self, index: str) -> dict[str, Any]:
        """The alias's one index, made by this version unless a test took fields out of it."""
        properties = {k: v for k, v in mappings()["properties"].items() if k not in self.lacking}
        return {"products-old": {"mappings": {"properties": properties}}}

    def put_mapping(self, index: str, body: Any) -> None:
        self.mapping_puts.append((index, body))
        self.lacking -= set(body["properties"])


class FakeClient:
    """`bulk` answers from a script: an exception to raise, or a list of item statuses."""

    def __init__(self, script: list[Any]) -> None:
        self.script = list(script)
        self.calls: list[list[str]] = []
        self.indices = FakeIndices()

    def bulk(self, index: str, body: list[dict[str, Any]], params: Any = None) -> dict[str, Any]:
        ops = [line for line in body if "index" in line or "delete" in line]
        self.calls.append([next(iter(op.values()))["_id"] for op in ops])
        step = self.script.pop(0) if self.script else None
        if isinstance(step, Exception):
            raise step
        statuses = step or [201] * len(ops)
        items = []
        for op, status in zip(ops, statuses, strict=True):
            kind = next(iter(op))
            result: dict[str, Any] = {"_id": op[kind]["_id"], "status": status}
            if kind == "delete":
                result["result"] = "deleted" if status == 200 else "not_found"
            if status >= 400 and status != 404:
                result["error"] = {"type": "mapper_parsing_exception"}
            items.append({kind: result})
        return {"errors": any(s >= 400 for s in statuses), "items": items}


def products(n: int) -> list[Product]:
    return [Product(id=f"p{i}", title=f"Kettle {i}") for i in range(n)]


def index_with(script: list[Any], **kwargs: Any) -> tuple[OpenSearchLexical, FakeClient]:
    client = FakeClient(script)
    options = {"backoff_s": 0.0, "max_retries": 3, **kwargs}
    return OpenSearchLexical(client, "products", **options), client  # type: ignore[arg-type]


def test_writes_are_chunked() -> None:
    index, client = index_with([], chunk_size=2)
    index.upsert(products(5))
    assert client.calls == [["p0", "p1"], ["p2", "p3"], ["p4"]]


def test_an_older_index_gets_the_fields_it_lacks_once_before_the_first_write() -> None:
    index, client = index_with([[201], [201]])
    client.indices.lacking = {"head", "joined"}  # made by a version before those fields
    index.upsert(products(1))
    index.upsert(products(1))
    assert [(name, sorted(body["properties"])) for name, body in client.indices.mapping_puts] == [
        ("products-old", ["head", "joined"])
    ]
    assert client.indices.mapping_puts[0][1]["properties"]["head"] == mappings()["properties"]["head"]


def test_rejected_items_are_retried_alone() -> None:
    index, client = index_with([[201, 429, 201], [503]])
    index.upsert(products(3))
    assert client.calls == [["p0", "p1", "p2"], ["p1"], ["p1"]]


def test_connection_errors_are_retried_then_reported() -> None:
    refused = opensearchpy.ConnectionError("N/A", "connection refused", None)
    index, client = index_with([refused, [201]])
    index.upsert(products(1))
    assert len(client.calls) == 2

    index, client = index_with([refused] * 10)
    with pytest.raises(BackendUnavailable, match=r"^opensearch: bulk write"):
        index.upsert(products(1))
    assert len(client.calls) == 4  # first try + max_retries


def test_a_document_the_mapping_rejects_is_invalid_input_without_retry() -> None:
    index, client = index_with([[201, 400]])
    with pytest.raises(InvalidInput, match="'p1'"):
        index.upsert(products(2))
    assert len(client.calls) == 1


def test_delete_counts_only_existing_products() -> None:
    index, _ = index_with([[200, 404, 200]])
    assert index.delete(["p0", "gone", "p2"]) == 2


def test_failed_rebuild_deletes_its_index_and_keeps_the_alias() -> None:
    index, client = index_with([[201, 400]])
    with pytest.raises(InvalidInput):
        index.rebuild(products(2))
    [physical] = client.indices.created
    assert physical.startswith("products-")
    assert client.indices.deleted == [physical]
    assert client.indices.alias_updates == []


def test_rebuild_moves_the_alias_in_one_call_then_drops_the_old_index() -> None:
    index, client = index_with([])
    assert index.rebuild(products(3)) == 3
    [physical] = client.indices.created
    [update] = client.indices.alias_updates
    assert update["actions"] == [
        {"add": {"index": physical, "alias": "products"}},
        {"remove": {"index": "products-old", "alias": "products"}},
    ]
    assert client.indices.deleted == ["products-old"]


def test_reads_against_a_dead_node_raise_backend_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = OpenSearch(hosts=[f"http://127.0.0.1:{port}"], max_retries=0, timeout=2)
    index = OpenSearchLexical(client, "products")
    with pytest.raises(BackendUnavailable) as caught:
        index.search("kettle", 5)
    assert caught.value.backend == "opensearch"
    assert index.ping() is False


def test_an_indexed_document_reads_back_as_the_same_product() -> None:
    from engine.lexical.mapping import from_document, to_document

    product = Product(
        id="p7",
        title="Chef knife",
        brand="Edge",
        category=("Home", "Kitchen", "Knives"),
        price=49.5,
        currency="EUR",
        availability="preorder",
        attributes={"steel": "VG-10", "length_cm": 21, "colour": None},
        image="https://example.test/p7.jpg",
        popularity=3.0,
    )
    document = to_document(product)
    assert {"name": "colour", "value": "None"} not in document["attributes"]  # None is not indexed
    assert from_document(document) == product  # ...but the product keeps it
    bare = from_document({"id": 8, "title": None})
    assert bare == Product(id="8", title="")  # missing fields take the record's defaults


class MsearchClient(FakeClient):
    """Answers `_msearch` with the given items, recording the request lines, and the lookups of which
    terms the catalog has (`engine.lexical.opensearch_terms`) with none, counting them."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        super().__init__([])
        self.items = items
        self.lines: list[Any] = []
        self.lookups = 0

    def msearch(self, body: list[Any]) -> dict[str, Any]:
        self.lines = body
        return {"responses": self.items}

    def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        self.lookups += 1
        holds = body["aggs"]["known"]["filters"]["filters"]
        return {"aggregations": {"known": {"buckets": {name: {"doc_count": 0} for name in holds}}}}


def found(*ids: str, total: int | None = None) -> dict[str, Any]:
    hits = {"hits": [{"_id": pid, "_score": 2.0 - i / 10} for i, pid in enumerate(ids)]}
    if total is not None:
        hits["total"] = {"value": total, "relation": "eq"}
    return {"hits": hits, "status": 200}


def test_a_search_with_its_members_is_one_round_trip_and_an_item_error_is_the_searchs_own() -> None:
    match = MatchQuery("kettle")
    client = MsearchClient([found("p1", "p2"), found("p2", total=7), found("p9", "p3")])
    index = OpenSearchLexical(client, "products")  # type: ignore[arg-type]
    candidates, members = index.search_with_members("kettle", 5, match)
    # Which words the catalog lacks (a name typed as one word) is one more request, its answer kept.
    assert client.lookups == 1 and '"joined"' in json.dumps(client.lines[1])
    assert [c.product_id for c in candidates] == ["p1", "p2"]
    assert [m.product_id for m in members.hits] == ["p2"] and members.members == 7
    assert members.identified == ("p3", "p9")  # the third search: what "kettle" names as an identifier
    assert len(client.lines) == 6 and client.lines[0] == {"index": "products"}
    assert client.lines[3]["track_total_hits"] is True and client.lines[1]["track_total_hits"] is False
    assert client.lines[5]["query"]["bool"]["filter"] == [{"terms": {"ident": ["kettle"]}}]
    client.items = client.items[:2]  # a text with no identifier form: two searches
    _, members = index.search_with_members("tv", 5, MatchQuery("tv"))
    assert len(client.lines) == 4 and members.identified == ()
    for status, error in ((503, BackendUnavailable), (429, BackendUnavailable), (400, InvalidInput)):
        client.items = [
            found("p1"),
            {"error": {"type": "search_phase_execution_exception"}, "status": status},
        ]
        with pytest.raises(error, match="search_phase_execution_exception"):
            index.search_with_members("kettle", 5, match)
