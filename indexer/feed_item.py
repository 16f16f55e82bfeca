"""What the XML feed readers that gather one element per item share (`indexer.ticimax_feed`,
`indexer.ceneo_feed`, `indexer.heureka_feed`): the item's text gathered up to a record's limit, the
path of elements below it, and, when it ends, its records, or `Malformed` when it held more text than a
record may (its text is not kept, so one broken item cannot fill memory), numbered by the line it
starts on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from indexer.malformed import Malformed

Read = tuple[int, dict[str, Any] | Malformed]  # (line, record or why none)


class ItemReader:
    """expat handlers' common state; a feed's reader says when an item begins and ends."""

    def __init__(self, parser: Any, max_item_chars: int) -> None:
        self.parser = parser
        self.max_item_chars = max_item_chars
        self.ready: list[Read] = []
        self.inside = False
        self.path: list[str] = []  # element names below the current item
        self.text: list[str] = []
        self.line = 0
        self.chars = 0

    def begin(self) -> None:
        """An item starts, on the parser's current line."""
        self.inside, self.path, self.text = True, [], []
        self.line, self.chars = self.parser.CurrentLineNumber, 0

    def enter(self, local: str) -> None:
        """An element inside the item starts."""
        self.path.append(local)
        self.text = []

    def data(self, text: str) -> None:
        if self.inside:
            self.chars += len(text)
            if self.chars <= self.max_item_chars:
                self.text.append(text)

    def value(self) -> str:
        """The text of the element that ends."""
        return "".join(self.text).strip()

    def leave(self) -> None:
        """An element inside the item ends."""
        self.path.pop()
        self.text = []

    def finish(self, element: str, records: Callable[[], list[Read]]) -> None:
        """The item (an `element`) ends: its `records`, or `Malformed` when it held too much text."""
        self.inside = False
        if self.chars > self.max_item_chars:
            too_long = Malformed(f"{element} is longer than {self.max_item_chars} characters")
            self.ready.append((self.line, too_long))
        else:
            self.ready.extend(records())
