"""Shared pytest setup.

Server fixtures live in `tests/fixtures/` (one plugin module per real server) so each can be read alone.
Integration fixtures start the real servers with the project's own scripts, wait for readiness and always
clean up; they fail (never skip) when a server cannot be started.
"""

pytest_plugins = [
    "tests.fixtures.triton",
    "tests.fixtures.opensearch",
    "tests.fixtures.kafka",
]
