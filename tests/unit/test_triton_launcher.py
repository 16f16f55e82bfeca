"""Launcher pieces that need no server: environment, backend directory, runtime repository, pidfile."""

from __future__ import annotations

import os
import shutil
import socket
import sysconfig
from pathlib import Path
from typing import Any

import pytest

from engine.config import PROJECT_ROOT, load_settings
from engine.errors import BackendUnavailable, ConfigError
from engine.models.make_prior_ranker import make_prior
from engine.triton.install import STUB_NAME, build_backend_dir, find_triton_install, server_env
from engine.triton.launcher import model_parameters, running_server, stop_triton
from engine.triton.process import check_ports_free, write_pidfile
from engine.triton.repository import (
    pinned_versions,
    prepare_runtime_repository,
    read_config,
    set_version_policy,
    write_config,
)


def test_libdir_comes_first_in_ld_library_path() -> None:
    install = find_triton_install()
    env = server_env(install, {"LD_LIBRARY_PATH": "/opt/other", "PYTHONPATH": "/opt/py"})
    parts = env["LD_LIBRARY_PATH"].split(os.pathsep)
    assert parts[0] == sysconfig.get_config_var("LIBDIR")
    assert parts[1] == str(install.libs) and parts[-1] == "/opt/other"
    python_path = env["PYTHONPATH"].split(os.pathsep)
    assert python_path[0] == str(PROJECT_ROOT)
    assert any(p.endswith("site-packages") for p in python_path) and python_path[-1] == "/opt/py"


def test_stubs_get_a_single_threaded_openblas_unless_told_otherwise() -> None:
    """A multi-threaded OpenBLAS pool spins between the ranker's requests (bench.triton_calls)."""
    install = find_triton_install()
    assert server_env(install, {})["OPENBLAS_NUM_THREADS"] == "1"
    assert server_env(install, {"OPENBLAS_NUM_THREADS": "4"})["OPENBLAS_NUM_THREADS"] == "4"


def test_backend_dir_has_library_utils_and_this_pythons_stub(tmp_path: Path) -> None:
    backends = build_backend_dir(find_triton_install(), tmp_path / "backends")
    names = sorted(p.name for p in (backends / "python").iterdir())
    assert names == sorted(["libtriton_python.so", "triton_python_backend_utils.py", STUB_NAME])
    assert os.access(backends / "python" / STUB_NAME, os.X_OK)


def _settings(tmp_path: Path, **overrides: object):
    source = tmp_path / "source"
    if not source.exists():
        shutil.copytree(PROJECT_ROOT / "model_repository", source)
    return load_settings(data_dir=tmp_path / "data", model_repository=source, clip_model="", **overrides)


def test_runtime_repository_gets_settings_and_gpu_instances(tmp_path: Path) -> None:
    settings = _settings(tmp_path, triton_gpu=True, text_max_tokens=64, text_query_precision="int8")
    parameters, clip_problem = model_parameters(settings)
    assert clip_problem == "AISLE_CLIP_MODEL is empty" and "clip" not in parameters
    runtime = prepare_runtime_repository(settings, parameters)
    assert runtime == (tmp_path / "data" / "model_repository").resolve()
    config = read_config(runtime / "query_encoder" / "config.pbtxt")
    assert config.parameters["max_tokens"].string_value == "64"
    assert config.parameters["query_precision"].string_value == "int8"
    assert Path(config.parameters["model"].string_value).is_dir()
    assert config.parameters["encoder_name"].string_value == "all-MiniLM-L6-v2"
    assert len(config.parameters["encoder_version"].string_value) == 16
    assert config.max_batch_size == 128
    for name in ("query_encoder", "clip", "ranker"):
        assert all(g.kind == g.KIND_GPU for g in read_config(runtime / name / "config.pbtxt").instance_group)
    source_config = read_config(settings.model_repository / "query_encoder" / "config.pbtxt")
    assert source_config.parameters["model"].string_value == ""
    assert source_config.instance_group[0].kind == source_config.instance_group[0].KIND_CPU


def test_refresh_keeps_runtime_ranker_versions_and_the_pin(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    runtime = prepare_runtime_repository(settings, {})
    make_prior(runtime / "ranker" / "2", version=2)
    config = read_config(runtime / "ranker" / "config.pbtxt")
    set_version_policy(config, [2])
    write_config(runtime / "ranker" / "config.pbtxt", config)
    prepare_runtime_repository(settings, {})
    assert (runtime / "ranker" / "2" / "weights.safetensors").is_file()
    assert pinned_versions(read_config(runtime / "ranker" / "config.pbtxt")) == [2]
    assert "versions: 2" in (runtime / "ranker" / "config.pbtxt").read_text()
    set_version_policy(config, None)
    assert pinned_versions(config) is None and config.version_policy.latest.num_versions == 1


def test_a_refresh_that_fails_mid_copy_keeps_the_previous_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    runtime = prepare_runtime_repository(settings, {})
    shipped = (runtime / "ranker" / "1" / "weights.safetensors").read_bytes()
    copytree = shutil.copytree

    def half_a_copy(source: Path, target: Path, *args: Any, **kwargs: Any) -> Any:
        if Path(source) != settings.model_repository / "ranker" / "1":
            return copytree(source, target, *args, **kwargs)
        (Path(target) / "model.py").write_text("half")
        raise OSError("disk full")

    monkeypatch.setattr(shutil, "copytree", half_a_copy)
    with pytest.raises(OSError, match="disk full"):
        prepare_runtime_repository(settings, {})
    assert (runtime / "ranker" / "1" / "weights.safetensors").read_bytes() == shipped
    assert "half" not in (runtime / "ranker" / "1" / "model.py").read_text()
    monkeypatch.undo()
    prepare_runtime_repository(settings, {})
    hidden = [p for p in runtime.rglob(".*") if p.is_dir()]
    assert hidden == []  # no staging folder is left in the repository Triton scans


def test_missing_text_model_path_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="AISLE_TEXT_MODEL"):
        model_parameters(_settings(tmp_path, text_model=str(tmp_path / "no-model")))


def test_busy_port_names_the_setting(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        settings = load_settings(data_dir=tmp_path, triton_grpc_port=busy.getsockname()[1])
        with pytest.raises(BackendUnavailable, match="AISLE_TRITON_GRPC_PORT"):
            check_ports_free(settings)


def test_a_port_in_time_wait_is_free(tmp_path: Path) -> None:
    """A crashed server's connections linger in TIME_WAIT for a minute; its port is free to listen on."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = listener.accept()
    accepted.close()  # the server side closes first: its socket on `port` goes to TIME_WAIT
    client.recv(1)
    client.close()
    listener.close()
    with pytest.raises(OSError), socket.socket() as plain:
        plain.bind(("127.0.0.1", port))  # what the old check did
    settings = load_settings(
        data_dir=tmp_path, triton_http_port=port, triton_grpc_port=port, triton_metrics_port=port
    )
    check_ports_free(settings)


def test_stale_pidfile_is_not_a_running_server(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    assert running_server(settings) is None
    write_pidfile(settings, {"pid": os.getpid(), "grpc_port": settings.triton_grpc_port})
    assert running_server(settings) is None  # this pid is alive, but it is not tritonserver
    assert stop_triton(settings) is False
    assert not settings.path("triton.pid").exists()
