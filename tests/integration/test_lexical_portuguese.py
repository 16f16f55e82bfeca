"""A Brazilian catalog matches as its shoppers type, the same on both lexical backends: without accents
("acucar"), in the plural, a colour agreeing with the noun ("camiseta preta" for the variant "Preto"),
and words spelt as they sound ("moxila" for "mochila", "xinelo" for "chinelo", "assucar" for "açúcar");
a word the catalog has as typed ("xadrez") means itself. A Spanish catalog reads "siya" as "silla"."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.lexical.matching import MatchQuery, SearchFields
from engine.records import Product
from tests.support.backends import in_language, open_backend

pytestmark = pytest.mark.integration

BRAZILIAN = [
    Product("bag", "Mochila Escolar Rio Verde 20 Litros", attributes={"variant": "Azul"}),
    Product("flip", "Chinelo de Dedo Brisa Praia", attributes={"variant": "Amarelo / 37/38"}),
    Product("boots", "Chuteira Society Chute Certo Pro"),
    Product("chess", "Tabuleiro de Xadrez Dobrável"),
    Product("sugar", "Açúcar Cristal 1 kg"),
    Product("tshirt", "Camiseta Básica de Algodão", attributes={"variant": "Preto / GG"}),
]
SPANISH = [Product("chair", "Silla de oficina ergonómica"), Product("table", "Mesa de comedor")]


@pytest.fixture(params=["embedded", "opensearch"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def fields(language: str) -> SearchFields:
    plain = in_language(language)
    return SearchFields({**plain.weights, "attr.variant": 2.0}, plain.identifiers, language)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("acucar", {"sugar"}),
        ("camisetas", {"tshirt"}),
        ("camiseta preta", {"tshirt"}),
        ("moxila", {"bag"}),
        ("moxila azul", {"bag"}),
        ("xinelo 37/38", {"flip"}),
        ("xuteira society", {"boots"}),
        ("assucar cristal", {"sugar"}),
        ("xadrez", {"chess"}),
        ("chadrez", {"chess"}),  # the other way round
    ],
)
def test_a_brazilian_catalog_matches_as_its_shoppers_type(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    with open_backend(backend, request, tmp_path, fields("portuguese")) as index:
        index.rebuild(BRAZILIAN)
        assert index.match_ids(MatchQuery(query, typos=False)) == expected


def test_a_spanish_catalog_reads_y_as_ll(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    with open_backend(backend, request, tmp_path, fields("spanish")) as index:
        index.rebuild(SPANISH)
        assert index.match_ids(MatchQuery("siya de oficina", typos=False)) == {"chair"}
        assert index.match_ids(MatchQuery("siya", typos=False, prefix_last=False)) == {"chair"}
