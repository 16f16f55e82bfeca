"""Two adjacent words of a product's name written as one, as shoppers type a name the catalog writes
apart or hyphenated: "proplan" for "Pro Plan", "tshirt" for "T-Shirt", "wifi" for "Wi-Fi", "juliusk9"
for "Julius-K9".

No reading of such a query word finds the product: the word as typed is in none. So the lexical index
keeps, per product, each pair of adjacent words of its title and brand written together
(`joined_words`), analysed like every searchable word (so "tshirts" finds "T-Shirt" through the stem),
in a field of its own (`JOINED_FIELD`) that a query word matches as one more way to match, scoring like
a title word (`JOINED_WEIGHT`), when the catalog lacks the word itself (`may_be_joined`): a word it has is
matched as that word, so "maker" never reads as a title's "Ma Ker", nor "wireless" as "Wire-less" (on
crowdflower, joining every word cost 0.0018 nDCG@10; a word unknown to the catalog is what a name
typed as one word looks like). Both backends do the same: the embedded index writes the field's terms
with the catalog's analyser, OpenSearch analyses the field with it. The reverse, "fire pit" for the
catalog's "firepit", is a reading of the query (`engine.lexical.readings.joined_rewrites`).

Title and brand only: they hold the names shoppers write as one word. A description's neighbours
joined would add words nobody types, and a few that mean another thing.

A name written with an apostrophe or an ampersand inside is typed without it as often: "lor" for
"L'OR", "loreal" for "L'Oréal", "mms" for "M&M's", "kelloggs" for "Kellogg's". The apostrophe keeps
"l'or" one word no query "lor" reaches (three letters allow no typo), and "M&M's" reads "mm" once its
possessive goes, so the field also holds such a word without its signs (`unsigned_words`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

from engine.lexical.analysis import is_cjk, tokenize
from engine.lexical.matching import QueryWord
from engine.lexical.readings import KnownTerms
from engine.records import Product

JOINED_FIELD = "joined"
JOINED_WEIGHT = 3.0  # the default title weight: a name typed as one word is still the product's name


def _word(token: str) -> bool:
    return any(c.isalpha() for c in token) and not is_cjk(token)


def _graded(a: str, b: str) -> bool:
    """A number with its letter, then a number: an oil's "5W-30", read "5w" "30", typed "5w30"."""
    return a[:1].isdigit() and a[-1:].isalpha() and b.isdigit()


def joined_words(product: Product) -> list[str]:
    """Each pair of adjacent words of the title and of the brand written together, once each: "Pienso
    Purina Pro Plan" gives "piensopurina", "purinapro", "proplan". Pairs need a letter on both sides
    (not "4 x 40", whose joined forms are dimension readings) and no CJK, which is matched by bigrams,
    but for a grade's number after a number with its letter ("5W-30" gives "5w30", so "5w30 5l" finds
    the 5 l can of 5W-30, where the grade's reading and the size's cannot both apply). Then the words
    written with an apostrophe or ampersand inside, without them (`unsigned_words`)."""
    joined: dict[str, None] = {}
    for text in (product.title, product.brand):
        pairs = itertools.pairwise(tokenize(text))
        joined.update((a + b, None) for a, b in pairs if (_word(a) and _word(b)) or _graded(a, b))
        joined.update((word, None) for word in unsigned_words(text))
    return list(joined)


_SIGNED = re.compile(r"[^\W_]+(?:['’&][^\W_]+)+")
_SIGNS = re.compile(r"['’&]")


def unsigned_words(text: str) -> list[str]:
    """The words of `text` written with an apostrophe or ampersand between letters, lowercased, without
    them: "L'OR Espresso, M&M's" gives "lor", "mms"."""
    return [_SIGNS.sub("", word) for word in _SIGNED.findall(text.lower())]


def may_be_joined(words: list[QueryWord], known: KnownTerms | None) -> list[QueryWord]:
    """`words` with `joined` set on those that may be a name typed as one word: a word with a letter,
    not CJK, no synonym, none of whose analysed terms the catalog has (`known`: which of some terms
    it has, one lookup for the query; None marks no word)."""
    candidates = [w for w in words if _word(w.word) and not w.alternatives]
    if not candidates or known is None:
        return words
    found = set(known({term for w in candidates for term in w.terms}))
    marked = {w.word for w in candidates if not found.intersection(w.terms)}
    return [replace(w, joined=True) if w.word in marked else w for w in words]
