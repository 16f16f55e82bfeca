"""One opened generation of the embedded (tantivy) index, and the read helpers that need no writer.

A generation is a tantivy index directory plus `aisle.json` (schema version, indexed fields, language,
identifier attributes). `Generation` opens it, checks the schema, builds the query builder for its
fields and language, and names hits by product id through the `key` fast field.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from engine.errors import IndexUnreadable
from engine.lexical.analysis import make_analyzer, stopwords
from engine.lexical.facets import price_ranges
from engine.lexical.matching import ATTRIBUTE_PREFIX, MatchQuery, SearchFields
from engine.lexical.synonyms import SynonymFile
from engine.lexical.tantivy_query import QueryBuilder
from engine.lexical.tantivy_schema import SCHEMA_VERSION, field_name, id_key, tantivy
from engine.lexical.typo_terms import TypoTerms

MANIFEST = "aisle.json"
FAMILY_BUCKETS = 65_000  # tantivy's bucket limit per aggregation
_MAX_KNOWN = 100_000


class Generation:
    """One opened tantivy index with what reading it needs."""

    def __init__(self, path: Path, fields: SearchFields, synonyms: SynonymFile | None) -> None:
        manifest = json.loads((path / MANIFEST).read_text())
        if manifest.get("schema") != SCHEMA_VERSION:
            raise IndexUnreadable(
                "lexical",
                f"{path}: lexical index schema {manifest.get('schema')!r}, this version reads "
                f"{SCHEMA_VERSION}: rebuild it (`indexer build --force`)",
            )
        indexed = set(manifest["fields"])
        # Weights come from the settings (query time); the indexed fields and language from the index.
        weights = {n: w for n, w in fields.weights.items() if n in indexed}
        weights.update({n: 1.0 for n in indexed if n not in weights and n not in fields.weights})
        self.fields = SearchFields(weights, tuple(manifest["identifiers"]), manifest["language"])
        self.family_field = bool(manifest.get("family_field"))  # written before it: the family terms walked
        self.facet_fast = bool(manifest.get("facet_fast"))  # written before: each facet's terms walked
        self.joined_field = bool(manifest.get("joined_field"))  # written before: no name written as one
        self.head_field = bool(manifest.get("head_field"))  # written before: a price sort in one part
        self.path = path
        self.index = tantivy.Index.open(str(path))
        # tantivy's default reader also reloads on its own when a file watcher sees a commit, which
        # would show another process's writes while the memo of known terms and the typo words still
        # describe the old index; reads move on only in `reload`.
        self.index.config_reader("manual")
        self.schema = self.index.schema
        self.analyzer = make_analyzer(self.fields.language)
        table = (lambda: synonyms.table(self.analyzer)) if synonyms is not None else dict
        self._known: dict[str, bool] = {}
        self._spelt: dict[str, bool] = {}
        self.typos = TypoTerms(self._spellings)
        self.queries = QueryBuilder(
            self.schema,
            self.fields,
            self.analyzer,
            table,
            self.known,
            self.typos.terms,
            self.typos.beginning,
            self.identifiers,
            self.typos.ending,
            self.spelt,
            self.joined_field,
            self.head_field,
        )
        self.text_fields: list[str] = []  # the tantivy fields a query asks (`_ask_filled_fields`)
        self._ask_filled_fields()
        self.names: dict[int, str] = {}
        self.refresh_names()
        self._meta = self._meta_signature()

    def _spellings(self) -> list[str]:
        """The words typos and unfinished words are matched against; stop words are left out here too,
        for an index written before `SearchFields.spelling` left them out."""
        stop = stopwords(self.fields.language)
        return [term for term, _ in self.index.searcher().terms_with_prefix("spell", "") if term not in stop]

    def _meta_signature(self) -> tuple[int, int, int] | None:
        """tantivy rewrites meta.json on every commit (a new file renamed over the old one)."""
        try:
            stat = (self.path / "meta.json").stat()
        except OSError:
            return None
        return stat.st_ino, stat.st_mtime_ns, stat.st_size

    def reload(self, written: bool = False) -> None:
        """See the latest commit (`written`: this process's own), and forget the typo terms when the
        index may have gained words."""
        meta = self._meta_signature()
        self.index.reload()
        if written or meta != self._meta:
            self._meta = meta
            self._known = {}
            self._spelt = {}
            self.typos.invalidate()
            self._ask_filled_fields()

    def _ask_filled_fields(self) -> None:
        """Queries ask the indexed fields that some product fills: every query word asks each field, so
        an attribute field no product has (`attr.variant` in a catalog without variants) cost a third
        of a millisecond per search on homedepot for nothing. Writes still fill every indexed field,
        and the first product filling one makes queries ask it from the next reload."""
        searcher = self.index.searcher()
        filled = {
            name: weight
            for name, weight in self.fields.weights.items()
            if not name.startswith(ATTRIBUTE_PREFIX)
            or searcher.terms_with_prefix(field_name(name), "", limit=1)
        }
        self.queries.fields = replace(self.fields, weights=filled)
        self.text_fields = [field_name(name) for name in filled]

    def known(self, term: str, searcher: Any | None = None) -> bool:
        """Whether the analysed `term` occurs in some product's searchable fields (as seen by `searcher`,
        else by a fresh one). Kept until the index changes (`reload`): a search asks it of every query
        term twice, four fields each. An answer computed while the index changes lands in the memo
        being replaced, not in the new one."""
        memo = self._known
        answer = memo.get(term)
        if answer is None:
            searcher = self.index.searcher() if searcher is None else searcher
            answer = memo[term] = any(searcher.doc_freq(name, term) > 0 for name in self.text_fields)
            if len(memo) > _MAX_KNOWN:
                self._known = {}
        return answer

    def identifiers(self, forms: list[str], searcher: Any | None = None) -> list[str]:
        """The normalised identifier `forms` some product has (as seen by `searcher`, else a fresh one):
        a term lookup each, where a term-set query over them costs twenty times as much; most queries
        name none."""
        searcher = self.index.searcher() if searcher is None else searcher
        return [form for form in forms if searcher.doc_freq("ident", form) > 0]

    def spelt(self, forms: Collection[str]) -> list[str]:
        """The `forms` some product has as written (its `spell` words): a term lookup each, kept until
        the index changes (`reload`), as `known` (a search asks once per membership query it builds)."""
        if len(self._spelt) > _MAX_KNOWN:
            self._spelt = {}
        memo = self._spelt
        asked = [form for form in forms if form not in memo]
        if asked:
            searcher = self.index.searcher()
            memo.update((form, searcher.doc_freq("spell", form) > 0) for form in asked)
        return [form for form in forms if memo[form]]

    def refresh_names(self) -> None:
        searcher = self.index.searcher()
        self.names = {id_key(pid): pid for pid, _ in searcher.terms_with_prefix("id", "")}

    def ids_of(self, searcher: Any, hits: list[tuple[Any, Any]]) -> list[str]:
        keys = searcher.fast_field_values("key", [address for _, address in hits])
        try:
            return [self.names[k] for k in keys]
        except KeyError:  # a product written since the names were read
            self.refresh_names()
            return [self.names[k] for k in keys]


def write_manifest(path: Path, fields: SearchFields) -> None:
    manifest = {
        "schema": SCHEMA_VERSION,
        "engine": str(getattr(tantivy, "__version__", "tantivy")),
        "fields": list(fields.weights),
        "identifiers": list(fields.identifiers),
        "language": fields.language,
        "family_field": True,
        "facet_fast": True,
        "joined_field": True,
        "head_field": True,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    (path / MANIFEST).write_text(json.dumps(manifest))


def match_ids(gen: Generation, match: MatchQuery, within: Sequence[str] | None) -> set[str]:
    """Ids in the match set, or those among `within`. With `within` (a search's few hundred candidates)
    a search bounded by their number names the hits through the `key` fast field; walking the id term
    dictionary instead costs time in proportion to the catalog."""
    query = gen.queries.match_query(match, scored=False)
    searcher = gen.index.searcher()
    if within is None:
        return {pid for pid, _ in searcher.terms_with_prefix("id", "", filter_query=query)}
    wanted = list(dict.fromkeys(within))
    ids = tantivy.Query.term_set_query(gen.schema, "id", wanted)
    query = tantivy.Query.boolean_query([(tantivy.Occur.Must, query), (tantivy.Occur.Must, ids)])
    hits = searcher.search(query, limit=len(wanted), count=False).hits
    return set(gen.ids_of(searcher, hits))


def price_counts(searcher: Any, query: Any, edges: Sequence[float]) -> dict[str, int]:
    ranges = price_ranges(edges)
    answer = searcher.aggregate(query, {"price": {"range": {"field": "price", "ranges": ranges}}})
    return {str(b["key"]): int(b["doc_count"]) for b in answer["price"]["buckets"]}


def family_buckets(searcher: Any, query: Any, most: int | None = None) -> dict[str, int] | None:
    """Members per family among the documents `query` matches, from the `family` fast field; None when
    the set holds more families than one aggregation returns (`FAMILY_BUCKETS`). `most`: how many
    families there can be (tantivy's cost follows the buckets it is allowed)."""
    size = FAMILY_BUCKETS if most is None else max(1, min(most, FAMILY_BUCKETS))
    answer = searcher.aggregate(query, {"f": {"terms": {"field": "family", "size": size}}})["f"]
    if answer.get("sum_other_doc_count") or len(answer["buckets"]) >= FAMILY_BUCKETS:
        return None
    return {str(b["key"]): int(b["doc_count"]) for b in answer["buckets"]}
