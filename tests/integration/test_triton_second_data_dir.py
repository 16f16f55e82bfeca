"""A second data directory next to the session's real Triton: `engine triton start` and a gateway's
inference factory refuse in one line naming the running server instead of launching another on its
ports; the data directory that server belongs to reuses it (also when its pidfile is gone)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cli.exits import EXIT_FAILED, EXIT_OK
from engine.errors import BackendUnavailable
from engine.inference.factory import create_inference
from engine.triton.launcher import running_server
from engine.triton.process import PIDFILE
from tests.fixtures.triton import TritonHandle
from tests.support.processes import clean_env, run_cli

pytestmark = pytest.mark.integration


def _env(data_dir: Path, handle: TritonHandle) -> dict[str, str]:
    settings = handle.settings
    return clean_env(
        {
            "AISLE_DATA_DIR": str(data_dir),
            "AISLE_TRITON_HTTP_PORT": str(settings.triton_http_port),
            "AISLE_TRITON_GRPC_PORT": str(settings.triton_grpc_port),
            "AISLE_TRITON_METRICS_PORT": str(settings.triton_metrics_port),
            "AISLE_CLIP_MODEL": "",
        }
    )


def test_a_second_data_directory_is_refused(triton_server: TritonHandle, tmp_path: Path) -> None:
    pid = triton_server.server.pid
    result = run_cli("engine", ["triton", "start"], _env(tmp_path / "second", triton_server), timeout=300)
    assert result.returncode == EXIT_FAILED, result.stderr
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert "Traceback" not in result.stderr and len(errors) == 1, result.stderr
    assert (
        f"a Triton of another data directory (pid {pid}, repository {triton_server.repository})" in errors[0]
    )

    settings = triton_server.settings.model_copy(update={"data_dir": tmp_path / "second"})
    with pytest.raises(BackendUnavailable, match=f"pid {pid}"):
        create_inference(settings)  # what a gateway on that directory does
    assert triton_server.server.alive()


def test_its_own_data_directory_reuses_it(triton_server: TritonHandle) -> None:
    data_dir = triton_server.settings.data_dir
    pid = triton_server.server.pid
    result = run_cli("engine", ["triton", "start"], _env(data_dir, triton_server), timeout=300)
    assert result.returncode == EXIT_OK, result.stderr
    assert result.stdout.startswith(f"triton already running: pid {pid}")

    pidfile = triton_server.settings.path(PIDFILE)
    saved = pidfile.read_text()
    pidfile.unlink()  # e.g. a restored data directory: found by its command line instead
    try:
        found = running_server(triton_server.settings)
        assert found is not None and found.pid == pid and found.repository == triton_server.repository
        again = run_cli("engine", ["triton", "start"], _env(data_dir, triton_server), timeout=300)
        assert again.returncode == EXIT_OK and f"pid {pid}" in again.stdout, again.stderr
    finally:
        pidfile.write_text(saved)
    assert triton_server.server.alive()
