"""The production deployment's files, read statically: the compose file's structure and the Dockerfiles
(pinned bases, non-root users, healthchecks). Nothing runs; `tests/integration/test_compose.py` validates
the compose file with a real Compose and runs the Triton image's start step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


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
