"""Append shopper events to the log, whichever protocol reported them (ours, Insights, UBI).

One path for every intake so they agree: events for products the catalog does not hold are refused
(422 naming the ids) rather than stored, because a click on a product nobody can be shown again only
skews statistics (a typo'd id, an id from another shop's index); the append is durable before the caller
answers; click statistics see each event once, since they read the log (`engine.ranking.stats_feed`),
which keeps a retried duplicate once, and they count the request's events before it answers; search ids
this gateway never served are accepted and reported back, as explained in `api.routes.events`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from api.deps import Services
from engine.errors import InvalidInput
from engine.events.base import Event

MAX_EVENTS = 1000
_SHOWN_IDS = 5


@dataclass(frozen=True)
class Recorded:
    offsets: list[int]
    unknown_search_ids: list[str]


def check_products(services: Services, product_ids: Sequence[str]) -> None:
    """Raise `InvalidInput` naming the ids the catalog does not hold."""
    wanted = sorted(set(product_ids))
    found = services.pipeline.products.get(wanted)
    missing = [pid for pid in wanted if pid not in found]
    if missing:
        shown = ", ".join(repr(pid) for pid in missing[:_SHOWN_IDS])
        more = f" and {len(missing) - _SHOWN_IDS} more" if len(missing) > _SHOWN_IDS else ""
        raise InvalidInput(f"unknown product id(s): {shown}{more}; events must name catalog products")


def record(services: Services, events: Sequence[Event]) -> Recorded:
    """Check, append durably, and count. Blocking (it waits for the log): call from a worker thread."""
    if not events:
        raise InvalidInput("no events given")
    if len(events) > MAX_EVENTS:
        raise InvalidInput(f"at most {MAX_EVENTS} events per request")
    check_products(services, [e.product_id for e in events])
    offsets = services.events.append_events(events)
    services.stats_feed.refresh()  # the click statistics count them before the answer
    for event in events:
        services.metrics.events.labels(type=event.type).inc()
    unknown = sorted(
        {e.search_id for e in events if e.search_id and not services.impressions.known(e.search_id)}
    )
    return Recorded(offsets, unknown)
