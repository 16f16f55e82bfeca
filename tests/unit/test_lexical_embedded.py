"""Persistence and concurrency of the embedded (tantivy) lexical index; search behaviour itself is checked
on both backends in tests/integration/test_lexical_conformance.py."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.config import load_settings
from engine.errors import IndexUnreadable
from engine.lexical import embedded as embedded_module
from engine.lexical.base import LexicalIndex
from engine.lexical.embedded import EmbeddedLexical
from engine.lexical.matching import MatchQuery
from engine.records import Filters, Product


def catalog(n: int, word: str = "kettle", prefix: str = "p") -> list[Product]:
    return [
        Product(
            id=f"{prefix}{i:03d}",
            title=f"{word} number {i}",
            brand="Acme" if i % 2 else "Kobe",
            category=("Home", "Kitchen"),
            price=float(i),
            attributes={"size": i % 3},
        )
        for i in range(n)
    ]


def generations(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.glob("gen-*"))


def test_implements_the_protocol_and_is_chosen_by_settings(tmp_path: Path) -> None:
    from engine.lexical.factory import create_lexical

    index = create_lexical(load_settings(data_dir=tmp_path, opensearch_url="embedded"))
    assert isinstance(index, EmbeddedLexical)
    assert isinstance(index, LexicalIndex)
    assert index.count() == 0 and index.search("kettle", 5) == []
    assert index.facets(MatchQuery(), ["brand", "price"]) == {"brand": [], "price": []}


def test_catalog_survives_a_restart(tmp_path: Path) -> None:
    index = EmbeddedLexical(tmp_path)
    index.rebuild(catalog(10))
    index.upsert([Product(id="new", title="Copper kettle", attributes={"size": 2})])
    assert index.delete(["p000", "p001"]) == 2

    reopened = EmbeddedLexical(tmp_path)
    assert reopened.all_ids() == index.all_ids()
    assert reopened.get(["new"]) == {"new": Product(id="new", title="Copper kettle", attributes={"size": 2})}
    assert [r.product_id for r in reopened.search("copper", 5)] == ["new"]
    assert len(generations(tmp_path)) == 1


def test_rebuild_switches_generation_and_removes_the_old_one(tmp_path: Path) -> None:
    index = EmbeddedLexical(tmp_path)
    index.rebuild(catalog(5))
    first = generations(tmp_path)
    index.rebuild(catalog(3, word="toaster", prefix="t"))
    second = generations(tmp_path)
    assert len(second) == 1 and second != first
    assert (tmp_path / "CURRENT").read_text().strip() == second[0]
    assert EmbeddedLexical(tmp_path).all_ids() == {"t000", "t001", "t002"}


def test_a_crash_while_writing_a_generation_keeps_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = EmbeddedLexical(tmp_path)
    index.rebuild(catalog(5))
    before = generations(tmp_path)

    def crash(pointer: object, name: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(embedded_module.GenerationPointer, "switch", crash)
    with pytest.raises(OSError, match="disk full"):
        index.rebuild(catalog(8, prefix="q"))
    monkeypatch.undo()
    assert generations(tmp_path) == before
    assert index.count() == 5
    assert EmbeddedLexical(tmp_path).count() == 5


def test_a_failing_input_changes_nothing(tmp_path: Path) -> None:
    index = EmbeddedLexical(tmp_path)
    index.rebuild(catalog(5))

    def broken() -> Iterator[Product]:
        yield from catalog(3, prefix="x")
        raise ValueError("bad row")

    with pytest.raises(ValueError, match="bad row"):
        index.rebuild(broken())
    assert index.all_ids() == {f"p{i:03d}" for i in range(5)}
    assert EmbeddedLexical(tmp_path).count() == 5


def test_writes_are_committed_one_batch_at_a_time(tmp_path: Path) -> None:
    index = EmbeddedLexical(tmp_path)
    index.rebuild(catalog(3))
    for i in range(4):  # the same product edited again and again: one live copy, the last one
        index.upsert([Product(id="u", title=f"Kettle v{i}")])
    assert index.count() == 4
    assert EmbeddedLexical(tmp_path).get(["u"])["u"].title == "Kettle v3"
    assert index.match_ids(MatchQuery("kettle v3")) == {"u"}
    assert index.delete(["u", "never-there"]) == 1
    assert EmbeddedLexical(tmp_path).all_ids() == {"p000", "p001", "p002"}


def test_a_write_that_fails_is_rolled_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = EmbeddedLexical(tmp_path)
    index.rebuild(catalog(3))

    def broken(product: Product, *schema: object) -> object:
        raise ValueError("bad row")

    monkeypatch.setattr(embedded_module, "to_document", broken)
    with pytest.raises(ValueError, match="bad row"):
        index.upsert([Product(id="x", title="X kettle")])
    monkeypatch.undo()
    assert EmbeddedLexical(tmp_path).all_ids() == {"p000", "p001", "p002"}
    index.upsert([Product(id="y", title="Y kettle")])  # the writer lock was released
    assert index.count() == 4


def test_opening_reads_segments_instead_of_analysing_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    EmbeddedLexical(tmp_path).rebuild(catalog(20))

    def refuse(*args: object) -> object:
        raise AssertionError("analysed a product again at open")

    monkeypatch.setattr(embedded_module, "to_document", refuse)
    reopened = EmbeddedLexical(tmp_path)
    assert reopened.count() == 20 and len(reopened.search("kettle", 50)) == 20


def test_another_process_writes_are_picked_up(tmp_path: Path) -> None:
    gateway = EmbeddedLexical(tmp_path, reload_interval_s=0.0)
    indexer = EmbeddedLexical(tmp_path, reload_interval_s=0.0)
    indexer.rebuild(catalog(4))
    assert gateway.count() == 4
    indexer.upsert([Product(id="z", title="Zinc kettle")])
    assert [r.product_id for r in gateway.search("zinc", 3)] == ["z"]
    gateway.delete(["p000"])  # the gateway writes on top of the indexer's state, losing nothing
    assert indexer.all_ids() == {"p001", "p002", "p003", "z"}


def test_refresh_shows_another_process_writes_before_the_periodic_check(tmp_path: Path) -> None:
    gateway = EmbeddedLexical(tmp_path, reload_interval_s=3600.0)
    indexer = EmbeddedLexical(tmp_path)
    indexer.rebuild(catalog(3))
    gateway.refresh()
    assert gateway.count() == 3
    indexer.delete(["p001"])
    time.sleep(1.0)  # longer than tantivy's own file watcher waits before it reloads a reader
    assert "p001" in gateway.get(["p001"])  # not yet: the next periodic check is an hour away
    gateway.refresh()
    assert gateway.get(["p001"]) == {} and gateway.count() == 2


def test_readers_never_see_a_partial_catalog_during_writes(tmp_path: Path) -> None:
    index = EmbeddedLexical(tmp_path)
    index.rebuild(catalog(50))
    observed: list[int] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            observed.append(len(index.filter_ids(Filters(category=("Home",)))))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for round_ in range(5):
            index.rebuild(catalog(80 if round_ % 2 == 0 else 50))
    finally:
        stop.set()
        thread.join()
    assert observed and set(observed) <= {50, 80}


def test_directory_without_current_pointer_is_empty(tmp_path: Path) -> None:
    (tmp_path / "gen-orphan").mkdir()  # left by a crash before the first switch
    assert EmbeddedLexical(tmp_path).count() == 0


def older_format(directory: Path) -> None:
    """Make the serving generation look written by another version (another schema number)."""
    (current,) = generations(directory)
    manifest = directory / current / "aisle.json"
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "schema": -1}))


def test_an_index_of_another_version_fails_reads_as_a_backend_with_the_way_out(tmp_path: Path) -> None:
    EmbeddedLexical(tmp_path).rebuild(catalog(5))
    older_format(tmp_path)
    index = EmbeddedLexical(tmp_path)
    assert index.ping() is False
    with pytest.raises(IndexUnreadable) as failure:
        index.search("kettle", 5)
    assert failure.value.backend == "lexical" and "indexer build --force" in (failure.value.public or "")
    assert str(tmp_path) not in (failure.value.public or "")
    index.rebuild(catalog(3))  # the way out
    assert index.ping() is True and len(index.search("kettle", 5)) == 3


def test_an_attribute_field_no_product_fills_is_asked_from_the_first_product_filling_it(
    tmp_path: Path,
) -> None:
    index = EmbeddedLexical(tmp_path, reload_interval_s=0.0)  # the default fields search `attr.variant`
    index.rebuild([Product("a", "Dog food"), Product("c", "Cat food")])
    generation = index._current()
    assert generation is not None and "attr.variant" in generation.fields.weights
    assert "attr.variant" not in generation.queries.fields.weights  # every word would ask it for nothing
    assert index.match_ids(MatchQuery("dog 12 kg")) == set()
    index.upsert([Product("b", "Dog food", attributes={"variant": "12 kg"})])
    assert index.match_ids(MatchQuery("dog 12 kg")) == {"b"}
    assert "attr.variant" in generation.queries.fields.weights
    assert EmbeddedLexical(tmp_path).match_ids(MatchQuery("food 12 kg")) == {"b"}  # another process's view
