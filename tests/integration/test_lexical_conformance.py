"""What a query matches, the same on both lexical backends (the embedded tantivy index and a real
OpenSearch node), on a shop's catalog (`tests.support.shop`).

Expected answers are written from the catalog by hand or counted by brute force over the true match set,
never taken from one backend to check the other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from engine.lexical.analysis import make_analyzer
from engine.lexical.base import LexicalIndex
from engine.lexical.embedded import EmbeddedLexical
from engine.lexical.facets import price_edges, price_label, top_buckets
from engine.lexical.matching import MatchQuery, SearchFields
from engine.lexical.synonyms import SynonymFile
from engine.pipeline.matchset import MatchSetStage
from engine.pipeline.price_order import UNBUYABLE, price_page
from engine.records import Filters, MemberHits, Product
from engine.vectors.faiss_store import FaissVectorStore
from tests.support.backends import BACKENDS, FIELDS, in_language, open_backend
from tests.support.shop import CATALOG, LANGUAGE_CASES, NOTEBOOKS

pytestmark = pytest.mark.integration

BY_ID = {p.id: p for p in CATALOG}


@pytest.fixture(scope="module", params=BACKENDS)
def shop(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LexicalIndex]:
    with open_backend(request.param, request, tmp_path_factory.mktemp("shop")) as index:
        assert index.rebuild(CATALOG) == len(CATALOG) == 600
        if isinstance(index, EmbeddedLexical):  # typos through the spell index, not its stand-in
            assert index.warm_typos()
        yield index


def ids(index: LexicalIndex, text: str | None, filters: Filters | None = None) -> set[str]:
    return index.match_ids(MatchQuery(text, filters))


def test_a_nonsense_query_matches_nothing(shop: LexicalIndex) -> None:
    match = MatchQuery("xyzzy qwerty")
    assert shop.count_matching(match) == 0 and shop.match_ids(match) == set()
    assert shop.facets(match, ["brand", "price"]) == {"brand": [], "price": []}
    assert shop.match_page(match, "price_asc", 0, 10) == []


def test_counts_and_facets_are_exact_over_the_whole_match_set(shop: LexicalIndex) -> None:
    # 296 products mention notebooks: more than a depth-200 candidate list could hold.
    match = MatchQuery("notebook")
    assert len(NOTEBOOKS) > 200
    assert shop.count_matching(match) == len(NOTEBOOKS) and ids(shop, "notebook") == NOTEBOOKS
    products = [BY_ID[i] for i in NOTEBOOKS]
    expected = {
        "brand": top_buckets(Counter(p.brand for p in products), 20),
        "availability": top_buckets(Counter(p.availability for p in products), 20),
        "price": top_buckets(Counter(label for p in products if (label := price_label(p.price))), 20),
        "attr.format": top_buckets(
            Counter(str(p.attributes["format"]) for p in products if "format" in p.attributes), 20
        ),
        "category_path": top_buckets(Counter(p.category_path for p in products), 20),
    }
    assert shop.facets(match, list(expected)) == expected
    # The same products bucketed as a shop whose prices are a hundred times larger would have them.
    yen = price_edges(2)
    scaled = top_buckets(Counter(label for p in products if (label := price_label(p.price, yen))), 20)
    assert shop.facets(match, ["price"], price_edges=yen) == {"price": scaled}
    assert {label for label, _ in scaled} <= {"*-1000", "1000-2500", "2500-5000", "5000-10000", "10000-25000"}
    cheap = Filters(price_max=20.0, available_only=True)
    assert ids(shop, "notebook", cheap) == {i for i in NOTEBOOKS if cheap.matches(BY_ID[i])}


def test_price_sort_covers_the_whole_match_set(shop: LexicalIndex) -> None:
    match = MatchQuery("notebook")
    pages = [shop.match_page(match, "price_asc", start, 100) for start in range(0, 300, 100)]
    ordered = [hit.product_id for page in pages for hit in page]
    assert len(ordered) == len(NOTEBOOKS) and set(ordered) == NOTEBOOKS
    prices = [BY_ID[i].price for i in ordered]
    priced = [p for p in prices if p is not None]
    assert priced == sorted(priced) and all(p is None for p in prices[len(priced) :])
    descending = [BY_ID[h.product_id].price for h in shop.match_page(match, "price_desc", 0, 5)]
    assert (
        descending == sorted((p.price for p in map(BY_ID.get, NOTEBOOKS) if p and p.price), reverse=True)[:5]
    )


@pytest.mark.parametrize(
    "filters",
    [
        Filters(availability=("out_of_stock",)),
        Filters(availability=("backorder", "discontinued"), price_max=30.0),
        Filters(availability=UNBUYABLE, available_only=True),  # nothing can be both
    ],
)
def test_the_availability_filter_keeps_the_named_availabilities(shop: LexicalIndex, filters: Filters) -> None:
    expected = {i for i in NOTEBOOKS if filters.matches(BY_ID[i])}
    assert ids(shop, "notebook", filters) == expected
    assert shop.count_matching(MatchQuery("notebook", filters)) == len(expected)
    assert bool(expected) == (not filters.available_only)


@pytest.mark.parametrize("sort", ["price_asc", "price_desc"])
def test_a_price_sort_lists_the_buyable_first_on_pages_that_straddle_the_sides(
    shop: LexicalIndex, sort: str
) -> None:
    match = MatchQuery("notebook", Filters(price_min=10.0))
    members = [BY_ID[i] for i in NOTEBOOKS if match.filters and match.filters.matches(BY_ID[i])]
    sign = -1 if sort == "price_desc" else 1
    expected = sorted((not p.available, sign * (p.price or 0.0)) for p in members)
    buyable = sum(1 for p in members if p.available)
    assert 0 < buyable < len(members)
    for size in (7, 50):  # page ends fall before, on and after the last buyable member
        listed = []
        for first in range(0, len(members) + size, size):
            listed += [BY_ID[h.product_id] for h in price_page(shop, match, sort, first, size, True)]
        assert [(not p.available, sign * (p.price or 0.0)) for p in listed] == expected
        assert len({p.id for p in listed}) == len(members)
    mixed = [BY_ID[h.product_id] for h in price_page(shop, match, sort, 0, len(members), False)]
    assert [sign * (p.price or 0.0) for p in mixed] == sorted(sign * (p.price or 0.0) for p in members)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("9780141439518", {"bk-austen"}),
        ("978-0-14-143951-8", {"bk-austen"}),
        ("ISBN 978 0 14 143951 8", {"bk-austen"}),
        ("0-14-143951-3", {"bk-austen"}),  # the same book's ISBN-10
        ("0141441143", {"bk-bronte"}),  # the ISBN-10 of 978-0-14-144114-6
        ("0141441144", set()),  # a wrong check digit is no ISBN
        ("n506-ku-bk", {"er-kobo"}),
        ("DCD 791 D2", {"tl-drill"}),
        ("dcd791d3", set()),  # identifiers and numbers get no typo tolerance
    ],
)
def test_identifiers_match_exactly_ignoring_case_spaces_and_dashes(
    shop: LexicalIndex, query: str, expected: set[str]
) -> None:
    assert ids(shop, query) == expected


def test_all_words_must_match_with_one_spare_from_three(shop: LexicalIndex) -> None:
    assert ids(shop, "jane austen") == {"bk-austen"}
    assert ids(shop, "jane austen hardcover") == {"bk-austen"}  # 2 of 3 words
    # Jane Eyre is a paperback too: 2 of 3 words; the product with all three ranks first.
    assert ids(shop, "jane austen paperback") == {"bk-austen", "bk-bronte"}
    ranked = shop.match_page(MatchQuery("jane austen paperback"), "relevance", 0, 2)
    assert [h.product_id for h in ranked] == ["bk-austen", "bk-bronte"]
    assert ids(shop, "austen hardcover") == set()  # 2 words: both needed
    assert ids(shop, "kafka") == {"bk-kafka"}  # attributes named in the settings are searchable
    assert ids(shop, "penguin classics fiction") == {"bk-austen", "bk-bronte"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hammr", {"tl-hammer"}),  # 5 letters: one edit
        ("cordles drill", {"tl-drill"}),
        ("bookmrak", {"odd-bookmark"}),  # 8 letters: a transposition counts as one edit
        ("laundri hampr", {"tl-hamper"}),
        ("xqzmmer", set()),  # too far
        ("brnte", {"bk-bronte"}),  # one edit from "Brontë" once accents are left out, two with them
        ("creme brulee", {"odd-unicode"}),  # accents left out entirely
    ],
)
def test_typos_are_tolerated_by_word_length(shop: LexicalIndex, query: str, expected: set[str]) -> None:
    assert ids(shop, query) == expected


def test_an_unfinished_word_typed_with_or_without_accents_matches(shop: LexicalIndex) -> None:
    assert shop.match_ids(MatchQuery("crème brûl", prefix_last=True)) == {"odd-unicode"}
    assert shop.match_ids(MatchQuery("creme brul", prefix_last=True)) == {"odd-unicode"}


def test_exact_words_outrank_corrected_ones(shop: LexicalIndex) -> None:
    # "hamper" is one edit from "hammer": both match, the exact spelling first.
    assert ids(shop, "hamper") == {"tl-hamper", "tl-hammer"}
    ranked = [h.product_id for h in shop.match_page(MatchQuery("hamper"), "relevance", 0, 5)]
    assert ranked == ["tl-hamper", "tl-hammer"]


def test_a_query_without_typos_matches_only_words_as_written(shop: LexicalIndex) -> None:
    # What a suggestion uses to prefer readings that match as written.
    assert shop.match_ids(MatchQuery("hamper", typos=False)) == {"tl-hamper"}
    assert shop.count_matching(MatchQuery("hammr", typos=False)) == 0
    assert shop.count_matching(MatchQuery("hammr")) == 1
    assert shop.match_ids(MatchQuery("cordless drill", typos=False)) == {"tl-drill"}


@pytest.mark.parametrize("kind", BACKENDS)
def test_synonyms_of_words_and_of_phrases_widen_the_match_set(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    synonyms = SynonymFile(tmp_path / "synonyms.json", check_interval_s=0.0)
    with open_backend(kind, request, tmp_path, synonyms=synonyms) as index:
        index.rebuild(CATALOG)
        assert ids(index, "mallet") == ids(index, "power drill") == ids(index, "clothes basket") == set()
        sets = [["mallet", "claw hammer"], ["power drill", "drill driver"], ["clothes basket", "hamper"]]
        synonyms.replace(sets, make_analyzer("english"))
        assert ids(index, "mallet") == {"tl-hammer"}  # a word for a phrase (all its words needed)
        assert ids(index, "claw hammer") == {"tl-hammer"}
        assert ids(index, "power drill") == {"tl-drill"}  # a phrase for a phrase
        assert ids(index, "cordless power drill") == {"tl-drill"}  # the rest of the query still applies
        assert ids(index, "power drill xyzzy qwerty") == set()  # 4 words: 3 needed, as without synonyms
        # A phrase for a word, which stands for both words of the phrase and is matched as the shop wrote
        # it ("hammer" is one typo from "hamper"; the shopper's own words keep their typo tolerance).
        assert ids(index, "woven clothes basket") == ids(index, "clothes basket") == {"tl-hamper"}
        assert ids(index, "wovn clothes basket") == {"tl-hamper"}
        assert ids(index, "clothes") == set()  # part of a phrase is no trigger
        assert index.count_matching(MatchQuery("power drill")) == 1
        ranked = index.match_page(MatchQuery("power drill"), "relevance", 0, 5)
        assert [h.product_id for h in ranked] == ["tl-drill"]


@pytest.mark.parametrize("kind", BACKENDS)
def test_a_misspelt_word_takes_the_synonyms_of_the_word_it_stands_for(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    synonyms = SynonymFile(tmp_path / "synonyms.json", check_interval_s=0.0)
    with open_backend(kind, request, tmp_path, synonyms=synonyms) as index:
        index.rebuild(CATALOG)
        synonyms.replace([["mallet", "claw hammer"]], make_analyzer("english"))
        assert ids(index, "mallet") == {"tl-hammer"}
        assert ids(index, "malet") == ids(index, "mallett") == {"tl-hammer"}  # one edit from "mallet"
        assert ids(index, "maulet") == {"tl-hammer"}
        assert ids(index, "mlt") == set()  # too short for a typo


def test_two_words_also_match_as_one_but_never_more_loosely(shop: LexicalIndex) -> None:
    assert ids(shop, "book mark") == {"odd-bookmark"}  # "bookmark", as written
    assert ids(shop, "note book") == NOTEBOOKS
    # 4 words, 3 needed: read as "notebook paper goods", "notebook" counts for two words, so the notebooks
    # match and the pens, which say "paper goods" too, do not.
    assert ids(shop, "note book paper goods") == NOTEBOOKS - {"odd-bookmark"}
    assert shop.count_matching(MatchQuery("note book paper goods")) == len(NOTEBOOKS) - 1


def test_a_size_matches_however_it_is_written(shop: LexicalIndex) -> None:
    # The drill says "18V", the e-reader "6 inch screen".
    assert ids(shop, "18 volt drill") == ids(shop, "18 v") == ids(shop, "18v") == {"tl-drill"}
    assert ids(shop, "6in screen") == ids(shop, "6 inch screen") == {"er-kobo"}
    assert ids(shop, "19 volt drill") == set()  # the number still has to match
    assert shop.count_matching(MatchQuery("18 volt drill")) == 1


def typed(index: LexicalIndex, text: str) -> set[str]:
    """Ids matching `text` typed into a search-as-you-type box (the last word may be unfinished)."""
    return index.match_ids(MatchQuery(text, prefix_last=True))


def test_the_last_word_matches_as_a_beginning_when_typing(shop: LexicalIndex) -> None:
    assert ids(shop, "prejud") == set() and typed(shop, "prejud") == {"bk-austen"}
    assert typed(shop, "pride and prejud") == {"bk-austen"}
    assert typed(shop, "prejud pride") == set()  # only the last word may be unfinished
    assert typed(shop, "prejud xyzzy") == set()
    assert typed(shop, "ha") == set()  # alone, too short to be a beginning
    assert typed(shop, "pride and p") == {"bk-austen"}  # after another word, any length
    # An unfinished word matches every word it begins, ranked below whole-word matches.
    assert typed(shop, "hamme") == {"tl-hammer"}
    ranked = shop.match_page(MatchQuery("hamper", prefix_last=True), "relevance", 0, 5)
    assert ranked[0].product_id == "tl-hamper"


def test_an_unfinished_identifier_matches_the_identifiers_it_begins(shop: LexicalIndex) -> None:
    assert ids(shop, "dcd791") == set()
    assert typed(shop, "dcd791") == {"tl-drill"}
    assert typed(shop, "drill DCD 791") == {"tl-drill"}
    assert typed(shop, "n506-k") == {"er-kobo"}
    assert typed(shop, "dcd7") == set()  # under five characters an identifier is not a beginning
    ranked = shop.match_page(MatchQuery("dcd791", prefix_last=True), "relevance", 0, 3)
    assert [h.product_id for h in ranked] == ["tl-drill"]


def test_cjk_text_is_searchable(shop: LexicalIndex) -> None:
    assert ids(shop, "猫") == {"bk-soseki"}
    assert ids(shop, "吾輩は猫") == {"bk-soseki"}
    assert ids(shop, "漱石") == {"bk-soseki"}


def test_semantic_ids_join_the_set_and_filters_still_apply(shop: LexicalIndex) -> None:
    match = MatchQuery("hammer", Filters(price_max=100.0), frozenset({"tl-drill", "tl-hamper"}))
    assert shop.match_ids(match) == {"tl-hammer", "tl-hamper"}  # the drill costs 129
    assert shop.match_ids(match, ["tl-hamper", "bk-kafka"]) == {"tl-hamper"}
    dense_only = MatchQuery("hammer", None, frozenset({"tl-drill"}), lexical=False)
    assert shop.match_ids(dense_only) == {"tl-drill"} and shop.count_matching(dense_only) == 1


def test_search_members_ranks_the_lexical_members_as_search_does_and_counts_them(shop: LexicalIndex) -> None:
    top = shop.search_members(MatchQuery("notebook", None, frozenset({"tl-drill"})), 50)
    assert top.members == len(NOTEBOOKS) and not top.complete  # the semantic ids are not its business
    assert len(top.hits) == 50 and {h.product_id for h in top.hits} <= NOTEBOOKS
    scores = [h.score for h in top.hits]
    assert scores == sorted(scores, reverse=True)
    ranked = {h.product_id: h.score for h in shop.search("notebook", len(CATALOG))}
    assert all(h.score == pytest.approx(ranked[h.product_id], rel=1e-5) for h in top.hits)
    best = sorted((ranked[i] for i in NOTEBOOKS), reverse=True)[:50]
    assert scores == pytest.approx(best, rel=1e-5)  # the 50 best-scored members, not any 50

    filters = Filters(price_max=100.0)
    typo = shop.search_members(MatchQuery("hammre", filters), 200)  # a typo, filters applied
    assert typo.complete and {h.product_id for h in typo.hits} == ids(shop, "hammre", filters)
    assert typo.members == len(typo.hits) > 0
    assert shop.search_members(MatchQuery("xyzzy qwerty"), 10) == MemberHits([], 0)
    dense_only = MatchQuery("hammer", None, frozenset({"tl-drill"}), lexical=False)
    assert shop.search_members(dense_only, 10).hits == []


@pytest.mark.parametrize(
    ("query", "match"),
    [
        ("notebook", MatchQuery("notebook", None, frozenset({"tl-drill"}))),
        ("hammre", MatchQuery("hammre", Filters(price_max=100.0))),  # a typo, filters on both sides
        ("cordless hammer", MatchQuery("cordless hammer", prefix_last=True)),
        ("notebook", MatchQuery("kettle")),  # other words for the members: each asked on its own
        ("xyzzy qwerty", MatchQuery("xyzzy qwerty")),
        ("hammer", MatchQuery("hammer", None, frozenset({"tl-drill"}), lexical=False)),
    ],
)
def test_search_with_members_answers_what_the_two_calls_answer(
    shop: LexicalIndex, query: str, match: MatchQuery
) -> None:
    candidates, members = shop.search_with_members(query, 50, match)
    assert candidates == shop.search(query, 50, match.filters)
    assert members == shop.search_members(match, 50)


@pytest.mark.parametrize(
    ("query", "filters", "identified"),
    [
        ("DCD791D2", None, ("tl-drill",)),  # a model number as written
        ("dewalt dcd 791-d2", None, ("tl-drill",)),  # a run of the query's parts
        ("isbn 978 0 14 143951 8", None, ("bk-austen",)),
        ("ER-KOBO", None, ("er-kobo",)),  # the product id is an identifier too
        ("DCD791D2", Filters(price_max=100.0), ()),  # the filters apply (the drill costs 129)
        ("DCD791", None, ()),  # a beginning matches, but does not name the product
        ("cordless drill", None, ()),
    ],
)
def test_search_with_members_names_the_products_a_query_names_by_identifier(
    shop: LexicalIndex, query: str, filters: Filters | None, identified: tuple[str, ...]
) -> None:
    _, members = shop.search_with_members(query, 50, MatchQuery(query, filters, prefix_last=True))
    assert members.identified == identified


def test_equal_scores_come_in_id_order_on_both_backends(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    # Written in reverse id order, so the embedded index's document order is not the id order.
    mugs = [Product(f"mug-{i:02d}", "Blue mug", "Stoneware.") for i in reversed(range(12))]
    with open_backend(backend, request, tmp_path) as index:
        index.rebuild([*mugs, Product("cup", "Blue cup", "Stoneware cup for tea.")])
        for query in ("blue mug", "mug"):
            candidates, members = index.search_with_members(query, 20, MatchQuery(query))
            for hits in (candidates, members.hits):  # (which ties a shorter list keeps still differs)
                assert [h.product_id for h in hits if h.product_id != "cup"] == [m.id for m in reversed(mugs)]


def test_near_ids_join_only_when_they_share_a_query_word(shop: LexicalIndex) -> None:
    assert ids(shop, "cordless hammer") == set()  # two words: a product needs both
    near = frozenset({"tl-drill", "tl-hamper", "er-kobo", "odd-blank"})
    match = MatchQuery("cordless hammer", None, frozenset(), near_ids=near)
    # The drill shares "cordless", the hamper "hammer" within one typo; the e-reader and the gift card
    # share nothing; the hammer has one of the two words but is not near.
    assert shop.match_ids(match) == {"tl-drill", "tl-hamper"} and shop.count_matching(match) == 2
    assert shop.match_ids(match, ["tl-drill", "er-kobo", "tl-hammer"]) == {"tl-drill"}
    assert shop.facets(match, ["brand"]) == {"brand": top_buckets({"DeWalt": 1, "Home Co": 1}, 20)}
    assert [h.product_id for h in shop.match_page(match, "price_asc", 0, 10)] == ["tl-hamper", "tl-drill"]
    cheap = MatchQuery("cordless hammer", Filters(price_max=100.0), frozenset(), near_ids=near)
    assert shop.match_ids(cheap) == {"tl-hamper"}  # filters still apply
    nonsense = MatchQuery("xyzzy qwerty", None, frozenset(), near_ids=near)
    assert shop.count_matching(nonsense) == 0 and shop.match_ids(nonsense) == set()


def test_near_matches_join_only_a_thin_match_set(shop: LexicalIndex) -> None:
    # The whole pipeline stage over each backend: every product at cosine 0.5 to the query, between the
    # near threshold (0.4) and the semantic one (0.8), so the near rule alone decides who joins.
    store = FaissVectorStore(2, "flat")
    store.add(
        [p.id for p in CATALOG], np.tile(np.array([[0.5, 0.75**0.5]], dtype=np.float32), (len(CATALOG), 1))
    )
    query = np.array([1.0, 0.0], dtype=np.float32)

    def members(text: str, near_below: int) -> set[str]:
        stage = MatchSetStage(shop, lambda: store, 0.8, near_threshold=0.4, near_below=near_below)
        match = stage.build(text, Filters(), "full", query)
        inside = shop.match_ids(match.query)
        total = match.total if match.total is not None else shop.count_matching(match.query)
        assert total == len(inside)
        return inside

    # Only the bookmark has both words: a set of one, broad from 1, thin below 2, where every product
    # sharing a word joins (the notebooks; nothing else says "leather").
    assert members("leather notebook", 1) == {"odd-bookmark"}
    assert members("leather notebook", 2) == NOTEBOOKS
    assert members("xyzzy qwerty", 100) == set()  # empty, so thin, but nothing shares a word


def test_near_members_score_nothing_and_lexical_members_keep_their_order(shop: LexicalIndex) -> None:
    near = frozenset({"tl-hamper", "tl-hammer"})
    ranked = shop.match_page(MatchQuery("claw hammer", None, frozenset(), near_ids=near), "relevance", 0, 5)
    assert [h.product_id for h in ranked] == ["tl-hammer", "tl-hamper"]
    assert ranked[0].score > 0 and ranked[1].score == 0  # the hamper is in by the near rule alone
    dense_only = MatchQuery("claw hammer", None, frozenset({"tl-drill"}), False, near_ids=near)
    assert shop.match_ids(dense_only) == {"tl-drill", "tl-hammer", "tl-hamper"}


@pytest.mark.parametrize("language", sorted(LANGUAGE_CASES))
def test_stemming_follows_the_catalog_language(
    language: str, request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    title, query = LANGUAGE_CASES[language]
    fields = in_language(language)
    with open_backend(backend, request, tmp_path, fields) as index:
        index.rebuild([Product("x", title), Product("y", "Something else entirely")])
        assert index.match_ids(MatchQuery(query)) == {"x"}


@pytest.mark.parametrize(
    ("language", "title", "query"),
    [
        ("german", "Dübel 6 mm", "duebel"),  # "ue" written for "ü"
        ("german", "Kratzbäume", "kratzbaeume"),
        ("dutch", "Schroeven", "schroef"),  # plural and singular: one stem
        ("dutch", "Matrassen", "matras"),
        ("russian", "Чёрные холодильники", "черный холодильник"),  # "ё" read as "е", then stemmed
        ("russian", "Наушники беспроводные", "беспроводных наушников"),
        ("turkish", "İPEK YASTIK KILIFI", "ipek yastık kılıfları"),  # "İ" is "i"; the suffix rules
        ("turkish", "Yastığı değiştirilebilir", "yastik"),  # the softened "ğ" hardened back
        ("polish", "Łóżko drewniane białe", "białe łóżka drewniane"),  # the ending rule after folding
        ("polish", "Stół rozkładany", "stoly rozkladane"),  # typed without the Polish letters
        ("czech", "Zámek na kolo", "zámky na kola"),  # the ending rule, then the vowel that drops
        ("czech", "Sada světel", "svetla"),  # typed without the Czech letters
    ],
)
def test_both_backends_stem_with_the_same_snowball_algorithm(
    language: str, title: str, query: str, request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    fields = in_language(language)
    with open_backend(backend, request, tmp_path, fields) as index:
        index.rebuild([Product("x", title), Product("y", "Etwas anderes")])
        assert index.match_ids(MatchQuery(query, typos=False)) == {"x"}


def test_a_dot_between_a_letter_and_a_digit_ends_a_word_on_both_backends(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    # OpenSearch's standard tokenizer reads "No.4" as "no" "4"; the embedded index the same.
    catalog = [Product("x", "Olaplex No.4 Bond Shampoo"), Product("y", "Olaplex No.5 Conditioner")]
    with open_backend(backend, request, tmp_path) as index:
        index.rebuild([*catalog, Product("z", "Firmware v1.2 for St.Gallen")])
        assert index.match_ids(MatchQuery("olaplex no 4", typos=False)) == {"x"}
        assert index.match_ids(MatchQuery("no.5", typos=False)) == {"y"}
        assert index.match_ids(MatchQuery("v1.2 st.gallen", typos=False)) == {"z"}


def test_a_yes_no_attribute_is_searched_by_its_name_where_it_says_yes(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    fields = SearchFields(
        {**FIELDS.weights, "attr.vegan": 1.0, "attr.fragrance_free": 1.0}, FIELDS.identifiers
    )
    catalog = [
        Product("v", "Repair Shampoo", attributes={"vegan": "Yes", "fragrance_free": "No"}),
        Product("n", "Volume Shampoo", attributes={"vegan": "No", "fragrance_free": "yes"}),
        Product("s", "Lip Balm", attributes={"vegan": "Yes"}),
    ]
    with open_backend(backend, request, tmp_path, fields) as index:
        index.rebuild(catalog)
        assert index.match_ids(MatchQuery("vegan shampoo", typos=False)) == {"v"}
        assert index.match_ids(MatchQuery("fragrance free shampoo", typos=False)) == {"n"}
        assert index.match_ids(MatchQuery("yes", typos=False)) == set()  # the value itself is no word


def test_a_query_written_decomposed_matches_the_composed_word(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    # "u" followed by a combining diaeresis, as some keyboards and macOS tools write "ü"
    fields = in_language("german")
    with open_backend(backend, request, tmp_path, fields) as index:
        index.rebuild([Product("x", "Dübel 6 mm"), Product("y", "Schrauben")])
        assert index.match_ids(MatchQuery("Du\u0308bel", typos=False)) == {"x"}
        assert index.match_ids(MatchQuery("du\u0308b", prefix_last=True)) == {"x"}  # as you type


@pytest.mark.parametrize(
    ("language", "query", "title"),
    [
        ("english", "hand", "Hand towel"),  # "hand" is one edit from the stop word "and"
        ("german", "hund", "Hund Spielzeug"),  # "hund" from "und"
    ],
)
def test_a_typo_never_lands_on_a_stop_word(
    language: str, query: str, title: str, request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    fields = in_language(language)
    others = {"english": "Gloves and scarves", "german": "Schrauben und Dübel"}
    with open_backend(backend, request, tmp_path, fields) as index:
        index.rebuild([Product("x", title), Product("y", others[language])])
        assert index.match_ids(MatchQuery(query)) == {"x"}
        assert index.match_ids(MatchQuery(query, prefix_last=True)) == {"x"}


KITCHEN = [
    Product("scale", "Keukenweegschaal digitaal"),
    Product("board", "Snijplank van eikenhout"),
    Product("roller", "Deegroller", attributes={"materiaal": "beukenhout"}),
    Product("frypan", "Koekenpan 24 cm"),
    Product("pan", "Pan met deksel"),
    Product("span", "Span 2 m"),  # "pan" after one letter: no compound
    Product("driver", "Akku-Bohrschrauber 18 V"),
    Product("screws", "Holzschrauben 4 x 40"),
    Product("down", "Dunjacka herr"),
    Product("shell", "Skaljackor barn"),
]


@pytest.mark.parametrize(
    ("language", "query", "expected"),
    [
        ("dutch", "weegschaal", {"scale"}),
        ("dutch", "weegschalen", {"scale"}),  # the plural's stem ends the compound
        ("dutch", "hout", {"board"}),  # an attribute that is not searchable stays unsearched
        ("dutch", "houten snijplank", {"board"}),
        ("dutch", "pan", {"frypan", "pan"}),
        ("german", "schrauber", {"driver"}),
        ("german", "schrauben", {"screws"}),
        ("english", "pan", {"pan"}),  # English writes its compounds apart: none looked for
        ("swedish", "jacka", {"down"}),  # "Skaljackor" ends with the plural: compounds are read as written
        ("swedish", "jackor", {"shell"}),
    ],
)
def test_a_word_matches_the_compounds_it_ends_in_compounding_languages(
    language: str,
    query: str,
    expected: set[str],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    backend: str,
) -> None:
    fields = in_language(language)
    with open_backend(backend, request, tmp_path, fields) as index:
        index.rebuild(KITCHEN)
        assert index.match_ids(MatchQuery(query)) == expected
        assert index.match_ids(MatchQuery(query, typos=False)) == expected  # a compound is no typo


PET_SHOP = [
    Product("dry", "Trockenfutter Junior Huhn", category=("Hund", "Futter")),
    Product("tins", "Dosenfutter für Hunde", category=("Angebote",)),
    Product("named", "Hundefutter mit Lamm"),
    Product("cat", "Katzenfutter Lachs", category=("Katze", "Futter")),
    Product("chew", "Kauknochen", category=("Hund", "Snacks")),
    Product("leash", "Hundeleine Nylon", category=("Hund", "Zubehör")),
    Product("bowl", "Futternapf Edelstahl", category=("Katze", "Zubehör")),
    Product("laptop", "Laptop Tasche"),
    Product("bag", "Tasche für Hundefutter", category=("Zubehör",)),
]


@pytest.mark.parametrize(
    ("language", "query", "expected"),
    [
        # Each part a word of the catalog: the compound also reads as both of them.
        ("german", "hundefutter", {"dry", "tins", "named", "bag"}),
        ("german", "katzenfutter", {"cat"}),
        ("german", "hundezubehör", {"leash"}),  # "Hund > Zubehör"
        ("german", "hundefutter lamm", {"named"}),
        ("german", "laptoptasche", {"laptop"}),
        ("english", "hundefutter", {"named", "bag"}),  # English writes compounds apart: none read
    ],
)
def test_a_compound_also_matches_its_parts_written_apart(
    language: str,
    query: str,
    expected: set[str],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    backend: str,
) -> None:
    fields = in_language(language)
    with open_backend(backend, request, tmp_path, fields) as index:
        index.rebuild(PET_SHOP)
        assert index.match_ids(MatchQuery(query)) == expected


def test_a_compound_reads_as_its_parts_once_the_catalog_has_both(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    with open_backend(backend, request, tmp_path, in_language("german")) as index:
        index.rebuild(PET_SHOP)
        assert index.match_ids(MatchQuery("katzennapf")) == set()  # "napf" is no word of its own here
        index.upsert([Product("napf", "Napf aus Keramik", category=("Katze",))])
        # "napf" arrives, and the reading with it: the cat's food bowl too ("napf" ends "Futternapf").
        assert index.match_ids(MatchQuery("katzennapf")) == {"napf", "bowl"}


def test_a_word_as_written_outranks_the_compounds_it_ends(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    fields = in_language("dutch")
    with open_backend(backend, request, tmp_path, fields) as index:
        index.rebuild(KITCHEN)
        ranked = [h.product_id for h in index.match_page(MatchQuery("pan"), "relevance", 0, 5)]
        assert ranked == ["pan", "frypan"]
        assert [h.product_id for h in index.search("weegschaal", 5)] == ["scale"]  # candidates too


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("DM-0761", {"santoku"}),  # the model number without the series the feed writes before it
        ("dm 0761", {"santoku"}),
        ("Shun DM-0761", {"santoku"}),
        ("KAI Shun DM0761", {"santoku"}),
        ("8700000000018", {"santoku"}),
        ("000018", set()),  # a run of digits inside an EAN names nothing
        ("0761", set()),
    ],
)
def test_a_model_number_matches_without_the_brand_or_series_written_before_it(
    query: str, expected: set[str], request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    knives = [
        Product(
            "santoku", "Santoku 三徳包丁", attributes={"model": "KAI Shun DM-0761", "ean": "8 700000 000018"}
        ),
        Product("gyuto", "Gyuto", attributes={"model": "KAI Shun DM-0706", "ean": "8 700000 000025"}),
    ]
    with open_backend(backend, request, tmp_path) as index:
        index.rebuild(knives)
        assert index.match_ids(MatchQuery(query)) == expected


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


FAMILY_CATALOG = [
    Product(
        f"{family}-{size}",
        f"{colour} linen shirt" if family % 2 else f"{colour} wool sweater",
        category=("Clothing",),
        price=50.0 + family + size,
        availability="out_of_stock" if size == 2 else "in_stock",
        attributes={"group": str(100 + family) if family % 3 else f"handle-{family}", "size": str(size)},
    )
    for family in range(30)
    for size, colour in enumerate(("red", "blue", "green"))
] + [Product(f"single-{n}", "Plain linen shirt", price=20.0) for n in range(4)]


@pytest.mark.parametrize("kind", BACKENDS)
def test_family_sizes_count_each_familys_members_in_the_match_set(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.lexical import family_query, tantivy_generation

    monkeypatch.setattr(family_query, "PAGE", 4)  # OpenSearch reads its counts over several pages
    with open_backend(kind, request, tmp_path) as index:
        index.rebuild([p for p in FAMILY_CATALOG if p.family is None])
        assert index.family_sizes(MatchQuery("shirt")) is None  # no product names a family
        index.upsert([p for p in FAMILY_CATALOG if p.family is not None])

        def expected(keep: object) -> dict[str, int]:
            return dict(Counter(p.family for p in FAMILY_CATALOG if p.family is not None and keep(p)))

        shirts = expected(lambda p: "shirt" in p.title)
        assert index.family_sizes(MatchQuery("shirt")) == shirts and len(shirts) == 15
        in_stock = Filters(available_only=True)
        assert index.family_sizes(MatchQuery("shirt", in_stock)) == expected(
            lambda p: "shirt" in p.title and p.available
        )
        joined = MatchQuery("shirt", also_ids=frozenset({"0-0", "0-1"}))  # two sweaters, semantically
        assert index.family_sizes(joined) == {**shirts, "handle-0": 2}
        assert index.family_sizes(MatchQuery("xyzzy")) == {}
        # The set given by its ids (a search whose retrieval named every member): the same counts.
        named = {p.id for p in FAMILY_CATALOG if "shirt" in p.title}
        assert index.family_sizes(MatchQuery("shirt"), members=named) == shirts
        # More families than one tantivy aggregation returns: the family terms are walked, as exactly.
        monkeypatch.setattr(tantivy_generation, "FAMILY_BUCKETS", 4)
        assert index.family_sizes(MatchQuery("shirt")) == shirts


def _facet_family_catalog() -> list[Product]:
    """Families of one to four sizes in two colours, brands and prices that differ within a family only
    in price, and products of their own: enough values that a small top leaves some uncounted."""
    products = []
    for family in range(24):
        brand = ("Acme", "Globex", "Initech", "Umbrella", "Hooli")[family % 5]
        for member in range(family % 4 + 1):
            attributes = {
                "group": f"fam-{family}",
                "size": "SMLX"[member],
                "colour": ("red", "blue")[member % 2],
            }
            products.append(
                Product(
                    f"f{family}-{member}",
                    "linen shirt" if family % 3 else "wool sweater",
                    brand=brand,
                    category=("Clothing", "Tops" if family % 2 else "Knitwear"),
                    price=[9.0, 30.0, 60.0, 120.0][(family + member) % 4],
                    availability="out_of_stock" if member == 1 else "in_stock",
                    attributes=attributes,
                )
            )
    products += [
        Product(f"own-{n}", "plain linen shirt", brand="Hooli", price=30.0, attributes={"size": "M"})
        for n in range(5)
    ]
    return products


FACET_FAMILIES = _facet_family_catalog()
FAMILY_FACETS = ["brand", "category", "category_path", "availability", "price", "attr.size", "attr.colour"]


@pytest.mark.parametrize("kind", BACKENDS)
def test_facets_count_families_exactly(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.lexical import family_facets, family_query, tantivy_facets, tantivy_generation
    from engine.pipeline.facets import facet_counts

    monkeypatch.setattr(family_facets, "BATCH", 2)  # several rounds of counts
    monkeypatch.setattr(family_query, "PAGE", 3)  # OpenSearch's family counts over several pages
    monkeypatch.setattr(family_query, "LISTED", 2)  # and its values listed again, four times more
    with open_backend(kind, request, tmp_path) as index:
        index.rebuild(FACET_FAMILIES)
        edges = price_edges(0)
        for text, filters in (("shirt", None), (None, None), ("shirt", Filters(available_only=True))):
            members = [
                p
                for p in FACET_FAMILIES
                if (text is None or text in p.title) and (filters or Filters()).matches(p)
            ]
            for size in (2, 20):
                expected = facet_counts(members, FAMILY_FACETS, size, edges, families=True)
                got = index.facets(MatchQuery(text, filters), FAMILY_FACETS, size, edges, families=True)
                assert got == expected, (text, filters, size)
        # Counted by hand: Hooli's families are 4, 9, 14 and 19 of 1, 2, 3 and 4 sizes, 9 wool (not
        # in the set), and five shirts of their own.
        shirts = index.facets(MatchQuery("shirt"), ["brand", "attr.size"], families=True)
        assert dict(shirts["brand"])["Hooli"] == 3 + 5
        products = index.facets(MatchQuery("shirt"), ["brand"])["brand"]
        assert dict(products)["Hooli"] == 1 + 3 + 4 + 5
        assert dict(shirts["attr.size"])["S"] == 16 and dict(shirts["attr.size"])["M"] == 12 + 5
        # Fewer values listed than the set has: the tantivy aggregation is asked again for all of them.
        monkeypatch.setattr(tantivy_facets, "LISTED", 1)
        assert index.facets(MatchQuery("shirt"), ["brand", "attr.size"], families=True) == shirts
        assert index.facets(MatchQuery("shirt"), ["brand"]) == {"brand": products}
        # More families than one tantivy aggregation returns: the family terms are walked, as exactly.
        monkeypatch.setattr(tantivy_generation, "FAMILY_BUCKETS", 2)
        assert index.facets(MatchQuery("shirt"), ["brand", "attr.size"], families=True) == shirts
        assert index.facets(MatchQuery("xyzzy"), FAMILY_FACETS, families=True) == {
            f: [] for f in FAMILY_FACETS
        }


SEVERAL_PATHS = [
    Product("box", "Transportbox", category=("Hund", "Reisen"), more_categories=(("Katze", "Reisen"),)),
    Product("bag", "Reisetasche", category=("Hund", "Reisen"), more_categories=(("Sale",), ("Katze",))),
    Product("leash", "Leine", category=("Hund", "Zubehör")),
    Product("tree", "Kratzbaum", category=("Katze", "Möbel"), more_categories=(("Sale",),)),
    Product("plain", "Napf"),
]


def test_a_product_in_several_categories_is_filtered_counted_and_found_by_each(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str
) -> None:
    from engine.pipeline.facets import facet_counts

    fields = in_language("german")
    with open_backend(backend, request, tmp_path, fields) as index:
        index.rebuild(SEVERAL_PATHS)
        assert index.match_ids(MatchQuery(None, Filters(category=("Katze",)))) == {"box", "bag", "tree"}
        assert index.match_ids(MatchQuery(None, Filters(category=("Katze", "Reisen")))) == {"box"}
        assert index.match_ids(MatchQuery(None, Filters(category=("Sale",)))) == {"bag", "tree"}
        assert index.match_ids(MatchQuery("sale")) == {"bag", "tree"}  # every path's names are searched
        names = ["category", "category_path"]
        assert index.facets(MatchQuery(None), names) == facet_counts(SEVERAL_PATHS, names)
        assert dict(index.facets(MatchQuery(None), ["category"])["category"]) == {
            "Hund": 3,
            "Katze": 3,
            "Sale": 2,
        }
        assert index.get(["bag"])["bag"] == SEVERAL_PATHS[1]  # stored with every path
        index.upsert([Product("bag", "Reisetasche", category=("Hund", "Reisen"))])  # out of the sale
        assert index.match_ids(MatchQuery(None, Filters(category=("Sale",)))) == {"tree"}


LABELLED = [
    Product("oat-1", "Haverdrink barista 1 L", attributes={"Tags": ["Vegan", "Lactosevrij"], "group": "oat"}),
    Product(
        "oat-2", "Haverdrink barista 6 x 1 L", attributes={"Tags": ["Vegan", "Lactosevrij"], "group": "oat"}
    ),
    Product("soy", "Sojadrink ongezoet", attributes={"Tags": ["Vegan", "Lactosevrij"]}),
    Product("milk", "Biologische melkdrink", attributes={"Tags": "Biologisch"}),
    Product("lf", "Lactosevrije melkdrink", attributes={"Tags": ["Lactosevrij"]}),
    Product("plain", "Karnemelk drink"),
]


@pytest.mark.parametrize("kind", BACKENDS)
def test_a_list_attribute_counts_and_filters_by_each_of_its_values(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    with open_backend(kind, request, tmp_path) as index:
        index.rebuild(LABELLED)
        everything = MatchQuery(None)
        counts = {"Vegan": 3, "Lactosevrij": 4, "Biologisch": 1}
        assert index.facets(everything, ["attr.Tags"]) == {"attr.Tags": top_buckets(counts, 20)}
        families = {"Vegan": 2, "Lactosevrij": 3, "Biologisch": 1}  # the oat drink's two sizes once
        assert index.facets(everything, ["attr.Tags"], families=True) == {
            "attr.Tags": top_buckets(families, 20)
        }
        for accepted, expected in [
            (("Vegan",), {"oat-1", "oat-2", "soy"}),
            (("Biologisch", "Lactosevrij"), {"oat-1", "oat-2", "soy", "milk", "lf"}),
        ]:
            filters = Filters(attributes={"Tags": accepted})
            assert index.match_ids(MatchQuery(None, filters)) == expected
            assert {p.id for p in LABELLED if filters.matches(p)} == expected  # the reference semantics
