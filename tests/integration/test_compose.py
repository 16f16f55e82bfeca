"""The production deployment for real: docker-compose.yml validates with a real Compose, and the Triton
image's start step runs.

No Docker engine runs here, so the compose file is checked by `docker-compose config` (through
scripts/validate_compose.sh, which installs Debian's docker-compose when missing). The Triton image's
start step (docker/triton_start.py) runs for real against the pip-installed tritonserver, the same
Triton release as the image's base. The static checks of the compose file's structure and of the
Dockerfiles are unit tests (`tests/unit/test_deploy_compose.py`).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from engine.ports import free_port
from engine.triton.install import build_backend_dir, find_triton_install, server_env

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
SCRIPT = ROOT / "scripts" / "validate_compose.sh"


def _validate(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(SCRIPT), str(path)], capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="module")
def validated() -> subprocess.CompletedProcess[str]:
    return _validate(COMPOSE)


# ---- real validation ----------------------------------------------------------------------------------


def test_compose_file_validates(validated: subprocess.CompletedProcess[str]) -> None:
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "valid (default services)" in validated.stdout
    assert "valid (profiles: gpu jobs kafka cluster)" in validated.stdout


def test_validation_fails_on_an_unknown_key(
    validated: subprocess.CompletedProcess[str], tmp_path: Path
) -> None:
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(
        COMPOSE.read_text().replace("  gateway:\n", "  gateway:\n    restart_policy_typo: always\n", 1)
    )
    result = _validate(broken)
    assert result.returncode == 1
    assert "restart_policy_typo" in result.stdout + result.stderr


def test_validation_fails_on_broken_yaml(validated: subprocess.CompletedProcess[str], tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text() + "\n  : [unclosed\n")
    assert _validate(broken).returncode == 1


def test_secrets_are_required_from_the_env_file(
    validated: subprocess.CompletedProcess[str], tmp_path: Path
) -> None:
    """Without .env, Compose refuses to start rather than run OpenSearch with no admin password."""
    tool = "docker-compose" if shutil.which("docker-compose") else None
    assert tool, "validate_compose.sh should have installed docker-compose"
    empty_env = tmp_path / "empty.env"
    empty_env.write_text("")
    command = [tool, "--env-file", str(empty_env), "--project-directory", str(ROOT), "-f", str(COMPOSE)]
    result = subprocess.run(
        [*command, "config", "-q"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "in .env" in result.stderr


# ---- the Triton image's start step against a real tritonserver ------------------------------------------


def _load_triton_start() -> Any:
    spec = importlib.util.spec_from_file_location(
        "aisle_docker_triton_start", ROOT / "docker" / "triton_start.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status, response.read().decode()
    except OSError:
        return 0, ""


def test_triton_start_serves_the_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_clip_dir: Path
) -> None:
    """What the container runs, minus the container: prepare, then tritonserver with that command line.

    Also keeps docs/production.md honest: every non-GPU Triton metric it names is on the metrics page.
    """
    triton_start = _load_triton_start()
    install = find_triton_install()
    http, grpc, metrics = free_port(), free_port(), free_port()
    for key in list(os.environ):
        if key.startswith(("AISLE_", "TRITON")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("AISLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AISLE_MODEL_REPOSITORY", str(ROOT / "model_repository"))
    monkeypatch.setenv("AISLE_CLIP_MODEL", str(tiny_clip_dir))
    monkeypatch.setenv("AISLE_TRITON_HTTP_PORT", str(http))
    monkeypatch.setenv("AISLE_TRITON_GRPC_PORT", str(grpc))
    monkeypatch.setenv("AISLE_TRITON_METRICS_PORT", str(metrics))
    monkeypatch.setenv("TRITONSERVER", str(install.binary))

    # The official image has its backends in the default place; the pip install needs them named.
    backends = build_backend_dir(install, tmp_path / "backends")
    command = triton_start.prepare([f"--backend-directory={backends}"])
    loads = [a for a in command if a.startswith("--load-model=")]
    assert loads == ["--load-model=query_encoder", "--load-model=ranker", "--load-model=clip"]

    log_path = tmp_path / "triton.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            env=server_env(install, dict(os.environ)),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 300
        while _get(f"http://127.0.0.1:{http}/v2/health/ready")[0] != 200:
            assert process.poll() is None, "tritonserver exited:\n" + log_path.read_text()[-3000:]
            assert time.monotonic() < deadline, "not ready in 300 s:\n" + log_path.read_text()[-3000:]
            time.sleep(1)
        for model in ("query_encoder", "ranker", "clip"):
            assert _get(f"http://127.0.0.1:{http}/v2/models/{model}/ready")[0] == 200, model
        status, page = _get(f"http://127.0.0.1:{metrics}/metrics")
        assert status == 200
        documented = set(re.findall(r"`(nv_[a-z_]+)`", (ROOT / "docs" / "production.md").read_text()))
        expected = {name for name in documented if not name.startswith("nv_gpu_")}
        assert len(expected) >= 8
        missing = sorted(name for name in expected if not re.search(rf"^{name}[{{ ]", page, re.MULTILINE))
        assert not missing, f"documented but not exported: {missing}"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
