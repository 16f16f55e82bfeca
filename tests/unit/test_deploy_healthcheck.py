"""docker/healthcheck.py: the HEALTHCHECK every image runs (exit 0 healthy, 1 unhealthy)."""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType

import pytest

from engine.ports import free_port

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"aisle_docker_{name}", ROOT / "docker" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


healthcheck = _load("healthcheck")


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 200 if self.path == "/healthz" else 503
        body = b'{"status": "ok"}' if status == 200 else b'{"status": "starting"}'
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def http_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def listening_port() -> Iterator[int]:
    """A TCP port something listens on (the stand-in for OpenSearch / Triton / Kafka)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


@pytest.fixture()
def job_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A clean AISLE_* environment with embedded backends and a temporary data directory."""
    for key in list(os.environ):
        if key.startswith("AISLE_"):
            monkeypatch.delenv(key)
    data = tmp_path / "data"
    monkeypatch.setenv("AISLE_DATA_DIR", str(data))
    monkeypatch.setenv("AISLE_OPENSEARCH_URL", "embedded")
    monkeypatch.setenv("AISLE_TRITON_URL", "inprocess")
    return data


def test_http_healthy_on_2xx(http_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert healthcheck.main(["http", f"{http_server}/healthz"]) == 0
    assert "answered 200" in capsys.readouterr().out


def test_http_unhealthy_on_error_status(http_server: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert healthcheck.main(["http", f"{http_server}/v2/health/ready"]) == 1
    assert "answered 503" in capsys.readouterr().out


def test_http_unhealthy_when_nothing_listens(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}/healthz"
    assert healthcheck.main(["--timeout", "1", "http", url]) == 1
    assert "unreachable" in capsys.readouterr().out


def test_job_healthy_with_embedded_backends(job_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert healthcheck.main(["job"]) == 0
    assert job_env.is_dir(), "the check creates the data directory it must be able to write"
    assert "no remote servers" in capsys.readouterr().out


def test_job_reaches_every_configured_server(
    job_env: Path, listening_port: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AISLE_OPENSEARCH_URL", f"https://127.0.0.1:{listening_port}")
    monkeypatch.setenv("AISLE_TRITON_URL", f"127.0.0.1:{listening_port}")
    monkeypatch.setenv("AISLE_EVENT_LOG", "kafka")
    monkeypatch.setenv("AISLE_KAFKA_BOOTSTRAP", f"127.0.0.1:{listening_port}")
    assert healthcheck.main(["job"]) == 0
    assert capsys.readouterr().out.count(f"127.0.0.1:{listening_port}") == 3


def test_job_unhealthy_when_triton_is_down(
    job_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port()  # nothing listens there
    monkeypatch.setenv("AISLE_TRITON_URL", f"127.0.0.1:{port}")
    assert healthcheck.main(["--timeout", "1", "job"]) == 1
    assert f"127.0.0.1:{port} unreachable" in capsys.readouterr().out


def test_job_unhealthy_on_invalid_settings(
    job_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AISLE_VECTOR_INDEX", "bogus")
    assert healthcheck.main(["job"]) == 1
    out = capsys.readouterr().out
    assert "invalid settings" in out and "AISLE_VECTOR_INDEX" in out


def test_job_unhealthy_when_kafka_has_no_bootstrap(
    job_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AISLE_EVENT_LOG", "kafka")
    assert healthcheck.main(["job"]) == 1
    assert "AISLE_KAFKA_BOOTSTRAP" in capsys.readouterr().out


def test_job_unhealthy_when_data_dir_cannot_be_written(
    job_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("AISLE_DATA_DIR", str(blocker / "data"))
    assert healthcheck.main(["job"]) == 1
    assert "not writable" in capsys.readouterr().out


def test_job_heartbeat_fresh_and_stale(job_env: Path, tmp_path: Path) -> None:
    beat = tmp_path / "heartbeat"
    assert healthcheck.main(["job", "--heartbeat", str(beat)]) == 1, "a missing heartbeat is unhealthy"
    beat.touch()
    assert healthcheck.main(["job", "--heartbeat", str(beat), "--max-age", "60"]) == 0
    old = time.time() - 120
    os.utime(beat, (old, old))
    assert healthcheck.main(["job", "--heartbeat", str(beat), "--max-age", "60"]) == 1


def test_host_port_defaults() -> None:
    assert healthcheck._host_port("triton:8001", 8001) == ("triton", 8001)
    assert healthcheck._host_port("https://search.example.com", 443) == ("search.example.com", 443)
    assert healthcheck._host_port("kafka", 9092) == ("kafka", 9092)
    with pytest.raises(healthcheck.Unhealthy):
        healthcheck._host_port("://", 1)
