"""Rolling back a killed update of a vector store written in place (the OpenSearch k-NN backend).

FAISS stores are saved as new store generations and pointed back; a store without its own pointer
(`FakeVectorStore` here, like the k-NN index) changes in place, so the undo log keeps the old vectors
of every touched id and the roll-back puts them back. Without that, a killed upsert left the new
vectors (and a vector for a product the catalog does not hold) behind the old lexical records.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from engine import catalog_undo as undo
from engine.catalog import open_live, read_current, read_manifest, served_encoders
from engine.records import Product
from indexer.updates import IndexUpdater
from indexer.verify import verify
from tests.fakes import FakeInference, FakeVectorIO


class Killed(BaseException):
    """Stands for SIGKILL at a crash point: nothing after it runs."""


def stored(root: Path, vio: FakeVectorIO, inference: FakeInference) -> dict[str, np.ndarray]:
    store = open_live(root, vio, served_encoders(inference)).stores["text"]
    return {pid: np.asarray(store.get_vector(pid)) for pid in store.ids()}


def kill_at(monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    def die(name: str) -> None:
        if name == step:
            raise Killed

    monkeypatch.setattr("indexer.updates.crash_point", die)


@pytest.mark.parametrize("step", ["update-after-vectors", "update-after-lexical"])
def test_the_next_writer_puts_the_old_vectors_back_after_a_killed_upsert(
    five_items, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    root, lexical, vio, inference = five_items
    original = stored(root, vio, inference)
    kill_at(monkeypatch, step)
    changed = [Product("p1", "a titanium spork now"), Product("n1", "brand new copper kettle")]
    with pytest.raises(Killed):
        IndexUpdater(root, lexical, inference, vio).upsert(changed)
    written = stored(root, vio, inference)
    assert "n1" in written and not np.allclose(written["p1"], original["p1"])  # in place, saved
    assert undo.undo_path(root, read_current(root) or "").is_file()

    monkeypatch.undo()
    IndexUpdater(root, lexical, inference, vio).delete(["no-such-id"])  # the next writer rolls back

    after = stored(root, vio, inference)
    assert set(after) == set(original)
    for pid, vector in original.items():
        np.testing.assert_allclose(after[pid], vector)
    live = open_live(root, vio, served_encoders(inference))
    assert lexical.get(["p1"])["p1"].title == "plain item 1" and not lexical.get(["n1"])
    assert verify(live, lexical).ok


def test_the_gateway_puts_back_the_vectors_of_a_killed_delete(
    five_items, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, lexical, vio, inference = five_items
    original = stored(root, vio, inference)
    kill_at(monkeypatch, "update-after-lexical")
    with pytest.raises(Killed):
        IndexUpdater(root, lexical, inference, vio).delete(["p2", "p3"])
    assert set(stored(root, vio, inference)) == set(original) - {"p2", "p3"}

    assert undo.recover(root, lexical, vio)  # what the gateway runs before loading the generation

    after = stored(root, vio, inference)
    assert set(after) == set(original)
    np.testing.assert_allclose(after["p2"], original["p2"])
    manifest = read_manifest(root, read_current(root) or "")
    saved = json.loads((root / manifest.generation / "text" / "manifest.json").read_text())
    assert saved["count"] == len(original) and saved["catalog_checksum"] == manifest.catalog_checksum
    assert verify(open_live(root, vio, served_encoders(inference)), lexical).ok


def test_the_log_of_an_in_place_store_round_trips_and_restores_idempotently() -> None:
    from tests.fakes import FakeVectorStore

    store = FakeVectorStore(3)
    store.add(["a", "b"], np.array([[1, 0, 0], [0, 1, 0]], dtype=np.float32))
    contents = undo.StoreContents.of(store, ["a", "c"])
    entry = undo.UndoLog(4, [], ["c"], {}, {"text": contents})
    parsed = undo.UndoLog.from_json(entry.to_json())
    store.add(["a", "c"], np.array([[0, 0, 1], [1, 1, 0]], dtype=np.float32))
    for _ in range(2):  # a roll-back killed half-way is run again
        parsed.contents["text"].restore(store)
        assert sorted(store.ids()) == ["a", "b"]
        np.testing.assert_array_equal(store.get_vector("a"), [1, 0, 0])
