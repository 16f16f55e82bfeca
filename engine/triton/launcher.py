"""Start, wait for and stop a local Triton Inference Server on the runtime model repository.

`start_triton(settings)` prepares the runtime repository and backend directory, launches `tritonserver`
in explicit model-control mode with `query_encoder` and `ranker`, waits until it is ready (failing fast
with the log tail if the process dies), then loads `clip` if its weights are available locally: CLIP is
optional, and a failure there is logged and leaves the server running without the image side.

The server gets its own process group and a pidfile (`<data_dir>/triton.pid`), so `engine triton stop`
can stop it from another process and `create_inference` can reuse it. Stopping is SIGTERM (Triton
unloads models and stops its python stubs), then SIGKILL to the whole group after a grace period.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from engine.config import Settings
from engine.errors import BackendUnavailable
from engine.models.clip import find_clip_model
from engine.models.text_encoder import resolve_text_model
from engine.triton.install import build_backend_dir, find_triton_install, server_env
from engine.triton.process import (
    PIDFILE,
    check_ports_free,
    fresh_log,
    is_tritonserver,
    log_tail,
    read_pidfile,
    terminate,
    triton_on_ports,
    write_pidfile,
)
from engine.triton.repository import prepare_runtime_repository

log = logging.getLogger(__name__)

REQUIRED_MODELS = ("query_encoder", "ranker")
CLIP = "clip"


@dataclass
class TritonServer:
    """A running server. `process` is None when it was started by another process (from the pidfile)."""

    settings: Settings
    pid: int
    repository: Path
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    clip_loaded: bool = False
    clip_problem: str | None = None
    _stopped: bool = field(default=False, repr=False)

    @property
    def grpc_url(self) -> str:
        return f"127.0.0.1:{self.settings.triton_grpc_port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.triton_http_port}"

    def alive(self) -> bool:
        if self.process is not None:
            return self.process.poll() is None
        return is_tritonserver(self.pid)

    def ready(self) -> bool:
        """Whether it answers ready now (a server that is stopping is alive but no longer listening)."""
        url = f"{self.http_url}/v2/health/ready"
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
        return False

    def stop(self, grace_s: float = 30.0) -> None:
        """SIGTERM, wait up to `grace_s`, then SIGKILL the process group; removes the pidfile."""
        if self._stopped:
            return
        self._stopped = True
        terminate(self.pid, self.process, grace_s)
        pidfile = self.settings.path(PIDFILE)
        with contextlib.suppress(FileNotFoundError):
            if read_pidfile(pidfile).get("pid") == self.pid:
                pidfile.unlink()
        log.info("triton stopped (pid %d)", self.pid)

    def __enter__(self) -> TritonServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def model_parameters(settings: Settings) -> tuple[dict[str, dict[str, str]], str | None]:
    """Config parameters per model from settings, and why CLIP is off (None when it will be loaded).

    Raises `ConfigError` naming AISLE_TEXT_MODEL / AISLE_CLIP_MODEL for a model path that does not exist.
    """
    text_dir, text_id = resolve_text_model(settings.text_model, settings.resolved_text_model())
    params = {
        "query_encoder": {
            "model": str(text_dir),
            "max_tokens": str(settings.text_max_tokens),
            "encoder_name": text_id.name,
            "encoder_version": text_id.version,
            "runtime": settings.text_runtime,
            "onnx_cache": str(settings.path("models", "onnx")),
            "threads": str(settings.text_threads),
            "query_precision": settings.text_query_precision,
        }
    }
    clip = find_clip_model(settings.clip_model)
    if clip is None:
        reason = (
            f"AISLE_CLIP_MODEL={settings.clip_model!r} has no local weights"
            if settings.clip_model.strip()
            else "AISLE_CLIP_MODEL is empty"
        )
        return params, reason
    clip_dir, clip_id = clip
    params[CLIP] = {"model": str(clip_dir), "encoder_name": clip_id.name, "encoder_version": clip_id.version}
    return params, None


def start_triton(settings: Settings, *, detach: bool = False) -> TritonServer:
    """Launch Triton and wait until the required models are ready.

    With `detach=False` the server is stopped when this Python process exits; `detach=True` leaves it
    running (the CLI's `engine triton start`). Raises `BackendUnavailable("triton", ...)` with the log
    tail when it does not come up within `triton_startup_timeout_s`.
    """
    existing = running_server(settings)
    if existing is not None:
        raise BackendUnavailable("triton", f"already running (pid {existing.pid}, {existing.grpc_url})")
    refuse_foreign_server(settings)
    check_ports_free(settings)
    parameters, clip_problem = model_parameters(settings)
    install = find_triton_install()
    repository = prepare_runtime_repository(settings, parameters)
    backends = build_backend_dir(install, settings.path("triton_backends").resolve())
    log_path = fresh_log(settings.path("logs", "triton.log"))
    command = [
        str(install.binary),
        f"--model-repository={repository}",
        f"--backend-directory={backends}",
        "--model-control-mode=explicit",
        *(f"--load-model={name}" for name in REQUIRED_MODELS),
        f"--http-port={settings.triton_http_port}",
        f"--grpc-port={settings.triton_grpc_port}",
        f"--metrics-port={settings.triton_metrics_port}",
        "--http-address=127.0.0.1",
        "--grpc-address=127.0.0.1",
        "--metrics-address=127.0.0.1",
        "--exit-timeout-secs=15",
    ]
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(
            command,
            env=server_env(install),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = TritonServer(settings, process.pid, repository, log_path, process, clip_problem=clip_problem)
    _record(server)
    if not detach:
        atexit.register(server.stop)
    try:
        _wait_ready(server, settings.triton_startup_timeout_s)
        if clip_problem is None:
            _load_clip(server)
    except BaseException:
        server.stop(grace_s=5)
        raise
    if server.clip_problem:
        log.warning("triton: serving without CLIP (image search off): %s", server.clip_problem)
    log.info("triton ready on %s (pid %d, log %s)", server.grpc_url, server.pid, log_path)
    return server


def refuse_foreign_server(settings: Settings) -> None:
    """Fail in one line when a Triton started for another data directory (another repository) listens on
    one of this installation's ports: starting a second one there could only fail, and using it would
    serve that directory's ranker versions. Its pid and repository say which one to stop."""
    holder = triton_on_ports(settings)
    ours = _runtime_repository(settings)
    if holder is None or holder.serves(ours):
        return
    where = f"repository {holder.repository}" if holder.repository else "unknown repository"
    owner = "this data directory on other ports" if holder.repository == ours else "another data directory"
    port = getattr(settings, holder.setting)
    raise BackendUnavailable(
        "triton",
        f"AISLE_{holder.setting.upper()}: port {port} is used by a Triton of {owner} "
        f"(pid {holder.pid}, {where}); stop that one or give this data directory other Triton ports",
    )


def _runtime_repository(settings: Settings) -> Path:
    return settings.path("model_repository").resolve()


def running_server(settings: Settings) -> TritonServer | None:
    """The server serving this data directory on the configured ports: the one recorded in the pidfile
    while that process is still tritonserver, else one found on the ports serving this directory's runtime
    repository (its pidfile lost, e.g. the data directory was restored)."""
    info = read_pidfile(settings.path(PIDFILE))
    pid = int(info.get("pid", 0))
    if not pid or not is_tritonserver(pid) or int(info.get("grpc_port", -1)) != settings.triton_grpc_port:
        holder = triton_on_ports(settings)
        repository = _runtime_repository(settings)
        if holder is None or not holder.serves(repository):
            return None
        return TritonServer(settings, holder.pid, repository, settings.path("logs", "triton.log"))
    return TritonServer(
        settings,
        pid,
        Path(info.get("repository", "")),
        Path(info.get("log", "")),
        clip_loaded=bool(info.get("clip_loaded")),
        clip_problem=info.get("clip_problem"),
    )


def stop_triton(settings: Settings, grace_s: float = 30.0) -> bool:
    """Stop the server named in the pidfile; False when none is running."""
    server = running_server(settings)
    if server is None:
        with contextlib.suppress(FileNotFoundError):
            settings.path(PIDFILE).unlink()
        return False
    server.stop(grace_s)
    return True


def _wait_ready(server: TritonServer, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not server.alive():
            code = server.process.returncode if server.process else "?"
            raise BackendUnavailable(
                "triton",
                f"tritonserver exited with status {code} during start-up; "
                f"log {server.log_path}:\n{log_tail(server.log_path)}",
            )
        if server.ready():
            return
        time.sleep(0.25)
    raise BackendUnavailable(
        "triton",
        f"not ready after {timeout_s:.0f}s (AISLE_TRITON_STARTUP_TIMEOUT_S); "
        f"log {server.log_path}:\n{log_tail(server.log_path)}",
    )


def _load_clip(server: TritonServer) -> None:
    from tritonclient.grpc import InferenceServerClient
    from tritonclient.utils import InferenceServerException

    client = InferenceServerClient(server.grpc_url)
    try:
        client.load_model(CLIP, client_timeout=server.settings.triton_startup_timeout_s)
        server.clip_loaded = client.is_model_ready(CLIP)
    except InferenceServerException as exc:
        server.clip_problem = f"loading {CLIP} failed: {exc.message()}"
    finally:
        client.close()
    _record(server)


def _record(server: TritonServer) -> None:
    settings = server.settings
    write_pidfile(
        settings,
        {
            "pid": server.pid,
            "grpc_port": settings.triton_grpc_port,
            "http_port": settings.triton_http_port,
            "metrics_port": settings.triton_metrics_port,
            "repository": str(server.repository),
            "log": str(server.log_path),
            "clip_loaded": server.clip_loaded,
            "clip_problem": server.clip_problem,
        },
    )
