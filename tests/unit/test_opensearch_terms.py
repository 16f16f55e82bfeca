"""The terms an OpenSearch index has, asked once per moment: the request body and the kept answers."""

from __future__ import annotations

import pytest

from engine.lexical import opensearch_terms
from engine.lexical.opensearch_terms import KnownTerms, known_body, read_known


def test_one_filter_per_term_over_every_searchable_field() -> None:
    body = known_body(["hund", "futt"], ["title", "description"])
    holds = body["aggs"]["known"]["filters"]["filters"]
    assert holds["t1"] == {
        "bool": {"should": [{"term": {"title": "futt"}}, {"term": {"description": "futt"}}]}
    }
    assert body["size"] == 0 and body["query"]["bool"]["should"] == [holds["t0"], holds["t1"]]
    response = {"aggregations": {"known": {"buckets": {"t0": {"doc_count": 3}, "t1": {"doc_count": 0}}}}}
    assert read_known(response, ["hund", "futt"]) == {"hund"}


def test_answers_are_kept_a_moment_and_dropped_on_a_write(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(opensearch_terms.time, "monotonic", lambda: now[0])
    asked: list[list[str]] = []
    catalog = {"hund", "futt"}

    def lookup(terms: list[str]) -> set[str]:
        asked.append(terms)
        return {t for t in terms if t in catalog}

    known = KnownTerms(lookup, ttl_s=1.0)
    assert known({"hund", "efutt"}) == {"hund"}
    assert known({"hund", "futt", "efutt"}) == {"hund", "futt"}
    assert asked == [["efutt", "hund"], ["futt"]]  # only what was not asked before
    catalog.add("efutt")
    now[0] += 0.5
    assert known({"efutt"}) == set() and len(asked) == 2  # still the kept answer
    now[0] += 0.6
    assert known({"efutt"}) == {"efutt"} and asked[-1] == ["efutt"]  # older than a second: asked again
    catalog.discard("hund")
    known.clear()
    assert known({"hund"}) == set() and asked[-1] == ["hund"]
