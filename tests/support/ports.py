"""Free loopback ports for the servers the tests start (Triton, OpenSearch, Kafka, gateways).

The benchmarks (`bench/`, a shipped package that must not import the tests) keep their own copy in
`bench.common`.
"""

from __future__ import annotations

import socket


def free_ports(n: int) -> list[int]:
    """`n` distinct free loopback ports (all held open while choosing, so none repeats)."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def free_port() -> int:
    return free_ports(1)[0]
