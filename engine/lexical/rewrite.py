"""A query's reading: some of its words read as another text (`engine.lexical.readings`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rewrite:
    """Another reading of a query: some of its words read as `replacement` (another entry of a
    synonym set, two words written as one, a size written another way), the other words (`rest`) as
    they were. A product matches the reading when it matches every word of `replacement` and enough
    of `rest` that, the replacement counting for the query's units it stands for (its words, or a
    size), the query's minimum-should-match is met (`engine.lexical.sizes.Units.rest`): a reading never
    matches more loosely than the query. The replacement is matched as written (the shop wrote the
    synonym; a joined word is the shopper's two words); `rest_typos=False` matches the rest as written
    too."""

    text: str  # the whole reading, for people and tests
    replacement: str
    rest: str
    rest_typos: bool = True


def reading(tokens: list[str], first: int, last: int, replacement: str, rest_typos: bool) -> Rewrite:
    """`tokens` with those from `first` to `last` read as `replacement`."""
    before, after = tokens[:first], tokens[last + 1 :]
    text = " ".join([*before, replacement, *after])
    return Rewrite(text, replacement, " ".join([*before, *after]), rest_typos)


def words_read_as(words: list[str], read: dict[int, str]) -> Rewrite:
    """`words` with those at the positions of `read` read as its texts (words typed in the other
    keyboard layout, spelt as they sound): they are the replacement, matched as written, the others
    the rest, matched as typed."""
    replacement = " ".join(read[i] for i in sorted(read))
    rest = " ".join(word for i, word in enumerate(words) if i not in read)
    whole = " ".join(read.get(i, word) for i, word in enumerate(words))
    return Rewrite(whole, replacement, rest, False)
