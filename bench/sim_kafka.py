"""A single-node Kafka broker for a benchmark run, started and stopped with the project's scripts/kafka.sh.

The broker gets free loopback ports and a fresh data directory under the run's output, so a run never
touches a broker someone else uses; `kafka_broker` always stops it (SIGTERM through the script's pidfile)
and raises with the end of its log when it does not come up.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from engine.config import PROJECT_ROOT
from engine.ports import free_ports

SCRIPT = PROJECT_ROOT / "scripts" / "kafka.sh"
START_TIMEOUT_S = 300


def _tail(data_dir: Path, lines: int = 30) -> str:
    for path in (data_dir / "logs" / "server.log", data_dir / "console.log"):
        if path.is_file():
            return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return "(no broker log)"


@contextmanager
def kafka_broker(data_dir: Path) -> Iterator[str]:
    """Start a broker with its data in `data_dir`; yields the bootstrap address `127.0.0.1:port`."""
    port, controller = free_ports(2)
    env = {
        **os.environ,
        "AISLE_KAFKA_PORT": str(port),
        "AISLE_KAFKA_CONTROLLER_PORT": str(controller),
        "AISLE_KAFKA_DATA": str(data_dir),
        "AISLE_KAFKA_TIMEOUT": str(START_TIMEOUT_S - 60),
    }

    def script(command: str, timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", str(SCRIPT), command], env=env, capture_output=True, text=True, timeout=timeout
        )

    try:
        started = script("start", START_TIMEOUT_S)
        if started.returncode != 0:
            raise RuntimeError(f"scripts/kafka.sh start failed:\n{started.stderr[-2000:]}\n{_tail(data_dir)}")
        yield f"127.0.0.1:{port}"
    finally:
        script("stop", 60)
