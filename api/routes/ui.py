"""The shopper's search page and the admin page, plus the few endpoints only they need.

The pages are plain files in `api/static/` (HTML, CSS, JS; no build step) and talk to the public API
like any other front end. This router serves them and adds:

- `GET /v1/suggest?prefix=`: popular queries, counted in memory from the served search lists in the
  event log (`QuerySuggester`). A query is suggested only once it returned results to at least
  `min_users` different users or sessions, so one shopper's typing never shows up for another. The page
  adds the browser's own recent queries (kept in localStorage) itself.
- `GET /v1/products/{id}/image`: the product's picture. Local paths are served only from inside the
  indexed catalog's directory or the bundled sample images (anything else is 404); http(s) references
  are redirected to.
- `/v1/admin/...`: ranker versions with their validation, rollouts, rollback, event-log counts and the
  update job's progress, behind the same bearer key as the write endpoints.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse, RedirectResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.staticfiles import StaticFiles

from api.deps import Services, ServicesDep, get_services, require_writer
from api.schemas.common import ERROR_RESPONSES
from engine.errors import AisleError, NotFound
from engine.events.base import EventLog
from engine.ranking.stats import normalise_query
from engine.sample import sample_images_dir

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
# The pages load nothing from elsewhere except product pictures given as https URLs.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' https: data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-cache",
}

router = APIRouter()
_static = StaticFiles(directory=STATIC_DIR)


# --- pages --------------------------------------------------------------------------------------------
def _page(name: str) -> FileResponse:
    return FileResponse(STATIC_DIR / name, media_type="text/html", headers=PAGE_HEADERS)


@router.get("/", include_in_schema=False)
async def index_page() -> FileResponse:
    return _page("index.html")


@router.get("/admin", include_in_schema=False)
async def admin_page() -> FileResponse:
    return _page("admin.html")


@router.get("/static/{path:path}", include_in_schema=False)
async def static_file(path: str, request: Request) -> Response:
    """Files of `api/static` with ETag revalidation (StaticFiles refuses paths that leave the folder)."""
    response = await _static.get_response(path, request.scope)
    response.headers.update(PAGE_HEADERS)
    return response


# --- suggestions ----------------------------------------------------------------------------------------
class QuerySuggester:
    """Popular search queries from the event log, tailed incrementally.

    On first use it reads the last `window` records, then only what was appended since (at most once per
    `refresh_s`). Only lists served on the search surface that had results count. At most `max_queries`
    distinct queries are kept; when full, the least searched half is dropped.
    """

    def __init__(
        self,
        log: EventLog,
        *,
        min_users: int = 2,
        window: int = 50_000,
        refresh_s: float = 2.0,
        max_queries: int = 20_000,
    ) -> None:
        self.log = log
        self.min_users = min_users
        self.window = window
        self.refresh_s = refresh_s
        self.max_queries = max_queries
        self._offset: int | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._users: dict[str, set[str]] = {}
        self._shown: dict[str, str] = {}  # normalised -> the latest spelling as typed

    def refresh(self) -> None:
        if time.monotonic() - self._checked < self.refresh_s or not self._lock.acquire(blocking=False):
            return
        try:
            if self._offset is None:
                self._offset = max(self.log.last_offset() - self.window, 0)
            while batch := self.log.read(self._offset, limit=5_000):
                for record in batch:
                    item = record.impression
                    if item is not None and item.surface == "search" and item.product_ids:
                        self._add(item.query, item.user_id or item.session_id or "anonymous")
                self._offset = batch[-1].offset
            self._checked = time.monotonic()
        finally:
            self._lock.release()

    def _add(self, query: str, who: str) -> None:
        key = normalise_query(query)
        if not key:
            return
        self._counts[key] = self._counts.get(key, 0) + 1
        self._shown[key] = query.strip()
        users = self._users.setdefault(key, set())
        if len(users) < self.min_users:
            users.add(who)
        if len(self._counts) > self.max_queries:
            for dropped in sorted(self._counts, key=self._counts.__getitem__)[: self.max_queries // 2]:
                del self._counts[dropped], self._users[dropped], self._shown[dropped]

    def suggest(self, prefix: str, size: int = 8) -> list[tuple[str, int]]:
        """Queries starting with `prefix` (or with a word starting with it), most searched first."""
        self.refresh()
        want = normalise_query(prefix)
        found = []
        for key, count in list(self._counts.items()):
            if len(self._users.get(key, ())) < self.min_users:
                continue
            if key.startswith(want):
                found.append((0, -count, key))
            elif f" {want}" in f" {key}":
                found.append((1, -count, key))
        return [(self._shown[key], -neg) for _, neg, key in sorted(found)[:size]]


def get_suggester(request: Request) -> QuerySuggester:
    state = request.app.state
    suggester: QuerySuggester | None = getattr(state, "query_suggester", None)
    if suggester is None:
        suggester = state.query_suggester = QuerySuggester(get_services(request).events)
    return suggester


class Suggestion(BaseModel):
    query: str
    count: int = Field(description="Searches with results for this query in the recent log window.")


class Suggestions(BaseModel):
    prefix: str
    suggestions: list[Suggestion]


@router.get("/v1/suggest", response_model=Suggestions, tags=["ui"], summary="Popular queries for a prefix")
async def suggest(
    suggester: Annotated[QuerySuggester, Depends(get_suggester)],
    prefix: Annotated[str, Query(max_length=128)] = "",
    size: Annotated[int, Query(ge=1, le=20)] = 8,
) -> Suggestions:
    found = await run_in_threadpool(suggester.suggest, prefix, size)
    return Suggestions(prefix=prefix, suggestions=[Suggestion(query=q, count=c) for q, c in found])


# --- product images -------------------------------------------------------------------------------------
def image_roots(services: Services) -> list[tuple[Path, Path]]:
    """(base for relative paths, folder files must be inside): the catalog's and the sample images'."""
    roots = [(sample_images_dir().parent, sample_images_dir())]
    source = getattr(services.catalog.manifest, "source", "") if services.catalog_error is None else ""
    if source:
        folder = Path(source).resolve().parent
        roots.insert(0, (folder, folder))
    return roots


def resolve_image(reference: str, roots: list[tuple[Path, Path]]) -> Path | None:
    """The file a local image reference names, if it is an image inside an allowed folder."""
    if Path(reference).suffix.lower() not in IMAGE_TYPES:
        return None
    for base, folder in roots:
        candidate = (base / reference).resolve()
        if candidate.is_relative_to(folder.resolve()) and candidate.is_file():
            return candidate
    return None


def _product_image(services: Services, product_id: str) -> Response:
    found = services.products([product_id])
    product = found.get(product_id)
    if product is None:
        raise NotFound(f"no product with id {product_id!r}")
    reference = (product.image or "").strip()
    if reference.startswith(("http://", "https://")):
        return RedirectResponse(reference, status_code=307)
    path = resolve_image(reference, image_roots(services)) if reference else None
    if path is None:
        raise NotFound(f"product {product_id!r} has no image this gateway can serve")
    return FileResponse(
        path, media_type=IMAGE_TYPES[path.suffix.lower()], headers={"Cache-Control": "public, max-age=3600"}
    )


@router.get(
    "/v1/products/{product_id}/image",
    responses=ERROR_RESPONSES,
    tags=["products"],
    summary="The product's picture",
    response_class=Response,
)
async def product_image(product_id: str, services: ServicesDep) -> Response:
    return await run_in_threadpool(_product_image, services, product_id)


# --- admin ------------------------------------------------------------------------------------------------
admin = APIRouter(
    prefix="/v1/admin", tags=["admin"], dependencies=[Depends(require_writer)], responses=ERROR_RESPONSES
)


def _answering(services: Services) -> int | None:
    """The ranker version the model server reports as loaded (None when it cannot say)."""
    try:
        ranker: Any = services.inference.ranker()
        served = getattr(ranker, "served_version", ranker.version)
        return int(served())
    except AisleError:
        return None


def _rankers(services: Services) -> dict[str, Any]:
    from engine.learning.versions import RankerStore

    store = RankerStore(services.settings)
    moves = [r for r in store.rollouts.records() if r.get("action") in ("rollout", "rollback")]
    versions = []
    for version in store.versions():
        manifest = store.manifest(version)
        record = manifest.record
        versions.append(
            {
                "version": version,
                "created_at": manifest.created_at,
                "kind": record.kind,
                "parent": record.parent,
                "validation": record.results,
            }
        )
    return {
        "serving": store.serving(),
        "answering": _answering(services),
        "previous": moves[-1].get("previous") if moves else None,
        "versions": versions,
    }


@admin.get("/rankers", summary="Kept ranker versions, the serving one and the one before it")
async def rankers(services: ServicesDep) -> dict[str, Any]:
    return await run_in_threadpool(_rankers, services)


class RollbackIn(BaseModel):
    version: int = Field(ge=1)


@admin.post("/rankers/rollback", summary="Serve a kept ranker version again")
async def rollback_ranker(body: RollbackIn, services: ServicesDep) -> dict[str, Any]:
    from engine.learning.rollout import rollback
    from engine.learning.versions import RankerStore

    def run() -> dict[str, Any]:
        return rollback(RankerStore(services.settings), services.inference, body.version)

    return await run_in_threadpool(run)


@admin.get("/rollouts", summary="The newest rollout decisions, newest first")
async def rollouts(services: ServicesDep, limit: Annotated[int, Query(ge=1, le=500)] = 20) -> dict[str, Any]:
    from engine.learning.versions import RankerStore, brief

    records = await run_in_threadpool(RankerStore(services.settings).rollouts.records)
    return {"rollouts": [brief(r) for r in reversed(records[-limit:])]}


def _events(services: Services) -> dict[str, Any]:
    return {"counts": services.events.counts(), "last_offset": services.events.last_offset()}


@admin.get("/events", summary="Event-log record counts per type")
async def event_counts(services: ServicesDep) -> dict[str, Any]:
    return await run_in_threadpool(_events, services)


def _update_job(services: Services) -> dict[str, Any]:
    from engine.learning.checkpoint import checkpoint_path, load_checkpoint
    from engine.learning.versions import RankerStore, brief

    checkpoint = load_checkpoint(checkpoint_path(services.settings))
    runs = [r for r in RankerStore(services.settings).rollouts.records() if "events" in r]
    last = services.events.last_offset()
    return {
        "checkpoint": {
            "offset": checkpoint.offset,
            "runs": checkpoint.runs,
            "updated_at": checkpoint.updated_at or None,
        },
        "unread_records": max(last - checkpoint.offset, 0),
        "last_run": brief(runs[-1]) if runs else None,
    }


@admin.get("/update-job", summary="Where the ranking-update job stands and its last recorded run")
async def update_job(services: ServicesDep) -> dict[str, Any]:
    return await run_in_threadpool(_update_job, services)


router.include_router(admin)
