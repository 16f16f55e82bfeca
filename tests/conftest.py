"""Shared pytest setup.

Server fixtures live in `tests/fixtures/` (one plugin module per real server) so each can be read alone.
Integration fixtures start the real servers with the project's own scripts, wait for readiness and always
clean up; they fail (never skip) when a server cannot be started.
"""

import os

from engine.config import ENV_PREFIX, Settings

pytest_plugins = [
    "tests.fixtures.triton",
    "tests.fixtures.opensearch",
    "tests.fixtures.kafka",
]

# The suite sets every setting it tests. A shell's own settings (a shop's catalog language, its data
# directory, its Triton ports, its settings file) would change what in-process settings read and fail
# tests for reasons of that shell, so they go before any test runs; the tools' own variables (download
# cache, the fixtures' external servers) stay.
for _name in ["CONFIG", *Settings.model_fields]:
    os.environ.pop(f"{ENV_PREFIX}{_name.upper()}", None)
