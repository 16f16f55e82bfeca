"""The JSON form of log records, shared by both event-log backends.

The embedded log stores it as a row's payload and the Kafka log as a message's value, so one format
serves both (nothing is pickled) and a record reads back the same whichever backend wrote it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any

from engine.events.base import Event, Impression

_IMPRESSION_FIELDS = tuple(f.name for f in fields(Impression))


def impression_to_json(impression: Impression) -> str:
    """A shallow field dict: `dataclasses.asdict` deep-copies every feature row first, which made
    encoding the most expensive part of logging a served list; the JSON is the same."""
    return json.dumps({name: getattr(impression, name) for name in _IMPRESSION_FIELDS}, separators=(",", ":"))


def impression_from_json(text: str, lean: bool = False) -> Impression:
    """The served list in `text`; `lean` leaves its feature rows, feature names and extra fields empty
    (see `EventLog.read_signals`): converting the feature rows is most of the decoding."""
    data: dict[str, Any] = json.loads(text)
    ranked: dict[str, Any] = {}
    if not lean:
        ranked = {
            "features": tuple(tuple(float(x) for x in row) for row in data.get("features") or ()),
            "feature_names": tuple(data.get("feature_names") or ()),
            "extra": dict(data.get("extra") or {}),
        }
    return Impression(
        search_id=data["search_id"],
        timestamp=float(data["timestamp"]),
        query=data["query"],
        product_ids=tuple(data["product_ids"]),
        positions=tuple(int(p) for p in data["positions"]),
        ranker_version=int(data["ranker_version"]),
        user_id=data.get("user_id"),
        session_id=data.get("session_id"),
        surface=data.get("surface") or "search",
        propensity_swaps=tuple((int(a), int(b)) for a, b in data.get("propensity_swaps") or ()),
        **ranked,
    )


def event_to_json(event: Event) -> str:
    return json.dumps(asdict(event), separators=(",", ":"))


def event_from_json(text: str) -> Event:
    data: dict[str, Any] = json.loads(text)
    return Event(**data)
