"""scripts/opensearch.sh: idempotent start/stop/status on the node the session fixture started."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from engine.ports import free_port
from tests.fixtures.opensearch import OpenSearchNode

pytestmark = pytest.mark.integration


@pytest.fixture
def node(opensearch_node: OpenSearchNode | None) -> OpenSearchNode:
    if opensearch_node is None:
        pytest.fail("these tests drive scripts/opensearch.sh: unset AISLE_TEST_OPENSEARCH_URL")
    return opensearch_node


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def test_node_is_healthy_with_the_analysers_the_mapping_needs(node: OpenSearchNode) -> None:
    assert get_json(f"{node.url}/_cluster/health")["status"] in ("green", "yellow")
    info = get_json(node.url + "/")
    assert info["version"]["number"] == "2.19.4"
    modules = {
        m["name"] for n in get_json(f"{node.url}/_nodes/plugins")["nodes"].values() for m in n["modules"]
    }
    assert "analysis-common" in modules


def test_start_on_a_running_node_only_reports_it(node: OpenSearchNode) -> None:
    result = node.run("start", timeout=60)
    assert result.returncode == 0
    assert result.stdout.strip() == node.url
    assert "already running" in result.stderr
    status = node.run("status", timeout=30)
    assert (status.returncode, status.stdout.strip()) == (0, f"running {node.url}")
    assert node.run("url", timeout=30).stdout.strip() == node.url


def test_status_and_stop_of_a_node_that_is_not_running(tmp_path: Path) -> None:
    idle = OpenSearchNode(free_port(), tmp_path)
    status = idle.run("status", timeout=30)
    assert (status.returncode, status.stdout.strip()) == (3, "stopped")
    stop = idle.run("stop", timeout=30)
    assert stop.returncode == 0
    assert "not running" in stop.stderr


def test_node_runs_unprivileged_and_bound_to_loopback(node: OpenSearchNode) -> None:
    pid = int((node.data_dir / "opensearch.pid").read_text())
    status = Path(f"/proc/{pid}/status").read_text()
    uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
    assert uid != 0, "OpenSearch must not run as root"
    settings = get_json(f"{node.url}/_nodes/_local/settings")
    [local] = settings["nodes"].values()
    assert local["settings"]["network"]["host"] == "127.0.0.1"
    assert local["settings"]["discovery"]["type"] == "single-node"
