"""Merchandising rules: request and response shapes of `/v1/admin/rules` and the `rules` debug field.

These describe the JSON for clients and the OpenAPI page; the engine's validator
(`engine.merch.rules.RuleSet.from_dict`) has the last word (unique ids, pins that do not collide, ...).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import RequestModel


class RuleFilter(RequestModel):
    """Which products a boost or bury moves (same semantics as search filters; at least one given)."""

    brand: list[str] | str | None = Field(None, description="Any of these brands.")
    category: list[str] | str | None = Field(
        None, description='Category path prefix, e.g. "Books > Fantasy".'
    )
    price_min: float | None = Field(None, ge=0)
    price_max: float | None = Field(None, ge=0)
    attributes: dict[str, list[str] | str] | None = Field(None, description="Attribute -> accepted value(s).")


class PinIn(RequestModel):
    product_id: str
    position: int = Field(ge=1, le=1000, description="1-based position in the result list.")


class RuleIn(RequestModel):
    """`boost`/`bury` need `filter`; `pin` needs `query` and `pins`."""

    id: str = Field(description="Your name for the rule: letters, digits, _ . : - (at most 64).")
    action: Literal["boost", "bury", "pin"]
    query: str | None = Field(
        None,
        description="Only for this query (case and spacing do not matter; a query with the same analysed "
        "words in the catalog's language counts as this one).",
    )
    filter: RuleFilter | None = None
    positions: int | None = Field(
        None, ge=1, le=1000, description="How far to move matching products; omitted: all the way."
    )
    pins: list[PinIn] | None = Field(None, max_length=50)
    enabled: bool = True
    note: str = Field("", max_length=500)


class RuleSetIn(RequestModel):
    bury_unavailable: bool = Field(True, description="Out-of-stock and discontinued products last.")
    rules: list[RuleIn] = Field(default_factory=list, max_length=500)


class RuleSetOut(BaseModel):
    bury_unavailable: bool
    rules: list[dict[str, object]]
    generation: int = Field(description="Saved versions so far (0: never saved, the defaults).")
    updated_at: str


class AppliedRuleOut(BaseModel):
    """A rule that changed a search's list (in the search response with `debug: true`)."""

    rule_id: str
    action: str
    product_ids: list[str] = Field(description="Products it moved or placed.")
    skipped: list[str] = Field(
        default_factory=list, description="Pinned products not placed (unknown, or outside the filters)."
    )
