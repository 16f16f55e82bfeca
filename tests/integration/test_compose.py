"""The production deployment: docker-compose.yml validates with a real Compose, and its structure holds.

No Docker engine runs here, so the compose file is checked by `docker-compose config` (through
scripts/validate_compose.sh, which installs Debian's docker-compose when missing) and the Dockerfiles
by reading them: every image builds from a pinned base, runs as a non-root user and has a HEALTHCHECK.
The Triton image's start step (docker/triton_start.py) runs for real against the pip-installed
tritonserver, the same Triton release as the image's base.
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine.triton.install import build_backend_dir, find_triton_install, server_env
from tests.support.ports import free_port

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


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


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


# ---- structure of the compose file --------------------------------------------------------------------


def test_every_build_has_its_dockerfile_and_target(services: dict[str, dict[str, Any]]) -> None:
    built = {name: svc["build"] for name, svc in services.items() if "build" in svc}
    assert {"gateway", "indexer", "ranker-update", "triton", "triton-gpu", "indexer-gpu"} <= set(built)
    for name, build in built.items():
        dockerfile = ROOT / build.get("context", ".") / build.get("dockerfile", "Dockerfile")
        assert dockerfile.is_file(), f"{name}: {dockerfile} missing"
        if "target" in build:
            assert build["target"] in parse_dockerfile(dockerfile), f"{name}: no stage {build['target']}"


def test_opensearch_password_is_never_a_literal(services: dict[str, dict[str, Any]]) -> None:
    text = COMPOSE.read_text()
    for line in text.splitlines():
        if re.search(r"(PASSWORD|API_KEY)\s*:", line):
            assert re.search(r":\s*\$\{[A-Z_]+:\?", line), f"secret not taken from .env: {line.strip()}"
    assert services["opensearch"]["image"].startswith("opensearchproject/opensearch:2.19.")
    env = services["opensearch"]["environment"]
    assert env["OPENSEARCH_INITIAL_ADMIN_PASSWORD"].startswith("${OPENSEARCH_INITIAL_ADMIN_PASSWORD:?")
    assert "DISABLE_SECURITY_PLUGIN" not in env and "plugins.security.disabled" not in env


def test_gpu_profile_reserves_gpus_and_the_default_needs_none(services: dict[str, dict[str, Any]]) -> None:
    def reserves_gpu(svc: dict[str, Any]) -> bool:
        devices = svc.get("deploy", {}).get("resources", {}).get("reservations", {}).get("devices", [])
        return any("gpu" in d.get("capabilities", []) for d in devices)

    gpu_services = {n for n, s in services.items() if "gpu" in s.get("profiles", [])}
    assert gpu_services == {"triton-gpu", "indexer-gpu"}
    for name, svc in services.items():
        assert reserves_gpu(svc) == (name in gpu_services), name
    assert services["triton-gpu"]["environment"]["AISLE_TRITON_GPU"] == "1"
    assert services["triton"]["environment"]["AISLE_TRITON_GPU"] == "0"
    assert "triton" in services["triton-gpu"]["networks"]["default"]["aliases"]


def test_profiles_and_dependencies(services: dict[str, dict[str, Any]]) -> None:
    default = {n for n, s in services.items() if not s.get("profiles")}
    assert default == {"triton", "opensearch", "gateway", "ranker-update"}
    assert services["indexer"]["profiles"] == ["jobs"]
    assert services["kafka"]["profiles"] == ["kafka"]
    assert services["kafka"]["image"].startswith("apache/kafka:")
    assert services["opensearch-node2"]["profiles"] == ["cluster"]
    gateway_deps = services["gateway"]["depends_on"]
    assert {n: d["condition"] for n, d in gateway_deps.items()} == {
        "triton": "service_healthy",
        "opensearch": "service_healthy",
    }
    # Compose v2 refuses to start a service whose dependency sits in a profile that is not enabled.
    for name in default:
        for dep in services[name].get("depends_on", {}):
            assert dep in default, f"{name} depends on {dep}, which is behind a profile"


def test_gateway_settings_point_at_the_bundled_servers(services: dict[str, dict[str, Any]]) -> None:
    env = services["gateway"]["environment"]
    assert env["AISLE_OPENSEARCH_URL"] == "${AISLE_OPENSEARCH_URL:-https://opensearch:9200}"
    assert env["AISLE_TRITON_URL"] == "${AISLE_TRITON_URL:-triton:8001}"
    assert env["AISLE_API_HOST"] == "0.0.0.0"
    assert "AISLE_OPENSEARCH_VERIFY_CERTS" in env


# Where the container deployment deliberately differs from the engine's (embedded, local) defaults.
DEPLOYMENT_DEFAULTS = {
    "AISLE_DATA_DIR": "/var/lib/aisle",
    "AISLE_OPENSEARCH_URL": "https://opensearch:9200",
    "AISLE_OPENSEARCH_USER": "admin",
    "AISLE_OPENSEARCH_VERIFY_CERTS": "false",
    "AISLE_TRITON_URL": "triton:8001",
    "AISLE_VECTOR_DEVICE": "cpu",
    "AISLE_KAFKA_BOOTSTRAP": "kafka:9092",
    "AISLE_API_HOST": "0.0.0.0",
}


def test_every_aisle_variable_is_a_setting_with_the_engine_default(
    services: dict[str, dict[str, Any]],
) -> None:
    """pydantic-settings silently ignores an unknown AISLE_* variable, so a typo here would go unnoticed."""
    from engine.config import ENV_PREFIX, Settings

    fields = Settings.model_fields
    seen = 0
    for name, svc in services.items():
        for key, value in (svc.get("environment") or {}).items():
            if not key.startswith(ENV_PREFIX):
                continue
            field_name = key[len(ENV_PREFIX) :].lower()
            assert field_name in fields, f"{name}: {key} is not a setting in engine/config.py"
            seen += 1
            match = re.fullmatch(r"\$\{(\w+):-(.*)\}", str(value))
            if match is None:
                continue  # a fixed value or a required secret (${VAR:?...})
            assert match.group(1) == key, f"{name}: {key} reads ${{{match.group(1)}}}"
            default = match.group(2)
            if key in DEPLOYMENT_DEFAULTS:
                assert default == DEPLOYMENT_DEFAULTS[key], f"{name}: {key}"
            else:
                engine_default = fields[field_name].default
                assert default == str(engine_default), (
                    f"{name}: {key} default {default!r} != {engine_default!r}"
                )
    assert seen > 40


def test_state_lives_on_named_volumes(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    volumes = set(compose["volumes"])
    assert {"aisle-data", "aisle-events", "opensearch-data", "kafka-data"} <= volumes
    for name in ("gateway", "triton", "ranker-update"):
        mounts = {m.split(":")[1] for m in services[name]["volumes"]}
        assert {"/var/lib/aisle", "/var/lib/aisle/events"} <= mounts, name


def test_images_without_build_are_pinned(services: dict[str, dict[str, Any]]) -> None:
    for name, svc in services.items():
        if "build" not in svc:
            image = svc["image"]
            assert re.search(r":[\w.\-]+$", image) and not image.endswith(":latest"), f"{name}: {image}"


# ---- Dockerfiles --------------------------------------------------------------------------------------


@dataclass
class Stage:
    base: str
    user: str | None = None
    healthcheck: bool = False
    instructions: list[str] = field(default_factory=list)


def parse_dockerfile(path: Path) -> dict[str, Stage]:
    """Stages by name (unnamed ones by index), with the USER and HEALTHCHECK each one ends up with."""
    text = re.sub(r"\\\n", " ", path.read_text())
    args: dict[str, str] = {}
    stages: dict[str, Stage] = {}
    current: Stage | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "ARG" and current is None:
            name, _, default = rest.partition("=")
            args[name.strip()] = default.strip().strip('"')
        elif keyword == "FROM":
            parts = rest.split()
            base = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), ""), parts[0])
            parent = stages.get(base)
            current = Stage(
                base=base,
                user=parent.user if parent else None,
                healthcheck=parent.healthcheck if parent else False,
            )
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else str(len(stages))
            stages[name] = current
        elif current is not None:
            current.instructions.append(line)
            if keyword == "USER":
                current.user = rest.strip()
            elif keyword == "HEALTHCHECK":
                current.healthcheck = not rest.strip().upper().startswith("NONE")
    return stages


DOCKERFILES = sorted((ROOT / "docker").glob("*Dockerfile"))


def _final_stages(path: Path) -> dict[str, Stage]:
    """The stages an image is built from: compose targets, or the last stage of the file."""
    stages = parse_dockerfile(path)
    compose = yaml.safe_load(COMPOSE.read_text())
    targets = {
        svc["build"]["target"]
        for svc in compose["services"].values()
        if "build" in svc
        and (ROOT / svc["build"].get("dockerfile", "")).resolve() == path.resolve()
        and "target" in svc["build"]
    }
    names = targets or {list(stages)[-1]}
    return {n: stages[n] for n in names}


def test_there_are_dockerfiles() -> None:
    assert {p.name for p in DOCKERFILES} >= {"app.Dockerfile", "triton.Dockerfile"}


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_every_base_image_is_pinned(dockerfile: Path) -> None:
    stages = parse_dockerfile(dockerfile)
    for name, stage in stages.items():
        if stage.base in stages:
            continue
        assert re.search(r":[\w.\-]+$", stage.base), f"{dockerfile.name}:{name}: untagged {stage.base!r}"
        assert not stage.base.endswith(":latest"), f"{dockerfile.name}:{name}: {stage.base}"


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_every_image_runs_as_non_root_with_a_healthcheck(dockerfile: Path) -> None:
    for name, stage in _final_stages(dockerfile).items():
        assert stage.user and stage.user.split(":")[0] not in ("root", "0"), f"{dockerfile.name}:{name}"
        assert stage.healthcheck, f"{dockerfile.name}:{name} has no HEALTHCHECK"


def test_triton_image_checks_readiness_and_starts_explicit_mode() -> None:
    text = (ROOT / "docker" / "triton.Dockerfile").read_text()
    assert re.search(r"^FROM \$\{TRITON_IMAGE\}", text, re.MULTILINE)
    assert re.search(r"ARG TRITON_IMAGE=nvcr\.io/nvidia/tritonserver:\d\d\.\d\d-py3", text)
    assert "/v2/health/ready" in text
    assert "triton_start.py" in text


def test_gateway_healthcheck_uses_python_not_curl() -> None:
    gateway = parse_dockerfile(ROOT / "docker" / "app.Dockerfile")["gateway"]
    check = next(i for i in gateway.instructions if i.upper().startswith("HEALTHCHECK"))
    assert "healthcheck.py http" in check and "/healthz" in check and "curl" not in check


def test_dockerignore_keeps_local_state_out_of_the_context() -> None:
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".venv", "var", ".cache", "tests", ".env", ".git"} <= ignored


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
