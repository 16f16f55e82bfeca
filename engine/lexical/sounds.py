"""A word spelt as it sounds, read as the catalog spells it (`engine.lexical.readings`).

Brazilians write "x" and "ch" for one sound, and "ss" and "ç" for another, and shoppers pick the wrong
one as often as schoolchildren do: "moxila" for "mochila", "xinelo" for "chinelo", "xuteira" for
"chuteira", "assucar" for "açúcar". Such a word is two edits from the catalog's (a letter changed and
one added), past the one edit a word of four to seven letters is allowed, so no typo correction reached
it and "moxila" answered nothing. Spanish has the same with "y" and "ll" ("siya" for "silla").

In a catalog whose language has such spellings (`SOUND_SPELLINGS`), each query word the catalog does not
have is spelt the other ways (every occurrence of a spelling replaced by the other, one spelling at a
time), and where the catalog has every term of one of them, the query also reads so: one reading, the
words spelt anew matched as written, the others as typed. Only words the catalog lacks are respelt, so
a word it has ("xadrez", "chá") always means itself.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from engine.lexical.rewrite import Rewrite, words_read_as

# Spellings of one sound, by catalog language: each is tried for the other, both ways.
SOUND_SPELLINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "portuguese": (("x", "ch"), ("ss", "ç")),
    "spanish": (("y", "ll"),),
}
MIN_RESPELT_CHARS = 4  # shorter words have too many neighbours spelt some other way


def respellings(word: str, language: str) -> list[str]:
    """`word` with one of its language's spellings replaced by the other throughout, each way that
    changes it (none for words under `MIN_RESPELT_CHARS` or outside `SOUND_SPELLINGS`)."""
    if len(word) < MIN_RESPELT_CHARS:
        return []
    found = []
    for one, other in SOUND_SPELLINGS.get(language, ()):
        for written, meant in ((one, other), (other, one)):
            if written in word:
                found.append(word.replace(written, meant))
    return found


def sound_rewrites(
    text: str,
    analyzer: Callable[[str], list[str]],
    language: str,
    known: Callable[[Collection[str]], Collection[str]],
) -> list[Rewrite]:
    """The query with each word the catalog lacks spelt as the catalog spells it, where one of its
    respellings has every term in the catalog (see the module docstring); none outside
    `SOUND_SPELLINGS`."""
    if language not in SOUND_SPELLINGS:
        return []
    words = text.lower().split()
    candidates = {i: respellings(word, language) for i, word in enumerate(words)}
    candidates = {i: spelt for i, spelt in candidates.items() if spelt}
    if not candidates:
        return []
    typed = {i: analyzer(words[i]) for i in candidates}
    read = {i: [(spelt, analyzer(spelt)) for spelt in spelt_ways] for i, spelt_ways in candidates.items()}
    terms = {t for found in typed.values() for t in found}
    terms |= {t for ways in read.values() for _, found in ways for t in found}
    have = set(known(terms)) if terms else set()
    chosen: dict[int, str] = {}
    for i, ways in read.items():
        if typed[i] and set(typed[i]) <= have:
            continue  # the catalog has the word as typed
        meant = next((spelt for spelt, found in ways if found and set(found) <= have), None)
        if meant is not None:
            chosen[i] = meant
    if not chosen:
        return []
    return [words_read_as(words, chosen)]
