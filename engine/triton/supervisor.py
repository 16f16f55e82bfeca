"""Keep a launcher-managed Triton running: restart it when its process dies.

Triton has no supervisor of its own, and a crashed server (OOM kill, `kill -9`, a python stub taking the
server down) otherwise stays down until someone notices. `TritonSupervisor` starts the server through
`start_triton`, watches the process from a thread, and on an unexpected exit cleans up what is left of it
(the python stubs in its process group, the pidfile) and starts a new one on the same ports. Restarts are
limited (`max_restarts` within `window_s`) so a server that cannot start is not restarted forever; after
that the supervisor gives up and logs why.

Used by `engine triton start --supervise` and by a gateway with `AISLE_TRITON_URL=local`. A gateway that
finds this data directory's server already running (launched by `engine triton start`, by the parent of
several workers, or by a previous gateway that is still stopping it) adopts it instead (`adopt`): it does
not stop that server, but when it exits the gateway uses the one another process started in its place or,
when there is none, launches its own. Without that, a gateway restarted while its predecessor's server was
shutting down kept answering without dense retrieval and ranker until someone restarted it again. A
command that adopts a server waits until it answers (`wait_ready`), or until its successor does: an
`indexer build` started just after a gateway was stopped failed on its first call to the server that
gateway was stopping.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from engine.config import Settings
from engine.errors import AisleError, BackendUnavailable
from engine.storage import file_lock
from engine.triton.launcher import TritonServer, running_server, start_triton

log = logging.getLogger(__name__)

LAUNCH_LOCK = "triton.launch.lock"  # in the data directory: one replacement launch at a time


class TritonSupervisor:
    def __init__(
        self,
        settings: Settings,
        *,
        check_interval_s: float = 0.25,
        max_restarts: int = 5,
        window_s: float = 300.0,
        launch: Callable[[Settings], TritonServer] = start_triton,
        find: Callable[[Settings], TritonServer | None] = running_server,
        adopt_grace_s: float = 2.0,
    ) -> None:
        self.settings = settings
        self.check_interval_s = check_interval_s
        self.max_restarts = max_restarts
        self.window_s = window_s
        self.restarts = 0
        self.gave_up: str | None = None
        self._launch = launch
        self._find = find
        self.adopt_grace_s = adopt_grace_s  # an adopted server's owner gets this long to replace it
        self.owned = False  # whether the watched server was launched here (and so is stopped here)
        self._recent: deque[float] = deque()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.server: TritonServer | None = None

    def start(self) -> TritonServer:
        """Start the server (raises like `start_triton` when it cannot) and begin watching it."""
        self.server = self._launch(self.settings)
        self.owned = True
        self._begin()
        return self.server

    def adopt(self, server: TritonServer) -> TritonServer:
        """Watch `server`, which another process launched: it is not stopped here, but when it exits its
        successor (found running) is adopted, else one is launched here."""
        self.server = server
        self.owned = False
        self._begin()
        return server

    def wait_ready(self, timeout_s: float) -> TritonServer:
        """The watched server once it answers ready. An adopted server may be stopping (the gateway that
        launched it is exiting: alive, no longer listening); the watch then replaces it when it exits, and
        this waits for the successor, so a command started at that moment (`indexer build` right after
        the gateway was stopped) does not fail on its first call. `BackendUnavailable` after `timeout_s`
        or when the supervisor gave up."""
        deadline = time.monotonic() + timeout_s
        while True:
            server = self.server
            if server is not None and server.alive() and server.ready():
                return server
            if self.gave_up is not None or time.monotonic() >= deadline:
                why = self.gave_up or f"not ready after {timeout_s:.0f}s (AISLE_TRITON_STARTUP_TIMEOUT_S)"
                raise BackendUnavailable("triton", why)
            time.sleep(0.1)

    def _begin(self) -> None:
        self._thread = threading.Thread(target=self._watch, name="triton-supervisor", daemon=True)
        self._thread.start()

    def alive(self) -> bool:
        return self.server is not None and self.server.alive()

    def _watch(self) -> None:
        while not self._stopping.wait(self.check_interval_s):
            server = self.server
            if server is None or server.alive():
                continue
            if self._stopping.is_set():
                return
            if not self._restart(server):
                return

    def _restart(self, dead: TritonServer) -> bool:
        """One attempt to replace `dead` (a failed one is retried at the next check); False when the
        restart budget is spent and the supervisor gives up.

        An adopted server's owner (a supervising `engine triton start`) gets `adopt_grace_s` to start
        its replacement first; a server another process started is adopted and costs no restart. The
        launch itself holds a lock in the data directory, so of several gateway workers that saw the
        server die one launches and the others adopt its server."""
        if not self.owned and self._adopt_successor(dead, wait_s=self.adopt_grace_s):
            return True
        if self._stopping.is_set():
            return False
        with file_lock(self.settings.path(LAUNCH_LOCK)):
            if self._adopt_successor(dead, wait_s=0.0):
                return True
            now = time.monotonic()
            while self._recent and now - self._recent[0] > self.window_s:
                self._recent.popleft()
            if len(self._recent) >= self.max_restarts:
                self.gave_up = f"{self.max_restarts} restarts within {self.window_s:.0f}s"
                log.error("triton keeps dying (%s); not restarting it again", self.gave_up)
                return False
            self._recent.append(now)
            code = dead.process.returncode if dead.process is not None else None
            log.warning("triton (pid %d) exited with status %s; restarting it", dead.pid, code)
            if self.owned:
                dead.stop(grace_s=1.0)  # what is left of it: its python stubs, the pidfile
            try:
                self.server, self.owned = self._launch(self.settings), True
            except AisleError as exc:
                log.error("triton restart failed: %s", exc.message.splitlines()[0])
                return True
        self.restarts += 1
        log.info("triton restarted (pid %d), restart %d", self.server.pid, self.restarts)
        return True

    def _adopt_successor(self, dead: TritonServer, wait_s: float) -> bool:
        """Adopt the server another process started in place of `dead`, looking for up to `wait_s`."""
        deadline = time.monotonic() + wait_s
        while True:
            successor = self._find(self.settings)
            if successor is not None and successor.pid != dead.pid and successor.alive():
                log.warning(
                    "triton (pid %d) exited; using the one now running (pid %d)", dead.pid, successor.pid
                )
                self.server, self.owned = successor, False
                return True
            if time.monotonic() >= deadline or self._stopping.wait(self.check_interval_s):
                return False

    def stop(self, grace_s: float = 30.0) -> None:
        """Stop watching, then stop the server if it was launched here."""
        self._stopping.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=grace_s)
        if self.server is not None and self.owned:
            self.server.stop(grace_s)
