"""engine.ports: the free loopback ports the fixtures and benchmarks start their servers on."""

from __future__ import annotations

import socket

from engine.ports import free_port, free_ports


def test_free_ports_are_distinct_and_bindable_on_loopback() -> None:
    ports = free_ports(8)
    assert len(set(ports)) == 8 and all(1024 <= p <= 65535 for p in ports)
    for port in [*ports, free_port()]:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", port))  # raises if the port was not free


def test_a_port_in_use_is_not_offered() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        assert taken not in free_ports(16)
