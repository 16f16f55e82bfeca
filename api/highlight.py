"""Algolia's `_highlightResult` and `_snippetResult` on InstantSearch hits (no HTTP here).

InstantSearch's Highlight and Snippet widgets render these, not the raw attributes: each string of the
record comes back with the query's words wrapped in the request's `highlightPreTag` / `highlightPostTag`
(Algolia's defaults `<em>` / `</em>`; InstantSearch.js sends its own markers and turns them into `<mark>`
after escaping the text, so the values here are the raw text plus tags, never HTML-escaped).

Matching is per word, ignoring case and accents: a word of the text matching a query word is wrapped
whole; the query's last word also matches as a prefix (the shopper may still be typing it, Algolia's
default `prefixLast`), and then only the typed prefix is wrapped. `matchLevel` is `full` when every query
word occurs in the value, `partial` when some do, `none` otherwise; `matchedWords` lists the query words
found. Strings nested in lists and objects get the same structure at the same place; numbers get none.

Snippets (`attributesToSnippet: ["description:10"]`, 10 words by default) are the value cut to that many
words around the first match (from the start when nothing matches), highlighted, with
`snippetEllipsisText` where text was cut.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from engine.errors import InvalidInput

DEFAULT_HIGHLIGHTED = (
    "title",
    "brand",
    "description",
    "category",
    "category_path",
    "categories",
    "attributes",
)
DEFAULT_SNIPPET_WORDS = 10
MAX_SNIPPET_WORDS = 200
_WORD = re.compile(r"\w+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def attribute_list(value: list[str] | str | None) -> list[str] | None:
    """An attribute list parameter (a list, or a comma-separated string); None when not given."""
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else value
    return [item.strip() for item in items if item.strip()]


@dataclass(frozen=True)
class Highlighter:
    words: tuple[str, ...]  # the query's words, folded
    originals: tuple[str, ...]  # as typed
    prefix_last: bool
    pre: str = "<em>"
    post: str = "</em>"

    @classmethod
    def of(cls, query: str, pre: str = "<em>", post: str = "</em>") -> Highlighter:
        found = _WORD.findall(query)
        # A last word followed by nothing is still being typed: it matches as a prefix.
        prefix_last = bool(found) and not query[-1:].isspace()
        return cls(tuple(_fold(w) for w in found), tuple(found), prefix_last, pre, post)

    def _match(self, word: str) -> tuple[int, int] | None:
        """(characters of `word` to wrap, index of the query word it matches), or None."""
        folded = _fold(word)
        for index, query_word in enumerate(self.words):
            if folded == query_word:
                return len(word), index
        if self.prefix_last and self.words and folded.startswith(self.words[-1]):
            # Folding can change the length (ß -> ss); then the whole word is wrapped.
            same = len(folded) == len(word)
            return (len(self.words[-1]) if same else len(word)), len(self.words) - 1
        return None

    def _mark(self, text: str) -> tuple[str, set[int], bool]:
        """The text with matches wrapped, the query words matched, and whether every word was wrapped."""
        out: list[str] = []
        matched: set[int] = set()
        every = True
        cursor = 0
        for found in _WORD.finditer(text):
            match = self._match(found.group())
            if match is None:
                every = False
                continue
            length, index = match
            matched.add(index)
            every &= length == len(found.group())
            start = found.start()
            out += [text[cursor:start], self.pre, text[start : start + length], self.post]
            cursor = start + length
        out.append(text[cursor:])
        return "".join(out), matched, every and bool(matched)

    def _level(self, matched: set[int]) -> str:
        if not matched:
            return "none"
        return "full" if {self.words[i] for i in matched} == set(self.words) else "partial"

    def highlight(self, text: str) -> dict[str, Any]:
        value, matched, every = self._mark(text)
        return {
            "value": value,
            "matchLevel": self._level(matched),
            "matchedWords": list(dict.fromkeys(self.originals[i] for i in sorted(matched))),
            "fullyHighlighted": every,
        }

    def snippet(self, text: str, words: int, ellipsis: str) -> dict[str, Any]:
        tokens = list(_WORD.finditer(text))
        if len(tokens) <= words:
            value, matched, _ = self._mark(text)
            return {"value": value, "matchLevel": self._level(matched)}
        first = next((i for i, t in enumerate(tokens) if self._match(t.group()) is not None), 0)
        start = max(0, min(first - (words - 1) // 2, len(tokens) - words))
        end = start + words
        value, matched, _ = self._mark(text[tokens[start].start() : tokens[end - 1].end()])
        head = ellipsis if start > 0 else ""
        tail = ellipsis if end < len(tokens) else ""
        return {"value": f"{head}{value}{tail}", "matchLevel": self._level(matched)}


def _walk(value: Any, leaf: Any) -> Any:
    """`leaf(text)` for every string in `value`, keeping lists and objects; None where there is none."""
    if isinstance(value, str):
        return leaf(value)
    if isinstance(value, list):
        items = [_walk(item, leaf) for item in value]
        kept = [item for item in items if item is not None]
        return kept if kept else None
    if isinstance(value, dict):
        fields = {str(k): w for k, v in value.items() if (w := _walk(v, leaf)) is not None}
        return fields or None
    return None


def snippet_specs(items: list[str] | None) -> list[tuple[str, int]]:
    """`["description:12", "title"]` -> [(attribute, words)]; a bad count is an `InvalidInput`."""
    specs = []
    for item in items or ():
        name, _, count = item.partition(":")
        if not count:
            specs.append((name.strip(), DEFAULT_SNIPPET_WORDS))
            continue
        if not count.strip().isdigit() or not 1 <= int(count) <= MAX_SNIPPET_WORDS:
            raise InvalidInput(
                f"attributesToSnippet: {item!r}: the word count must be 1 to {MAX_SNIPPET_WORDS}"
            )
        specs.append((name.strip(), int(count)))
    return specs


def decorate(
    record: dict[str, Any],
    highlighter: Highlighter,
    highlighted: list[str] | None,
    snippeted: list[tuple[str, int]],
    ellipsis: str,
) -> dict[str, Any]:
    """`record` plus `_highlightResult` (attributes `highlighted`, default the text fields; `*` all) and,
    for the (attribute, words) of `snippeted`, `_snippetResult`."""
    names = list(DEFAULT_HIGHLIGHTED) if highlighted is None else highlighted
    if "*" in names:
        names = [name for name in record if name != "objectID"]
    result = dict(record)
    marks = {name: w for name in names if name in record if (w := _walk(record[name], highlighter.highlight))}
    if marks or highlighted is None:
        result["_highlightResult"] = marks
    snippets: dict[str, Any] = {}
    for name, words in snippeted:
        for field in [n for n in record if n != "objectID"] if name == "*" else [name]:
            if field in record:
                cut = _walk(record[field], lambda text, n=words: highlighter.snippet(text, n, ellipsis))
                if cut is not None:
                    snippets[field] = cut
    if snippets:
        result["_snippetResult"] = snippets
    return result
