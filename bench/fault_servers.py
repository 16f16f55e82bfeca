"""The servers `bench.faults` injects faults into, started and stopped by it (and by
tests/integration/test_faults.py): an OpenSearch node (scripts/opensearch.sh) and a Triton under
`engine triton start --supervise`, plus the pidfiles that name the processes to stop or kill.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.common import stop_group
from engine.config import PROJECT_ROOT
from engine.ports import free_port

ENGINE_CLI = "import sys; from engine.cli import main; sys.exit(main(sys.argv[1:]))"


def pidfile_pid(path: Path) -> int:
    """The pid in a plain pidfile (OpenSearch) or a JSON one (Triton's launcher)."""
    text = path.read_text().strip()
    return int(text) if text.isdigit() else int(json.loads(text)["pid"])


def opensearch_script(command: str, port: int, data: Path, check: bool = True) -> None:
    """`scripts/opensearch.sh start|stop` for the node on `port` with its data in `data` (a start
    after a kill finds the dead node's pidfile stale and starts a new node on the same data)."""
    env = {**os.environ, "AISLE_OPENSEARCH_PORT": str(port), "AISLE_OPENSEARCH_DATA": str(data)}
    script = str(PROJECT_ROOT / "scripts" / "opensearch.sh")
    timeout = 300 if command == "start" else 120
    subprocess.run(["bash", script, command], env=env, check=check, capture_output=True, timeout=timeout)


@contextmanager
def opensearch_node(data: Path) -> Iterator[tuple[str, Path]]:
    """A node started by scripts/opensearch.sh; yields its URL and pidfile."""
    port = free_port()
    opensearch_script("start", port, data)
    try:
        yield f"http://127.0.0.1:{port}", data / "opensearch.pid"
    finally:
        opensearch_script("stop", port, data, check=False)


@contextmanager
def supervised_triton(env: dict[str, str], timeout_s: float = 300.0) -> Iterator[Path]:
    """`engine triton start --supervise` in a child process; yields Triton's pidfile."""
    process = subprocess.Popen(
        [sys.executable, "-c", ENGINE_CLI, "triton", "start", "--supervise"],
        env={**os.environ, **env},
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + timeout_s
        line = process.stdout.readline().decode()
        if "triton ready" not in line or time.monotonic() > deadline:
            raise RuntimeError(f"supervised Triton did not start: {line!r}")
        yield Path(env["AISLE_DATA_DIR"]) / "triton.pid"
    finally:
        stop_group(process, grace_s=60)


def triton_ready(http_port: int) -> Callable[[], bool]:
    """Whether Triton on `http_port` says it is ready (all its loaded models are)."""

    def ready() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{http_port}/v2/health/ready", timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False

    return ready
