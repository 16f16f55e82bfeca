"""The ranked head: the ranker's order, with the strict members of the match set before its loose ones
(near members that share a query word and are close in meaning but do not match as the query says), and
among the strict ones those matching every query word first."""

from __future__ import annotations

import numpy as np

from engine.pipeline.fusion import fuse
from engine.pipeline.interleave import interleave_head
from engine.pipeline.rank import gather, rerank
from engine.pipeline.trialstate import ActiveTrial
from engine.ranking.features import QueryContext
from engine.records import Product, ScoredId

TITLES = {"fr": "Heidi (French)", "de": "Heidi", "other": "Heidi's Alps"}


class ByDenseScore:
    """A ranker preferring what the dense side found closest (feature column 3, `dense_score`)."""

    def score(self, features: np.ndarray) -> np.ndarray:
        return np.asarray(features[:, 3], dtype=np.float32)

    def version(self) -> int:
        return 7


def head(loose: set[str], partial: frozenset[str] = frozenset()) -> list[str]:
    lists = {
        "lexical": [ScoredId("fr", 15.4), ScoredId("de", 12.4), ScoredId("other", 3.0)],
        "dense": [ScoredId("de", 0.51), ScoredId("other", 0.45), ScoredId("fr", 0.36)],
    }
    hits = fuse(gather(lists), "linear", {"lexical": 1.0, "dense": 1.0})
    for hit in hits:
        hit.loose = hit.product_id in loose
        hit.partial = hit.product_id in partial
    products = {pid: Product(pid, title) for pid, title in TITLES.items()}
    ranked, version = rerank(hits, 10, ByDenseScore(), QueryContext("heidi französisch"), products)
    assert version == 7 and [h.rank for h in ranked] == [1, 2, 3]
    return [h.product_id for h in ranked]


def test_the_ranker_orders_the_strict_members_and_the_loose_ones_follow() -> None:
    assert head(loose=set()) == ["de", "other", "fr"]  # the ranker's own order
    # "heidi französisch": the German edition and the other book are near members only; the French
    # edition, which matches both words, leads however close the encoder finds the others.
    assert head(loose={"de", "other"}) == ["fr", "de", "other"]


def test_members_matching_every_word_come_before_those_the_rule_let_miss_one() -> None:
    # The ranker prefers "de"; "de" and "other" miss a word the minimum-should-match rule let them miss.
    assert head(loose=set(), partial=frozenset({"de", "other"})) == ["fr", "de", "other"]
    assert head(loose={"other"}, partial=frozenset({"de"})) == ["fr", "de", "other"]  # loose still last


class TwoVersions:
    """Serving version 1 scores by the opposite of the dense side, candidate 2 by the dense side."""

    def score(self, features: np.ndarray, version: int | None = None) -> np.ndarray:
        dense = np.asarray(features[:, 3], dtype=np.float32)
        return dense if version == 2 else -dense

    def version(self) -> int:
        return 1


def test_an_interleaved_candidate_keeps_the_loose_members_last_too() -> None:
    lists = {
        "lexical": [ScoredId("fr", 15.4), ScoredId("de", 12.4), ScoredId("other", 3.0)],
        "dense": [ScoredId("de", 0.51), ScoredId("other", 0.45), ScoredId("fr", 0.36)],
    }
    products = {pid: Product(pid, title) for pid, title in TITLES.items()}
    for shopper in range(8):  # the team drafting first is drawn per shopper: both lead with "fr"
        hits = fuse(gather(lists), "linear", {"lexical": 1.0, "dense": 1.0})
        for hit in hits:
            hit.loose = hit.product_id != "fr"
        ranked, _ = rerank(hits, 10, TwoVersions(), QueryContext("heidi französisch"), products)
        trial = ActiveTrial(1, 2, 1.0, True)
        assert interleave_head(ranked, 10, TwoVersions(), trial, f"{shopper}\x1fheidi") is not None
        assert ranked[0].product_id == "fr", shopper
