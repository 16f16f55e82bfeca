"""The default lexical index: tantivy (a compiled, segment-based engine) under `<data_dir>/lexical`.

No server to run, so a fresh checkout searches out of the box; OpenSearch takes over when
`AISLE_OPENSEARCH_URL` points at a cluster. Both backends answer the same questions the same way: the
analysis of `engine.lexical.analysis`, the field weights and match rules of `engine.lexical.matching`,
the filter semantics of `Filters.matches` and the facet buckets of `engine.lexical.facets`.

Layout: `CURRENT` names the serving generation `gen-<stamp>-<hex>/`, a tantivy index plus `aisle.json`
(schema version, searchable fields, language). A rebuild writes a new generation (`stage`) and replaces
`CURRENT` atomically (`publish`, through `engine.storage.GenerationPointer`), so searches see the whole
old catalog or the whole new one; a failed rebuild leaves the old one serving. A full ingest stages the
lexical generation, commits the catalog manifest that names it, and publishes last; readers that follow
the catalog `use` the generation the manifest names, so lexical and vectors switch as one.
Upserts and deletes go to the serving generation
as one tantivy commit each (durable when the call returns) and are visible to this process at once;
another process sharing the directory (indexer next to the gateway) sees them within
`reload_interval_s`.

Writers take an exclusive `flock` on `<dir>/.lock` and hold a tantivy writer only for one batch.
Opening an index maps its segments: no catalog is re-read or re-tokenised. Facet counts and the ids of a
match set come from the engine (`Searcher.terms_with_prefix` restricted to the match query, and a range
aggregation for price buckets), exact at any catalog size.

Over 300 lines because it is the whole embedded backend behind one class (generations, writers,
match-set reads); query building, the opened generation and facet counting are already in
`tantivy_query.py`, `tantivy_generation.py` and `tantivy_facets.py`.
"""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import AisleError, IndexUnreadable
from engine.lexical.analysis import make_analyzer
from engine.lexical.facets import PRICE_EDGES, check_fields
from engine.lexical.matching import IDENTIFIED_LIMIT, MatchQuery, SearchFields, identifier_candidates
from engine.lexical.synonyms import SynonymFile, synonyms_path
from engine.lexical.tantivy_facets import facet_counts, family_members
from engine.lexical.tantivy_generation import Generation, match_ids, write_manifest
from engine.lexical.tantivy_schema import (
    build_schema,
    from_source,
    id_key,
    tantivy,
    to_document,
)
from engine.records import FAMILY_ATTRIBUTE, FacetCounts, Filters, MemberHits, Product, ScoredId
from engine.storage import GenerationPointer, file_lock

if TYPE_CHECKING:
    from engine.config import Settings

WRITER_HEAP = 64_000_000
SORT_FIELDS = {"price_asc": ("price_up", "asc"), "price_desc": ("price_down", "desc")}


class EmbeddedLexical:
    """`LexicalIndex` on tantivy in `directory`. Thread-safe."""

    def __init__(
        self,
        directory: Path,
        *,
        fields: SearchFields | None = None,
        synonyms: SynonymFile | None = None,
        reload_interval_s: float = 1.0,
    ) -> None:
        self.root = Path(directory)
        self.settings_fields = fields or SearchFields()
        self.synonyms = synonyms
        self.reload_interval_s = reload_interval_s
        self._write_lock = threading.Lock()
        self._generation: Generation | None = None
        self._generation_name: str | None = None
        self._pinned: str | None = None
        self._open_error: AisleError | None = None
        self._reload()
        self._checked_at = time.monotonic()

    @classmethod
    def from_settings(cls, settings: Settings) -> EmbeddedLexical:
        return cls(
            settings.path("lexical"),
            fields=SearchFields.from_settings(settings),
            synonyms=SynonymFile(synonyms_path(settings)),
        )

    # --- reads ------------------------------------------------------------------------------------
    def search(self, query: str, k: int, filters: Filters | None = None) -> list[ScoredId]:
        gen = self._current()
        if k <= 0 or not query.strip() or gen is None:
            return []
        searcher = gen.index.searcher()
        return self._candidates(gen, searcher, self._ranking(gen, searcher, query), k, filters)

    def search_members(self, match: MatchQuery, k: int) -> MemberHits:
        gen = self._current()
        if gen is None or not match.lexical:
            return MemberHits([], 0)
        searcher = gen.index.searcher()
        ranking = self._ranking(gen, searcher, match.text) if match.text is not None else None
        return self._members(gen, searcher, match, k, ranking)

    def search_with_members(self, query: str, k: int, match: MatchQuery) -> tuple[list[ScoredId], MemberHits]:
        """`search` and `search_members` on one searcher, building the ranking query once when both
        are asked about the same text (a search's lexical side)."""
        gen = self._current()
        if gen is None:
            return [], MemberHits([], 0)
        searcher = gen.index.searcher()
        ranking = self._ranking(gen, searcher, query) if query.strip() else None
        candidates = self._candidates(gen, searcher, ranking, k, match.filters)
        if not match.lexical:
            return candidates, MemberHits([], 0)
        if match.text != query:
            ranking = self._ranking(gen, searcher, match.text) if match.text is not None else None
        members = self._members(gen, searcher, match, k, ranking)
        if match.text is not None:
            members = replace(members, identified=self._identified(gen, searcher, match.text, match.filters))
        return candidates, members

    def _candidates(
        self, gen: Generation, searcher: Any, ranking: Any | None, k: int, filters: Filters | None
    ) -> list[ScoredId]:
        """The top `k` of the ranking query (`_ranking`; None: no searchable term) under `filters`."""
        if ranking is None or k <= 0:
            return []
        hits = searcher.search(gen.queries.filtered(ranking, filters), limit=k, count=False).hits
        return _ties_by_id(self._scored(gen, searcher, hits))

    def _members(
        self, gen: Generation, searcher: Any, match: MatchQuery, k: int, ranking: Any | None
    ) -> MemberHits:
        lexical = replace(match, also_ids=frozenset(), near_ids=frozenset())
        query = gen.queries.ranked_members(lexical, ranking)
        result = searcher.search(query, limit=max(k, 1), count=True)
        count = int(result.count)  # type: ignore[attr-defined]  # present at run time, missing in the stub
        return MemberHits(_ties_by_id(self._scored(gen, searcher, result.hits[: max(k, 0)])), count)

    @staticmethod
    def _identified(gen: Generation, searcher: Any, text: str, filters: Filters | None) -> tuple[str, ...]:
        """The products `text` names by an exact identifier (`MemberHits.identified`): a term lookup per
        identifier form of the text, and a search only for the forms some product has."""
        query = gen.queries.identifier_query(gen.identifiers(identifier_candidates(text), searcher), filters)
        if query is None:
            return ()
        hits = searcher.search(query, limit=IDENTIFIED_LIMIT, count=False).hits
        return tuple(sorted(gen.ids_of(searcher, hits)))

    @staticmethod
    def _ranking(gen: Generation, searcher: Any, text: str) -> Any | None:
        """The candidate query of `text` (None when it has no searchable term); a word no field knows is
        looked up with its typos."""
        return gen.queries.ranking_query(text, lambda term: gen.known(term, searcher))

    @staticmethod
    def _scored(gen: Generation, searcher: Any, hits: list[tuple[Any, Any]]) -> list[ScoredId]:
        return [
            ScoredId(pid, float(score))
            for pid, (score, _) in zip(gen.ids_of(searcher, hits), hits, strict=True)
        ]

    def count_matching(self, match: MatchQuery) -> int:
        gen = self._current()
        if gen is None:
            return 0
        query = gen.queries.match_query(match, scored=False)
        result = gen.index.searcher().search(query, limit=1, count=True)
        return int(result.count)  # type: ignore[attr-defined]  # present at run time, missing in the stub

    def family_sizes(
        self, match: MatchQuery, members: Collection[str] | None = None
    ) -> dict[str, int] | None:
        """A terms aggregation over the `family` fast field, restricted to the match set (cost in
        proportion to the set); a generation without that field, or a set with more families than one
        aggregation returns, walks the family attribute's terms instead (cost in proportion to the
        catalog's families). An index where no product names a family answers from one term lookup."""
        gen = self._current()
        if gen is None:
            return None
        searcher = gen.index.searcher()
        if searcher.doc_freq("attr_name", FAMILY_ATTRIBUTE) == 0:
            return None
        if members is not None:  # the set by its ids: a term lookup each, not the match query again
            query = tantivy.Query.term_set_query(gen.schema, "id", list(members))
        else:
            query = gen.queries.match_query(match, scored=False)
        return family_members(gen, searcher, query, None if members is None else len(members))

    def match_ids(self, match: MatchQuery, within: Sequence[str] | None = None) -> set[str]:
        """Ids in the match set (those among `within` when given)."""
        gen = self._current()
        if gen is None or (within is not None and not within):
            return set()
        return match_ids(gen, match, within)

    def match_page(self, match: MatchQuery, sort: str, offset: int, limit: int) -> list[ScoredId]:
        """One page of the match set: by lexical score ("relevance") or price (missing prices last)."""
        gen = self._current()
        if gen is None or limit <= 0:
            return []
        searcher = gen.index.searcher()
        query = gen.queries.match_query(match)
        if sort == "relevance":
            hits = searcher.search(query, limit=limit, offset=offset, count=False).hits
        else:
            name, direction = SORT_FIELDS[sort]
            order = tantivy.Order.Asc if direction == "asc" else tantivy.Order.Desc
            hits = searcher.search(
                query, limit=limit, offset=offset, count=False, order_by_field=name, order=order
            ).hits
        return self._scored(gen, searcher, hits)

    def facets(
        self,
        match: MatchQuery,
        fields: Sequence[str],
        size: int = 20,
        price_edges: Sequence[float] = PRICE_EDGES,
        families: bool = False,
    ) -> FacetCounts:
        check_fields(fields)
        gen = self._current()
        if gen is None:
            return {name: [] for name in fields}
        query = gen.queries.match_query(match, scored=False)
        return facet_counts(gen, query, fields, size, price_edges, families)

    def filter_ids(self, filters: Filters) -> set[str]:
        return self.match_ids(MatchQuery(None, filters))

    def get(self, ids: Sequence[str]) -> dict[str, Product]:
        gen = self._current()
        wanted = list(dict.fromkeys(ids))
        if gen is None or not wanted:
            return {}
        searcher = gen.index.searcher()
        query = tantivy.Query.term_set_query(gen.schema, "id", wanted)
        hits = searcher.search(query, limit=len(wanted), count=False).hits
        products = (from_source(searcher.doc(address)["source"][0]) for _, address in hits)
        return {p.id: p for p in products}

    def count(self) -> int:
        gen = self._current()
        return 0 if gen is None else int(gen.index.searcher().num_docs)

    def all_ids(self) -> set[str]:
        return self.match_ids(MatchQuery(None, None))

    def ping(self) -> bool:
        """False while the generation CURRENT names cannot be opened (readiness then fails)."""
        try:
            self._current()
        except AisleError:
            return False
        return True

    # --- writes -----------------------------------------------------------------------------------
    def upsert(self, products: Sequence[Product]) -> None:
        if not products:
            return
        latest = {p.id: p for p in products}
        with self._writer() as (gen, writer):
            for product in latest.values():
                writer.delete_documents_by_term("id", product.id)
                fields = (gen.family_field, gen.joined_field, gen.head_field)
                document = to_document(product, gen.fields, gen.analyzer, *fields)
                writer.add_document(document)
                gen.names[id_key(product.id)] = product.id

    def delete(self, ids: Sequence[str]) -> int:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return 0
        with self._writer() as (gen, writer):
            present = match_ids(gen, MatchQuery(None, None), wanted)
            for pid in present:
                writer.delete_documents_by_term("id", pid)
        return len(present)

    def stage(self, products: Iterable[Product]) -> tuple[str, int]:
        """Write every product into a new generation that nothing serves yet; (its name, count).
        A failure removes it."""
        self.root.mkdir(parents=True, exist_ok=True)
        name = _new_name()
        path = self.root / name
        path.mkdir()
        fields = self.settings_fields
        analyzer = make_analyzer(fields.language)
        try:
            write_manifest(path, fields)
            index = tantivy.Index(build_schema(fields), path=str(path))
            writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
            count = 0
            for product in {p.id: p for p in products}.values():  # may raise: nothing switched yet
                writer.add_document(to_document(product, fields, analyzer))
                count += 1
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
        return name, count

    def publish(self, name: str, keep: Iterable[str] = ()) -> None:
        """Point `CURRENT` at generation `name` and delete every other one not in `keep` (builds that
        were staged and never committed among them)."""
        with self._write_lock, self._locked():
            GenerationPointer(self.root).switch(name)
            if self._pinned is None:
                self._reload()
        kept = {name, *keep}
        for other in self.root.glob("gen-*"):
            if other.name not in kept:
                shutil.rmtree(other, ignore_errors=True)

    def use(self, name: str | None) -> None:
        """Read and write generation `name` from now on, whatever `CURRENT` says (the catalog manifest
        names the generation its vectors were built with); None follows `CURRENT` again."""
        with self._write_lock:
            self._pinned = name
            if self._read_current() != self._generation_name:
                self._reload()

    def rebuild(self, products: Iterable[Product]) -> int:
        name, count = self.stage(products)
        try:
            self.publish(name)
        except BaseException:
            shutil.rmtree(self.root / name, ignore_errors=True)
            raise
        return count

    # --- internals --------------------------------------------------------------------------------
    @contextmanager
    def _writer(self) -> Iterator[tuple[Generation, Any]]:
        """A tantivy writer on the serving generation (created first when there is none); commits and
        makes the batch visible here when the block ends, rolls back when it raises."""
        with self._write_lock, self._locked():
            if self._read_current() is None:
                self._create_empty()
            if self._read_current() != self._generation_name:
                self._reload()
            if self._open_error is not None:
                raise self._open_error
            gen = self._generation
            assert gen is not None
            writer = gen.index.writer(heap_size=WRITER_HEAP, num_threads=1)
            try:
                yield gen, writer
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
            gen.reload(written=True)

    def warm_typos(self, timeout: float = 30.0) -> bool:
        """Wait until typo lookups come from the spell index (`engine.lexical.typo_terms`) rather than
        the automaton that stands in while it builds; False on timeout or without an index."""
        gen = self._current()
        return gen is not None and gen.typos.wait(timeout)

    def refresh(self) -> None:
        """Look at the directory now instead of at the next reload interval (a write by another
        process under the caller's lock must be seen before building on it)."""
        self._checked_at = time.monotonic() - self.reload_interval_s
        self._current()

    def _create_empty(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        name = _new_name()
        path = self.root / name
        path.mkdir()
        write_manifest(path, self.settings_fields)
        tantivy.Index(build_schema(self.settings_fields), path=str(path))
        GenerationPointer(self.root).switch(name)

    def _locked(self) -> AbstractContextManager[None]:
        return file_lock(self.root / ".lock")

    def _read_current(self) -> str | None:
        return self._pinned or GenerationPointer(self.root).read()

    def _current(self) -> Generation | None:
        now = time.monotonic()
        if now - self._checked_at >= self.reload_interval_s:
            self._checked_at = now
            if self._read_current() != self._generation_name:
                with self._write_lock:
                    self._reload()
            elif self._generation is not None:
                self._generation.reload()  # commits by another process
        if self._open_error is not None:
            raise self._open_error
        return self._generation

    def _reload(self) -> None:
        """Open the generation CURRENT names. One this version cannot read is kept as an error that
        every read raises, while `rebuild` still works (the way out of an old index)."""
        name = self._read_current()
        generation, error = None, None
        if name is not None:
            try:
                generation = Generation(self.root / name, self.settings_fields, self.synonyms)
            except AisleError as exc:
                error = exc
            except (OSError, ValueError) as exc:  # removed, never completely written, or an older format
                message = f"lexical generation {name} cannot be opened under {self.root}: {exc}"
                error = IndexUnreadable("lexical", message)
        # One assignment: a concurrent reader sees the old generation or the new one, never none.
        self._generation, self._generation_name, self._open_error = generation, name, error


def _new_name() -> str:
    return f"gen-{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def _ties_by_id(scored: list[ScoredId]) -> list[ScoredId]:
    """A list by score with equal scores in id order: as OpenSearch sorts it (`_score`, then `id`), and
    an order no segment merge changes (tantivy breaks ties by document address)."""
    if len({s.score for s in scored}) < len(scored):
        scored.sort(key=lambda s: (-s.score, s.product_id))
    return scored
