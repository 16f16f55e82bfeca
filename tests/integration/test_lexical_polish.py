"""A Polish catalog matches as its shoppers type, the same on both lexical backends: without the Polish
letters ("lozko" for "łóżko", "stol" for "stół"), in the plural and other cases ("krzesła do jadalni",
"stoliki kawowe"), with an adjective in another gender than the title's ("białe łóżko" for "Łóżko
... białe", "biała komoda" for "Komoda ... biała"), function words dropped ("szafka pod umywalkę"), and
with a typo, measured without the Polish letters ("kszesło", "narożnk", "lózko")."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.lexical.matching import MatchQuery, SearchFields
from engine.records import Product
from tests.support.backends import in_language, open_backend

pytestmark = pytest.mark.integration

CATALOG = [
    Product("chair", "Krzesło tapicerowane Milo szare", description="Do jadalni i salonu."),
    Product("oak-chair", "Krzesło drewniane dębowe", attributes={"Kolor": "Dąb"}),
    Product("bed", "Łóżko drewniane Bruno białe 140x200"),
    Product("table", "Stół rozkładany Oslo", attributes={"Kolor": "Biały"}),
    Product("coffee-table", "Stolik kawowy Nordic", description="Niski stolik z półką."),
    Product("dresser", "Komoda Lina 4 szuflady", attributes={"Kolor": "Biała"}),
    Product("sink-cabinet", "Szafka łazienkowa pod umywalkę 60 cm"),
    Product("corner-sofa", "Narożnik rozkładany Verona"),
    Product("garden-set", "Zestaw mebli ogrodowych Capri"),
]


@pytest.fixture(params=["embedded", "opensearch"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("krzesła", {"chair", "oak-chair"}),  # the plural finds the singular
        ("krzeslo", {"chair", "oak-chair"}),  # typed without "ł"
        ("krzesła do jadalni", {"chair"}),  # "do" is a function word; "jadalni" the description's
        ("lozko", {"bed"}),
        ("białe łóżko", {"bed"}),  # the title writes the adjective after the noun
        ("stoly", {"table"}),  # "stół" and "stoły" fold to one stem
        ("stoliki kawowe", {"coffee-table"}),
        ("biała komoda", {"dresser"}),
        ("szafka pod umywalkę", {"sink-cabinet"}),
        ("meble ogrodowe", {"garden-set"}),  # "mebli ogrodowych" in the title
        ("półki", {"coffee-table"}),  # "z półką" in its description
    ],
)
def test_a_polish_catalog_matches_as_its_shoppers_type(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    polish = in_language("polish")
    fields = SearchFields({**polish.weights, "attr.Kolor": 1.0}, polish.identifiers, "polish")
    with open_backend(backend, request, tmp_path, fields) as index:
        index.rebuild(CATALOG)
        assert index.match_ids(MatchQuery(query, typos=False)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kszesło", {"chair", "oak-chair"}),  # one edit from "krzesło"
        ("narożnk", {"corner-sofa"}),
        ("lóżko", {"bed"}),  # "ł" typed "l": no edit at all once folded, "ó" the same
        ("komodda", {"dresser"}),
    ],
)
def test_a_typo_finds_the_word_without_its_polish_letters(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    fields = in_language("polish")
    with open_backend(backend, request, tmp_path, fields) as index:
        index.rebuild(CATALOG)
        assert index.match_ids(MatchQuery(query)) == expected
