"""A price sort lists first the members whose title's head (its words before the first preposition)
holds every query word, the same on both lexical backends: "kolo" sorted by lowest price lists the
bicycles before the lock "Zámek na kolo" and the tube whose description says "kolo"; "notebook" the
notebooks and the notebook cover before the ink "for notebook pens" and the bookmark; a product's variant
("Red") is part of its head. The set, its
count and each part's price order stay as they were. An OpenSearch index made before the head field
takes upserts: the field is added to its mapping."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from opensearchpy import OpenSearch

from engine.lexical.analysis import make_analyzer
from engine.lexical.base import LexicalIndex
from engine.lexical.mapping import index_body
from engine.lexical.matching import MatchQuery, SearchFields
from engine.lexical.opensearch import OpenSearchLexical
from engine.lexical.synonyms import SynonymFile
from engine.lexical.title_head import HEAD_FIELD
from engine.pipeline.price_order import tiered_price_page
from engine.records import Product
from tests.support.backends import BACKENDS, in_language, open_backend

pytestmark = pytest.mark.integration

BIKES = [
    Product("trail", "Horské kolo Horal Trail 29", price=24990.0),
    Product("kuba", "Dětské kolo Kuba 16", description="První kolo pro děti.", price=4990.0),
    Product("used", "Horské kolo Horal Trail 29 M - bazar", price=14990.0, availability="out_of_stock"),
    Product("lock", "Zámek na kolo U Ocel 18 mm", price=990.0),
    Product("tube", "Duše Galus 29x2,0", description="Náhradní duše na kolo.", price=149.0),
    Product("stand", "Montážní stojan na kolo", price=2490.0),
    Product("helmet", "Přilba Ještěd Air", price=1890.0),
    Product("blinker", "Blikačka na helmu Lumen", description="Světlo na helmu.", price=290.0),
]
STATIONERY = [
    Product("dotted", "Dotted notebook A5", price=12.0),
    Product("cover", "Notebook cover with elastic band", price=5.0),
    Product("ink", "Ink cartridges for notebook pens", price=2.0),
    Product("bookmark", "Bookmark", description="Leather bookmark for notebooks.", price=1.0),
    Product("fp-black", "Fountain pen", attributes={"group": "fp"}, price=30.0),
    Product("fp-red", "Fountain pen", attributes={"group": "fp", "variant": "Red"}, price=31.0),
    Product("refill", "Ink refill for red fountain pens", price=3.0),
]


@pytest.fixture(scope="module", params=BACKENDS)
def bikes(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LexicalIndex]:
    directory = tmp_path_factory.mktemp("bikes")
    synonyms = SynonymFile(directory / "synonyms.json", check_interval_s=0.0)
    with open_backend(request.param, request, directory, in_language("czech"), synonyms) as index:
        index.rebuild(BIKES)
        synonyms.replace([["helma", "přilba"]], make_analyzer("czech"))
        yield index


@pytest.fixture(scope="module", params=BACKENDS)
def stationery(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LexicalIndex]:
    english = in_language("english")
    fields = SearchFields({**english.weights, "attr.variant": 2.0}, english.identifiers, english.language)
    with open_backend(request.param, request, tmp_path_factory.mktemp("paper"), fields) as index:
        index.rebuild(STATIONERY)
        yield index


def listed(index: LexicalIndex, text: str, sort: str = "price_asc", size: int = 20) -> list[str]:
    """Every member of `text`'s set, page by page of `size`, as a price sort lists them."""
    match, ids = MatchQuery(text), []
    total = index.count_matching(match)
    for first in range(0, total + size, size):
        ids += [
            hit.product_id for hit in tiered_price_page(index, match, frozenset(), sort, first, size, True)
        ]
    assert len(ids) == len(set(ids)) == total
    return ids


@pytest.mark.parametrize("size", [1, 2, 3, 20])
def test_the_products_titled_as_asked_come_first_on_every_page_size(bikes: LexicalIndex, size: int) -> None:
    # Bicycles (the used one sold out, after them), then the rest by price: tube, lock, stand.
    assert listed(bikes, "kolo", size=size) == ["kuba", "trail", "used", "tube", "lock", "stand"]
    assert listed(bikes, "kola", size=size) == ["kuba", "trail", "used", "tube", "lock", "stand"]  # plural


def test_each_part_keeps_the_order_asked_for(bikes: LexicalIndex) -> None:
    assert listed(bikes, "kolo", "price_desc") == ["trail", "kuba", "used", "stand", "lock", "tube"]


def test_a_word_after_the_preposition_is_no_head(bikes: LexicalIndex) -> None:
    # "zámek na kolo": the lock's head is "Zámek"; no head holds both words, so one part, by price.
    assert listed(bikes, "zámek kolo") == ["lock"]
    assert listed(bikes, "duše") == ["tube"]


def test_a_synonym_in_the_head_counts(bikes: LexicalIndex) -> None:
    # "helma" is "přilba" in the helmet's title; the blinker is for a helmet ("na helmu").
    assert listed(bikes, "helma") == ["helmet", "blinker"]


def test_a_misspelt_word_is_not_asked_of_the_head(bikes: LexicalIndex) -> None:
    # "kilo" matches "kolo" through the typo tolerance; no head has "kilo", so one part, by price.
    assert listed(bikes, "kilo") == ["tube", "lock", "stand", "kuba", "trail", "used"]


def test_english_heads_end_at_for_and_with(stationery: LexicalIndex) -> None:
    assert listed(stationery, "notebook") == ["cover", "dotted", "bookmark", "ink"]
    assert listed(stationery, "notebook", size=1) == ["cover", "dotted", "bookmark", "ink"]
    # "pens" after "for": the ink and the refill are not pens
    assert listed(stationery, "pen") == ["fp-black", "fp-red", "ink", "refill"]


def test_the_variant_is_part_of_the_head(stationery: LexicalIndex) -> None:
    # The red pen says "Red" in its variant only; the refill is for a red pen, so it is no red pen.
    assert listed(stationery, "red pen") == ["fp-red", "refill"]
    assert listed(stationery, "red pen", "price_desc") == ["fp-red", "refill"]


def test_an_index_an_older_version_made_takes_upserts_and_its_new_documents_have_heads(
    request: pytest.FixtureRequest,
) -> None:
    # An OpenSearch index made before the head field: its strict mapping lacks `head`.
    client = OpenSearch(hosts=[request.getfixturevalue("opensearch_url")], timeout=30)
    alias = f"test-{uuid.uuid4().hex[:10]}"
    body = index_body(language="czech")
    del body["mappings"]["properties"][HEAD_FIELD]
    client.indices.create(index=f"{alias}-00000000000000000001", body={**body, "aliases": {alias: {}}})
    try:
        index = OpenSearchLexical(client, alias, fields=in_language("czech"))
        index.upsert([p for p in BIKES if p.id in {"lock", "tube"}])
        index.upsert([p for p in BIKES if p.id in {"kuba", "stand"}])  # the same process: checked once
        mapping = client.indices.get_mapping(index=alias)
        assert all(HEAD_FIELD in m["mappings"]["properties"] for m in mapping.values())
        assert listed(index, "kolo") == ["kuba", "tube", "lock", "stand"]
    finally:
        client.indices.delete(index=f"{alias}-*", params={"ignore_unavailable": "true"})
        client.close()
