"""Run the deployables as their users do: the installed console scripts, in a subprocess, configured
by environment variables only.

`clean_env` starts from this process's environment without any `AISLE_*` variable, so a test sees
exactly the settings it passes. `GatewayProcess` runs `gateway serve` on a free loopback port, waits
until it answers (or exits), and always stops it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def clean_env(settings: Mapping[str, str]) -> dict[str, str]:
    """This process's environment minus every AISLE_* variable, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AISLE_")}
    env.update(settings)
    return env


def run_cli(
    program: str, args: Sequence[str], env: Mapping[str, str], timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """`program` (engine, indexer or gateway) with `args`; never raises on a non-zero exit."""
    return subprocess.run(
        [str(BIN / program), *args],
        env=dict(env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


class GatewayProcess:
    """`gateway serve` in a subprocess. `start()` returns once the gateway answers HTTP or has exited;
    check `returncode` (None while it runs) and `output()` (its stdout and stderr together)."""

    def __init__(self, env: Mapping[str, str], port: int, start_timeout_s: float = 240) -> None:
        self.env = dict(env)
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.start_timeout_s = start_timeout_s
        self._log: IO[str] = tempfile.TemporaryFile("w+", prefix="gateway-", suffix=".log")  # noqa: SIM115 - closed by close()
        self._process: subprocess.Popen[str] | None = None
        self.client = httpx.Client(base_url=self.url, timeout=120)

    @property
    def returncode(self) -> int | None:
        return None if self._process is None else self._process.poll()

    def output(self) -> str:
        self._log.flush()
        self._log.seek(0)
        return self._log.read()

    def start(self) -> GatewayProcess:
        command = [str(BIN / "gateway"), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        self._process = subprocess.Popen(
            command, env=self.env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT, text=True
        )
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return self
            try:
                if self.client.get("/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"gateway did not answer in {self.start_timeout_s:g}s:\n{tail(self.output())}")

    def wait_exit(self, timeout: float = 60) -> int:
        """The exit status of a gateway that is expected to stop by itself."""
        assert self._process is not None, "not started"
        try:
            return self._process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGINT)
            try:
                self._process.wait(30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)
        self.client.close()

    def close(self) -> None:
        self.stop()
        self._log.close()

    def __enter__(self) -> GatewayProcess:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()
