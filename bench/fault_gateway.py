"""Gateway faults under load: `kill -9` of one worker, and of the whole gateway followed by a restart.

The gateway runs as a shop runs it: `gateway serve --workers N` (uvicorn's parent process starts the
workers, which share the listening socket, and starts a new one when a worker dies). Besides the
shopper load of `bench.fault_load`, one client posts click events with their own `event_id` the
whole time, as a front end does, and posts again every event it got no 2xx for (a retry with the
same id). Two faults:

- `gateway-worker-kill`: SIGKILL to one worker; the parent replaces it. Reported: what the clients
  saw, and when the replacement was started (`backend_back_s`).
- `gateway-kill`: SIGKILL to the parent and every worker, then `gateway serve` is started again on the
  same port at once, as a process supervisor (systemd, Kubernetes) would; `backend_back_s` is when
  the new gateway answered `/readyz` with 200. Requests sent while no gateway runs fail: one gateway
  process cannot answer while it is dead; a shop runs two behind its load balancer for that.

Both check the event log afterwards: every event acknowledged (202) is stored, and none twice.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import httpx

from bench.common import stop_group, wait_ready
from bench.fault_load import REQUEST_TIMEOUT_S, FaultReport, Load, Sample, report
from engine.config import PROJECT_ROOT


class GatewayServer:
    """`gateway serve` on a fixed loopback port in its own process group: started, killed with
    SIGKILL and started again on the same port (its log is appended to across restarts)."""

    def __init__(self, env: Mapping[str, str], port: int, workers: int) -> None:
        self.env, self.port, self.workers = dict(env), port, workers
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = Path(env["AISLE_DATA_DIR"]) / "logs" / "fault-gateway.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 300.0) -> None:
        command = [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--workers", str(self.workers), "--log-level", "warning"]
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=PROJECT_ROOT,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_ready(self.url, timeout_s, self.process, self.log_path)

    def worker_pids(self) -> list[int]:
        """The uvicorn workers: the parent's children started by multiprocessing's spawn."""
        assert self.process is not None
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes()
            except (OSError, IndexError, ValueError):
                continue
            if parent == self.process.pid and b"spawn_main" in command:
                found.append(int(entry.name))
        return sorted(found)

    def wait_workers(self, timeout_s: float = 60.0) -> list[int]:
        """The workers once all `workers` of them run: /readyz answers as soon as the first one does,
        while the second may still be starting (two importing the engine on two busy cores)."""
        deadline = time.monotonic() + timeout_s
        found = self.worker_pids()
        while len(found) < self.workers and time.monotonic() < deadline:
            time.sleep(0.1)
            found = self.worker_pids()
        return found

    def kill(self) -> None:
        """SIGKILL to the parent and its workers at once: no shutdown hook runs anywhere. Returns once
        the port can be bound again: a worker still exiting holds the listening socket it inherited,
        and the gateway started next would find its port in use (as a supervisor retries)."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)
        deadline = time.monotonic() + 30.0
        while not _bindable(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop_group(self.process, grace_s=30)

    def __enter__(self) -> GatewayServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _bindable(port: int) -> bool:
    """Whether a listener could bind `port` on loopback now (as uvicorn does, with SO_REUSEADDR)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class EventPoster:
    """One client posting click events with ids `<prefix>-<n>` until stopped; an event without a 2xx
    answer is posted again (same id) before the next new one. Every post is a `Sample` ("event")."""

    def __init__(self, url: str, product_id: str, prefix: str) -> None:
        self.url, self.product_id, self.prefix = url, product_id, prefix
        self.acknowledged: list[str] = []
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        pending: list[str] = []
        number = 0
        with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
            while not self._stop.is_set():
                if pending:
                    event_id = pending.pop(0)
                else:
                    event_id, number = f"{self.prefix}-{number}", number + 1
                body = {"type": "click", "product_id": self.product_id, "event_id": event_id}
                body["user_id"] = "fault-bench"
                start = time.monotonic()
                try:
                    status = client.post(f"{self.url}/v1/events", json=body).status_code
                except httpx.HTTPError:
                    status = 0
                self.samples.append(Sample(start, "event", status, time.monotonic() - start, False))
                if 200 <= status < 300:
                    self.acknowledged.append(event_id)
                else:
                    pending.append(event_id)
                time.sleep(0.02)

    def __enter__(self) -> EventPoster:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(REQUEST_TIMEOUT_S + 5)


def event_counts(data_dir: Path) -> Counter[str]:
    """How many times each event id is in the gateway's event log (the embedded one)."""
    from engine.events.embedded import EmbeddedEventLog

    log = EmbeddedEventLog(data_dir / "events" / "events.sqlite3")
    try:
        counts: Counter[str] = Counter()
        after = 0
        while batch := log.read(after, 10_000):
            counts.update(r.event.event_id for r in batch if r.event is not None)
            after = batch[-1].offset
        return counts
    finally:
        log.close()


def _finish(
    fault: str,
    samples: Sequence[Sample],
    since: float,
    poster: EventPoster,
    data_dir: Path,
    back_s: float | None,
) -> FaultReport:
    result = report(fault, samples, since, since)
    stored = event_counts(data_dir)
    mine = {event_id: n for event_id, n in stored.items() if event_id.startswith(f"{poster.prefix}-")}
    result.backend_back_s = None if back_s is None else round(back_s, 2)
    result.events_acknowledged = len(poster.acknowledged)
    result.events_lost = sum(1 for event_id in poster.acknowledged if event_id not in mine)
    result.events_duplicated = sum(1 for n in mine.values() if n > 1)
    return result


def run_worker_kill(server: GatewayServer, product_id: str, settle_s: float) -> FaultReport:
    """SIGKILL one worker under load; `backend_back_s`: when the parent had started its replacement."""
    prefix = f"worker-kill-{int(time.time())}"
    with Load(server.url, product_id) as load, EventPoster(server.url, product_id, prefix) as poster:
        load.wait_healthy()
        workers = server.wait_workers()
        if len(workers) < 2:
            raise RuntimeError(f"killing a worker needs at least 2 (found {len(workers)})")
        since = time.monotonic()
        os.kill(workers[0], signal.SIGKILL)
        back: float | None = None
        end = since + settle_s
        while time.monotonic() < end:
            now = server.worker_pids()
            if back is None and len(now) == len(workers) and workers[0] not in now:
                back = time.monotonic() - since
            time.sleep(0.1)
    samples = [*load.samples, *poster.samples]
    return _finish("gateway-worker-kill", samples, since, poster, Path(server.env["AISLE_DATA_DIR"]), back)


def run_gateway_kill(server: GatewayServer, product_id: str, settle_s: float) -> FaultReport:
    """SIGKILL the whole gateway under load and start it again at once; `backend_back_s`: when the
    new one answered /readyz with 200."""
    prefix = f"gateway-kill-{int(time.time())}"
    with Load(server.url, product_id) as load, EventPoster(server.url, product_id, prefix) as poster:
        load.wait_healthy()
        since = time.monotonic()
        server.kill()
        server.start()
        back = time.monotonic() - since
        time.sleep(settle_s)
    samples = [*load.samples, *poster.samples]
    return _finish("gateway-kill", samples, since, poster, Path(server.env["AISLE_DATA_DIR"]), back)
