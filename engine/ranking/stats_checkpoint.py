"""Where a gateway process's click statistics start from: the last window they closed, saved when it
closed, instead of the whole event log.

Why: the statistics are read from the log (`engine.ranking.stats_feed`), and a process that starts from
the beginning reads every record ever written (9 s for 200,000 served lists here, growing with the
shop's history). They keep only two windows (`engine.ranking.stats.ClickStats`), and a closed window
never changes again, so the record that closed the last one is a safe place to go on from: the closed
window, the map of recent searches to their queries and the clicks still waiting for their list, as
they were right after that record, plus the record's offset and identity. A start that loads them and
reads the log on from that offset holds the same statistics as one that read the whole log (a unit test
compares), at the cost of one window of records.

Every process closes its windows at the same record, so each writes the same file (atomically, last one
wins). A file whose record is not in the log at its offset (the log was replaced or truncated), of
another format, or unreadable is ignored with a warning: the whole log is read, as before.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from sys import intern
from typing import Any

from engine.events.base import EventLog, LogRecord, record_key
from engine.ranking.stats import Closed, Window
from engine.storage import write_atomic

log = logging.getLogger(__name__)

FORMAT = 1


def save(path: Path, record: LogRecord, state: Closed) -> None:
    """Write `state`, closed by `record`, to `path` (replacing what was there)."""
    window = state.window
    pairs = [
        [query, product, window.query_views.get((query, product), 0), sorted(positions.items())]
        for (query, product), positions in window.query_positions.items()
    ]
    data = {
        "format": FORMAT,
        "offset": record.offset,
        "record": record_key(record),
        "windows_started": state.windows_started,
        "views": window.views,
        "clicks": window.clicks,
        "actions": window.actions,
        "pairs": pairs,
        "query_clicks": [[q, p, n] for (q, p), n in window.query_clicks.items()],
        "clicked": sorted(window.clicked),
        "search_queries": state.search_queries,
        "waiting": state.waiting,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(data, separators=(",", ":")))


def load(path: Path, events: EventLog) -> tuple[int, Closed] | None:
    """(offset to read on from, state) from `path`, or None when there is none to use (see the module
    docstring); never raises for a bad file."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text())
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        offset = int(data["offset"])
        found = events.read_signals(after=offset - 1, limit=1)
        if not found or found[0].offset != offset or record_key(found[0]) != data["record"]:
            raise ValueError(f"the event log does not hold {data['record']} at offset {offset}")
        return offset, _state(data)
    except Exception as exc:  # any bad file: the whole log is read instead
        log.warning("click statistics checkpoint %s not used (%s): reading the whole event log", path, exc)
        return None


def _state(data: dict[str, Any]) -> Closed:
    window = Window()
    window.views = {str(k): int(v) for k, v in data["views"].items()}
    window.clicks = {str(k): int(v) for k, v in data["clicks"].items()}
    window.actions = {str(k): float(v) for k, v in data["actions"].items()}
    for query, product, views, positions in data["pairs"]:
        key = (intern(str(query)), intern(str(product)))
        window.query_views[key] = int(views)
        window.query_positions[key] = {int(at): int(n) for at, n in positions}
    window.query_clicks = {(str(q), str(p)): int(n) for q, p, n in data["query_clicks"]}
    window.clicked = {(str(a), str(b)) for a, b in data["clicked"]}
    waiting = {str(sid): [str(p) for p in pids] for sid, pids in data["waiting"].items()}
    search_queries = {str(k): str(v) for k, v in data["search_queries"].items()}
    return Closed(window, search_queries, waiting, int(data["windows_started"]))
