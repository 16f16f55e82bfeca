"""scripts/kafka.sh is idempotent: start on a live broker reports it, stop/status on none succeed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.kafka import SCRIPT, KafkaBroker

pytestmark = pytest.mark.integration


def run(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), command], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_start_and_status_on_a_running_broker(kafka_broker: KafkaBroker | None) -> None:
    if kafka_broker is None:
        pytest.fail("this test checks the script's own broker; unset AISLE_TEST_KAFKA_BOOTSTRAP")
    again = run("start", kafka_broker.env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == kafka_broker.bootstrap
    assert "already running" in again.stderr
    status = run("status", kafka_broker.env)
    assert (status.returncode, status.stdout.strip()) == (0, f"running {kafka_broker.bootstrap}")
    assert (kafka_broker.data_dir / "segments" / "meta.properties").is_file()  # storage was formatted


def test_stop_and_status_without_a_broker(tmp_path: Path) -> None:
    env = {**os.environ, "AISLE_KAFKA_DATA": str(tmp_path), "AISLE_KAFKA_PORT": "1"}
    stopped = run("stop", env)
    assert stopped.returncode == 0 and "not running" in stopped.stderr
    status = run("status", env)
    assert (status.returncode, status.stdout.strip()) == (3, "stopped")
    assert run("bogus", env).returncode == 2
