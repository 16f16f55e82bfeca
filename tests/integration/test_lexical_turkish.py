"""A Turkish catalog matches as its shoppers type, the same on both lexical backends: without the
Turkish letters ("yastik" for "yastık", "kirmizi" for "kırmızı"), in capitals with the dotted and
dotless I ("İPEK", "KIRMIZI"), a bare noun finding its compounds and plurals ("havlu" finds "Banyo
Havlusu" and "Havlular"), a name with its case suffix after an apostrophe ("Denizli'nin"), and a typo
of a bare noun finding the products that write it only inflected ("bornos" finds "Bornozu")."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.lexical.matching import MatchQuery, SearchFields
from engine.records import Product
from tests.support.backends import in_language, open_backend

pytestmark = pytest.mark.integration

CATALOG = [
    Product("towel", "Pamuklu Banyo Havlusu 50x90", attributes={"Renk": "Beyaz"}),
    Product("towels", "Otel Tipi Havlular, 6'lı set", description="Denizli'nin dokumasıyla"),
    Product("pillowcase", "İPEK YASTIK KILIFI", attributes={"Renk": "Pudra"}),
    Product("pillow", "Elyaf Yastık 50x70", attributes={"Renk": "Beyaz"}),
    Product("bedspread", "KIRMIZI ÇİFT KİŞİLİK PİKE"),
    Product("duvet-set", "Ranforce Nevresim Takımı Çift Kişilik", attributes={"Renk": "Gri"}),
    Product("tablecloth", "Keten Masa Örtüsü 150x200"),
    Product("robe", "Kapüşonlu Çocuk Bornozu"),
    Product("blanket", "Müslin Bebek Battaniyesi"),
]


@pytest.fixture(params=["embedded", "opensearch"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("havlu", {"towel", "towels"}),  # the compound's "-su" and the plural's "-lar"
        ("havlular", {"towel", "towels"}),
        ("yastik", {"pillowcase", "pillow"}),  # typed without the Turkish letters
        ("yastıklar", {"pillowcase", "pillow"}),
        ("ipek yastık kılıfı", {"pillowcase"}),  # the catalog writes "İPEK ... KILIFI"
        ("İpek", {"pillowcase"}),
        ("kirmizi pike", {"bedspread"}),
        ("çift kişilik", {"bedspread", "duvet-set"}),
        ("cift kisilik nevresim takimi", {"duvet-set"}),
        ("nevresim takımları", {"duvet-set"}),
        ("masa örtüsü", {"tablecloth"}),
        ("örtü", {"tablecloth"}),
        ("denizli", {"towels"}),  # "Denizli'nin": the suffix after the apostrophe goes
        ("gri nevresim", {"duvet-set"}),
    ],
)
def test_a_turkish_catalog_matches_as_its_shoppers_type(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    turkish = in_language("turkish")
    fields = SearchFields({**turkish.weights, "attr.Renk": 1.0}, turkish.identifiers, "turkish")
    with open_backend(backend, request, tmp_path, fields) as index:
        index.rebuild(CATALOG)
        assert index.match_ids(MatchQuery(query, typos=False)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bornos", {"robe"}),  # one edit from the stem "bornoz", two from "bornozu" as written
        ("battanye", {"blanket"}),  # one from "battaniye", two from "battaniyesi"
        ("yastk", {"pillowcase", "pillow"}),
        ("kirmzi pike", {"bedspread"}),  # "kırmızı" spelt "kirmizi": its dotless "ı" is an "i"
    ],
)
def test_a_typo_of_a_bare_noun_finds_its_inflected_forms(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    fields = in_language("turkish")
    with open_backend(backend, request, tmp_path, fields) as index:
        index.rebuild(CATALOG)
        assert index.match_ids(MatchQuery(query)) == expected
