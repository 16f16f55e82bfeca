"""Searches sent with `X-Aisle-Log: off` (evaluation, monitoring) are answered but never logged.

Logged evaluation searches would look like shoppers who never click: they would drag down the
click-through statistics of the queries being measured and swamp the propensity fit of the update job.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from tests.unit.gateway_fakes import make_services


def _searches(services) -> list[str]:
    services.impressions.flush()
    services.stats_feed.catch_up()  # the click statistics read what was logged
    return [r.impression.query for r in services.events.read(after=0, limit=1000) if r.impression is not None]


def test_unlogged_search_is_answered_but_leaves_no_impression_or_views(tmp_path: Path) -> None:
    services = make_services(tmp_path)
    try:
        with TestClient(create_app(services)) as client:
            quiet = client.post(
                "/v1/search", json={"query": "running shoes", "debug": True}, headers={"X-Aisle-Log": "off"}
            )
            assert quiet.status_code == 200 and quiet.json()["hits"]
            assert _searches(services) == []
            shown = [h["id"] for h in quiet.json()["hits"]]
            assert services.stats.ctr(shown[0]) == services.stats.ctr("never-shown")

            logged = client.post("/v1/search", json={"query": "running shoes"}, headers={"X-Aisle-Log": "on"})
            assert logged.status_code == 200
            assert _searches(services) == ["running shoes"]
            assert services.stats.ctr(shown[0]) < services.stats.ctr("never-shown")
    finally:
        services.close()
