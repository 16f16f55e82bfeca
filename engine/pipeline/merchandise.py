"""Stage: the shop's merchandising rules applied to a ranked (or price-sorted) list.

Runs after ranking, before exploration, on relevance-sorted lists only (a price sort is an order the
shopper asked for, which keeps only `bury_unavailable`: `engine.pipeline.price_order`), over the head of
the list (`depth` hits, or the requested page's end if further).
In order:

1. boosts and buries: every matching product moves by the rule's `positions` (or past every
   non-matching one when not given); several rules add up; ties keep the ranked order;
2. `bury_unavailable`: products that cannot be bought go after those that can, each side in the order
   from step 1, the sold-out ones matching as the query says before the near members (`_bury_unavailable`);
3. the products the query names by an exact identifier (`engine.pipeline.identified`) first,
   untouched by steps 1 and 2;
4. pins (the rule's query equal to the normalised query): each pinned product is placed at its
   position. A pinned product the search did not return is added when it exists and passes the
   request's filters; one that does not is reported as skipped. Where the search shows each product
   family once (`engine.pipeline.distinct`), a pinned product stands for its family: the member that
   stood for it leaves the list.

Every rule that touched the list is reported (`AppliedRule`) so a search with `debug` shows it.
Products beyond the head keep their order: a shop that needs rules deeper raises `depth`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from engine.lexical.analysis import make_analyzer
from engine.merch.rules import AppliedRule, Rule, RuleSet, normalise_query
from engine.pipeline.types import RankedHit, SearchQuery
from engine.ranking.features import CandidateSignals
from engine.records import Product

Lookup = Callable[[list[str]], dict[str, Product]]
FamilyOf = Callable[[str], Hashable]  # a product id -> its family's key
BURY_UNAVAILABLE = "bury_unavailable"
MAX_REPORTED_IDS = 50
MAX_RULE_KEYS = 4_096  # analysed rule queries kept (a rule file holds at most 500 rules)


@dataclass
class Merchandised:
    hits: list[RankedHit]
    applied: list[AppliedRule] = field(default_factory=list)
    added: int = 0

    @property
    def pinned(self) -> bool:
        return any(a.action == "pin" for a in self.applied)


class Merchandiser:
    """`rules` is called per search (the rule file may change between searches). A rule for a query
    applies to the query as written (case and spacing aside) and to any query with the same analysed
    words in the catalog's `language` (`engine.lexical.analysis`): a pin for "running shoes" also
    serves "Running shoe", one for "Dübel" also "duebel", as the search itself treats them alike."""

    def __init__(
        self, rules: Callable[[], RuleSet] = RuleSet, depth: int = 500, language: str = "english"
    ) -> None:
        self.rules = rules
        self.depth = depth
        self._analyse = make_analyzer(language)
        self._keys: dict[str, str] = {}  # a rule's query -> its analysed words (rule queries are few)

    def buries_unavailable(self) -> bool:
        """Whether the shop buries unavailable products (a price sort then lists the buyable first)."""
        return self.rules().bury_unavailable

    def _key(self, text: str) -> str:
        return " ".join(self._analyse(text))

    def _active(self, rules: RuleSet, text: str) -> list[Rule]:
        """The rules that apply to the query `text` (the analysed form is made only when a rule for
        another wording could apply)."""
        normal = normalise_query(text)
        key: str | None = None
        active = []
        for rule in rules.rules:
            if not rule.enabled:
                continue
            if rule.query is None or rule.query == normal:
                active.append(rule)
                continue
            if key is None:
                key = self._key(text)
            if key and self._rule_key(rule.query) == key:
                active.append(rule)
        return active

    def _rule_key(self, query: str) -> str:
        key = self._keys.get(query)
        if key is None:
            if len(self._keys) > MAX_RULE_KEYS:
                self._keys = {}
            key = self._keys[query] = self._key(query)
        return key

    def apply(
        self,
        query: SearchQuery,
        hits: list[RankedHit],
        lookup: Lookup,
        available: Callable[[list[str]], list[bool | None]] | None = None,
        lead: Sequence[RankedHit] = (),
        family: FamilyOf | None = None,
    ) -> Merchandised:
        """Apply the rules to the first `depth` hits. `available` (each product's availability, None
        when gone) lets the common case, nothing to move or bury, skip reading the products. `lead`
        (the products the query names by an exact identifier, `engine.pipeline.identified`) go first,
        untouched by boosts and buries: the shopper asked for them by name. Pins still place their
        products where they say; with `family` (the list shows each family once), a pinned product
        replaces the member that stood for its family."""
        if query.sort != "relevance":  # an explicit sort is the shopper's order: no rule touches it
            return Merchandised([*lead, *hits])
        rules = self.rules()
        active = self._active(rules, query.text)
        moves = [r for r in active if r.action != "pin"]
        pins = [r for r in active if r.action == "pin"]
        result = self._moved(query, hits, lookup, available, moves, rules.bury_unavailable)
        if not (lead or pins or result.applied):
            return result
        result.hits = [*lead, *result.hits]
        if pins:
            _pin(result, pins, query, lookup, family)
        for rank, hit in enumerate(result.hits, start=1):
            hit.rank = rank
        return result

    def _moved(
        self,
        query: SearchQuery,
        hits: list[RankedHit],
        lookup: Lookup,
        available: Callable[[list[str]], list[bool | None]] | None,
        moves: list[Rule],
        bury_unavailable: bool,
    ) -> Merchandised:
        """Steps 1 and 2: the boosts and buries, then unavailable products last (`applied` empty and
        `hits` as given when nothing moved)."""
        if not hits or not (moves or bury_unavailable):
            return Merchandised(hits)
        depth = max(self.depth, query.page * query.size)
        head, tail = hits[:depth], hits[depth:]
        ids = [h.product_id for h in head]
        found = None
        if not moves:
            # Only `bury_unavailable` is on (the default): when the head holds nothing to bury, the list
            # stays as ranked, without a row per hit first (most searches, a few hundred hits each).
            if available is None:
                found = lookup(ids)
                flags: list[bool | None] = [p.available for p in map(found.get, ids) if p is not None]
            else:
                flags = available(ids)  # None (gone) is never buried
            if False not in flags:
                return Merchandised(hits)
        if found is None:
            found = lookup(ids)
        rows = [Row(hit, pid, found.get(pid)) for hit, pid in zip(head, ids, strict=True)]
        applied: list[AppliedRule] = []
        if moves:
            rows = _move(rows, moves, applied)
        if bury_unavailable:
            rows = _bury_unavailable(rows, applied)
        if not applied:
            return Merchandised(hits)
        return Merchandised([row.hit for row in rows] + tail, applied)


class Row(NamedTuple):
    """A hit of the head with its id and product (None: gone from the catalog, never moved)."""

    hit: RankedHit
    product_id: str
    product: Product | None


def _move(rows: list[Row], rules: Sequence[Rule], applied: list[AppliedRule]) -> list[Row]:
    full = len(rows) + 1
    shift = [0] * len(rows)
    for rule in rules:
        step = (rule.positions or full) * (-1 if rule.action == "boost" else 1)
        moved = []
        for i, row in enumerate(rows):
            if row.product is not None and rule.filter.matches(row.product):
                shift[i] += step
                moved.append(row.product_id)
        if moved:
            applied.append(AppliedRule(rule.id, rule.action, tuple(moved[:MAX_REPORTED_IDS])))
    # A product moved by n lands n places away: past the neighbour it would otherwise tie with.
    order = sorted(range(len(rows)), key=lambda i: (i + shift[i] + 0.5 * _sign(shift[i]), i))
    return [rows[i] for i in order]


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


def _bury_unavailable(rows: list[Row], applied: list[AppliedRule]) -> list[Row]:
    """Unavailable products after the available ones of their tier: a sold-out product matching the
    query as it says stays before the near members that follow the strict ones (`RankedHit.loose`),
    since it is the answer and they are what the shop has besides ("lactosevrije melk" sold out still
    comes before "Hagelslag melk"); a boost that lifted a near member keeps it where it went."""
    up: list[Row] = []
    down: list[Row] = []
    for row in rows:
        (down if row.product is not None and not row.product.available else up).append(row)
    if not down:
        return rows
    applied.append(
        AppliedRule(BURY_UNAVAILABLE, "bury", tuple(r.product_id for r in down[:MAX_REPORTED_IDS]))
    )
    strict_end = max((n + 1 for n, row in enumerate(up) if not row.hit.loose), default=0)
    strict_down = [row for row in down if not row.hit.loose]
    return up[:strict_end] + strict_down + up[strict_end:] + [row for row in down if row.hit.loose]


def sold_out_shown(page: Sequence[RankedHit], products: Mapping[str, Product]) -> list[AppliedRule]:
    """`bury_unavailable` as a price-sorted page reports it: the sold-out products the page shows, each
    placed after every buyable member of the set (none: the rule moved nothing onto this page)."""
    down = [h.product_id for h in page if h.product_id in products and not products[h.product_id].available]
    return [AppliedRule(BURY_UNAVAILABLE, "bury", tuple(down[:MAX_REPORTED_IDS]))] if down else []


def _pin(
    result: Merchandised,
    rules: Sequence[Rule],
    query: SearchQuery,
    lookup: Lookup,
    family: FamilyOf | None = None,
) -> None:
    wanted = {pin.product_id: (pin.position, rule) for rule in rules for pin in rule.pins}
    present = {h.product_id: h for h in result.hits if h.product_id in wanted}
    missing = [pid for pid in wanted if pid not in present]
    found = lookup(missing) if missing else {}
    placed: dict[str, list[str]] = {}
    skipped: dict[str, list[str]] = {}
    for pid in missing:
        product = found.get(pid)
        if product is None or not query.filters.matches(product):
            skipped.setdefault(wanted[pid][1].id, []).append(pid)
            continue
        present[pid] = RankedHit(CandidateSignals(pid))
        result.added += 1
    standing = {family(pid) for pid in present} if family is not None else set()
    hits = [
        h
        for h in result.hits
        if h.product_id not in present and (family is None or family(h.product_id) not in standing)
    ]
    for pid, (position, rule) in sorted(((pid, wanted[pid]) for pid in present), key=lambda item: item[1][0]):
        hits.insert(min(position - 1, len(hits)), present[pid])
        placed.setdefault(rule.id, []).append(pid)
    result.hits = hits
    for rule in rules:
        if rule.id in placed or rule.id in skipped:
            result.applied.append(
                AppliedRule(rule.id, "pin", tuple(placed.get(rule.id, ())), tuple(skipped.get(rule.id, ())))
            )
