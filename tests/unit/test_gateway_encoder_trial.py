"""The admin endpoints of query-tower trials: `GET /v1/admin/encoder-trial` shows the running (or last)
trial with its counts in the ranker trial's shape, `POST /v1/admin/encoder-trial/stop` unloads the
candidate and records the stop like `engine encoder trial stop`; both need the API key, and a gateway
without Triton says so instead of failing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.deps import Services
from api.main import create_app
from engine.encoder.versions import QueryEncoderStore
from engine.learning.versions import RankerStore
from engine.pipeline.trialstate import load_trial, trial_path
from tests.unit.gateway_fakes import make_services
from tests.unit.test_encoder_trial import trialled

AUTH = {"Authorization": "Bearer secret"}
PATH = "/v1/admin/encoder-trial"


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[tuple[TestClient, Services]]:
    services = make_services(tmp_path)
    with TestClient(create_app(services)) as client:
        yield client, services
    services.close()


@pytest.fixture
def running(gateway, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The gateway during an encoder trial of tower 2 against 1, with the tower versions the model
    server is asked to load recorded (Triton's explicit model control)."""
    client, services = gateway
    trialled(services, tmp_path)
    loads: list[tuple[int, int | None]] = []

    def load(version: int, candidate: int | None = None) -> None:
        loads.append((version, candidate))

    monkeypatch.setattr(services.inference, "load_query_encoder_version", load, raising=False)
    return client, services, loads


def _search_and_click(client: TestClient, services: Services, team: str) -> None:
    body = client.post("/v1/search", json={"query": "running shoes", "user_id": "u1", "size": 5}).json()
    assert services.impressions.flush()
    teams = services.events.impression(body["search_id"]).extra["interleaving"]["teams"]
    clicked = body["hits"][teams.index(team)]["id"]
    event = {"type": "click", "product_id": clicked, "search_id": body["search_id"]}
    assert client.post("/v1/events", json=event).status_code == 202


def test_no_trial_yet(gateway) -> None:
    client, _ = gateway
    assert client.get(PATH, headers=AUTH).json() == {"trial": None}
    refused = client.post(f"{PATH}/stop", headers=AUTH)
    assert refused.status_code == 422 and refused.json()["error"]["message"] == "no trial is running"


def test_the_running_trial_with_its_counts_then_a_stop(running) -> None:
    client, services, loads = running
    _search_and_click(client, services, "B")  # a click on the candidate tower's product: a win

    trial = client.get(PATH, headers=AUTH).json()["trial"]
    assert trial["active"] and trial["status"] == "running" and trial["model"] == "encoder"
    assert (trial["candidate"], trial["serving"], trial["config"]["share"]) == (2, 1, 1.0)
    assert trial["counts"] == {"wins": 1, "losses": 0, "ties": 0, "searches": 1, "p_value": 1.0}
    assert client.get("/v1/admin/trial", headers=AUTH).json() == {"trial": None}  # not the ranker's

    record = client.post(f"{PATH}/stop", headers=AUTH).json()
    assert record["action"] == "trial" and record["outcome"] == "stopped"
    assert record["reason"] == "stopped from the admin page" and record["version"] == 2
    assert record["trial"]["wins"] == 1 and loads == [(1, None)]  # only the serving tower stays loaded
    assert QueryEncoderStore(services.settings).rollouts.records()[-1] == record  # as the CLI records it
    assert RankerStore(services.settings).rollouts.records() == []
    state = load_trial(trial_path(services.settings.data_dir, "encoder"))
    assert state is not None and state.status == "stopped" and state.recorded

    shown = client.get(PATH, headers=AUTH).json()["trial"]
    assert not shown["active"] and shown["status"] == "stopped" and shown["counts"]["searches"] == 1
    body = client.post("/v1/search", json={"query": "running shoes", "user_id": "u1", "size": 5}).json()
    assert services.impressions.flush() and body["hits"]
    assert "interleaving" not in services.events.impression(body["search_id"]).extra  # plain again
    again = client.post(f"{PATH}/stop", headers=AUTH)
    assert again.status_code == 422 and again.json()["error"]["message"] == "no trial is running"


def test_the_endpoints_need_the_api_key(running) -> None:
    client, _, loads = running
    for method, path in (("GET", PATH), ("POST", f"{PATH}/stop")):
        assert client.request(method, path).status_code == 401
        wrong = client.request(method, path, headers={"Authorization": "Bearer wrong"})
        assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "forbidden"
    assert loads == [] and client.get(PATH, headers=AUTH).json()["trial"]["active"]


def test_without_triton_a_stop_names_what_is_missing(gateway, tmp_path: Path) -> None:
    client, services = gateway
    trialled(services, tmp_path)  # the fake model server, like the in-process one, serves one tower
    refused = client.post(f"{PATH}/stop", headers=AUTH)
    assert refused.status_code == 500 and refused.json()["error"]["code"] == "config"
    assert "needs Triton" in refused.json()["error"]["message"]
    assert client.get(PATH, headers=AUTH).json()["trial"]["active"]  # nothing was stopped
