"""The production lexical index: OpenSearch behind an alias.

Serving goes through the alias (`settings.index_alias`, "products" by default), or through the physical
index the catalog manifest names (`use`). A full rebuild writes into a new physical index
`<alias>-<UTC timestamp>` (`stage`), then moves the alias in one `_aliases` call (add new + remove old,
atomic on the cluster; `publish`), so searches see either the old catalog or the new one, never a
half-written index. Other physical indexes of the alias are deleted after the switch (also those a
killed build left behind); a rebuild that fails deletes its own half-built index and leaves the alias
alone. A full ingest commits the catalog manifest naming the staged index between the two steps.

Writes made through `upsert`/`delete` while a rebuild runs go to the index being replaced and are not
carried over: the rebuild's input is the catalog of record. Upserts and deletes wait for a refresh
(`refresh=wait_for`), so they are searchable when the call returns.

Bulk requests are chunked and retried with exponential back-off on 429 (the cluster is shedding load),
5xx and connection errors; other per-document failures (a document the mapping rejects) are reported
as `InvalidInput`. Connection problems surface as `BackendUnavailable("opensearch", ...)`.

Over 300 lines because it is the whole OpenSearch lexical backend (alias switching, bulk writes with
retries, search and facets through one client); the query DSL and the mapping are already their own
modules (`engine.lexical.query`, `engine.lexical.mapping`).
"""

from __future__ import annotations

import itertools
import logging
import re
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING, Any

from engine.errors import BackendUnavailable, ConfigError, InvalidInput, MissingDependency
from engine.lexical import facet_query, family_query
from engine.lexical import query as dsl
from engine.lexical.analysis import make_analyzer
from engine.lexical.facets import PRICE_EDGES, check_fields
from engine.lexical.mapping import from_document, index_body, missing_fields, to_document
from engine.lexical.matching import IDENTIFIED_LIMIT, MatchQuery, SearchFields
from engine.lexical.opensearch_terms import KnownTerms, known_body, read_known
from engine.lexical.synonyms import SynonymFile, synonyms_path
from engine.records import FacetCounts, Filters, MemberHits, Product, ScoredId

try:
    import opensearchpy
    from opensearchpy import OpenSearch, helpers
except ImportError as exc:  # pragma: no cover - opensearch-py is a core dependency
    raise MissingDependency("opensearch-py", "the OpenSearch lexical backend") from exc

if TYPE_CHECKING:
    from engine.config import Settings

log = logging.getLogger(__name__)

MAX_WINDOW = 10_000  # OpenSearch's default index.max_result_window
FAMILIES_TTL_S = 1.0  # how long the answer to "does any product name a family" is kept


def make_client(settings: Settings, *, timeout_s: float | None = None, max_retries: int = 2) -> OpenSearch:
    """A client for `settings.opensearch_url` with TLS and basic auth from the settings."""
    auth = None
    if settings.opensearch_user:
        password = settings.opensearch_password.get_secret_value() if settings.opensearch_password else ""
        auth = (settings.opensearch_user, password)
    return OpenSearch(
        hosts=settings.opensearch_hosts,
        http_auth=auth,
        verify_certs=settings.opensearch_verify_certs,
        ca_certs=str(settings.opensearch_ca_certs) if settings.opensearch_ca_certs else None,
        ssl_show_warn=settings.opensearch_verify_certs,
        timeout=timeout_s or settings.opensearch_timeout_s,
        max_retries=max_retries,
        retry_on_timeout=max_retries > 0,
    )


def _status(exc: Exception) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def _retriable(exc: Exception) -> bool:
    if isinstance(exc, (opensearchpy.ConnectionError, opensearchpy.ConnectionTimeout)):
        return True
    status = _status(exc)
    return status is not None and (status == 429 or status >= 500)


@contextmanager
def backend_errors(action: str) -> Iterator[None]:
    """Map client exceptions to the engine's: unreachable/overloaded -> BackendUnavailable, auth ->
    ConfigError, a rejected request -> InvalidInput."""
    try:
        yield
    except (opensearchpy.AuthenticationException, opensearchpy.AuthorizationException) as exc:
        raise ConfigError(
            f"AISLE_OPENSEARCH_USER/AISLE_OPENSEARCH_PASSWORD: {action} was refused ({_status(exc)})"
        ) from exc
    except opensearchpy.TransportError as exc:
        if _retriable(exc) or _status(exc) is None:
            raise BackendUnavailable("opensearch", f"{action}: {exc}") from exc
        raise InvalidInput(f"opensearch rejected {action}: {exc}") from exc


def _scored(response: dict[str, Any]) -> list[ScoredId]:
    return [ScoredId(hit["_id"], float(hit["_score"] or 0.0)) for hit in response["hits"]["hits"]]


def _item(item: dict[str, Any]) -> dict[str, Any]:
    """One `_msearch` answer, or the error its search alone would have raised (`backend_errors`)."""
    if "error" not in item:
        return item
    status = item.get("status")
    if not isinstance(status, int) or status == 429 or status >= 500:
        raise BackendUnavailable("opensearch", f"search: {status} {item['error']}")
    raise InvalidInput(f"opensearch rejected search: {status} {item['error']}")


class OpenSearchLexical:
    """`LexicalIndex` on an OpenSearch alias. Thread-safe (the client is)."""

    def __init__(
        self,
        client: OpenSearch,
        alias: str = "products",
        *,
        shards: int = 1,
        replicas: int = 0,
        chunk_size: int = 500,
        max_retries: int = 5,
        backoff_s: float = 0.5,
        max_backoff_s: float = 30.0,
        scan_page: int = 5_000,
        bulk_timeout_s: float | None = None,
        fields: SearchFields | None = None,
        synonyms: SynonymFile | None = None,
    ) -> None:
        self.client = client
        self.fields = fields or SearchFields()
        self.synonyms = synonyms
        self.analyzer = make_analyzer(self.fields.language)
        self.alias = alias
        self.shards = shards
        self.replicas = replicas
        self.chunk_size = chunk_size
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.max_backoff_s = max_backoff_s
        self.scan_page = scan_page
        self.bulk_timeout_s = bulk_timeout_s
        self._ready = False
        self._fields_added: set[str] = set()  # targets whose mapping has every field written now
        self._lock = threading.Lock()
        self._pinned: str | None = None
        self._families_known: tuple[bool, float] | None = None  # (any family, when asked)
        self._terms = KnownTerms(self._lookup_terms)  # which compound parts the catalog has
        self._spelt = KnownTerms(self._lookup_spelt)  # which long query words it has as written

    @classmethod
    def from_settings(cls, settings: Settings, *, serving: bool = False) -> OpenSearchLexical:
        """`serving`: the gateway's client, whose reads give up after `opensearch_read_timeout_s`
        without retrying (a search degrades instead of waiting); writes and whole-index scans (`all_ids`) keep
        `opensearch_timeout_s`."""
        if serving:
            client = make_client(settings, timeout_s=settings.opensearch_read_timeout_s, max_retries=0)
        else:
            client = make_client(settings)
        return cls(
            client,
            settings.index_alias,
            shards=settings.opensearch_shards,
            replicas=settings.opensearch_replicas,
            bulk_timeout_s=settings.opensearch_timeout_s if serving else None,
            fields=SearchFields.from_settings(settings),
            synonyms=SynonymFile(synonyms_path(settings)),
        )

    # --- reads ------------------------------------------------------------------------------------
    def search(self, query: str, k: int, filters: Filters | None = None) -> list[ScoredId]:
        body = self._search_body(query, k, filters)
        if body is None:
            return []
        response = self._call("search", lambda: self.client.search(index=self._target, body=body))
        return _scored(response)

    def search_members(self, match: MatchQuery, k: int) -> MemberHits:
        body = self._members_body(match, k)
        if body is None:
            return MemberHits([], 0)
        response = self._call("search", lambda: self.client.search(index=self._target, body=body))
        return MemberHits(_scored(response), int(response["hits"]["total"]["value"]))

    def search_with_members(self, query: str, k: int, match: MatchQuery) -> tuple[list[ScoredId], MemberHits]:
        """Both searches, and the products the query names by identifier, in one `_msearch` round trip
        (the cluster runs them side by side); each item's error is raised as its own search would raise
        it."""
        ranked, members = self._search_body(query, k, match.filters), self._members_body(match, k)
        if ranked is None or members is None:
            return self.search(query, k, match.filters), self.search_members(match, k)
        target = {"index": self._target}
        lines = [target, ranked, target, members]
        named = dsl.identifier_query(match.text, match.filters) if match.text is not None else None
        if named is not None:
            lines += [target, {"query": named, "size": IDENTIFIED_LIMIT, "_source": False}]
        response = self._call("search", lambda: self.client.msearch(body=lines))
        first, second, *third = (_item(item) for item in response["responses"])
        identified = tuple(sorted(h.product_id for h in _scored(third[0]))) if third else ()
        hits = MemberHits(_scored(second), int(second["hits"]["total"]["value"]), identified)
        return _scored(first), hits

    def _search_body(self, query: str, k: int, filters: Filters | None) -> dict[str, Any] | None:
        """The ranking query's body; None when it would find nothing (no words, or k of 0)."""
        if k <= 0 or not query.strip():
            return None
        return {
            "query": dsl.bool_query(query, filters, self.fields, self.analyzer, self._terms),
            "size": min(k, MAX_WINDOW),
            "sort": [{"_score": "desc"}, {"id": "asc"}],
            "track_scores": True,
            "track_total_hits": False,
            "_source": False,
        }

    def _members_body(self, match: MatchQuery, k: int) -> dict[str, Any] | None:
        """The lexical members' body (top k by the ranking score, and their count); None when the set has
        no lexical side."""
        if not match.lexical:
            return None
        lexical = replace(match, also_ids=frozenset(), near_ids=frozenset())
        query: dict[str, Any] = {"bool": {"filter": [self._match(lexical)]}}
        if match.text is not None and match.text.strip():
            query["bool"]["should"] = [dsl.text_query(match.text, self.fields, self.analyzer, self._terms)]
        return {
            "query": query,
            "size": max(0, min(k, MAX_WINDOW)),
            "sort": [{"_score": "desc"}, {"id": "asc"}],
            "track_scores": True,
            "track_total_hits": True,
            "_source": False,
        }

    def count_matching(self, match: MatchQuery) -> int:
        body = {"query": self._match(match)}
        return int(self._call("count", lambda: self.client.count(index=self._target, body=body))["count"])

    def family_sizes(
        self, match: MatchQuery, members: Collection[str] | None = None
    ) -> dict[str, int] | None:
        if not self._has_families():
            return None
        query = {"ids": {"values": list(members)}} if members is not None else self._match(match)
        sizes: dict[str, int] = {}
        after: dict[str, Any] | None = None
        while True:
            body = family_query.sizes_body(query, after)
            response = self._call("families", partial(self.client.search, index=self._target, body=body))
            after = family_query.read_sizes(response, sizes)
            if after is None:
                return sizes

    def _has_families(self) -> bool:
        """Whether some product names a family; asked at most once a second (a catalog gains its
        first family rarely, and a search should not pay a request for the answer)."""
        now = time.monotonic()
        known = self._families_known
        if known is not None and now - known[1] < FAMILIES_TTL_S:
            return known[0]
        body = {"query": family_query.HAS_FAMILY}
        count = self._call("count", lambda: self.client.count(index=self._target, body=body))["count"]
        self._families_known = (int(count) > 0, now)
        return int(count) > 0

    def match_ids(self, match: MatchQuery, within: Sequence[str] | None = None) -> set[str]:
        if within is not None and not within:
            return set()
        query = self._match(match)
        if within is not None:
            query = {"bool": {"must": [query], "filter": [{"ids": {"values": list(dict.fromkeys(within))}}]}}
        return self._scan_ids({"query": query, "_source": False}, "match ids", None)

    def match_page(self, match: MatchQuery, sort: str, offset: int, limit: int) -> list[ScoredId]:
        if limit <= 0 or offset >= MAX_WINDOW:
            return []
        order: list[dict[str, Any]] = [{"_score": "desc"}, {"id": "asc"}]
        if sort != "relevance":
            direction = "asc" if sort == "price_asc" else "desc"
            order = [{"price": {"order": direction, "missing": "_last"}}, {"id": "asc"}]
        body = {
            "query": self._match(match),
            "from": offset,
            "size": min(limit, MAX_WINDOW - offset),
            "sort": order,
            "track_scores": True,
            "track_total_hits": False,
            "_source": False,
        }
        response = self._call("match page", lambda: self.client.search(index=self._target, body=body))
        return [ScoredId(hit["_id"], float(hit["_score"] or 0.0)) for hit in response["hits"]["hits"]]

    def facets(
        self,
        match: MatchQuery,
        fields: Sequence[str],
        size: int = 20,
        price_edges: Sequence[float] = PRICE_EDGES,
        families: bool = False,
    ) -> FacetCounts:
        check_fields(fields)
        if not fields:
            return {}
        if families:
            return family_query.facet_families(self._msearch, self._match(match), fields, size, price_edges)
        body = {
            "query": self._match(match),
            "size": 0,
            "track_total_hits": False,
            "aggs": facet_query.facet_aggs(fields, size, price_edges),
        }
        response = self._call("facets", lambda: self.client.search(index=self._target, body=body))
        return facet_query.parse_facets(response["aggregations"], fields, size)

    def _msearch(self, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The answers to `bodies`, searched in one round trip; each item's error raised as its search's."""
        target = {"index": self._target}
        lines = [line for body in bodies for line in (target, body)]
        response = self._call("facets", lambda: self.client.msearch(body=lines))
        return [_item(item) for item in response["responses"]]

    def filter_ids(self, filters: Filters) -> set[str]:
        return self._scan_ids({"query": dsl.bool_query(None, filters), "_source": False}, "filter ids", None)

    def _match(self, match: MatchQuery) -> dict[str, Any]:
        table = self.synonyms.table(self.analyzer) if self.synonyms is not None else None
        return dsl.match_query(match, self.fields, self.analyzer, table, self._terms, self._spelt)

    def _forget_terms(self) -> None:
        """Ask again which terms and words the catalog has: this process wrote or switched indexes."""
        self._terms.clear()
        self._spelt.clear()

    def _lookup_terms(self, terms: list[str]) -> set[str]:
        return self._lookup(terms, [name.split("^")[0] for name in dsl.search_fields(self.fields)])

    def _lookup_spelt(self, forms: list[str]) -> set[str]:
        return self._lookup(forms, ["spell"])

    def _lookup(self, terms: list[str], fields: list[str]) -> set[str]:
        body = known_body(terms, fields)
        response = self._call("terms", lambda: self.client.search(index=self._target, body=body))
        return read_known(response, terms)

    def _scan_ids(self, body: dict[str, Any], action: str, timeout_s: float | None) -> set[str]:
        def scan() -> set[str]:
            hits = helpers.scan(
                self.client,
                query=body,
                index=self._target,
                size=self.scan_page,
                scroll="2m",
                request_timeout=timeout_s,
            )
            return {hit["_id"] for hit in hits}

        return set(self._call(action, scan))

    def get(self, ids: Sequence[str]) -> dict[str, Product]:
        if not ids:
            return {}
        body = {"ids": list(dict.fromkeys(ids))}
        response = self._call("get", lambda: self.client.mget(index=self._target, body=body))
        return {d["_id"]: from_document(d["_source"]) for d in response["docs"] if d.get("found")}

    def count(self) -> int:
        return int(self._call("count", lambda: self.client.count(index=self._target))["count"])

    def all_ids(self) -> set[str]:
        """Every id: a bulk read (warming caches, verifying an index), so it gets the bulk deadline."""
        body = {"query": dsl.bool_query(None, None), "_source": False}
        return self._scan_ids(body, "all ids", self.bulk_timeout_s)

    def refresh(self) -> None:
        """Nothing to do: gets are real-time and writers refresh the index before returning."""

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except Exception:  # a health probe answers False, it never raises
            return False

    # --- writes -----------------------------------------------------------------------------------
    def upsert(self, products: Sequence[Product]) -> None:
        actions = ((p.id, to_document(p, self.fields)) for p in products)
        self._ensure_alias()
        self._add_new_fields(self._target)
        self._write(self._target, actions, refresh=True)
        self._forget_terms()
        if any(p.family is not None for p in products):
            self._families_known = None

    def delete(self, ids: Sequence[str]) -> int:
        self._ensure_alias()
        results = self._write(self._target, ((i, None) for i in dict.fromkeys(ids)), refresh=True)
        return sum(1 for r in results if r.get("result") == "deleted")

    def stage(self, products: Iterable[Product]) -> tuple[str, int]:
        """Write every product into a new physical index that the alias does not name yet; (its name,
        count). A failure deletes it."""
        physical = f"{self.alias}-{datetime.now(timezone.utc):%Y%m%d%H%M%S%f}"
        # replicas are added after the load, cheaper than during it
        body = index_body(self.shards, 0, self.fields.language)
        body["settings"]["index"]["refresh_interval"] = "-1"
        self._call("create index", lambda: self._create_new(physical, body))
        try:
            documents = ((p.id, to_document(p, self.fields)) for p in products)
            written = len(self._write(physical, documents))
            settings = {"index": {"refresh_interval": None, "number_of_replicas": self.replicas}}
            self._call("settings", lambda: self.client.indices.put_settings(index=physical, body=settings))
            self._call("refresh", lambda: self.client.indices.refresh(index=physical))
        except BaseException:
            self._drop(physical)
            raise
        return physical, written

    def publish(self, name: str, keep: Iterable[str] = ()) -> None:
        """Move the alias to `name` in one atomic call, then delete every other physical index of this
        alias not in `keep` (orphans of builds killed before they committed among them)."""
        left = self._switch_alias(name)
        self._forget_terms()
        kept = {name, *keep}
        for index in sorted({*left, *self._physical_indexes()} - kept):
            self._drop(index)

    def use(self, name: str | None) -> None:
        """Read and write physical index `name` from now on instead of the alias (the catalog manifest
        names the one its vectors were built with); None goes back to the alias."""
        self._pinned = name
        self._families_known = None
        self._forget_terms()

    def rebuild(self, products: Iterable[Product]) -> int:
        physical, written = self.stage(products)
        try:
            self.publish(physical)
        except BaseException:
            self._drop(physical)
            raise
        log.info("lexical rebuild: %d products in %s, alias %s switched", written, physical, self.alias)
        return written

    def _create_new(self, physical: str, body: dict[str, Any]) -> None:
        """Create `physical` (a name no one else uses: it carries the time to the microsecond). A
        request the client retried after a timeout may find it created by its own first attempt."""
        try:
            self.client.indices.create(index=physical, body=body)
        except opensearchpy.RequestError as exc:
            if "resource_already_exists" not in str(exc):
                raise

    @property
    def _target(self) -> str:
        return self._pinned or self.alias

    def _physical_indexes(self) -> list[str]:
        """This alias's physical indexes (`<alias>-<20 digits>`), whatever points at them."""
        pattern = re.compile(rf"{re.escape(self.alias)}-\d{{20}}")
        found = self._call("list indexes", lambda: self.client.indices.get(index=f"{self.alias}-*"))
        return sorted(name for name in found if pattern.fullmatch(name))

    def close(self) -> None:
        self.client.close()

    # --- internals --------------------------------------------------------------------------------
    def _call(self, action: str, fn: Any) -> Any:
        with backend_errors(action):
            self._ensure_alias()
            return fn()

    def _add_new_fields(self, target: str) -> None:
        """Add to the mapping of `target`'s indexes the fields this version writes and one made by an
        older version lacks (`missing_fields`), once per target per process: upserts go on working
        until the next build writes the index anew (a field an older index lacks is empty in its
        older documents: the title's head, until then, lists them in a price sort's second part)."""
        if target in self._fields_added:
            return
        live = self._call("mapping", lambda: self.client.indices.get_mapping(index=target))
        for physical, body in live.items():
            if missing := missing_fields(body.get("mappings", {})):
                put = partial(self.client.indices.put_mapping, index=physical, body={"properties": missing})
                self._call("mapping", put)
                log.info("index %s: added the fields %s", physical, ", ".join(sorted(missing)))
        self._fields_added.add(target)

    def _ensure_alias(self) -> None:
        """Create an empty first index behind the alias when none exists yet (a fresh cluster)."""
        if self._ready:
            return
        with self._lock, backend_errors("create index"):
            if self._ready:
                return
            indices = self.client.indices
            if not indices.exists_alias(name=self.alias) and not indices.exists(index=self.alias):
                first = f"{self.alias}-00000000000000000000"  # fixed name: concurrent creators agree
                body = {
                    **index_body(self.shards, self.replicas, self.fields.language),
                    "aliases": {self.alias: {}},
                }
                try:
                    indices.create(index=first, body=body)
                except opensearchpy.RequestError as exc:
                    if "resource_already_exists" not in str(exc):
                        raise
            self._ready = True

    def _switch_alias(self, physical: str) -> list[str]:
        """Point the alias at `physical` only, in one atomic call; returns the indexes it left."""
        indices = self.client.indices
        with backend_errors("switch alias"):
            actions: list[dict[str, Any]] = [{"add": {"index": physical, "alias": self.alias}}]
            if indices.exists_alias(name=self.alias):
                old = sorted(indices.get_alias(name=self.alias))
                actions += [{"remove": {"index": i, "alias": self.alias}} for i in old if i != physical]
            elif indices.exists(index=self.alias):
                old = []  # a concrete index holds the alias's name: replace it in the same call
                actions.append({"remove_index": {"index": self.alias}})
            else:
                old = []
            indices.update_aliases(body={"actions": actions})
        self._ready = True
        return [i for i in old if i != physical]

    def _drop(self, index: str) -> None:
        try:
            self.client.indices.delete(index=index, params={"ignore_unavailable": "true"})
        except Exception as exc:  # cleanup must not hide the error that got us here
            log.warning("could not delete index %s: %s", index, exc)

    def _write(
        self, index: str, items: Iterable[tuple[str, dict[str, Any] | None]], refresh: bool = False
    ) -> list[dict[str, Any]]:
        """Index (doc) or delete (None) each (id, doc) in chunks; per-item results in input order."""
        results: list[dict[str, Any]] = []
        iterator = iter(items)
        while chunk := list(itertools.islice(iterator, self.chunk_size)):
            results.extend(self._bulk_chunk(index, chunk, refresh))
        return results

    def _bulk_chunk(
        self, index: str, chunk: list[tuple[str, dict[str, Any] | None]], refresh: bool
    ) -> list[dict[str, Any]]:
        results: list[dict[str, Any] | None] = [None] * len(chunk)
        pending = list(range(len(chunk)))
        params: dict[str, Any] = {"refresh": "wait_for"} if refresh else {}
        if self.bulk_timeout_s is not None:
            params["request_timeout"] = self.bulk_timeout_s
        for attempt in range(self.max_retries + 1):
            if attempt:
                time.sleep(min(self.backoff_s * 2 ** (attempt - 1), self.max_backoff_s))
            body: list[dict[str, Any]] = []
            for i in pending:
                doc_id, doc = chunk[i]
                if doc is None:
                    body.append({"delete": {"_id": doc_id}})
                else:
                    body += [{"index": {"_id": doc_id}}, doc]
            try:
                response = self.client.bulk(index=index, body=body, params=params)
            except opensearchpy.TransportError as exc:
                if not _retriable(exc) or attempt == self.max_retries:
                    with backend_errors("bulk write"):
                        raise
                log.warning("bulk write failed (%s), retry %d", exc, attempt + 1)
                continue
            retry = []
            for i, item in zip(pending, response["items"], strict=True):
                result = next(iter(item.values()))
                status = int(result.get("status", 500))
                if status == 429 or status >= 500:
                    retry.append(i)
                elif status >= 400 and not (chunk[i][1] is None and status == 404):  # 404: nothing to delete
                    raise InvalidInput(f"opensearch rejected product {chunk[i][0]!r}: {result.get('error')}")
                results[i] = result
            if not retry:
                return [r for r in results if r is not None]
            pending = retry
        raise BackendUnavailable("opensearch", f"bulk write still rejected after {self.max_retries} retries")
