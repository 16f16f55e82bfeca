"""Merchandising rules: what a shop wants done to a ranked list, as plain validated records.

Three kinds of rule, plus one switch:

- `bury_unavailable` (on by default): out-of-stock and discontinued products go after the available
  ones, each side keeping its order; a sold-out strict match stays before the near members.
- `boost` / `bury`: products matching a filter (brand, category prefix, price range, attribute values;
  the same semantics as search filters, `Filters.matches`) move up or down by `positions`, or all the way
  when `positions` is not given. Optionally only for one query.
- `pin`: for one query, put given products at given positions (1-based).

Rules reorder relevance-sorted lists only: a price sort is an order the shopper asked
for. Queries are stored as click statistics key them (`engine.ranking.stats.normalise_query`: case and
spacing do not matter), so "E-Reader " and "e-reader" are the same query; the search stage also applies
a rule to a query with the same analysed words (`engine.pipeline.merchandise.Merchandiser`).

`RuleSet.from_dict` is the single validator (the gateway and the rules file both go through it; field
checks in `engine.merch.fields`): it raises `InvalidInput` naming the offending field
(`rules[2].pins[0].position: ...`) and builds nothing on any error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from engine.errors import InvalidInput
from engine.merch.fields import kind_of, no_extra, parse_filter, query_field
from engine.ranking.stats import normalise_query
from engine.records import Filters

__all__ = ["AppliedRule", "Pin", "Rule", "RuleSet", "normalise_query", "parse_rule"]

Action = Literal["boost", "bury", "pin"]
ACTIONS: tuple[str, ...] = ("boost", "bury", "pin")
MAX_RULES = 500
MAX_PINS = 50
MAX_POSITION = 1000
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


@dataclass(frozen=True)
class Pin:
    product_id: str
    position: int


@dataclass(frozen=True)
class Rule:
    """One rule. `query` is normalised (None: every query; pins always name one)."""

    id: str
    action: Action
    query: str | None = None
    filter: Filters = field(default_factory=Filters)
    positions: int | None = None
    pins: tuple[Pin, ...] = ()
    enabled: bool = True
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "action": self.action, "enabled": self.enabled}
        if self.query is not None:
            out["query"] = self.query
        if self.note:
            out["note"] = self.note
        if self.action == "pin":
            out["pins"] = [{"product_id": p.product_id, "position": p.position} for p in self.pins]
        else:
            out["filter"] = _filter_dict(self.filter)
            out["positions"] = self.positions
        return out


@dataclass(frozen=True)
class AppliedRule:
    """A rule that matched products of this list; `product_ids` are those it moved or placed (capped)."""

    rule_id: str
    action: str
    product_ids: tuple[str, ...]
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    """Every rule of a shop. `generation` counts saved versions (0: never saved, the defaults)."""

    bury_unavailable: bool = True
    rules: tuple[Rule, ...] = ()
    generation: int = 0
    updated_at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "bury_unavailable": self.bury_unavailable,
            "rules": [r.to_dict() for r in self.rules],
            "generation": self.generation,
            "updated_at": self.updated_at,
        }

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    @classmethod
    def from_dict(cls, data: Any) -> RuleSet:
        """Validate a whole rule set (`generation`/`updated_at` are kept if present)."""
        if not isinstance(data, Mapping):
            raise InvalidInput(f"rules: expected an object, got {kind_of(data)}")
        no_extra(data, "", {"bury_unavailable", "rules", "generation", "updated_at"})
        bury = data.get("bury_unavailable", True)
        if not isinstance(bury, bool):
            raise InvalidInput(f"bury_unavailable: expected true or false, got {kind_of(bury)}")
        raw_rules = data.get("rules", [])
        if not isinstance(raw_rules, list):
            raise InvalidInput(f"rules: expected a list, got {kind_of(raw_rules)}")
        if len(raw_rules) > MAX_RULES:
            raise InvalidInput(f"rules: at most {MAX_RULES} rules, got {len(raw_rules)}")
        rules = tuple(parse_rule(raw, f"rules[{n}]") for n, raw in enumerate(raw_rules))
        check_consistent(rules)
        generation = data.get("generation", 0)
        return cls(
            bury_unavailable=bury,
            rules=rules,
            generation=generation if isinstance(generation, int) and generation >= 0 else 0,
            updated_at=str(data.get("updated_at") or ""),
        )


def parse_rule(raw: Any, where: str = "rule") -> Rule:
    """One rule from its JSON form; `InvalidInput` names the field as `<where>.<field>`."""
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{where}: expected an object, got {kind_of(raw)}")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _ID.match(rule_id):
        raise InvalidInput(
            f"{where}.id: expected 1-64 letters, digits or _ . : - (starting with a letter or digit), "
            f"got {rule_id!r}"
        )
    action = raw.get("action")
    if action not in ACTIONS:
        raise InvalidInput(f"{where}.action: expected one of {', '.join(ACTIONS)}, got {action!r}")
    common = {"id", "action", "query", "enabled", "note"}
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise InvalidInput(f"{where}.enabled: expected true or false, got {kind_of(enabled)}")
    note = raw.get("note") or ""
    if not isinstance(note, str) or len(note) > 500:
        raise InvalidInput(f"{where}.note: expected a string of at most 500 characters")
    query = query_field(raw.get("query"), f"{where}.query", required=action == "pin")
    if action == "pin":
        no_extra(raw, where, common | {"pins"})
        pins = _pins(raw.get("pins"), f"{where}.pins")
        return Rule(rule_id, "pin", query, pins=pins, enabled=enabled, note=note)
    no_extra(raw, where, common | {"filter", "positions"})
    positions = raw.get("positions")
    if positions is not None and (
        isinstance(positions, bool) or not isinstance(positions, int) or not 1 <= positions <= MAX_POSITION
    ):
        raise InvalidInput(
            f"{where}.positions: expected an integer 1-{MAX_POSITION} or null, got {positions!r}"
        )
    rule_filter = parse_filter(raw.get("filter"), f"{where}.filter")
    return Rule(rule_id, action, query, rule_filter, positions, enabled=enabled, note=note)


def check_consistent(rules: tuple[Rule, ...]) -> None:
    """Rule ids are unique; for one query, no two pins claim the same position or the same product."""
    seen: set[str] = set()
    positions: dict[tuple[str | None, int], str] = {}
    products: dict[tuple[str | None, str], str] = {}
    for n, rule in enumerate(rules):
        if rule.id in seen:
            raise InvalidInput(f"rules[{n}].id: {rule.id!r} is used by another rule")
        seen.add(rule.id)
        if rule.action != "pin" or not rule.enabled:
            continue
        for m, pin in enumerate(rule.pins):
            other = positions.setdefault((rule.query, pin.position), rule.id)
            if other != rule.id or sum(p.position == pin.position for p in rule.pins) > 1:
                raise InvalidInput(
                    f"rules[{n}].pins[{m}].position: position {pin.position} for query {rule.query!r} "
                    f"is already pinned (rule {other!r})"
                )
            owner = products.setdefault((rule.query, pin.product_id), rule.id)
            if owner != rule.id or sum(p.product_id == pin.product_id for p in rule.pins) > 1:
                raise InvalidInput(
                    f"rules[{n}].pins[{m}].product_id: {pin.product_id!r} is already pinned for query "
                    f"{rule.query!r} (rule {owner!r})"
                )


def _pins(raw: Any, where: str) -> tuple[Pin, ...]:
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(f"{where}: expected a non-empty list of {{product_id, position}}")
    if len(raw) > MAX_PINS:
        raise InvalidInput(f"{where}: at most {MAX_PINS} pins per rule")
    pins = []
    for n, item in enumerate(raw):
        at = f"{where}[{n}]"
        if not isinstance(item, Mapping):
            raise InvalidInput(f"{at}: expected an object, got {kind_of(item)}")
        no_extra(item, at, {"product_id", "position"})
        product_id = item.get("product_id")
        if isinstance(product_id, int) and not isinstance(product_id, bool):
            product_id = str(product_id)
        if not isinstance(product_id, str) or not product_id.strip() or len(product_id) > 256:
            raise InvalidInput(f"{at}.product_id: expected a product id, got {product_id!r}")
        position = item.get("position")
        if isinstance(position, bool) or not isinstance(position, int) or not 1 <= position <= MAX_POSITION:
            raise InvalidInput(f"{at}.position: expected an integer 1-{MAX_POSITION}, got {position!r}")
        pins.append(Pin(product_id.strip(), position))
    return tuple(pins)


def _filter_dict(filters: Filters) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if filters.brands:
        out["brand"] = list(filters.brands)
    if filters.category:
        out["category"] = list(filters.category)
    if filters.price_min is not None:
        out["price_min"] = filters.price_min
    if filters.price_max is not None:
        out["price_max"] = filters.price_max
    if filters.attributes:
        out["attributes"] = {k: list(v) for k, v in filters.attributes.items()}
    return out
