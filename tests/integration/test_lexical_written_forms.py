"""A word written another way matches as written, the same on both lexical backends: accents left out
("cle a molette" for "Clé à molette"), a decimal point for a decimal comma ("2.5" for "2,5 mm²"), and
dimensions written together or apart ("4x40" for "4 x 40 mm"), as a hardware shop's customers type them;
and a size is one unit of the minimum-should-match rule, matched with all its words or missed whole
(in the catalog's language too: "fernseher 55 zoll", which finds `55"`); full-width forms read as ASCII; a
name typed as one word ("proplan") finds it written apart ("Pro Plan"); and
a word the catalog has as written is corrected by one edit at most ("perceuse" is not "Ponceuse").

The written forms match with typos off: these are the words as written, not corrections (a word under
four letters has no typo, so "cle" could never find "clé" as one).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.lexical.embedded import EmbeddedLexical
from engine.lexical.matching import MatchQuery
from engine.records import Product
from tests.support.backends import in_language, open_backend

pytestmark = pytest.mark.integration


def matched_as_written(
    products: list[Product],
    query: str,
    language: str,
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> set[str]:
    """The ids `query` matches, with typos off, on `backend` holding `products` in `language`."""
    with open_backend(backend, request, tmp_path, in_language(language)) as index:
        index.rebuild(products)
        return index.match_ids(MatchQuery(query, typos=False))


# Ids a query never names (an id is an identifier: the product "cable" would match any query with "cable").
HARDWARE = [
    Product("hw-wrench", "Clé à molette 250 mm", brand="Stanley"),
    Product("hw-smoke", "Détecteur de fumée autonome"),
    Product("hw-cable", "Câble électrique H07V-U 2,5 mm² bleu"),
    Product("hw-cable-thin", "Câble électrique H07V-U 1,5 mm² bleu"),
    Product("hw-screw-440", "Vis agglomérés 4 x 40 mm inox"),
    Product("hw-screw-430", "Vis agglomérés 4 x 30 mm inox"),
    Product("hw-screw-m8", "Vis CHC M8x40 DIN 912"),
    Product("hw-shelf", "Tablette 120 × 60 cm chêne"),
    Product("hw-egg", "Coquetier œuf"),
    Product("hw-gsr", "Perceuse-visseuse sans fil GSR 18V-55"),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cle a molette", {"hw-wrench"}),  # "cle" is three letters: no typo would find "clé"
        ("CLÉ À MOLETTE", {"hw-wrench"}),
        ("detecteur fumee", {"hw-smoke"}),
        ("oeuf", {"hw-egg"}),  # a ligature, as OpenSearch's asciifolding writes it
        ("cable 2.5", {"hw-cable"}),  # the decimal point a shopper types for the catalog's comma
        ("cable 2,5", {"hw-cable"}),
        ("cable 2,5mm2", {"hw-cable"}),  # "mm²" is "mm2"
        ("2.5 mm2", {"hw-cable"}),
        ("vis 4x40", {"hw-screw-440"}),  # together in the query, apart in the catalog
        ("vis 4x40mm", {"hw-screw-440"}),
        ("vis m8x40", {"hw-screw-m8"}),
        ("m8 x 40", {"hw-screw-m8"}),
        ("vis 4 x 40", {"hw-screw-440"}),  # a size is one unit of the query, matched whole: not 4 x 30
        ("vis m8 x 40", {"hw-screw-m8"}),
        ("cable 2.5 mm2", {"hw-cable"}),  # not the 1.5 mm² cable by "cable" and "mm2"
        # three units, two needed: the other sizes come in by "vis" and "inox", never by a size's parts
        ("vis 40 mm inox", {"hw-screw-440", "hw-screw-430"}),
        ("vis inox 4 x 50", {"hw-screw-440", "hw-screw-430"}),
        ("molette 250 mm", {"hw-wrench"}),
        ("tablette 120x60", {"hw-shelf"}),  # "×" is an "x"
        ("vis 4x50", set()),  # every size still has to match
        ("cable 3.5", set()),
        ("gsr18v", {"hw-gsr"}),  # a model's letters typed onto its number
        ("gsr18v 55", {"hw-gsr"}),
    ],
)
def test_a_word_written_another_way_matches_as_written(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    assert matched_as_written(HARDWARE, query, "french", backend, request, tmp_path) == expected


ELECTRONICS = [
    Product("tv-43", "Philips LED Fernseher 43 Zoll", category=("TV", "Fernseher")),
    Product("tv-55", "Samsung QLED Fernseher 55 Zoll", category=("TV", "Fernseher")),
    Product("tv-65", "LG OLED Fernseher 65 Zoll", category=("TV", "Fernseher")),
    Product("tv-55-mark", 'Sony Bravia OLED Fernseher 55"', category=("TV", "Fernseher")),  # an inch mark
    Product("pad-11", "Apple iPad Air 11″ Hülle"),
    Product("bat-4", "Varta Batterien AA, 4 Stück"),
    Product("bat-8", "Varta Batterien AAA, 8 Stück"),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # "zoll" is a unit: not the 43 and 65 inch by "fernseher zoll"; `55"` is "55 inch", as "55 zoll" reads
        ("fernseher 55 zoll", {"tv-55", "tv-55-mark"}),
        ("55 zoll fernseher", {"tv-55", "tv-55-mark"}),
        ("55zoll fernseher", {"tv-55", "tv-55-mark"}),  # typed together, read apart in the catalog's language
        ('fernseher 55"', {"tv-55", "tv-55-mark"}),
        ("tv 65 zoll", {"tv-65"}),
        ("ipad hülle 11 zoll", {"pad-11"}),  # a double prime is an inch mark too
        ("batterien 4 stück", {"bat-4"}),
        ("fernseher zoll", {"tv-43", "tv-55", "tv-65"}),  # a unit without its number is a word
    ],
)
def test_a_size_in_the_catalog_language_is_one_unit_of_the_query(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    assert matched_as_written(ELECTRONICS, query, "german", backend, request, tmp_path) == expected


GADGETS = [
    Product("g-sony", "Sony WH-1000XM5 Kopfhörer", attributes={"model": "WH-1000XM5"}),
    Product("g-cable", "ＵＳＢ－Ｃケーブル　２ｍ"),  # a Japanese title written full width
    Product("g-hdmi", "HDMI Kabel 2 m"),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ｗｈ－１０００ｘｍ５", {"g-sony"}),  # typed in an input method's full-width mode
        ("ＳＯＮＹ", {"g-sony"}),
        ("usb-c", {"g-cable"}),  # the catalog's full-width title found by the ASCII keys
        ("ｕｓｂ ｃ", {"g-cable"}),
        ("kabel ２ ｍ", {"g-hdmi"}),
    ],
)
def test_full_width_forms_match_as_ascii(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    assert matched_as_written(GADGETS, query, "german", backend, request, tmp_path) == expected


KITCHEN = [
    Product("jp-pan", "ティファール フライパン 26cm"),
    Product("jp-old-pan", "ﾃﾌﾛﾝ加工 ﾌﾗｲﾊﾟﾝ 20cm"),  # half width, as older systems export katakana
    Product("jp-pot", "ステンレス 片手鍋 18cm"),
    Product("jp-mug", "真空断熱マグカップ", description="ステンレス製のマグ"),
    Product("jp-kettle", "ｶﾞｽ火用 ｹﾄﾙ 2.5L"),
    Product("jp-knife", "三徳包丁 165mm", attributes={"jan": "4901601284526"}),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("フライパン", {"jp-pan", "jp-old-pan"}),
        ("ﾌﾗｲﾊﾟﾝ", {"jp-pan", "jp-old-pan"}),
        ("ガス ケトル", {"jp-kettle"}),  # "ｶﾞ" is one letter, "ガ"
        ("ステンレス 鍋", {"jp-pot"}),  # the mug is steel, but no pot: each run typed is one word
        ("ステンレス鍋", {"jp-pot", "jp-mug"}),  # one run: no product writes its bigram "ス鍋"
        ("4901601284526", {"jp-knife"}),  # a JAN code is an identifier by default
        ("包丁 165mm", {"jp-knife"}),
    ],
)
def test_a_japanese_catalog_matches_as_its_shoppers_type(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    assert matched_as_written(KITCHEN, query, "english", backend, request, tmp_path) == expected


TOOLS = [
    Product("hw-drill", "Perceuse-visseuse sans fil 18 V"),
    Product("hw-sander", "Ponceuse excentrique 125 mm"),
    Product("hw-nut", "Écrou hexagonal M8", category=("Quincaillerie", "Visserie")),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("perceuse", {"hw-drill"}),  # the catalog has it: not the sander, two edits away
        ("visseuse", {"hw-drill"}),  # nor everything filed under "Visserie"
        ("perceuze", {"hw-drill"}),  # a misspelling keeps its edits
        ("ponseuze", {"hw-sander"}),  # two of them, the catalog having no such word
    ],
)
def test_a_word_the_catalog_has_is_corrected_by_one_edit_at_most(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    with open_backend(backend, request, tmp_path, in_language("french")) as index:
        index.rebuild(TOOLS)
        if isinstance(index, EmbeddedLexical):  # typos through the spell index, not its stand-in
            assert index.warm_typos()
        assert index.match_ids(MatchQuery(query)) == expected


@pytest.mark.parametrize(
    ("language", "title", "query", "matches"),
    [
        ("english", "Crème brûlée torch", "creme brulee", True),
        ("spanish", "Té verde", "te verde", True),
        ("italian", "Macchina per caffè", "caffe", True),
        ("dutch", "Café tafel", "cafe", True),
        ("swedish", "Kök och bad", "kok", False),  # "ö" is a letter of its own: a cook is no kitchen
    ],
)
def test_accents_matter_only_where_they_make_another_letter(
    language: str,
    title: str,
    query: str,
    matches: bool,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    backend: str,
) -> None:
    with open_backend(backend, request, tmp_path, in_language(language)) as index:
        index.rebuild([Product("x", title), Product("y", "Something else entirely")])
        assert index.match_ids(MatchQuery(query, typos=False)) == ({"x"} if matches else set())


@pytest.fixture(params=["embedded", "opensearch"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


NAMES = [
    Product("nm-food", "Purina Pro Plan Medium Adult", brand="Purina"),
    Product("nm-tee", "Organic cotton T-Shirt", brand="Basics"),
    Product("nm-router", "Wi-Fi 6 mesh router", brand="Netgear"),
    Product("nm-harness", "Padded dog harness", brand="Julius-K9"),
    Product("nm-mat", "Rubber mat", description="Fits any car. Pet friendly."),  # not its name
    Product("nm-charger", "Wireless charger"),
    Product("nm-wire", "Copper wire less than a millimetre thick"),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("proplan", {"nm-food"}),  # the name typed as one word
        ("purina proplan", {"nm-food"}),
        ("tshirt", {"nm-tee"}),
        ("tshirts", {"nm-tee"}),  # through the stem, as any word
        ("wifi router", {"nm-router"}),
        ("juliusk9 harness", {"nm-harness"}),  # the brand's words
        ("carpet", set()),  # a description's neighbours are never joined
        ("pro plan", {"nm-food"}),
        ("wireless", {"nm-charger"}),  # a word the catalog has is that word, not two of a title joined
    ],
)
def test_a_name_typed_as_one_word_finds_the_name_written_apart(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    with open_backend(backend, request, tmp_path, in_language("english")) as index:
        index.rebuild(NAMES)
        assert index.match_ids(MatchQuery(query, typos=False)) == expected
        if expected:  # and the candidate search finds it too, for the ranker to place
            assert {hit.product_id for hit in index.search(query, 10)} >= expected


BOOKS = [
    Product("bk-hobbit", "Der Hobbit", attributes={"author": "J.R.R. Tolkien"}),
    Product("bk-sandmann", "Der Sandmann", attributes={"author": "E.T.A. Hoffmann"}),
    Product("bk-gallen", "Wanderkarte St.Gallen"),
    Product("bk-guide", "Reiseführer USA"),
    Product("bk-ringe", "Der Herr der Ringe", attributes={"author": "J. R. R. Tolkien"}),  # German spacing
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("jrr tolkien", {"bk-hobbit", "bk-ringe"}),  # initials typed without their points
        ("J.R.R. Tolkien", {"bk-hobbit", "bk-ringe"}),
        ("j. r. r. tolkien", {"bk-hobbit", "bk-ringe"}),  # or with spaces, as German typesetting has them
        ("eta hoffmann", {"bk-sandmann"}),
        ("u.s.a.", {"bk-guide"}),  # and a query's points read as the catalog's letters
        ("stgallen", set()),  # a word with a point is not initials
        ("st.gallen", {"bk-gallen"}),
    ],
)
def test_initials_match_with_or_without_their_points(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    with open_backend(backend, request, tmp_path, in_language("german")) as index:  # authors searched
        index.rebuild(BOOKS)
        assert index.match_ids(MatchQuery(query, typos=False)) == expected


BRANDS = [
    Product("gr-mms", "M&M's Peanut 250 g", brand="M&M's"),
    Product("gr-lor", "Espresso capsules Lungo", brand="L'OR"),
    Product("gr-flakes", "Corn Flakes 500 g", brand="Kellogg's"),
    Product("gr-shampoo", "Color shampoo", brand="L'Oréal Paris"),
    Product("gr-eggs", "Scharreleieren M"),
    Product("gr-bag", "Tas katoen", brand="H&M"),
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("m&m", {"gr-mms"}),  # not "m" and "m", which found the eggs in size M
        ("M&M's", {"gr-mms"}),
        ("mms", {"gr-mms"}),  # the name typed without its signs
        ("m", {"gr-eggs"}),
        ("lor", {"gr-lor"}),  # three letters: no typo would reach "l'or"
        ("l'or capsules", {"gr-lor"}),
        ("loreal", {"gr-shampoo"}),
        ("kelloggs", {"gr-flakes"}),
        ("h&m", {"gr-bag"}),
    ],
)
def test_a_name_with_an_ampersand_or_apostrophe_matches_as_typed_with_or_without_them(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    assert matched_as_written(BRANDS, query, "dutch", backend, request, tmp_path) == expected
