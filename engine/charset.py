"""Which characters a stored or searched string may hold.

Refused: unpaired UTF-16 surrogates (U+D800..U+DFFF, which JSON's `\\ud800` escapes can carry but no UTF-8
encoder, database or search cluster accepts, so they used to fail deep in a backend as a 500) and the C0
control characters other than tab, line feed and carriage return, plus DEL (they break CSV and log lines,
terminals and tokenizers, and no product text needs them). Everything else in Unicode is allowed,
and kept composed (`composed`), so one word is one string however it was typed or exported.

What is searched also reads full-width Latin letters, digits and signs as the ASCII ones, and half-width
katakana as the full-width ones (`narrowed`): a Chinese, Japanese or Korean keyboard in full-width mode
types "ｗｈ－１０００ｘｍ５" for "wh-1000xm5", and older Japanese systems (point-of-sale exports, mail-order
catalogs) still write "ﾌﾗｲﾊﾟﾝ" for "フライパン". Stored text keeps its own characters.
"""

from __future__ import annotations

import re
import unicodedata

_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def bad_character(text: str) -> str | None:
    """None when `text` is acceptable, else a short description of the first bad character."""
    found = _BAD.search(text)
    if found is None:
        return None
    code = ord(found.group())
    kind = "an unpaired surrogate" if 0xD800 <= code <= 0xDFFF else "a control character"
    return f"contains {kind} (U+{code:04X}) at position {found.start()}"


# U+FF01..U+FF5E are U+0021..U+007E written full width; U+3000 is the ideographic space.
WIDE_FORMS = {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
_NARROW = str.maketrans(WIDE_FORMS)


def _half_width_kana() -> dict[str, str]:
    """U+FF61..U+FF9F (half-width katakana and their punctuation) as the full-width forms, a letter and
    a following voiced or semi-voiced mark as the one letter they write ("ｶﾞ" -> "ガ", as Lucene's
    `cjk_width` reads them); a mark no letter takes stays a mark, the spacing one (゛, ゜)."""
    marks = {"\uff9e": ("\u3099", "\u309b"), "\uff9f": ("\u309a", "\u309c")}  # (combining, spacing)
    table = {chr(code): unicodedata.normalize("NFKC", chr(code)) for code in range(0xFF61, 0xFF9E)}
    table |= {mark: spacing for mark, (_, spacing) in marks.items()}
    for letter in [chr(code) for code in range(0xFF66, 0xFF9E)]:
        for mark, (combining, _) in marks.items():
            joined = unicodedata.normalize("NFC", table[letter] + combining)
            if len(joined) == 1:
                table[letter + mark] = joined
    return table


HALF_WIDTH_KANA = _half_width_kana()
_HALF_WIDTH = re.compile("|".join(sorted(HALF_WIDTH_KANA, key=len, reverse=True)))
_ANY_HALF_WIDTH = re.compile("[\uff61-\uff9f]")


def widened_kana(text: str) -> str:
    """`text` with half-width katakana as full-width (`HALF_WIDTH_KANA`)."""
    if _ANY_HALF_WIDTH.search(text) is None:  # every non-ASCII text indexed or searched passes here
        return text
    return _HALF_WIDTH.sub(lambda found: HALF_WIDTH_KANA[found.group()], text)


def narrowed(text: str) -> str:
    """`text` with full-width ASCII forms as ASCII and half-width katakana as full-width (Lucene's
    `cjk_width` does the same), so a query typed in an input method's full-width mode finds what the
    same keys find in ASCII, and "ﾌﾗｲﾊﾟﾝ" what "フライパン" finds: the lexical analysis, the query
    encoder, identifiers and the query's statistics all read it so."""
    return text if text.isascii() else widened_kana(text.translate(_NARROW))


def composed(text: str) -> str:
    """Accented letters as one character each (NFC). Some macOS tools and keyboards write "ü" as "u" and
    a combining diaeresis: a feed written so would show and match apart from the same word typed
    ("dübel"), a tokenizer would split the word at the mark, OpenSearch would index another term, and
    click statistics would count another query."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


# Latin letters without a decomposition that Lucene's ASCIIFoldingFilter writes in ASCII all the same
# (Polish "ł", Danish and Norwegian "ø", "æ", German "ß", Croatian "đ", Icelandic "ð", "þ", Turkish "ı").
LETTERS_TO_ASCII = {"æ": "ae", "œ": "oe", "ø": "o", "ß": "ss", "ł": "l", "đ": "d", "ð": "d", "þ": "th"}
LETTERS_TO_ASCII |= {"ı": "i", "ħ": "h", "ŧ": "t", "ŀ": "l"}
_PLAIN_LETTERS = str.maketrans(LETTERS_TO_ASCII | {"İ": "i"})

# Kana's voicing marks and hangul's parts decompose into combining characters too, but are letters' parts.
_SYLLABIC = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff61-\uff9f]")


def fold_diacritics(word: str) -> str:
    """`word` without its accents ("cortázar" -> "cortazar", "müller" -> "muller", Turkish "ı" and "İ"
    as "i", and the letters that have no accent to drop but an ASCII form, `LETTERS_TO_ASCII`: Polish
    "łóżko" -> "lozko"): how typos are measured and titles matched, since shoppers leave accents out far
    more often than they misspell, and an accent left out plus one real typo would otherwise be two
    edits, past a 7-letter word's one. CJK and kana stay as they are ("が" is not "か")."""
    if word.isascii() or _SYLLABIC.search(word):
        return word
    decomposed = unicodedata.normalize("NFKD", word.translate(_PLAIN_LETTERS))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
