"""Simulated shoppers and the evaluator of `bench.simulate`, both talking to the gateway over HTTP.

Shopper model (position-based): position k is examined with probability 1 / k**eta; an examined product
is clicked with probability noise + (0.9 - noise) * gain(grade) / gain(top grade), unjudged products
with probability `noise`. Shoppers search as identified users (so the gateway explores and logs), the
evaluator sends `X-Aisle-Log: off`: its searches are answered like any other but never logged, so they
neither train the ranker nor move the click-through statistics of the queries it measures.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np

from bench.common import mean
from engine.learning.labelled import LabelledList
from engine.learning.metrics import ndcg_at_k
from engine.ranking.features import FEATURE_NAMES

PAGE = 10
EVAL_DEPTH = 100
NO_LOG = {"X-Aisle-Log": "off"}

Query = tuple[str, str]


@dataclass(frozen=True)
class Splits:
    """Dev queries split once by seed: shoppers use `trained`; the update job's gate checks `check`;
    `held` is only ever measured. `check` and `held` get no traffic, so both stand for unseen queries."""

    trained: list[Query]
    check: list[Query]
    held: list[Query]


def split_queries(queries: Sequence[Query], seed: int, held_frac: float, check_frac: float) -> Splits:
    shuffled = sorted(queries)
    random.Random(seed).shuffle(shuffled)
    n_held = round(len(shuffled) * held_frac)
    n_check = round(len(shuffled) * check_frac)
    held = shuffled[:n_held]
    check = shuffled[n_held : n_held + n_check]
    return Splits(trained=shuffled[n_held + n_check :], check=check, held=held)


class Shop:
    """The gateway as shoppers and the evaluator see it."""

    def __init__(
        self, url: str, qrels: dict[str, dict[str, float]], eta: float, noise: float, timeout_s: float = 120.0
    ) -> None:
        self.client = httpx.Client(base_url=url, timeout=timeout_s)
        self.qrels = qrels
        grades = [g for judged in qrels.values() for g in judged.values()]
        self.min_grade, top = min(grades), max(grades)
        self.top_gain = 2.0 ** (top - self.min_grade) - 1.0
        self.eta, self.noise = eta, noise

    def close(self) -> None:
        self.client.close()

    def search(self, query: str, size: int, user: str | None = None) -> dict[str, Any]:
        body = {"query": query, "size": size, "debug": user is None, "user_id": user, "session_id": user}
        response = self.client.post("/v1/search", json=body, headers=NO_LOG if user is None else None)
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    def attraction(self, qid: str, pid: str, invert: bool = False) -> float:
        """Click probability of an examined result; `invert` makes the worst results the most attractive
        (the shoppers whose clicks train a harmful candidate)."""
        grade = self.qrels[qid].get(pid)
        if grade is None:
            return 0.9 if invert else self.noise
        gain = (2.0 ** (grade - self.min_grade) - 1.0) / self.top_gain
        return self.noise + (0.9 - self.noise) * ((1.0 - gain) if invert else gain)

    def session(self, qid: str, query: str, rng: random.Random, invert: bool = False) -> int:
        """One shopper: search, examine top-down under the click model, report clicks; returns clicks."""
        user = f"shopper-{rng.getrandbits(40):x}"
        answer = self.search(query, PAGE, user)
        events = []
        for k, hit in enumerate(answer["hits"], start=1):
            if rng.random() < 1.0 / k**self.eta and rng.random() < self.attraction(qid, hit["id"], invert):
                events.append(
                    {
                        "event_id": uuid.UUID(int=rng.getrandbits(128)).hex,
                        "type": "click",
                        "product_id": hit["id"],
                        "search_id": answer["search_id"],
                        "position": k,
                        "user_id": user,
                        "session_id": user,
                    }
                )
        if events:
            self.client.post("/v1/events", json=events).raise_for_status()
        return len(events)

    def evaluate(self, queries: Sequence[Query]) -> tuple[float, list[LabelledList], set[int]]:
        """Mean nDCG@10 of the served lists, the lists' feature rows (a check set) and the versions seen."""
        scores, lists, versions = [], [], set()
        for qid, query in queries:
            answer = self.search(query, EVAL_DEPTH)
            hits = answer["hits"]
            if answer.get("ranker_version") is not None:
                versions.add(int(answer["ranker_version"]))
            scores.append(ndcg_at_k([h["id"] for h in hits], self.qrels[qid], 10, self.min_grade))
            rows = [
                [h["debug"]["features"][n] for n in FEATURE_NAMES]
                for h in hits
                if h.get("debug") and h["debug"].get("features")
            ]
            if rows:
                lists.append(
                    LabelledList(
                        qid,
                        query,
                        tuple(h["id"] for h in hits[: len(rows)]),
                        np.asarray(rows, dtype=np.float32),
                        self.qrels[qid],
                    )
                )
        return mean(scores)[0], lists, versions
