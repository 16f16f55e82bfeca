"""`engine triton start` next to a Triton that already holds the configured ports: the one serving this
data directory is reused (pidfile or not); one started for another data directory is refused in one
line naming it, before anything is launched. The running server is a stand-in process whose command
line is a tritonserver's (the launcher's flags), listening on the gRPC port like the real one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.cli.exits import EXIT_FAILED, EXIT_OK
from engine.config import load_settings
from engine.errors import BackendUnavailable
from engine.triton.launcher import running_server, start_triton, stop_triton
from engine.triton.process import triton_on_ports
from tests.fixtures.triton import free_port
from tests.support.processes import clean_env, run_cli

LISTEN = (
    "import socket, sys, time\n"
    "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
    "s.bind(('127.0.0.1', int(sys.argv[1]))); s.listen(); print('up', flush=True); time.sleep(300)\n"
)


@pytest.fixture
def ports() -> dict[str, str]:
    return {
        "AISLE_TRITON_HTTP_PORT": str(free_port()),
        "AISLE_TRITON_GRPC_PORT": str(free_port()),
        "AISLE_TRITON_METRICS_PORT": str(free_port()),
    }


@pytest.fixture
def serving(tmp_path: Path, ports: dict[str, str]) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A 'tritonserver' for data directory `first`, listening on the gRPC port."""
    binary = tmp_path / "bin" / "tritonserver"
    binary.parent.mkdir()
    binary.symlink_to(os.path.realpath(sys.executable))
    repository = (tmp_path / "first" / "model_repository").resolve()
    process = subprocess.Popen(
        [
            str(binary),
            "-c",
            LISTEN,
            ports["AISLE_TRITON_GRPC_PORT"],
            f"--model-repository={repository}",
            f"--http-port={ports['AISLE_TRITON_HTTP_PORT']}",
            f"--grpc-port={ports['AISLE_TRITON_GRPC_PORT']}",
            f"--metrics-port={ports['AISLE_TRITON_METRICS_PORT']}",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "up"
        yield process, repository
    finally:
        process.kill()
        process.wait(timeout=10)


def _settings(data_dir: Path, ports: dict[str, str]):
    return load_settings(
        data_dir=data_dir,
        triton_http_port=int(ports["AISLE_TRITON_HTTP_PORT"]),
        triton_grpc_port=int(ports["AISLE_TRITON_GRPC_PORT"]),
        triton_metrics_port=int(ports["AISLE_TRITON_METRICS_PORT"]),
    )


def test_the_holder_of_the_ports_is_found_by_its_flags(serving, tmp_path: Path, ports) -> None:
    process, repository = serving
    holder = triton_on_ports(_settings(tmp_path / "second", ports))
    assert holder is not None and holder.pid == process.pid and holder.repository == repository
    assert holder.setting == "triton_http_port" and holder.all_ports
    other = {name: str(free_port()) for name in ports}
    assert triton_on_ports(_settings(tmp_path / "second", other)) is None


def test_a_second_data_directory_is_refused_before_launching(serving, tmp_path: Path, ports) -> None:
    process, repository = serving
    settings = _settings(tmp_path / "second", ports)
    assert running_server(settings) is None
    with pytest.raises(BackendUnavailable) as refused:
        start_triton(settings)
    message = str(refused.value)
    assert f"pid {process.pid}" in message and str(repository) in message
    assert "another data directory" in message and "AISLE_TRITON_HTTP_PORT" in message
    assert not (tmp_path / "second" / "model_repository").exists()  # nothing was prepared


def test_the_cli_refuses_in_one_line_with_a_runtime_status(serving, tmp_path: Path, ports) -> None:
    process, repository = serving
    env = clean_env({"AISLE_DATA_DIR": str(tmp_path / "second"), **ports})
    for args in (["triton", "start"], ["triton", "start", "--supervise"]):
        result = run_cli("engine", args, env, timeout=120)
        assert result.returncode == EXIT_FAILED, result.stderr
        assert "Traceback" not in result.stderr
        errors = [line for line in result.stderr.splitlines() if ": error: " in line]
        assert len(errors) == 1 and errors[0].startswith("engine: error: triton: AISLE_TRITON_HTTP_PORT")
        assert f"another data directory (pid {process.pid}, repository {repository})" in errors[0]
    assert process.poll() is None  # the first directory's server was left alone


def test_the_server_of_this_data_directory_is_reused(serving, tmp_path: Path, ports) -> None:
    """No pidfile (e.g. a restored data directory): found by its repository and ports, and reused."""
    process, _ = serving
    env = clean_env({"AISLE_DATA_DIR": str(tmp_path / "first"), **ports})
    result = run_cli("engine", ["triton", "start"], env, timeout=120)
    assert result.returncode == EXIT_OK, result.stderr
    assert result.stdout.strip().startswith(f"triton already running: pid {process.pid}")
    assert "starting" not in result.stderr
    attached = run_cli("engine", ["triton", "start", "--foreground"], env, timeout=120)
    assert attached.returncode == EXIT_FAILED and "stop it first" in attached.stderr
    assert process.poll() is None
    assert stop_triton(_settings(tmp_path / "first", ports), grace_s=5)  # and it can be stopped
    deadline = time.monotonic() + 10
    while process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is not None


def test_a_port_held_by_something_else_is_still_the_plain_busy_port(tmp_path: Path, ports) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", int(ports["AISLE_TRITON_GRPC_PORT"])))
        busy.listen()
        settings = _settings(tmp_path / "second", ports)
        assert triton_on_ports(settings) is None
        with pytest.raises(BackendUnavailable, match=r"AISLE_TRITON_GRPC_PORT: port \d+ is already in use"):
            start_triton(settings)


def test_this_directory_on_other_ports_is_named_as_such(serving, tmp_path: Path, ports) -> None:
    process, _ = serving
    moved = _settings(tmp_path / "first", {**ports, "AISLE_TRITON_HTTP_PORT": str(free_port())})
    assert running_server(moved) is None  # not the same port set: not reused
    with pytest.raises(BackendUnavailable, match="this data directory on other ports") as refused:
        start_triton(moved)
    assert f"AISLE_TRITON_GRPC_PORT: port {ports['AISLE_TRITON_GRPC_PORT']}" in str(refused.value)
    assert process.poll() is None
