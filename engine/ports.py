"""Free loopback ports, for the servers the benchmarks and the tests start (Triton, OpenSearch, Kafka,
gateways) next to whatever already runs on the machine.

Why this lives in the engine: the benchmarks (`bench/`, a shipped package) must not import the tests,
and the test fixtures and helpers must not import the benchmarks (`tests/unit/test_architecture.py`
checks both); the engine is the one package both already depend on. The module imports nothing of the
project, so it sits in the engine's lowest layers and anything may use it.
"""

from __future__ import annotations

import socket


def free_ports(n: int) -> list[int]:
    """`n` distinct free loopback ports (all held open while choosing, so none repeats).

    The ports are free when chosen; a server started on one soon after gets it unless another process
    binds it in between, which is why the fixtures still wait for their server to answer."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def free_port() -> int:
    """One free loopback port (see `free_ports`)."""
    return free_ports(1)[0]
