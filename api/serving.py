"""Run one search and log what it served: shared by `POST /v1/search` and the InstantSearch endpoints.

Whatever the wire format, a search runs the same pipeline in the same thread pool and concurrency slots,
counts the same metrics, and logs an `Impression` for every list a shopper sees, so clicks reported
through any protocol are joined to the list they were made on and the ranker update job learns from
them. An empty query (no image either) browses the catalog (`engine.pipeline.browse`): InstantSearch
front ends open on an empty search box (`POST /v1/search` refuses an empty query before getting here).
"""

from __future__ import annotations

from dataclasses import dataclass

import anyio.to_thread

from api.deps import Services
from api.errors import Overloaded
from api.present import impression, new_search_id
from engine.pipeline.browse import browse
from engine.pipeline.types import RankedHit, SearchOutcome, SearchQuery
from engine.records import Product


@dataclass(frozen=True)
class Served:
    """A search as answered: its id (the impression's `search_id`) and the hits that have a product."""

    search_id: str
    outcome: SearchOutcome
    shown: list[RankedHit]
    logged: bool

    def product(self, hit: RankedHit) -> Product:
        return self.outcome.products[hit.product_id]


def _run(services: Services, query: SearchQuery) -> SearchOutcome:
    """Blocking part of a search (a catalog reload loads indexes): runs in the thread pool."""
    with services.serving():  # one catalog generation for the whole answer
        if not query.text.strip() and query.image is None:
            pipeline = services.pipeline
            distinct = pipeline.config.distinct if query.distinct is None else query.distinct
            buyable_first = pipeline.merchandise.buries_unavailable()
            edges = pipeline.price_edges()
            return browse(services.lexical, pipeline.products, query, edges, distinct, buyable_first)
        return services.pipeline.search(query)


async def _in_a_slot(services: Services, query: SearchQuery) -> SearchOutcome:
    """`_run` in a thread once one of the search slots is free, waiting at most `search_queue_s` for it
    (`Overloaded` after that, counted in the gateway's metrics)."""
    slots, waited = services.search_slots, services.settings.search_queue_s
    acquired = False
    with anyio.move_on_after(waited):
        await slots.acquire()
        acquired = True  # no checkpoint between the two: a deadline cannot fall in between
    if not acquired:
        services.metrics.overloaded.inc()
        raise Overloaded(f"more searches than this gateway can serve (one waited {waited:g} s); try again")
    try:
        return await anyio.to_thread.run_sync(_run, services, query)
    finally:
        slots.release()


async def serve(
    services: Services,
    query: SearchQuery,
    *,
    log: bool,
    search_id: str | None = None,
    extra: dict[str, object] | None = None,
) -> Served:
    """Search (or browse) and, when `log`, queue the served page as an impression under `search_id`
    (a new id when None). Browsed lists are logged on the "browse" surface: they have no ranker features,
    so they count clicks but never train a ranker."""
    outcome = await _in_a_slot(services, query)
    for part in outcome.degraded:
        services.metrics.degraded.labels(part=part).inc()
    if outcome.ranker_version is not None:
        services.metrics.ranker_version.set(outcome.ranker_version)
    search_id = search_id or new_search_id()
    shown = [h for h in outcome.hits if h.product_id in outcome.products]
    logged = log  # an empty list is logged too: zero-result searches are what analytics looks for
    if logged:
        services.impressions.submit(
            impression(
                search_id,
                query.text,
                [h.product_id for h in shown],
                (query.page - 1) * query.size + 1,
                outcome.ranker_version,
                [h.features for h in shown],
                query.user_id,
                query.session_id,
                surface="search" if outcome.method != "browse" else "browse",
                extra={
                    "pipeline": outcome.method,
                    "page": query.page,
                    "degraded": outcome.degraded,
                    # During an interleaved trial: the page's teams (engine.pipeline.interleave).
                    **({"interleaving": outcome.interleaving} if outcome.interleaving is not None else {}),
                    **(extra or {}),
                },
                propensity_swaps=outcome.propensity_swaps,
            )
        )
    return Served(search_id, outcome, shown, logged)
