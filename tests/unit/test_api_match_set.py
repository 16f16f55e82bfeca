"""POST /v1/search over a shop catalog: totals, facets, price sort and pages over the match set (far past
the retrieval depth), empty results with a suggestion, identifiers, and synonyms set through the admin
API taking effect on the next search."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engine.pipeline.types import PipelineConfig
from engine.records import BUYABLE, Product
from tests.support.shop import CATALOG, NOTEBOOKS
from tests.unit.gateway_fakes import app_client, search

AUTH = {"Authorization": "Bearer secret"}
SYNONYM_CHECK_S = 1.05
BY_ID = {p.id: p for p in CATALOG}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with app_client(tmp_path, CATALOG) as test_client:
        yield test_client


def test_nonsense_matches_nothing(client: TestClient) -> None:
    answer = search(client, query="xyzzy qwerty", facets=["brand"])
    assert answer["total"] == 0 and answer["hits"] == [] and answer["facets"] == {"brand": []}
    assert answer["suggestion"] is None


def thin_sets(near_match_below: int) -> PipelineConfig:
    """The loosest near threshold: in a set thinner than `near_match_below`, every product sharing a
    query word is a near match (the fake vector store has no range search, so the dense list, here the
    whole catalog, stands in); near candidates off, so the whole-catalog rule acts alone."""
    return PipelineConfig(
        max_query_chars=64,
        lexical_depth=5,
        dense_depth=len(CATALOG),
        semantic_threshold=0.99,
        near_threshold=-1.0,
        near_match_below=near_match_below,
        near_candidates=False,
    )


def test_a_thin_set_also_answers_products_sharing_a_word_and_nonsense_still_nothing(tmp_path: Path) -> None:
    def answers(near_match_below: int, query: str) -> dict:
        config = thin_sets(near_match_below)
        with app_client(tmp_path / f"{near_match_below}-{query}", CATALOG, config) as test_client:
            return search(test_client, query=query, size=100)

    # No product has both words: the strict set is empty, so the products sharing one join it.
    widened = answers(100, "kafka notebook")
    assert widened["total"] == len(NOTEBOOKS) + 1 and widened["suggestion"] is None
    assert len(widened["hits"]) == 100 and {h["id"] for h in widened["hits"]} <= NOTEBOOKS | {"bk-kafka"}
    strict = answers(0, "kafka notebook")  # the rule off: nothing matches, a suggestion instead
    assert strict["total"] == 0 and strict["suggestion"] == "notebook"
    # "leather notebook" matches the bookmark alone: thin below 2 (the notebooks join), broad from 1.
    assert [h["id"] for h in answers(1, "leather notebook")["hits"]] == ["odd-bookmark"]
    assert answers(2, "leather notebook")["total"] == len(NOTEBOOKS)
    nonsense = answers(100, "xyzzy qwerty")  # thin (empty), but it shares no word with any product
    assert nonsense["total"] == 0 and nonsense["hits"] == []


def test_lexical_candidates_close_in_meaning_join_a_set_that_matches_and_nonsense_still_nothing(
    tmp_path: Path,
) -> None:
    # The loosest near threshold: every BM25 candidate (the best 5 over any query word) of a query that
    # has a strict match joins its set.
    config = PipelineConfig(
        max_query_chars=64,
        lexical_depth=5,
        semantic_threshold=0.99,
        near_threshold=-1.0,
        near_candidates=True,
    )
    with app_client(tmp_path / "near", CATALOG, config) as test_client:
        # "leather notebook" matches the bookmark alone; four more notebooks share a word with it.
        widened = search(test_client, query="leather notebook", size=100, facets=["brand"])
        ids = [h["id"] for h in widened["hits"]]
        assert widened["total"] == len(ids) == 5 and "odd-bookmark" in ids
        assert set(ids) <= NOTEBOOKS
        assert sum(b["count"] for b in widened["facets"]["brand"]) == 5  # facets over the same set
        # debug says which are near members only (the bookmark, sold out, is buried below them all)
        shown = search(test_client, query="leather notebook", size=100, debug=True)["hits"]
        assert {h["id"] for h in shown if not h["debug"]["near_only"]} == {"odd-bookmark"}
        # "kafka notebook": no product has both words, so there is no strict match to widen.
        empty = search(test_client, query="kafka notebook")
        assert empty["total"] == 0 and empty["suggestion"] == "notebook"


def test_an_empty_result_suggests_the_words_that_match(client: TestClient) -> None:
    answer = search(client, query="notebook xyzzy")
    assert answer["total"] == 0 and answer["suggestion"] == "notebook"
    assert search(client, query=answer["suggestion"])["total"] == len(NOTEBOOKS)


def test_words_that_match_alone_but_not_together_suggest_the_broader_one(client: TestClient) -> None:
    # "kafka" finds the Kafka paperback, "notebook" the notebooks; no product has both.
    assert search(client, query="kafka")["total"] >= 1
    answer = search(client, query="kafka notebook")
    assert answer["total"] == 0 and answer["suggestion"] == "notebook"
    answer = search(client, query="notebook kafka")
    assert answer["total"] == 0 and answer["suggestion"] == "notebook"
    answer = search(client, query="kafka xyzzy notebook")  # an unknown word dropped, then one more
    assert answer["total"] == 0 and answer["suggestion"] == "notebook"


def test_a_suggestion_prefers_a_word_that_matches_as_written_over_a_typo_reading(client: TestClient) -> None:
    # "pager" is no word of the catalog but one edit from "paper", which every bulk product says: it
    # matches far more products than "drill" does, but only through typo tolerance.
    assert search(client, query="pager")["total"] > search(client, query="drill")["total"] == 1
    answer = search(client, query="drill pager")
    assert answer["total"] == 0 and answer["suggestion"] == "drill"
    answer = search(client, query="pager drill")
    assert answer["total"] == 0 and answer["suggestion"] == "drill"
    # Among readings that match as written, the broadest still wins.
    assert search(client, query="kafka notebook")["suggestion"] == "notebook"


def test_the_last_word_may_be_unfinished_unless_the_request_says_whole_words(client: TestClient) -> None:
    answer = search(client, query="pride and prejud")
    assert answer["total"] == 1 and [h["id"] for h in answer["hits"]] == ["bk-austen"]
    assert search(client, query="pride and prejud", prefix_last=False)["total"] == 0
    assert [h["id"] for h in search(client, query="dcd791")["hits"]] == ["tl-drill"]  # a model number


def test_instantsearch_query_type_chooses_whole_words_or_beginnings(client: TestClient) -> None:
    def hits(**params: object) -> int:
        body = {"requests": [{"indexName": "products", "query": "prejud", **params}]}
        response = client.post("/1/indexes/*/queries", json=body)
        assert response.status_code == 200, response.text
        return int(response.json()["results"][0]["nbHits"])

    assert hits() == 1 and hits(queryType="prefixLast") == 1 and hits(queryType="prefixNone") == 0
    response = client.post("/1/indexes/*/queries", json={"requests": [{"query": "x", "queryType": "odd"}]})
    assert response.status_code == 422 and "queryType" in response.text


def test_total_facets_and_pages_cover_the_whole_match_set(client: TestClient) -> None:
    answer = search(client, query="notebook", facets=["brand", "availability"], size=50)
    assert answer["total"] == len(NOTEBOOKS) == 296
    products = [BY_ID[i] for i in NOTEBOOKS]
    brands = Counter(p.brand for p in products)
    assert {f["value"]: f["count"] for f in answer["facets"]["brand"]} == brands
    seen: list[str] = []
    for page in range(1, 8):
        seen += [h["id"] for h in search(client, query="notebook", size=50, page=page)["hits"]]
    assert len(seen) == len(set(seen)) == len(NOTEBOOKS) and set(seen) == NOTEBOOKS


def _price_order(descending: bool) -> list[tuple[bool, float]]:
    """(sold out, price) of every priced notebook as a price sort lists them: those titled a notebook
    first (the bookmark "for notebooks" after them), the buyable first in each part."""
    priced = [p for p in map(BY_ID.get, NOTEBOOKS) if p is not None and p.price is not None]
    ordered = sorted(
        priced,
        key=lambda p: (
            "notebook" not in p.title.lower(),
            not p.available,
            -(p.price or 0.0) if descending else p.price,
        ),
    )
    assert ordered[-1].id == "odd-bookmark" or descending
    return [(not p.available, p.price or 0.0) for p in ordered]


def test_price_sort_is_over_the_whole_set_the_buyable_first(client: TestClient) -> None:
    expected = _price_order(descending=False)
    assert any(sold for sold, _ in expected) and not all(sold for sold, _ in expected)
    listed: list[tuple[bool, float]] = []
    for page in range(1, 20):  # pages of 30 over the notebooks: one of them straddles the two sides
        hits = search(client, query="notebook", sort="price_asc", size=30, page=page)["hits"]
        listed += [(h["availability"] not in BUYABLE, h["price"]) for h in hits if h["price"] is not None]
    assert listed == expected
    first = search(client, query="notebook", sort="price_desc", size=3)
    assert [h["price"] for h in first["hits"]] == [price for _, price in _price_order(descending=True)[:3]]


def test_a_price_sort_mixes_the_sold_out_in_when_the_shop_does_not_bury_them(client: TestClient) -> None:
    saved = client.put("/v1/admin/rules", json={"bury_unavailable": False, "rules": []}, headers=AUTH)
    assert saved.status_code == 200, saved.text
    third = search(client, query="notebook", sort="price_asc", size=20, page=3)
    # One price order over each part, the bookmark "for notebooks" after the notebooks.
    titled = [p for p in map(BY_ID.get, NOTEBOOKS) if p and p.price is not None and p.id != "odd-bookmark"]
    priced = sorted(p.price or 0.0 for p in titled)
    assert [h["price"] for h in third["hits"]] == priced[40:60]


def test_an_isbn_finds_its_book_on_every_pipeline(client: TestClient) -> None:
    for pipeline in ("bm25", "full"):
        answer = search(client, query="978-0-14-143951-8", pipeline=pipeline)
        assert [h["id"] for h in answer["hits"]] == ["bk-austen"] and answer["total"] == 1


def test_a_query_typed_full_width_is_the_search_its_ascii_keys_make(client: TestClient) -> None:
    for pipeline in ("bm25", "full"):
        answer = search(client, query="９７８－０－１４－１４３９５１－８", pipeline=pipeline)
        assert [h["id"] for h in answer["hits"]] == ["bk-austen"] and answer["total"] == 1
    # The same lexical matches and the same query vector (the encoder is given the ASCII text).
    typed, wide = (
        search(client, query=q, debug=True, size=20)
        for q in ("penguin classics", "ｐｅｎｇｕｉｎ　ｃｌａｓｓｉｃｓ")
    )
    assert wide["total"] == typed["total"] == 2
    assert [(h["id"], h["debug"]["dense_score"]) for h in wide["hits"]] == [
        (h["id"], h["debug"]["dense_score"]) for h in typed["hits"]
    ]


def test_synonyms_apply_to_the_next_search_without_a_rebuild(client: TestClient) -> None:
    assert search(client, query="mallet")["total"] == 0
    bad = client.put("/v1/admin/synonyms", json={"synonyms": [["mallet", "hammer"], ["sofa"]]}, headers=AUTH)
    assert bad.status_code == 422 and "synonyms[1]" in bad.json()["error"]["message"]
    assert client.get("/v1/admin/synonyms", headers=AUTH).json() == {"synonyms": []}  # nothing half-applied
    stop = client.put("/v1/admin/synonyms", json={"synonyms": [["mallet", "the"]]}, headers=AUTH)
    assert stop.status_code == 422 and "synonyms[0][1]" in stop.json()["error"]["message"]
    shape = client.put("/v1/admin/synonyms", json={"synonyms": "mallet=hammer"}, headers=AUTH)
    assert shape.status_code == 422 and "synonyms" in shape.json()["error"]["message"]

    good = client.put("/v1/admin/synonyms", json={"synonyms": [["mallet", "claw hammer"]]}, headers=AUTH)
    assert good.status_code == 200
    time.sleep(SYNONYM_CHECK_S)  # every gateway process re-reads the sets at most this often
    assert [h["id"] for h in search(client, query="mallet", pipeline="bm25")["hits"]] == ["tl-hammer"]
    assert client.get("/v1/admin/synonyms", headers=AUTH).json() == {"synonyms": [["mallet", "claw hammer"]]}


def test_synonyms_need_the_api_key(client: TestClient) -> None:
    assert client.put("/v1/admin/synonyms", json={"synonyms": []}).status_code == 401
    assert client.get("/v1/admin/synonyms").status_code == 401


def test_hits_past_the_head_explain_what_is_known_in_debug(client: TestClient) -> None:
    answer = search(client, query="notebook", size=20, page=5, debug=True)
    assert len(answer["hits"]) == 20 and all(h["id"] in NOTEBOOKS for h in answer["hits"])
    assert all(h["debug"]["fused_rank"] == 0 and h["debug"]["ranker_score"] is None for h in answer["hits"])
    assert (
        len({h["id"] for h in answer["hits"]} & {h["id"] for h in search(client, query="notebook")["hits"]})
        == 0
    )


def test_a_model_number_answers_its_product_before_accessories_that_mention_it(tmp_path: Path) -> None:
    # A battery whose title names the drill's model number is a strong BM25 candidate; the drill itself
    # matches only by its identifier (no word of it is "dcd791d2"), and a kit's model merely begins so.
    accessories = [
        Product(
            "ac-battery",
            "Battery for DCD791D2",
            "Spare battery for the DCD791D2 drill driver.",
            "PowerPlus",
            ("Tools", "Batteries"),
            39.0,
        ),
        Product(
            "tl-kit",
            "Drill kit",
            "Drill with case.",
            "DeWalt",
            ("Tools",),
            199.0,
            attributes={"model": "DCD791D2K"},
        ),
    ]
    # The drill is out of stock: the default rule buries unavailable products, not one named exactly.
    drill_gone = [replace(p, availability="out_of_stock") if p.id == "tl-drill" else p for p in CATALOG]
    with app_client(tmp_path, [*drill_gone, *accessories]) as shop:
        for pipeline in ("full", "bm25", "rrf"):
            answer = search(shop, query="DCD791D2", pipeline=pipeline, debug=True)
            ids = [h["id"] for h in answer["hits"]]
            assert ids[0] == "tl-drill" and set(ids) == {"tl-drill", "ac-battery", "tl-kit"}, (
                pipeline,
                ids,
            )
            assert [h["debug"]["identifier"] for h in answer["hits"]] == [True, False, False]
            assert answer["hits"][0]["score"] == 1.0
            assert answer["rules"] == []  # nothing else unavailable to bury, and the drill was not
        # A run of the query's parts names it too; a filter that excludes it leaves it out.
        assert search(shop, query="dewalt dcd 791 d2")["hits"][0]["id"] == "tl-drill"
        filtered = search(shop, query="DCD791D2", filters={"brand": ["PowerPlus"]})
        assert [h["id"] for h in filtered["hits"]] == ["ac-battery"]


def test_the_availability_filter_narrows_a_search_and_an_unknown_value_is_422(client: TestClient) -> None:
    unbuyable = ("out_of_stock", "discontinued")
    sold = search(client, query="notebook", filters={"availability": list(unbuyable)}, size=100)
    expected = {i for i in NOTEBOOKS if BY_ID[i].availability in unbuyable}
    assert 0 < sold["total"] == len(expected) <= 100 and {h["id"] for h in sold["hits"]} == expected
    one = search(client, query="notebook", filters={"availability": "backorder"}, facets=["availability"])
    assert one["total"] > 0 and one["facets"]["availability"] == [
        {"value": "backorder", "count": one["total"]}
    ]
    bad = client.post("/v1/search", json={"query": "notebook", "filters": {"availability": ["sold_out"]}})
    assert bad.status_code == 422 and "availability" in bad.json()["error"]["message"]


def test_members_close_in_meaning_alone_rank_after_those_sharing_a_query_word(tmp_path: Path) -> None:
    # A low semantic threshold: many products are members by the (fake) encoder's similarity alone.
    config = PipelineConfig(semantic_threshold=0.0, near_candidates=False, near_match_below=0)
    with app_client(tmp_path, CATALOG, config) as test_client:
        answer = search(test_client, query="leather bookmark", size=100, facets=[])
    words = [
        bool(
            {"leather", "bookmark"}
            & set(f"{BY_ID[h['id']].title} {BY_ID[h['id']].description}".lower().split())
        )
        for h in answer["hits"]
    ]
    assert answer["total"] > sum(words) >= 1  # members by meaning alone, and those sharing a word
    assert words == sorted(words, reverse=True)  # every product sharing the word before any other


def test_products_matching_every_word_come_before_those_missing_one(tmp_path: Path) -> None:
    wines = [
        Product("wn-glass", "Calici da vino rosso", description="Sei calici in cristallo."),
        Product("wn-barolo", "Barolo DOCG 2018", description="Vino rosso del Piemonte, Nebbiolo."),
        Product("wn-chianti", "Chianti Classico", description="Vino rosso della Toscana."),
        Product("wn-oil", "Olio extravergine", description="Olio del Piemonte."),
    ]
    with app_client(tmp_path, wines) as test_client:
        answer = search(test_client, query="vino rosso piemonte", size=10, facets=[], debug=True)
    # Three words: a product may miss one (the glasses, the Chianti); the Barolo has all three.
    assert answer["hits"][0]["id"] == "wn-barolo"
    assert {h["id"] for h in answer["hits"][1:]} == {"wn-glass", "wn-chianti"}
    assert [h["debug"]["missing_word"] for h in answer["hits"]] == [False, True, True]


def test_a_price_sort_lists_the_near_members_after_those_matching_as_the_query_says(tmp_path: Path) -> None:
    # "leather notebook" matches the (sold-out) leather bookmark alone; in a thin set every notebook,
    # sharing "notebook", joins as a near member. By price, the bookmark still comes first.
    with app_client(tmp_path, CATALOG, thin_sets(2)) as test_client:
        answer = search(test_client, query="leather notebook", sort="price_asc", size=20, facets=[])
        second = search(test_client, query="leather notebook", sort="price_asc", size=20, page=2)
    assert answer["total"] == len(NOTEBOOKS)
    ids = [h["id"] for h in answer["hits"]]
    assert ids[0] == "odd-bookmark"
    near = [BY_ID[i] for i in ids[1:]]
    assert [p.price for p in near if p.available] == sorted(p.price for p in near if p.available)
    assert ids[1:20] and not set(ids) & {h["id"] for h in second["hits"]}  # pages do not overlap


def test_with_two_words_a_semantic_member_sharing_one_comes_after_those_matching_both(tmp_path: Path) -> None:
    # Every product is a member by the (fake) encoder's similarity; "cover" alone scores higher by BM25
    # and by meaning, but the cushion cover has both words.
    covers = [
        Product("cu-velvet", "Velvet cushion with a zipped cover for the sofa, the chairs and the bench"),
        Product("cv-plain", "Cover", description="Cover, cover."),
        Product("cv-duvet", "Duvet cover"),
        Product("lamp", "Desk lamp"),
    ]
    config = PipelineConfig(semantic_threshold=0.0, near_candidates=False, near_match_below=0)
    with app_client(tmp_path, covers, config) as test_client:
        answer = search(test_client, query="cushion cover", size=10, facets=[], debug=True)
    ids = [h["id"] for h in answer["hits"]]
    assert ids[0] == "cu-velvet" and set(ids[1:3]) == {"cv-plain", "cv-duvet"}, ids
    assert [h["debug"]["missing_word"] for h in answer["hits"][:3]] == [False, True, True]
