"""A Czech catalog matches as its shoppers type, the same on both lexical backends: without the Czech
letters ("prilba" for "přilba", "zadni svetlo"), in the plural and other cases ("horská kola", "zámky
na kolo", "sada světel"), with an adjective in another gender than the title's ("dětská kola" for
"Dětské kolo"), a vowel that drops ("zámky" for "Zámek"), function words dropped ("helma na kolo"), a
tyre or a tube by the first side of its size ("plášť 29" for "29x2,25"), and with a typo, measured
without the Czech letters ("prilbq", "rukavyce")."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.lexical.matching import MatchQuery
from engine.records import Product
from tests.support.backends import in_language, open_backend

pytestmark = pytest.mark.integration

CATALOG = [
    Product("mtb", "Horské kolo Horal Trail 29", description="Hardtail s kotoučovými brzdami."),
    Product("kids", "Dětské kolo Kuba 20", description="Kolo pro děti od 6 let."),
    Product("helmet", "Cyklistická přilba Ještěd Air", description="Helma na silnici i do lesa."),
    Product("lock", "Zámek na kolo U Ocel 18 mm"),
    Product("lights", "Sada světel Lumen City"),
    Product("rear", "Zadní světlo Lumen Red"),
    Product("gloves", "Zimní rukavice na kolo Thermo"),
    Product("bottle", "Cyklistická láhev 750 ml"),
    Product("tyre", "Plášť Galus Trail 29x2,25"),
    Product("tube", "Duše Galus 20x1,75 AV", description="S autoventilkem."),
]


@pytest.fixture(params=["embedded", "opensearch"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("horská kola", {"mtb"}),  # the plural finds the singular; the adjective agrees
        ("prilba", {"helmet"}),  # typed without "ř"
        ("přilby", {"helmet"}),
        ("dětská kola", {"kids"}),
        ("zámky na kolo", {"lock"}),  # "zámek" loses its "e" in the plural; "na" is a function word
        ("světla", {"lights", "rear"}),  # "sada světel": the genitive plural drops the "e" too
        ("zadni svetlo", {"rear"}),
        ("lahve", {"bottle"}),  # "láhev", "lahve"
        ("rukavice na kolo", {"gloves"}),
        ("kolo pro děti", {"kids"}),  # "pro" a function word; "děti" the description's
        ("plášť 29", {"tyre"}),  # a number on its own: the dimension it begins, "29x2.25"
        ("duse 20", {"tube"}),
        ("plášť 2", set()),  # "29x2.25" does not begin "2x"
    ],
)
def test_a_czech_catalog_matches_as_its_shoppers_type(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    with open_backend(backend, request, tmp_path, in_language("czech")) as index:
        index.rebuild(CATALOG)
        assert index.match_ids(MatchQuery(query, typos=False)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("prilbq", {"helmet"}),  # one edit from "prilba", as folded
        ("rukavyce", {"gloves"}),
        ("cyklistycka", {"helmet", "bottle"}),
    ],
)
def test_a_typo_finds_the_word_without_its_czech_letters(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    with open_backend(backend, request, tmp_path, in_language("czech")) as index:
        index.rebuild(CATALOG)
        assert index.match_ids(MatchQuery(query)) == expected
