"""Shared pytest setup.

Server fixtures live in `tests/fixtures/` (one plugin module per real server) so each can be read alone.
Integration fixtures start the real servers with the project's own scripts, wait for readiness and always
clean up; they fail (never skip) when a server cannot be started.
"""

import os

pytest_plugins = [
    "tests.fixtures.triton",
    "tests.fixtures.opensearch",
    "tests.fixtures.kafka",
]

# The suite sets every setting it tests. A shell's own AISLE_* variables (a shop's catalog language, its
# data directory, its Triton ports) would change what in-process settings read and fail tests for
# reasons of that shell, so they go before any test runs; the AISLE_TEST_* knobs of the fixtures stay.
for _name in [
    name for name in os.environ if name.startswith("AISLE_") and not name.startswith("AISLE_TEST_")
]:
    del os.environ[_name]
