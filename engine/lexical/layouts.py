"""A query typed with the keyboard in its other layout, read as meant (`engine.lexical.readings`).

A shopper in Russia switches between the Cyrillic and the Latin layout all day, and often types a word
in the wrong one: "cnbhfkmyfz vfibyf" is "стиральная машина" typed on the same keys with the Latin
layout on, "ишыср" is "bosch" with the Cyrillic one. Such a word is no word of the catalog, and no typo
correction reaches it. In a catalog whose language is written in Cyrillic (`LAYOUT_LANGUAGES`), every
query word the catalog does not have is read through the other layout (the standard ЙЦУКЕН and QWERTY
keyboards, key for key, "[" being "х" and ";" "ж"), and where the catalog has every term of what that
gives, the query also reads so: one reading, the words read anew matched as written, the others as
typed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from engine.lexical.rewrite import Rewrite, words_read_as

LAYOUT_LANGUAGES = frozenset({"russian"})
_LATIN = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_CYRILLIC = "йцукенгшщзхъфывапролджэячсмитьбюё"
TO_CYRILLIC = str.maketrans(_LATIN, _CYRILLIC)
TO_LATIN = str.maketrans(_CYRILLIC, _LATIN)
_LATIN_KEYS, _CYRILLIC_KEYS = frozenset(_LATIN), frozenset(_CYRILLIC)
MIN_LAYOUT_CHARS = 3  # shorter words read as letters of the other alphabet too often


def other_layout(word: str) -> str | None:
    """`word` typed on the same keys in the other layout, None when it mixes both or is too short."""
    if len(word) < MIN_LAYOUT_CHARS:
        return None
    keys = set(word)
    if keys <= _LATIN_KEYS and any(c.isalpha() for c in word):
        return word.translate(TO_CYRILLIC)
    if keys <= _CYRILLIC_KEYS:
        return word.translate(TO_LATIN)
    return None


def layout_rewrites(
    text: str,
    analyzer: Callable[[str], list[str]],
    language: str,
    known: Callable[[Collection[str]], Collection[str]],
) -> list[Rewrite]:
    """The query with each word the catalog lacks read through the other layout, where the catalog has
    what that gives (see the module docstring); none outside `LAYOUT_LANGUAGES`."""
    if language not in LAYOUT_LANGUAGES:
        return []
    words = text.lower().split()
    candidates = {i: other_layout(word) for i, word in enumerate(words)}
    typed = {i: analyzer(words[i]) for i, other in candidates.items() if other}
    read = {i: analyzer(other) for i, other in candidates.items() if other}
    terms = {t for found in (*typed.values(), *read.values()) for t in found}
    have = set(known(terms)) if terms else set()
    swapped = [
        i for i in read if read[i] and set(read[i]) <= have and not (typed[i] and set(typed[i]) <= have)
    ]
    if not swapped:
        return []
    return [words_read_as(words, {i: str(candidates[i]) for i in swapped})]
