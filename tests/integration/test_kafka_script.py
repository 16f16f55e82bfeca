"""scripts/kafka.sh is idempotent: start on a live broker reports it, stop/status on none succeed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixtures.kafka import KafkaBroker

pytestmark = pytest.mark.integration


def test_start_and_status_on_a_running_broker(kafka_broker: KafkaBroker | None) -> None:
    if kafka_broker is None:
        pytest.fail("this test checks the script's own broker; unset AISLE_TEST_KAFKA_BOOTSTRAP")
    again = kafka_broker.run("start", timeout=120)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == kafka_broker.bootstrap
    assert "already running" in again.stderr
    status = kafka_broker.run("status", timeout=120)
    assert (status.returncode, status.stdout.strip()) == (0, f"running {kafka_broker.bootstrap}")
    assert (kafka_broker.data_dir / "segments" / "meta.properties").is_file()  # storage was formatted


def test_stop_and_status_without_a_broker(tmp_path: Path) -> None:
    idle = KafkaBroker(1, 2, tmp_path)
    stopped = idle.run("stop", timeout=120)
    assert stopped.returncode == 0 and "not running" in stopped.stderr
    status = idle.run("status", timeout=120)
    assert (status.returncode, status.stdout.strip()) == (3, "stopped")
    assert idle.run("bogus", timeout=120).returncode == 2
