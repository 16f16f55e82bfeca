"""Identifiers and words as shoppers and feeds write them: a book's ISBN-10 and ISBN-13 alike,
accents left out or written decomposed, letters and digits typed full width."""

from __future__ import annotations

import unicodedata

import pytest

from engine.charset import fold_diacritics, narrowed
from engine.lexical.analysis import tokenize
from engine.lexical.isbn import other_forms
from engine.lexical.matching import SearchFields, normalize_identifier, spell_forms
from engine.ranking.stats import normalise_query
from engine.records import Product


@pytest.mark.parametrize(
    ("normalised", "expected"),
    [
        ("9780141439518", ["0141439513"]),  # Pride and Prejudice, Penguin Classics
        ("0141439513", ["9780141439518"]),
        ("080442957x", ["9780804429573"]),  # an ISBN-10 whose check digit is X
        ("9780804429573", ["080442957x"]),
        ("isbn9780141439518", ["9780141439518", "0141439513"]),  # the label dropped as well
        ("9790060115615", []),  # a 979 ISBN has no ten-digit form
        ("9780141439519", []),  # wrong EAN check digit
        ("0141439514", []),  # wrong mod-11 check digit
        ("1234567890", []),  # a ten-digit SKU that fails the check
        ("dcd791d2", []),
    ],
)
def test_other_forms_of_a_checked_isbn(normalised: str, expected: list[str]) -> None:
    assert other_forms(normalised) == expected


def test_a_products_identifiers_hold_both_isbn_forms() -> None:
    book = Product("b1", "Pride and Prejudice", attributes={"isbn": "978-0-14-143951-8", "sku": "PP-1"})
    assert SearchFields().identifier_values(book) == ["b1", "9780141439518", "pp1", "0141439513"]


def test_spellings_and_query_forms_leave_accents_out() -> None:
    assert fold_diacritics("cortázar") == "cortazar" and fold_diacritics("brûlée") == "brulee"
    assert fold_diacritics("Kratzbäume") == "Kratzbaume" and fold_diacritics("plain") == "plain"
    # letters with no accent to drop but an ASCII form, as Lucene's asciifolding writes them
    assert fold_diacritics("łóżko") == "lozko" and fold_diacritics("søren") == "soren"
    assert fold_diacritics("straße") == "strasse"
    fields = SearchFields({"title": 1.0, "attr.autor": 1.0}, language="spanish")
    book = Product("r", "Rayuela de Cortázar", attributes={"autor": "Julio Cortázar"})
    written = fields.spelling(book).split()  # the words as written, then their stems where they differ
    assert written[:3] == ["rayuela", "cortazar", "julio"] and "de" not in written  # a stop word
    english = SearchFields({"title": 1.0}).spelling(Product("d", "Cordless Drills"))
    assert english == "cordless drills"  # no stems in English: "drill" is no word the catalog wrote
    assert spell_forms("cortazr") == ("cortazr",)
    assert spell_forms("cortázr") == ("cortazr", "cortázr")  # as typed too, for an older index


def test_decomposed_text_tokenizes_as_the_composed_word() -> None:
    decomposed = unicodedata.normalize("NFD", "Kratzbäume für Dübel")
    assert decomposed != "Kratzbäume für Dübel" and tokenize(decomposed) == ["kratzbäume", "für", "dübel"]


def test_full_width_forms_read_as_the_ascii_a_shopper_types_otherwise() -> None:
    """A Chinese, Japanese or Korean input method in full-width mode types Latin letters and digits
    as their full-width forms; they are the same keys."""
    words = ["wh", "1000xm5", "usb", "c", "ケーブル", "2m"]
    assert tokenize("ｗｈ－１０００ｘｍ５ ＵＳＢ－Ｃケーブル　２ｍ") == words
    assert normalize_identifier("ＷＨ－１０００ＸＭ５") == normalize_identifier("WH-1000XM5") == "wh1000xm5"
    assert normalise_query("ＷＨ－１０００ＸＭ５　Sony") == normalise_query("wh-1000xm5 sony")
    assert narrowed("ケーブル") == "ケーブル" and narrowed("plain") == "plain"  # kana and ASCII as they are


def test_half_width_katakana_read_as_full_width() -> None:
    """Older Japanese systems export katakana half width, a voiced letter as the letter and its mark."""
    assert narrowed("ﾃﾌﾛﾝ加工 ﾌﾗｲﾊﾟﾝ") == "テフロン加工 フライパン"
    assert narrowed("ｶﾞｽ ｳﾞｨﾝﾃｰｼﾞ ｽﾃﾝﾚｽ｡") == "ガス ヴィンテージ ステンレス。"
    assert narrowed("ｱﾞ ﾞ") == "ア゛ ゛"  # a mark no letter takes stays a mark
    assert tokenize("ﾌﾗｲﾊﾟﾝ･ｹﾄﾙ") == tokenize("フライパン・ケトル")
    assert normalise_query("ﾌﾗｲﾊﾟﾝ ２６ｃｍ") == normalise_query("フライパン 26cm")  # one query's statistics


def test_an_inch_mark_after_a_number_is_the_word_inch() -> None:
    assert tokenize('Sony Bravia 55" OLED') == ["sony", "bravia", "55", "inch", "oled"]
    assert tokenize("iPad 11″, MacBook 13'', 6,1” Display") == [
        *("ipad", "11", "inch", "macbook", "13", "inch", "6.1", "inch", "display"),
    ]
    assert tokenize('he said "hi"') == ["he", "said", "hi"]  # a quotation mark after a letter stays one
    assert tokenize("ＴＶ ５５＂") == ["tv", "55", "inch"]  # typed full width
