"""An event the gateway acknowledged with 202 survives the gateway being killed right after.

The front end drops an event once it has its 202, so the gateway must have made it durable before
answering. The test kills `gateway serve` with SIGKILL (no shutdown hooks, no flush) immediately after the
last acknowledgement, then reads the event log on disk and finds every acknowledged event.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import pytest

from engine.events.embedded import EmbeddedEventLog
from engine.ports import free_port
from engine.sample import sample_catalog_path
from tests.fixtures.triton import TritonHandle
from tests.support.processes import GatewayProcess, clean_env, run_cli

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def gateway_env(tmp_path_factory: pytest.TempPathFactory, triton_server: TritonHandle) -> dict[str, Any]:
    data_dir = tmp_path_factory.mktemp("durable-events")
    env = clean_env({"AISLE_DATA_DIR": str(data_dir), "AISLE_TRITON_URL": triton_server.grpc_url})
    built = run_cli("indexer", ["build", "--no-progress", str(sample_catalog_path())], env, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    return {"env": env, "data_dir": data_dir}


def test_acknowledged_events_survive_a_killed_gateway(gateway_env: dict[str, Any]) -> None:
    data_dir: Path = gateway_env["data_dir"]
    acknowledged: list[str] = []
    with GatewayProcess(gateway_env["env"], free_port()) as gateway:
        assert gateway.returncode is None, gateway.output()
        search = gateway.client.post("/v1/search", json={"query": "tent for two", "size": 5})
        assert search.status_code == 200, search.text
        body = search.json()
        hits = body["hits"]
        assert hits, body
        for position, hit in enumerate(hits, start=1):
            event = {
                "type": "click" if position % 2 else "add_to_cart",
                "product_id": hit["id"],
                "search_id": body["search_id"],
                "position": position,
                "user_id": "durable-user",
                "event_id": f"durable-{position}",
            }
            answer = gateway.client.post("/v1/events", json=event)
            assert answer.status_code == 202, answer.text
            acknowledged.extend(answer.json()["event_ids"])
        batch = [
            {
                "type": "purchase",
                "product_id": hits[0]["id"],
                "search_id": body["search_id"],
                "position": 1,
                "event_id": f"durable-batch-{i}",
            }
            for i in range(3)
        ]
        answer = gateway.client.post("/v1/events", json=batch)
        assert answer.status_code == 202, answer.text
        acknowledged.extend(answer.json()["event_ids"])
        # No graceful shutdown: the process dies right after its last acknowledgement.
        assert gateway._process is not None
        gateway._process.send_signal(signal.SIGKILL)
        gateway._process.wait(30)

    log = EmbeddedEventLog(data_dir / "events" / "events.sqlite3")
    try:
        stored = {record.event.event_id for record in log.read(0, 100_000) if record.event is not None}
    finally:
        log.close()
    assert len(acknowledged) == len(hits) + 3
    missing = [event_id for event_id in acknowledged if event_id not in stored]
    assert not missing, f"acknowledged but lost after SIGKILL: {missing}"
