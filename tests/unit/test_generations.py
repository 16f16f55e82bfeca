"""One generation per answer: rebuilds and interrupted updates seen from the gateway's side.

Real catalog, real embedded lexical index (tantivy) and real FAISS stores in a temp directory; the
encoders are the hashed fakes. The builder and updater get their own lexical handle, as `indexer`
would in its own process.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

import engine.crashpoints as crashpoints
from api.deps import Services
from engine.catalog import Catalog, catalog_root, read_current, read_manifest
from engine.catalog_undo import undo_path
from engine.config import Settings, load_settings
from engine.errors import BackendUnavailable
from engine.lexical.embedded import EmbeddedLexical
from engine.pipeline.retrieve import ProductLookup
from engine.pipeline.types import SearchQuery
from engine.ranking.features import text_terms
from engine.records import Product
from engine.vectors.factory import FactoryVectorIO
from indexer.build import Builder, BuildOptions
from indexer.embedding import EmbedOptions
from indexer.updates import IndexUpdater
from indexer.verify import verify
from tests.unit.gateway_fakes import GatewayInference, embedded_services

QUIET = BuildOptions(progress=False, chunk_size=8, embed=EmbedOptions(batch_size=8, in_flight=1))
IDS = [f"p{i}" for i in range(12)]


class Killed(BaseException):
    """Stands for SIGKILL at a crash point: nothing after it runs (no `except Exception` catches it)."""


def version(n: int) -> list[Product]:
    return [Product(pid, f"Steel kettle {pid} v{n}", price=10.0 + n, brand="Acme") for pid in IDS]


def write(path: Path, products: list[Product]) -> Path:
    path.write_text("".join(json.dumps(p.to_dict()) + "\n" for p in products), encoding="utf-8")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "var", api_key="secret")


def build(settings: Settings, tmp_path: Path, n: int) -> str:
    """`indexer build` of version `n`, with its own lexical handle (another process's)."""
    builder = Builder(settings, GatewayInference(), EmbeddedLexical.from_settings(settings))
    return builder.build(write(tmp_path / f"v{n}.jsonl", version(n)), QUIET).generation


def updater(settings: Settings) -> IndexUpdater:
    lexical = EmbeddedLexical.from_settings(settings)
    return IndexUpdater(catalog_root(settings), lexical, GatewayInference(), FactoryVectorIO(settings))


def gateway(settings: Settings, tmp_path: Path) -> Services:
    services = embedded_services(settings, tmp_path / "events.sqlite3")
    services.reload_interval_s = 0.0
    return services


def titles(services: Services) -> set[str]:
    with services.serving():
        return {p.title.rsplit(" ", 1)[1] for p in services.products(IDS).values()}


def search_versions(services: Services) -> set[str]:
    services.refresh_catalog()
    outcome = services.pipeline.search(SearchQuery(text="steel kettle", size=12))
    return {outcome.products[h.product_id].title.rsplit(" ", 1)[1] for h in outcome.hits}


class SlowLexical:
    """A product store whose `get` waits for a signal: a fetch caught in the middle of a switch."""

    def __init__(self, products: dict[str, Product]) -> None:
        self.products = products
        self.fetching = threading.Event()
        self.release = threading.Event()

    def get(self, ids: list[str]) -> dict[str, Product]:
        found = {pid: self.products[pid] for pid in ids if pid in self.products}
        self.fetching.set()
        self.release.wait(5)
        return found


def test_a_fetch_that_straddles_a_switch_does_not_refill_the_cache_with_the_old_catalog() -> None:
    old, new = version(1)[0], version(2)[0]
    store = SlowLexical({old.id: old})
    lookup = ProductLookup(store)  # type: ignore[arg-type]
    late = threading.Thread(target=lookup.get, args=([old.id],))
    late.start()
    assert store.fetching.wait(5)  # it has read the old record and not yet cached it
    store.products = {new.id: new}  # the new generation is served ...
    lookup.reset()  # ... and the cache starts over
    store.release.set()
    late.join(5)
    store.fetching.clear()
    assert lookup.get([old.id])[old.id].title == new.title  # not the record the late fetch filed
    assert lookup.title_terms([old.id]) == [text_terms(new.title)]  # nor its title's tokens


def test_title_tokens_are_read_with_the_products_and_follow_their_changes() -> None:
    store = SlowLexical({"a": Product("a", "Claw Hammer"), "b": Product("b", "Hand saw")})
    store.release.set()
    lookup = ProductLookup(store)  # type: ignore[arg-type]
    assert lookup.title_terms(["a", "gone", "b"]) == [
        (("claw", "hammer"), frozenset({"claw", "hammer"})),
        None,
        (("hand", "saw"), frozenset({"hand", "saw"})),
    ]
    store.products["a"] = Product("a", "Ball-peen hammer")
    assert lookup.title_terms(["a"])[0] == text_terms("Claw Hammer")  # cached until told otherwise
    lookup.forget(["a"])
    assert lookup.title_terms(["a"])[0] == text_terms("Ball-peen hammer")
    assert lookup.get(["a"])["a"].title == "Ball-peen hammer"


def test_the_gateway_serves_each_rebuild_whole(settings: Settings, tmp_path: Path) -> None:
    first = build(settings, tmp_path, 1)
    services = gateway(settings, tmp_path)
    assert titles(services) == {"v1"} and search_versions(services) == {"v1"}
    second = build(settings, tmp_path, 2)
    assert second != first
    assert titles(services) == {"v2"} and search_versions(services) == {"v2"}
    assert services.catalog.manifest.generation == second
    assert services.lexical.count() == len(IDS)


def test_a_switch_waits_for_the_answer_in_progress(settings: Settings, tmp_path: Path) -> None:
    build(settings, tmp_path, 1)
    services = gateway(settings, tmp_path)
    seen: list[set[str]] = []
    inside, done = threading.Event(), threading.Event()

    def request() -> None:
        with services.serving():
            seen.append({p.title[-2:] for p in services.products(IDS).values()})
            inside.set()
            done.wait(5)
            seen.append({p.title[-2:] for p in services.products(IDS).values()})

    thread = threading.Thread(target=request)
    thread.start()
    assert inside.wait(5)
    build(settings, tmp_path, 2)
    switch = threading.Thread(target=services.refresh_catalog)
    switch.start()
    switch.join(0.5)
    assert switch.is_alive()  # the switch waits for the answer being built
    done.set()
    thread.join(5)
    switch.join(5)
    assert seen == [{"v1"}, {"v1"}]  # one generation for the whole answer
    assert titles(services) == {"v2"}


def test_a_build_killed_before_its_commit_leaves_the_old_generation_whole(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = build(settings, tmp_path, 1)
    lexical_root = settings.path("lexical")

    def die(name: str) -> None:
        if name == "build-after-lexical":
            raise Killed

    monkeypatch.setattr("indexer.build.crash_point", die)
    with pytest.raises(Killed):
        build(settings, tmp_path, 2)
    assert read_current(catalog_root(settings)) == first
    assert len(list(lexical_root.glob("gen-*"))) == 2  # the staged one is an orphan, never served
    services = gateway(settings, tmp_path)
    assert titles(services) == {"v1"} and search_versions(services) == {"v1"}
    monkeypatch.setattr("indexer.build.crash_point", crashpoints.crash_point)
    third = build(settings, tmp_path, 3)
    manifest = read_manifest(catalog_root(settings), third)
    # the orphan is gone; the lexical generation of the previous build stays for readers still on it
    assert {p.name for p in lexical_root.glob("gen-*")} == {
        manifest.lexical,
        read_manifest(catalog_root(settings), first).lexical,
    }
    assert titles(services) == {"v3"}


def test_a_build_killed_after_its_commit_serves_the_new_generation_whole(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(settings, tmp_path, 1)

    def die(name: str) -> None:
        if name == "build-after-commit":
            raise Killed

    monkeypatch.setattr("indexer.build.crash_point", die)
    with pytest.raises(Killed):
        build(settings, tmp_path, 2)
    services = gateway(settings, tmp_path)  # the lexical folder pointer still names version 1
    assert titles(services) == {"v2"} and search_versions(services) == {"v2"}
    live = services.catalog.changed(force=True)
    assert live is not None and verify(live, EmbeddedLexical.from_settings(settings)).ok


@pytest.mark.parametrize("step", ["update-after-vectors", "update-after-lexical"])
def test_a_killed_upsert_is_found_by_verify_and_rolled_back_by_the_gateway(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    build(settings, tmp_path, 1)
    root = catalog_root(settings)
    before = read_manifest(root, read_current(root) or "")

    def die(name: str) -> None:
        if name == step:
            raise Killed

    monkeypatch.setattr("indexer.updates.crash_point", die)
    changed = [Product("p1", "Copper kettle p1 v9", price=99.0), Product("new", "Brand new kettle v9")]
    with pytest.raises(Killed):
        updater(settings).upsert(changed)
    assert undo_path(root, before.generation).is_file()
    live = Catalog(settings, GatewayInference(), EmbeddedLexical.from_settings(settings)).changed()
    assert live is not None
    report = verify(live, EmbeddedLexical.from_settings(settings))
    assert not report.ok
    assert any("interrupted update" in d for d in report.differences)
    if step == "update-after-lexical":  # the records are already those of the next revision
        assert any("generation mismatch" in d for d in report.differences)
    services = gateway(settings, tmp_path)  # rolls the dead writer's update back before loading
    assert not undo_path(root, before.generation).exists()
    assert titles(services) == {"v1"}
    with services.serving():
        assert "new" not in services.products(["new"])
    assert services.catalog.vector_store("text").count() == len(IDS)  # type: ignore[union-attr]
    live = services.catalog.changed(force=True)
    assert live is not None and verify(live, EmbeddedLexical.from_settings(settings)).ok


def test_the_next_writer_rolls_back_a_killed_delete_first(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(settings, tmp_path, 1)

    def die(name: str) -> None:
        if name == "update-after-lexical":
            raise Killed

    monkeypatch.setattr("indexer.updates.crash_point", die)
    with pytest.raises(Killed):
        updater(settings).delete(["p1", "p2"])
    monkeypatch.setattr("indexer.updates.crash_point", crashpoints.crash_point)
    removed, live = updater(settings).delete(["p3"])
    assert removed == 1 and live.manifest.count == len(IDS) - 1
    assert verify(live, EmbeddedLexical.from_settings(settings)).ok
    assert {"p1", "p2"} <= set(live.stores["text"].ids())


def test_verify_finds_lexical_records_of_another_generation_with_the_same_ids(
    settings: Settings, tmp_path: Path
) -> None:
    first = build(settings, tmp_path, 1)
    build(settings, tmp_path, 2)
    root = catalog_root(settings)
    manifest = read_manifest(root, read_current(root) or "")
    stale = read_manifest(root, first).lexical
    (root / manifest.generation / "manifest.json").write_text(
        manifest.to_json().replace(manifest.lexical, stale), encoding="utf-8"
    )
    live = Catalog(settings, GatewayInference(), EmbeddedLexical.from_settings(settings)).changed()
    assert live is not None
    report = verify(live, EmbeddedLexical.from_settings(settings))
    assert report.counts["lexical"] == report.counts["text"] == len(IDS)  # the ids agree ...
    assert [d for d in report.differences if d.startswith("generation mismatch")]  # ... the records do not


def test_an_own_write_that_lands_on_a_new_generation_does_not_keep_the_old_cache(
    settings: Settings, tmp_path: Path
) -> None:
    build(settings, tmp_path, 1)
    services = gateway(settings, tmp_path)
    assert titles(services) == {"v1"}  # every product cached
    build(settings, tmp_path, 2)  # another process; this gateway has not looked yet
    services.reload_interval_s = 3600.0
    services.upsert_products([Product("p1", "Steel kettle p1 v9", price=1.0)])  # written on version 2
    assert titles(services) == {"v2", "v9"}


class RecordsDown:
    """The lexical store of a gateway whose product reads all fail from some moment on (a node busy
    bulk-loading the next index answers them past the serving deadline)."""

    def __init__(self, inner: EmbeddedLexical) -> None:
        self.inner, self.down = inner, False

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def get(self, ids: list[str]) -> dict[str, Product]:
        if self.down:
            raise BackendUnavailable("opensearch", "read timed out")
        return self.inner.get(ids)


def test_a_switch_fills_the_new_product_cache_epoch_before_answers_read_it(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(settings, tmp_path, 1)
    services = gateway(settings, tmp_path)
    store = RecordsDown(services.pipeline.products.lexical)  # type: ignore[arg-type]
    services.pipeline.products.lexical = store  # type: ignore[assignment]
    monkeypatch.setattr(services, "warm_products", lambda: None)  # no background warm to race with
    assert titles(services) == {"v1"}
    build(settings, tmp_path, 2)
    services.refresh_catalog()
    store.down = True  # the next product read that reaches the store fails
    assert titles(services) == {"v2"}  # every record of the new generation was cached at the switch
    assert search_versions(services) == {"v2"}
