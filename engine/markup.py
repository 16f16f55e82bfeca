"""Product text as words, when a feed writes it as HTML.

Shop systems store descriptions as HTML and export them so: WooCommerce's and Shopify's product CSVs,
Magento's and Shopware's feeds carry `<p>`, `<strong>`, `<li>`, `&nbsp;` and `&#039;` in the
description, and often entities in titles ("J&#039;adore"). Indexed as it comes, the markup is
searchable ("strong", "nbsp" and "li" matched most of such a catalog), typos land on it, the encoder
reads it, and a search page shows "&#039;" in a title. So every text field is read as text at ingest:
entities decoded, tags removed, a block element's end a line break so that list items and paragraphs
stay separate words.

Only the elements HTML defines are tags here: "<3", "a < b" or "<Größe 42>" are text, as in a feed that
never held markup. Entities are decoded only in their complete form with a semicolon ("&amp;",
"&#8217;"): "AT&T" and "Salt&pepper" stay as they are. `<script>` and `<style>` go with their contents;
comments go. A non-breaking space is a space. The shop keeps its formatted description on its own
product page; search and its results need the words.
"""

from __future__ import annotations

import html
import re

_BLOCK = [
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
]
_INLINE = [
    "a",
    "abbr",
    "b",
    "bdi",
    "bdo",
    "big",
    "center",
    "cite",
    "code",
    "del",
    "dfn",
    "em",
    "font",
    "i",
    "img",
    "ins",
    "kbd",
    "label",
    "mark",
    "meta",
    "picture",
    "q",
    "s",
    "samp",
    "small",
    "source",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "time",
    "u",
    "var",
    "video",
    "wbr",
    "iframe",
    "link",
]
_ELEMENT = "|".join(sorted(_BLOCK + _INLINE, key=len, reverse=True))
_TAG = re.compile(rf"<(/?)({_ELEMENT})(?:\s[^<>]*)?/?\s*>", re.IGNORECASE)
_HIDDEN = re.compile(r"<\s*(script|style)\b[^<>]*>.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_BLOCKS = frozenset(_BLOCK)
_SPACES = re.compile(r"[ \t\u00a0]+")
_BREAKS = re.compile(r"\s*\n\s*")


def plain_text(text: str) -> str:
    """`text` with HTML tags removed and entities decoded; unchanged when it holds neither."""
    if "<" not in text and "&" not in text:
        return text
    stripped = _TAG.sub(_tag_replacement, _COMMENT.sub(" ", _HIDDEN.sub(" ", text))) if "<" in text else text
    decoded = _ENTITY.sub(lambda m: html.unescape(m.group()), stripped)
    if decoded == text:
        return text
    return _BREAKS.sub("\n", _SPACES.sub(" ", decoded)).strip()


def _tag_replacement(match: re.Match[str]) -> str:
    """A block element's tag ends a line; an inline one joins its neighbours (`<b>Cr</b>ème` is one word)."""
    return "\n" if match.group(2).lower() in _BLOCKS else ""
