"""Fixtures shared by unit tests: the gateway's routes over fakes, and a small catalog built over fakes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.deps import Services
from api.main import create_app
from engine.catalog import catalog_root
from engine.config import load_settings
from engine.events.embedded import EmbeddedEventLog
from indexer.build import Builder, BuildOptions
from tests.fakes import FakeInference, FakeLexicalIndex, FakeVectorIO
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


@pytest.fixture
def event_log(tmp_path: Path) -> Iterator[EmbeddedEventLog]:
    """An empty embedded event log in the test's folder, closed afterwards."""
    log = EmbeddedEventLog(tmp_path / "events.sqlite3")
    yield log
    log.close()


@pytest.fixture
def five_items(tmp_path: Path) -> tuple[Path, FakeLexicalIndex, FakeVectorIO, FakeInference]:
    """A catalog of five plain products built over the fakes: its root and the fakes behind it, for
    the tests of updates, deletes and their undo log."""
    settings = load_settings(data_dir=tmp_path / "var")
    lexical, vio, inference = FakeLexicalIndex(), FakeVectorIO(), FakeInference()
    catalog = tmp_path / "c.jsonl"
    rows = [{"id": f"p{i}", "title": f"plain item {i}", "price": i} for i in range(5)]
    catalog.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    Builder(settings, inference, lexical, vio).build(catalog, BuildOptions(progress=False))
    return catalog_root(settings), lexical, vio, inference
