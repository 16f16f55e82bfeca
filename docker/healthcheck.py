"""Container health checks for the Aisle images, with no tool beyond the Python standard library.

The slim images carry no curl, so every Dockerfile's HEALTHCHECK runs this script:

    python /opt/aisle/healthcheck.py http http://127.0.0.1:8080/healthz     # gateway
    python /opt/aisle/healthcheck.py http http://127.0.0.1:8000/v2/health/ready   # Triton
    python /opt/aisle/healthcheck.py job                                       # indexer, update job

`http` is healthy when the URL answers 2xx within the timeout. `job` is healthy when the job could do its
work right now: its settings validate (the same `AISLE_*` rules the job applies at start), its data
directory is writable, and every server it talks to (OpenSearch, Triton, Kafka) accepts a TCP connection.
With `--heartbeat FILE --max-age S` a job that touches FILE while it works is also unhealthy once FILE is
older than S seconds, which catches a loop that is alive but stuck.

Exit status follows Docker's contract: 0 healthy, 1 unhealthy; the reason goes to stdout, which Docker
keeps in `docker inspect` under State.Health.Log.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

HEALTHY, UNHEALTHY = 0, 1


class Unhealthy(Exception):
    """A check failed; the message is the one line Docker records."""


def check_http(url: str, timeout_s: float) -> str:
    """GET `url`; healthy on any 2xx. Redirects are followed, proxies from the environment are not."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout_s) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        raise Unhealthy(f"{url} answered {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Unhealthy(f"{url} unreachable: {reason}") from None
    if not 200 <= status < 300:
        raise Unhealthy(f"{url} answered {status}")
    return f"{url} answered {status}"


def check_tcp(host: str, port: int, timeout_s: float) -> None:
    """Open and close a TCP connection; raises `Unhealthy` naming the endpoint when it fails."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            pass
    except OSError as exc:
        raise Unhealthy(f"{host}:{port} unreachable: {exc}") from None


def check_writable(directory: Path) -> None:
    """Create the directory if needed and write, then remove, a scratch file in it."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".healthcheck-"):
            pass
    except OSError as exc:
        raise Unhealthy(f"data directory {directory} not writable: {exc}") from None


def check_heartbeat(path: Path, max_age_s: float, now: float | None = None) -> None:
    """The file must exist and have been modified within the last `max_age_s` seconds."""
    try:
        age = (time.time() if now is None else now) - path.stat().st_mtime
    except OSError:
        raise Unhealthy(f"heartbeat {path} missing") from None
    if age > max_age_s:
        raise Unhealthy(f"heartbeat {path} is {age:.0f}s old (limit {max_age_s:.0f}s)")


def _host_port(address: str, default_port: int) -> tuple[str, int]:
    """Split `host:port`, `http(s)://host:port` or a bare host into a pair."""
    parsed = urlparse(address if "://" in address else f"tcp://{address}")
    if not parsed.hostname:
        raise Unhealthy(f"cannot read a host from {address!r}")
    return parsed.hostname, parsed.port or default_port


def job_endpoints() -> list[tuple[str, int]]:
    """The servers a job needs, read from the validated settings (empty for embedded backends)."""
    from engine.config import load_settings
    from engine.errors import ConfigError

    try:
        settings = load_settings()
    except ConfigError as exc:
        raise Unhealthy(f"invalid settings: {exc}") from None
    endpoints: list[tuple[str, int]] = []
    if not settings.embedded_lexical:
        # opensearch-py's defaults for a URL without a port: 443 for https, 9200 for http.
        for host in settings.opensearch_hosts:
            endpoints.append(_host_port(host, 443 if host.startswith("https") else 9200))
    if settings.triton_url not in ("local", "inprocess"):
        endpoints.append(_host_port(settings.triton_url, settings.triton_grpc_port))
    if settings.event_log == "kafka":
        if not settings.kafka_bootstrap:
            raise Unhealthy("AISLE_EVENT_LOG=kafka but AISLE_KAFKA_BOOTSTRAP is not set")
        endpoints += [_host_port(b.strip(), 9092) for b in settings.kafka_bootstrap.split(",") if b.strip()]
    check_writable(settings.data_dir)
    return endpoints


def check_job(timeout_s: float, heartbeat: Path | None, max_age_s: float) -> str:
    """Settings valid, data directory writable, dependencies reachable, heartbeat fresh (if given)."""
    endpoints = job_endpoints()
    for host, port in endpoints:
        check_tcp(host, port, timeout_s)
    if heartbeat is not None:
        check_heartbeat(heartbeat, max_age_s)
    reached = ", ".join(f"{h}:{p}" for h, p in endpoints) or "no remote servers"
    return f"settings valid, data directory writable, reached {reached}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="healthcheck",
        description="Docker HEALTHCHECK for the Aisle images (exit 0 healthy, 1 unhealthy).",
    )
    parser.add_argument("--timeout", type=float, default=float(os.environ.get("HEALTHCHECK_TIMEOUT", "4")))
    modes = parser.add_subparsers(dest="mode", required=True)
    http = modes.add_parser("http", help="GET a URL, healthy on 2xx")
    http.add_argument("url")
    job = modes.add_parser("job", help="a batch or continuous job can reach what it needs")
    job.add_argument("--heartbeat", type=Path, default=None, help="file the job touches while it works")
    job.add_argument("--max-age", type=float, default=900.0, help="seconds before a heartbeat is stale")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.mode == "http":
            message = check_http(args.url, args.timeout)
        else:
            message = check_job(args.timeout, args.heartbeat, args.max_age)
    except Unhealthy as exc:
        print(f"unhealthy: {exc}")
        return UNHEALTHY
    print(f"healthy: {message}")
    return HEALTHY


if __name__ == "__main__":
    sys.exit(main())
