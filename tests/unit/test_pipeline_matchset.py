"""The semantic side of a match set: FAISS range search and the threshold calibration."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from engine.lexical.embedded import EmbeddedLexical
from engine.lexical.matching import MatchQuery
from engine.pipeline.matchset import MatchSet, MatchSetStage
from engine.pipeline.set_pages import set_page
from engine.records import Filters, MemberHits, ScoredId
from engine.vectors.calibration import NEAR_QUANTILE, VERY_ALIKE, calibrate_store, calibrate_threshold
from engine.vectors.faiss_store import FaissVectorStore


def unit_rows(n: int, dim: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


@pytest.mark.parametrize("index_type", ["flat", "hnsw"])
def test_range_search_returns_every_vector_above_the_threshold(index_type: str) -> None:
    vectors = unit_rows(500, 16, seed=1)
    store = FaissVectorStore(16, index_type)
    ids = [f"p{i}" for i in range(500)]
    store.add(ids, vectors)
    query = vectors[7]
    expected = {ids[i] for i in np.flatnonzero(vectors @ query >= 0.5)}
    assert set(store.within_scores(query, 0.5)[0]) == expected and "p7" in expected
    store.remove(["p7"])  # writes drop the cached matrix
    assert set(store.within_scores(query, 0.5)[0]) == expected - {"p7"}
    store.add(["new"], query.reshape(1, -1))
    assert "new" in set(store.within_scores(query, 0.99)[0])


def test_the_range_search_splits_at_the_threshold_into_semantic_and_near(tmp_path) -> None:
    """The range search runs at the looser floor; members at the semantic threshold or above (a score
    equal to it included) are semantic, with their scores, in the store's order."""
    vectors = unit_rows(400, 16, seed=11)
    store = FaissVectorStore(16, "hnsw")
    store.add([f"p{i}" for i in range(400)], vectors)
    query = vectors[3]
    ids, scores = store.within_scores(query, 0.3)
    assert len(ids) > 20 and np.all(scores > np.float32(0.3))
    split = float(np.sort(scores)[len(scores) // 2])  # one member's own score
    lexical = EmbeddedLexical(tmp_path)
    stage = MatchSetStage(lexical, lambda: store, split, near_threshold=0.3, near_below=None)
    match = stage.build("x", Filters(), "full", query)
    wanted = [(pid, float(s)) for pid, s in zip(ids.tolist(), scores.tolist(), strict=True) if s >= split]
    assert list(match.semantic.items()) == wanted and min(match.semantic.values()) == split


def test_calibration_is_a_quantile_of_random_pair_similarity() -> None:
    vectors = unit_rows(3000, 32, seed=2)
    low, high = calibrate_threshold(vectors, 0.99), calibrate_threshold(vectors, 0.999)
    assert low < high < 1.0
    assert calibrate_threshold(vectors, 0.99) == low  # deterministic for a catalog
    sample = vectors[:2000] @ vectors[:2000].T
    share_above = np.mean(sample[np.triu_indices(2000, k=1)] >= low)
    assert 0.005 < share_above < 0.02
    assert calibrate_threshold(vectors[:1]) == 1.0  # one product: nothing is "near" by chance


def test_a_familys_twin_vectors_do_not_raise_the_threshold() -> None:
    """A family's sizes and colours embed the same text: their pairs (cosine 1.0) say nothing of how
    close unrelated products come, and 6% of them set a catalog's 98% quantile at 1.0."""
    families = unit_rows(20, 32, seed=4)
    items = np.repeat(families, 8, axis=0)  # 20 families of 8 sizes each
    twins = np.mean((items @ items.T)[np.triu_indices(len(items), k=1)] > 0.9999)
    assert twins > 1 - 0.98  # counted as pairs, they would be the whole top 2%
    assert calibrate_threshold(items) == calibrate_threshold(families) < 0.9
    assert calibrate_threshold(np.repeat(families[:1], 8, axis=0)) == 1.0  # one family: one distinct row


def test_the_threshold_comes_from_the_setting_then_the_manifest_then_the_store(tmp_path) -> None:
    store = FaissVectorStore(32, "flat")
    store.add([f"p{i}" for i in range(300)], unit_rows(300, 32, seed=3))
    lexical = EmbeddedLexical(tmp_path)
    manifest: list[float | None] = [None]
    stage = MatchSetStage(lexical, lambda: store, None, lambda: manifest[0])
    assert stage.threshold() == calibrate_store(store)  # an index built before manifests carried one
    manifest[0] = 0.42
    assert stage.threshold() == 0.42
    assert MatchSetStage(lexical, lambda: store, 0.6, lambda: 0.42).threshold() == 0.6
    assert MatchSetStage(lexical, lambda: None).threshold() is None


def at_cosine(c: float) -> np.ndarray:
    """A unit vector at cosine `c` from the query vector (1, 0, 0, 0)."""
    return np.array([c, np.sqrt(1.0 - c * c), 0.0, 0.0], dtype=np.float32)


NEAR_CATALOG = {  # id: (title, cosine to the query)
    "drill": ("Cordless drill", 0.5),  # shares "cordless", between the two thresholds
    "hammer": ("Claw hammer", 0.9),  # above the semantic threshold, shares nothing
    "basket": ("Laundry basket", 0.5),  # between the thresholds, shares nothing
    "vacuum": ("Cordless vacuum", 0.2),  # shares "cordless", below both
}
QUERY = np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32)


@pytest.fixture
def near_stage(tmp_path):
    from engine.records import Product

    lexical = EmbeddedLexical(tmp_path, reload_interval_s=0.0)
    lexical.rebuild([Product(pid, title) for pid, (title, _) in NEAR_CATALOG.items()])
    store = FaissVectorStore(4, "flat")
    store.add(list(NEAR_CATALOG), np.stack([at_cosine(c) for _, c in NEAR_CATALOG.values()]))
    return lexical, store


def members(stage: MatchSetStage, text: str, method: str = "full", filters=None) -> set[str]:

    match = stage.build(text, filters or Filters(), method, QUERY)
    inside = stage.lexical.match_ids(match.query)
    assert stage.lexical.count_matching(match.query) == len(inside)  # total is the set's size
    assert stage.members(match, list(NEAR_CATALOG)) == inside  # the head's membership agrees
    return inside


def test_a_near_product_matches_when_it_shares_a_query_word(near_stage) -> None:
    lexical, store = near_stage
    stage = MatchSetStage(lexical, lambda: store, 0.8, near_threshold=0.4)
    # "cordless saw": no product has both words; the hammer is close in meaning; the drill shares
    # "cordless" and clears 0.4; the basket is as close but shares no word; the vacuum is too far.
    assert members(stage, "cordless saw") == {"hammer", "drill"}
    assert members(stage, "cordles saw") == {"hammer", "drill"}  # a word within its typo distance counts
    assert members(stage, "xyzzy qwerty") == {"hammer"}  # nonsense shares no word: only the vector side
    assert members(stage, "cordless saw", "dense") == {"hammer"}  # dense: the semantic side alone
    assert members(stage, "cordless saw", "bm25") == set()  # bm25: the lexical side alone
    off = MatchSetStage(lexical, lambda: store, 0.8, near_threshold=0.4, near_below=0)
    assert off.near_threshold() is None and members(off, "cordless saw") == {"hammer"}


def test_near_members_obey_filters_and_page_by_similarity(near_stage) -> None:

    lexical, store = near_stage
    stage = MatchSetStage(lexical, lambda: store, 0.8, near_threshold=0.4)
    assert members(stage, "cordless saw", filters=Filters(exclude_ids=("drill",))) == {"hammer"}
    match = stage.build("cordless saw", Filters(), "full", QUERY)
    # One backend query keeps the near candidates sharing a word; they travel with the semantic ids.
    assert match.near == {"drill": pytest.approx(0.5)} and set(match.semantic) == {"hammer"}
    assert match.query.also_ids == {"hammer", "drill"} and not match.query.near_ids
    assert [h.product_id for h in set_page(stage.lexical, match, [], "relevance", 0, 10, 2)] == [
        "hammer",
        "drill",
    ]


def test_pages_past_the_head_order_semantic_members_the_same_on_every_page(tmp_path) -> None:
    """Semantic-only members score 0 in the backend, which orders them by document; a page whose window
    ends among them must still see them all in similarity order, or pages repeat and skip products."""
    from engine.records import Product

    cosines = [0.60, 0.95, 0.70, 0.90, 0.65, 0.85, 0.75, 0.80]  # document order is not similarity order
    ids = [f"s{i}" for i in range(len(cosines))]
    lexical = EmbeddedLexical(tmp_path, reload_interval_s=0.0)
    lexical.rebuild([Product(pid, f"unrelated {pid}") for pid in ids] + [Product("lex", "cordless saw")])
    store = FaissVectorStore(4, "flat")
    store.add([*ids, "lex"], np.stack([at_cosine(c) for c in [*cosines, 0.1]]))
    stage = MatchSetStage(lexical, lambda: store, 0.5)
    match = stage.build("cordless saw", Filters(), "full", QUERY)
    total = lexical.count_matching(match.query)
    by_similarity = ["lex", *sorted(ids, key=lambda pid: -cosines[ids.index(pid)])]
    assert total == 9
    assert [
        h.product_id for h in set_page(stage.lexical, match, [], "relevance", 0, 9, total)
    ] == by_similarity
    paged = [
        h.product_id
        for first in range(0, 9, 2)
        for h in set_page(stage.lexical, match, [], "relevance", first, 2, total)
    ]
    assert paged == by_similarity


class RecordingStore:
    """A vector store that records the floor of every range search."""

    def __init__(self, store: FaissVectorStore) -> None:
        self.store = store
        self.floors: list[float] = []

    def within_scores(self, query: np.ndarray, min_score: float) -> tuple[np.ndarray, np.ndarray]:
        self.floors.append(min_score)
        return self.store.within_scores(query, min_score)

    def count(self) -> int:
        return self.store.count()


def test_near_matches_widen_a_thin_set_and_leave_a_broad_one_alone(near_stage) -> None:

    lexical, store = near_stage
    recording = RecordingStore(store)
    # "cordless saw" has one strict member (the hammer, by meaning): thin below 2, broad from 1.
    thin = MatchSetStage(lexical, lambda: recording, 0.8, near_threshold=0.4, near_below=2)  # type: ignore[arg-type]
    assert members(thin, "cordless saw") == {"hammer", "drill"}
    match = thin.build("cordless saw", Filters(), "full", QUERY)
    assert match.near == {"drill": pytest.approx(0.5)} and match.total is None  # the union is counted
    assert recording.floors[-2:] == [0.8, 0.4]  # the looser range search only once the set is thin

    recording.floors.clear()
    broad = MatchSetStage(lexical, lambda: recording, 0.8, near_threshold=0.4, near_below=1)  # type: ignore[arg-type]
    assert members(broad, "cordless saw") == {"hammer"}
    match = broad.build("cordless saw", Filters(), "full", QUERY)
    assert match.near == {} and match.total == 1  # the count the check needed is the answer's total
    assert recording.floors == [0.8, 0.8]  # two builds, no range search at the near threshold
    assert broad.near_threshold() == 0.4

    everywhere = MatchSetStage(lexical, lambda: recording, 0.8, near_threshold=0.4, near_below=None)  # type: ignore[arg-type]
    assert members(everywhere, "cordless saw") == {"hammer", "drill"}  # AISLE_NEAR_MATCH: every set
    with pytest.raises(ValueError, match="near_below"):
        MatchSetStage(lexical, lambda: store, near_below=-1)


def test_nonsense_matches_nothing_even_when_its_empty_set_is_widened(near_stage) -> None:
    lexical, store = near_stage
    # Above 0.95 nothing is close to the query vector, so every query's strict set is lexical only.
    stage = MatchSetStage(lexical, lambda: store, 0.95, near_threshold=0.4, near_below=100)
    assert members(stage, "xyzzy qwerty") == set()  # thin (empty), but no near candidate shares a word
    assert members(stage, "cordless saw") == {"drill"}  # the drill shares "cordless" and clears 0.4
    assert (
        members(stage, "cordless saw", "bm25") == set() and members(stage, "cordless saw", "dense") == set()
    )


def test_near_lexical_candidates_widen_a_set_that_matches_and_are_counted_exactly(near_stage) -> None:

    lexical, store = near_stage
    stage = MatchSetStage(lexical, lambda: store, 0.8, near_threshold=0.4, near_below=0, near_candidates=True)
    assert stage.near_threshold() == 0.4
    # "cordless saw": the hammer is a strict (semantic) member; BM25 retrieved the drill (0.5) and the
    # vacuum (0.2), which share "cordless": the drill clears the near threshold, the vacuum does not.
    match = stage.build("cordless saw", Filters(), "full", QUERY)
    retrieved = {"drill": 0.5, "vacuum": 0.2}
    side = lexical.search_members(replace(match.query, also_ids=frozenset()), 10)
    stage.join_near_candidates(match, retrieved, side)
    assert match.near == {"drill": 0.5} and match.query.also_ids == {"hammer", "drill"}
    assert stage.members(match, ["drill", "vacuum", "hammer"], side) == {"hammer", "drill"}
    assert match.total == 2 == lexical.count_matching(match.query)  # settled here, as the backend counts
    assert match.loose == {"drill"}  # a near member only: it is ranked after the strict hammer
    # A filter that leaves out the one strict (semantic) member only narrows the set: the drill, which
    # the unfiltered set (and so its facets) counted, stays.
    filtered = stage.build("cordless saw", Filters(exclude_ids=("hammer",)), "full", QUERY)
    narrowed = lexical.search_members(replace(filtered.query, also_ids=frozenset()), 10)
    assert narrowed.members == 0
    stage.join_near_candidates(
        filtered, retrieved, narrowed, allowed=frozenset({"drill", "vacuum", "basket"})
    )
    assert filtered.near == {"drill": 0.5} and lexical.match_ids(filtered.query) == {"drill"}
    # A filter's candidates reach deeper into BM25's order: one the unfiltered search did not retrieve
    # (`reach`) does not join, so a facet value's count is still what clicking it leaves.
    deeper = stage.build("cordless saw", Filters(exclude_ids=("hammer",)), "full", QUERY)
    stage.join_near_candidates(
        deeper, retrieved, narrowed, allowed=frozenset({"drill"}), reach=frozenset({"vacuum"})
    )
    assert deeper.near == {} and lexical.match_ids(deeper.query) == set()

    # No strict member (nothing above 0.95, no product has both words): the set stays empty.
    strict = MatchSetStage(
        lexical, lambda: store, 0.95, near_threshold=0.4, near_below=0, near_candidates=True
    )
    empty = strict.build("cordless saw", Filters(), "full", QUERY)
    strict.join_near_candidates(empty, retrieved, lexical.search_members(empty.query, 10))
    assert empty.near == {} and lexical.count_matching(empty.query) == 0
    # The rule off (the stage's default): nothing joins.
    off = MatchSetStage(lexical, lambda: store, 0.8, near_threshold=0.4, near_below=0)
    match = off.build("cordless saw", Filters(), "full", QUERY)
    off.join_near_candidates(match, retrieved, side)
    assert match.near == {} and off.near_threshold() is None


def test_the_near_threshold_comes_from_the_setting_then_the_manifest_then_the_store(tmp_path) -> None:
    store = FaissVectorStore(32, "flat")
    store.add([f"p{i}" for i in range(300)], unit_rows(300, 32, seed=4))
    lexical = EmbeddedLexical(tmp_path)
    manifest: list[float | None] = [None]
    stage = MatchSetStage(lexical, lambda: store, None, lambda: None, None, lambda: manifest[0])
    calibrated = calibrate_store(store, NEAR_QUANTILE)
    assert stage.near_threshold() == calibrated < stage.threshold()  # looser than the semantic one
    manifest[0] = 0.3
    assert stage.near_threshold() == 0.3
    assert MatchSetStage(lexical, lambda: store, None, lambda: None, 0.5, lambda: 0.3).near_threshold() == 0.5


def test_near_matches_are_off_in_a_catalog_whose_products_the_encoder_hardly_tells_apart(tmp_path) -> None:
    store = FaissVectorStore(32, "flat")
    store.add([f"p{i}" for i in range(300)], unit_rows(300, 32, seed=4))
    lexical = EmbeddedLexical(tmp_path)
    semantic = [0.5]
    stage = MatchSetStage(lexical, lambda: store, None, lambda: semantic[0], None, lambda: 0.4)
    assert stage.near_threshold() == 0.4
    semantic[0] = VERY_ALIKE + 0.01  # the catalog's own calibration says its products are very alike
    assert stage.near_threshold() is None
    assert MatchSetStage(lexical, lambda: store, None, lambda: 0.9, 0.6, lambda: 0.4).near_threshold() == 0.6
    assert MatchSetStage(lexical, lambda: store, 0.5, lambda: 0.9, None, lambda: 0.4).near_threshold() is None


class RecordingLexical:
    """A lexical backend whose lexical match set is fixed; records the queries `match_ids` gets."""

    def __init__(self, lexical_ids: set[str]) -> None:
        self.lexical_ids = lexical_ids
        self.asked: list[tuple[MatchQuery, list[str]]] = []

    def match_ids(self, match: MatchQuery, within: list[str] | None = None) -> set[str]:
        self.asked.append((match, list(within or [])))
        found = set(match.also_ids) | (self.lexical_ids if match.lexical else set())
        return found & set(within or [])


def test_members_ask_the_backend_only_about_the_lexical_side() -> None:
    lexical = RecordingLexical({"a", "b", "s1"})
    stage = MatchSetStage(lexical, lambda: None)  # type: ignore[arg-type]
    semantic = {"s1": 0.8, "s2": 0.7}
    match = MatchSet(MatchQuery("drill", None, frozenset(semantic)), semantic, 0.5)
    assert stage.members(match, ["a", "s2", "c", "s1", "b"]) == {"a", "b", "s1", "s2"}
    ((asked, within),) = lexical.asked
    assert asked.also_ids == frozenset() and asked.text == "drill"
    assert within == ["a", "c", "b"]  # the semantic members are not checked again
    dense = MatchSet(MatchQuery("drill", None, frozenset(semantic), lexical=False), semantic, 0.5)
    assert stage.members(dense, ["a", "s2"]) == {"s2"}
    assert len(lexical.asked) == 1  # a dense-only set has no lexical side to ask about


def test_members_and_total_come_from_a_complete_lexical_side_without_asking_the_backend() -> None:
    lexical = RecordingLexical({"a", "b", "s1"})
    stage = MatchSetStage(lexical, lambda: None)  # type: ignore[arg-type]
    semantic = {"s1": 0.8, "s2": 0.7, "s3": 0.6}
    match = MatchSet(MatchQuery("drill", None, frozenset(semantic)), semantic, 0.5)
    top = MemberHits([ScoredId("a", 3.0), ScoredId("b", 2.0), ScoredId("s1", 1.0)], 3)
    allowed = frozenset({"a", "b", "s1", "s2", "c"})  # s3 does not pass the filters
    assert stage.members(match, ["a", "s2", "c", "b"], top, allowed) == {"a", "b", "s2"}
    assert lexical.asked == [] and match.total == 4  # a, b, s1 lexically; s2 semantically


def test_an_incomplete_lexical_side_asks_once_for_the_candidates_and_the_semantic_overlap() -> None:
    lexical = RecordingLexical({"a", "b", "c", "s1"})
    stage = MatchSetStage(lexical, lambda: None)  # type: ignore[arg-type]
    semantic = {"s1": 0.8, "s2": 0.7}
    match = MatchSet(MatchQuery("drill", None, frozenset(semantic)), semantic, 0.5)
    top = MemberHits([ScoredId("a", 3.0)], 4)  # the top member of four
    assert stage.members(match, ["a", "c", "d", "s2"], top) == {"a", "c", "s2"}
    ((asked, within),) = lexical.asked
    assert asked.also_ids == frozenset() and within == ["c", "d", "s1", "s2"]
    assert match.total == 5  # four lexical members, and s2 is semantic only (s1 is lexical too)
