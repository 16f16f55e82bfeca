"""Fixtures shared by the unit tests of the gateway's routes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.deps import Services
from api.main import create_app
from tests.unit.gateway_fakes import make_services


@pytest.fixture
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[TestClient, Services]]:
    """The real app over the in-memory fakes of `gateway_fakes`, and the services behind it.

    A test module passes options to `make_services` (e.g. `clip=True`) through a module-level
    `SERVED_OPTIONS` dict, so every route test builds its gateway the same way."""
    options = getattr(request.module, "SERVED_OPTIONS", {})
    services = make_services(tmp_path, **options)
    with TestClient(create_app(services)) as client:
        yield client, services
    services.close()
