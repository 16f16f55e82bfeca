"""The page router without a browser or servers: pages and static files, suggestions, product images and
the admin endpoints, on the gateway built over fakes (`tests/unit/gateway_fakes.py`)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.deps import Services
from api.main import create_app
from api.routes import ui
from api.routes.images import resolve_image
from engine.events.base import Impression
from engine.learning.versions import RankerStore
from engine.models.ranker_net import RankerManifest, RankerNet, TrainingRecord
from engine.ranking.features import FEATURE_NAMES
from engine.records import Product
from engine.sample import sample_images_dir
from engine.suggestions import QuerySuggester
from tests.unit.gateway_fakes import CATALOG, make_services

AUTH = {"Authorization": "Bearer secret"}
PICTURES = [
    Product("s1", "Sample picture", image="images/p0001.png"),
    Product("s2", "Absolute sample picture", image=str(sample_images_dir() / "p0004.png")),
    Product("s3", "Escapes the folder", image="../catalog.jsonl"),
    Product("s4", "System file", image="/etc/passwd"),
    Product("s5", "Remote picture", image="https://shop.example/p5.jpg"),
    Product("s6", "No picture"),
]


@pytest.fixture
def built(tmp_path: Path) -> Iterator[tuple[TestClient, Services]]:
    services = make_services(tmp_path, products=[*CATALOG, *PICTURES])
    app = create_app(services)
    app.include_router(ui.router)
    with TestClient(app) as client:
        yield client, services
    services.close()


def served(
    search_id: str, query: str, user: str | None, ids: tuple[str, ...] = ("p1",), surface: str = "search"
) -> Impression:
    return Impression(
        search_id=search_id,
        timestamp=time.time(),
        query=query,
        product_ids=ids,
        positions=tuple(range(1, len(ids) + 1)),
        ranker_version=1,
        user_id=user,
        surface=surface,
    )


def test_pages_and_static_files_are_served_with_a_strict_policy(built) -> None:
    client, _ = built
    for path, marker in (("/", 'id="search-form"'), ("/admin", 'id="key-form"')):
        response = client.get(path)
        assert response.status_code == 200 and marker in response.text
        assert response.headers["content-type"].startswith("text/html")
        assert "default-src 'self'" in response.headers["content-security-policy"]
    script = client.get("/static/js/search.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    again = client.get("/static/js/search.js", headers={"If-None-Match": script.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/static/%2e%2e/routes/ui.py").status_code == 404
    assert client.get("/static/missing.js").json()["error"]["code"] == "not_found"


def test_suggestions_need_two_people_and_results(built) -> None:
    client, services = built
    for number, (query, user, ids) in enumerate(
        [
            ("Running shoes", "a", ("p1",)),
            ("running  SHOES", "b", ("p2",)),
            ("running shoes", "b", ("p1",)),
            ("Running socks", "a", ("p7",)),
            ("Running socks", "c", ("p7",)),
            ("runner secret", "a", ("p1",)),  # one person only
            ("running nothing", "a", ()),
            ("running nothing", "b", ()),  # no results
            ("trail running", "a", ("p3",)),
            ("trail running", "b", ("p3",)),
            ("running shoes", "c", ("p1",)),
        ]
    ):
        services.events.append_impression(served(f"s{number}", query, user, ids))
    services.events.append_impression(served("sim", "running shoes", "d", surface="similar"))
    body = client.get("/v1/suggest", params={"prefix": "run"}).json()
    assert [(s["query"], s["count"]) for s in body["suggestions"]] == [
        ("running shoes", 4),
        ("Running socks", 2),
        ("trail running", 2),
    ]
    assert client.get("/v1/suggest", params={"prefix": "runner"}).json()["suggestions"] == []
    assert len(client.get("/v1/suggest", params={"prefix": "", "size": 1}).json()["suggestions"]) == 1


def test_the_suggester_reads_only_new_records_and_stays_bounded(built) -> None:
    _, services = built
    suggester = QuerySuggester(services.events, min_users=1, refresh_s=0.0, max_queries=4)
    for number in range(3):
        services.events.append_impression(served(f"a{number}", "tent", "u"))
    assert suggester.suggest("te") == [("tent", 3)]
    for number in range(6):
        services.events.append_impression(served(f"b{number}", f"query {number}", "u"))
    suggester.suggest("")
    assert len(suggester._counts) <= 4 and ("tent", 3) in suggester.suggest("te")


@pytest.mark.parametrize(
    ("product_id", "status"), [("s1", 200), ("s2", 200), ("s3", 404), ("s4", 404), ("s6", 404), ("nope", 404)]
)
def test_product_images_come_only_from_allowed_folders(built, product_id: str, status: int) -> None:
    client, _ = built
    response = client.get(f"/v1/products/{product_id}/image")
    assert response.status_code == status, response.text
    if status == 200:
        assert response.headers["content-type"] == "image/png" and response.content[:4] == b"\x89PNG"
    else:
        assert response.json()["error"]["code"] == "not_found"


def test_remote_images_are_redirected_to(built) -> None:
    client, _ = built
    response = client.get("/v1/products/s5/image", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "https://shop.example/p5.jpg"


def test_a_catalog_folder_is_an_allowed_root(tmp_path: Path) -> None:
    (tmp_path / "shop" / "pics").mkdir(parents=True)
    (tmp_path / "shop" / "pics" / "a.png").write_bytes(b"\x89PNG....")
    (tmp_path / "elsewhere.png").write_bytes(b"\x89PNG....")
    roots = [(tmp_path / "shop", tmp_path / "shop")]
    assert resolve_image("pics/a.png", roots) == (tmp_path / "shop" / "pics" / "a.png").resolve()
    assert resolve_image("../elsewhere.png", roots) is None
    assert resolve_image(str(tmp_path / "elsewhere.png"), roots) is None
    assert resolve_image("pics/a.txt", roots) is None


def test_admin_needs_the_key(built) -> None:
    client, _ = built
    assert client.get("/v1/admin/rankers").status_code == 401
    assert client.get("/v1/admin/events", headers={"Authorization": "Bearer wrong"}).status_code == 403


def add_versions(services: Services, count: int) -> RankerStore:
    store = RankerStore(services.settings)
    for _ in range(count):
        manifest = RankerManifest(
            version=0,
            feature_names=list(FEATURE_NAMES),
            training=TrainingRecord(kind="clicks", validation={"accepted": True}),
        )
        store.add(RankerNet(len(FEATURE_NAMES)), manifest)
    return store


def test_admin_lists_versions_and_rolls_back(built, monkeypatch: pytest.MonkeyPatch) -> None:
    client, services = built
    store = add_versions(services, 2)
    loaded: list[int] = []
    monkeypatch.setattr(services.inference, "load_ranker_version", loaded.append, raising=False)
    store.rollouts.append({"action": "rollout", "version": 2, "previous": 1, "propensities": {"big": 1}})
    body = client.get("/v1/admin/rankers", headers=AUTH).json()
    assert body["serving"] == 2 and body["answering"] == 1 and body["previous"] == 1  # nothing pinned: newest
    assert [v["version"] for v in body["versions"]] == [1, 2]
    assert body["versions"][1]["validation"] == {"accepted": True}

    record = client.post("/v1/admin/rankers/rollback", json={"version": 1}, headers=AUTH).json()
    assert (
        loaded == [1] and record["action"] == "rollback" and (record["version"], record["previous"]) == (1, 2)
    )
    assert client.post("/v1/admin/rankers/rollback", json={"version": 9}, headers=AUTH).status_code == 404
    decisions = client.get("/v1/admin/rollouts", headers=AUTH).json()["rollouts"]
    assert [d["action"] for d in decisions] == ["rollback", "rollout"] and "propensities" not in decisions[1]


def test_admin_event_counts_and_update_job(built) -> None:
    client, services = built
    client.post("/v1/search", json={"query": "running shoes"})
    assert services.impressions.flush()  # the served list is written a moment after the answer
    counts = client.get("/v1/admin/events", headers=AUTH).json()
    assert counts["counts"]["impression"] == 1 and counts["last_offset"] == 1
    RankerStore(services.settings).rollouts.append(
        {"action": "rejected", "version": None, "events": {"after": 0, "until": 1}, "fit": {"x": 1}}
    )
    job = client.get("/v1/admin/update-job", headers=AUTH).json()
    assert job["checkpoint"] == {"offset": 0, "runs": 0, "updated_at": None}
    assert (
        job["unread_records"] == 1
        and job["last_run"]["action"] == "rejected"
        and "fit" not in job["last_run"]
    )


def test_the_page_settings_name_the_attribute_facets_in_order(tmp_path: Path) -> None:
    def facets(**overrides: object) -> list[dict[str, str]]:
        services = make_services(tmp_path / str(len(overrides)), **overrides)
        app = create_app(services)
        app.include_router(ui.router)
        with TestClient(app) as client:
            answer = client.get("/v1/page/settings")
        services.close()
        assert answer.status_code == 200
        return list(answer.json()["attribute_facets"])

    assert facets() == [{"name": "color", "title": "Colour"}, {"name": "size", "title": "Size"}]
    books = {"author": "Autor/in", "Einband": "Einband", "language": "Sprache"}
    assert facets(page_facets=books) == [{"name": n, "title": t} for n, t in books.items()]
    assert facets(page_facets={}) == []
