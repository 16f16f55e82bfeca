"""docker/triton_start.py: the Triton image's start step (runtime repository, placement, command)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest
from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2

from engine.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "model_repository"
KIND_CPU = model_config_pb2.ModelInstanceGroup.KIND_CPU
KIND_GPU = model_config_pb2.ModelInstanceGroup.KIND_GPU


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"aisle_docker_{name}", ROOT / "docker" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


triton_start = _load("triton_start")


def _config(path: Path) -> model_config_pb2.ModelConfig:
    return text_format.Parse(path.read_text(), model_config_pb2.ModelConfig())


@pytest.fixture()
def start_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Settings as the image sets them, with the data volume in a temp dir; returns the runtime repo."""
    for key in list(os.environ):
        if key.startswith(("AISLE_", "TRITON")):
            monkeypatch.delenv(key)
    monkeypatch.setenv("AISLE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AISLE_MODEL_REPOSITORY", str(SOURCE))
    monkeypatch.setenv("AISLE_CLIP_MODEL", "")  # no CLIP weights on this machine: off, and said so
    monkeypatch.setenv("TRITONSERVER", "/opt/tritonserver/bin/tritonserver")
    return tmp_path / "data" / "model_repository"


def _dry_run(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    assert triton_start.main(["--dry-run", *argv]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    return lines[-1].split(" ")


def test_default_start_is_cpu_explicit_mode_with_required_models(
    start_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert triton_start.main(["--dry-run"]) == 0
    out = capsys.readouterr().out
    command = out.strip().splitlines()[-1].split(" ")
    assert command[0] == "/opt/tritonserver/bin/tritonserver"
    assert f"--model-repository={start_env.resolve()}" in command
    assert "--model-control-mode=explicit" in command
    assert [a for a in command if a.startswith("--load-model=")] == [
        "--load-model=query_encoder",
        "--load-model=ranker",
    ]
    assert {"--http-port=8000", "--grpc-port=8001", "--metrics-port=8002"} <= set(command)
    assert not any(a.startswith("--http-address") for a in command), "must listen on all interfaces"
    assert "clip not loaded: AISLE_CLIP_MODEL is empty" in out
    configs = sorted(start_env.glob("*/config.pbtxt"))
    assert {p.parent.name for p in configs} == {"query_encoder", "ranker", "clip"}
    for path in configs:
        assert all(g.kind == KIND_CPU for g in _config(path).instance_group), path


def test_gpu_setting_rewrites_every_instance_group(
    start_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AISLE_TRITON_GPU", "1")
    _dry_run(capsys)
    for path in start_env.glob("*/config.pbtxt"):
        groups = _config(path).instance_group
        assert groups and all(g.kind == KIND_GPU for g in groups), path
    # Back on a CPU host the same volume is rewritten again.
    monkeypatch.setenv("AISLE_TRITON_GPU", "0")
    _dry_run(capsys)
    for path in start_env.glob("*/config.pbtxt"):
        assert all(g.kind == KIND_CPU for g in _config(path).instance_group), path


def test_restart_keeps_the_rolled_out_ranker(start_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _dry_run(capsys)
    ranker = start_env / "ranker"
    (ranker / "2").mkdir()
    (ranker / "2" / "model.py").write_text("# version 2, written by the update job\n")
    config = _config(ranker / "config.pbtxt")
    config.ClearField("version_policy")
    config.version_policy.specific.versions.append(2)
    (ranker / "config.pbtxt").write_text(text_format.MessageToString(config))

    _dry_run(capsys)  # the container restarts

    assert (ranker / "2" / "model.py").read_text().startswith("# version 2")
    assert list(_config(ranker / "config.pbtxt").version_policy.specific.versions) == [2]


def test_models_and_extra_arguments(
    start_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRITON_MODELS", " ranker , clip ")
    command = _dry_run(capsys, "--", "--log-verbose=1")
    assert [a for a in command if a.startswith("--load-model=")] == [
        "--load-model=ranker",
        "--load-model=clip",
    ]
    assert command[-1] == "--log-verbose=1"


def test_choose_models() -> None:
    available = ["clip", "query_encoder", "ranker"]
    assert triton_start.choose_models("", available, ["query_encoder", "ranker"]) == [
        "query_encoder",
        "ranker",
    ]
    assert triton_start.choose_models(" , ", available, ["ranker"]) == ["ranker"]
    with pytest.raises(ConfigError, match="TRITON_MODELS: not in the model repository: nope"):
        triton_start.choose_models("ranker,nope", available, [])


def test_bad_settings_exit_2_with_one_line(
    start_env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AISLE_MODEL_REPOSITORY", str(tmp_path / "missing"))
    assert triton_start.main(["--dry-run"]) == 2
    assert "AISLE_MODEL_REPOSITORY" in capsys.readouterr().err
    monkeypatch.setenv("AISLE_MODEL_REPOSITORY", str(SOURCE))
    monkeypatch.setenv("TRITON_MODELS", "nope")
    assert triton_start.main(["--dry-run"]) == 2
    assert "TRITON_MODELS" in capsys.readouterr().err
    monkeypatch.delenv("TRITON_MODELS")
    monkeypatch.setenv("AISLE_TRITON_GRPC_PORT", "not-a-port")
    assert triton_start.main(["--dry-run"]) == 2
    assert "AISLE_TRITON_GRPC_PORT" in capsys.readouterr().err
