"""Process bookkeeping for the launcher: pidfile, log file, port checks and termination.

The pidfile (`<data_dir>/triton.pid`, JSON) is how another process finds a server it did not start:
`engine triton stop|status` and `create_inference` reuse. A pid is only trusted while /proc says it is
still a `tritonserver` (pids get reused). A server whose pidfile is gone, or that belongs to another data
directory, is found by its command line instead (`triton_on_ports`): the launcher passes every port
and the repository as flags.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.config import Settings
from engine.errors import BackendUnavailable
from engine.storage import write_atomic

PIDFILE = "triton.pid"
LOG_TAIL_LINES = 40
PORT_SETTINGS = ("triton_http_port", "triton_grpc_port", "triton_metrics_port")


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def check_ports_free(settings: Settings) -> None:
    """Fail naming the setting when something listens on one of Triton's ports.

    The probe binds with SO_REUSEADDR, as servers do: connections of a server that just died linger in
    TIME_WAIT for a minute, and they must not keep its replacement from starting.
    """
    for name in PORT_SETTINGS:
        port = getattr(settings, name)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                # A runtime condition (another process holds it), not a wrong setting: retrying can work.
                raise BackendUnavailable(
                    "triton", f"AISLE_{name.upper()}: port {port} is already in use by another process"
                ) from None


def fresh_log(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        path.replace(path.with_name(path.name + ".1"))
    return path


def write_pidfile(settings: Settings, info: dict[str, Any]) -> None:
    """Atomically record `info` (pid, ports, repository, log, CLIP state) in the pidfile."""
    path = settings.path(PIDFILE)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, json.dumps(info, indent=2) + "\n")


def read_pidfile(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def is_tritonserver(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return b"tritonserver" in cmdline.split(b"\0", 1)[0] and state != "Z"


def terminate(pid: int, process: subprocess.Popen[bytes] | None, grace_s: float) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            break
        if process is None and not is_tritonserver(pid):
            break
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    if process is not None:
        process.wait(timeout=10)


@dataclass(frozen=True)
class PortHolder:
    """A tritonserver process listening (by its flags) on at least one of the configured ports."""

    pid: int
    repository: Path | None
    setting: str  # the first of our port settings it uses, e.g. "triton_grpc_port"
    all_ports: bool  # it uses all three of ours (http, grpc, metrics)

    def serves(self, repository: Path) -> bool:
        return self.all_ports and self.repository is not None and self.repository == repository


def _flags(pid: int) -> list[str] | None:
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    if b"tritonserver" not in args[0] or not is_tritonserver(pid):
        return None
    return [arg.decode(errors="replace") for arg in args[1:]]


def triton_on_ports(settings: Settings) -> PortHolder | None:
    """The tritonserver process started with `--{http,grpc,metrics}-port` flags naming one of this
    installation's ports, whichever data directory started it; None when there is none."""
    ours = {
        f"--{name[len('triton_') : -len('_port')]}-port={getattr(settings, name)}": name
        for name in PORT_SETTINGS
    }
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        flags = _flags(int(entry.name))
        used = [ours[flag] for flag in flags or () if flag in ours]
        if not flags or not used:
            continue
        repository = next((f.split("=", 1)[1] for f in flags if f.startswith("--model-repository=")), None)
        return PortHolder(
            int(entry.name),
            Path(repository).resolve() if repository else None,
            used[0],
            len(set(used)) == len(PORT_SETTINGS),
        )
    return None
