"""Both lexical backends behind one context manager, for the tests that hold them to one behaviour: the
embedded tantivy index in a temporary directory, or an index on the real OpenSearch node the
`opensearch_url` fixture starts (deleted afterwards)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from opensearchpy import OpenSearch

from engine.lexical.base import LexicalIndex
from engine.lexical.embedded import EmbeddedLexical
from engine.lexical.matching import SearchFields
from engine.lexical.opensearch import OpenSearchLexical
from engine.lexical.synonyms import SynonymFile

BACKENDS = ["embedded", "opensearch"]
FIELDS = SearchFields(
    {"title": 3.0, "description": 1.0, "brand": 2.0, "category": 1.0, "attr.author": 2.0, "attr.format": 1.0}
)


def in_language(language: str) -> SearchFields:
    """The test fields and identifiers, analysed in `language`."""
    return SearchFields(FIELDS.weights, FIELDS.identifiers, language)


@contextmanager
def open_backend(
    kind: str,
    request: pytest.FixtureRequest,
    directory: Path,
    fields: SearchFields = FIELDS,
    synonyms: SynonymFile | None = None,
) -> Iterator[LexicalIndex]:
    if kind == "embedded":
        yield EmbeddedLexical(directory / "lexical", fields=fields, synonyms=synonyms, reload_interval_s=0.0)
        return
    url = request.getfixturevalue("opensearch_url")
    client = OpenSearch(hosts=[url], timeout=30)
    alias = f"test-{uuid.uuid4().hex[:10]}"
    try:
        yield OpenSearchLexical(
            client, alias, fields=fields, synonyms=synonyms, scan_page=200, backoff_s=0.05
        )
    finally:
        client.indices.delete(index=f"{alias}-*", params={"ignore_unavailable": "true"})
        client.close()
