"""A record's sale: the price it sells at, the regular price a page strikes through, and when the sale
ends, from a sale price or a discount off the price and the dates the sale runs between.

A sale is kept with the product as attributes: while it runs, the regular price (`regular_price`) and
its end (`sale_ends`); before it begins, its price (`scheduled_sale_price`), its start (`sale_starts`)
and its end, so that the gateway's sales clock and `indexer sales` can start and end it on time between two
sends of the catalog (`indexer.sales`), and a partial update reads it back (`indexer.partial`). Apart from
`engine.product_schema` so that the schema reads as the list of its fields; the dates are read by
`engine.sale_dates`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from engine.sale_dates import read_window, write_moment
from engine.schema_checks import FieldChecker, missing

REGULAR_PRICE = "regular_price"
SALE_ENDS = "sale_ends"
SALE_STARTS = "sale_starts"
SCHEDULED_SALE_PRICE = "scheduled_sale_price"
SALE_ATTRIBUTES = (REGULAR_PRICE, SALE_ENDS, SALE_STARTS, SCHEDULED_SALE_PRICE)


def read_sale(
    check: FieldChecker, raw: dict[str, Any], currency: str, now: datetime
) -> tuple[float | None, dict[str, Any]]:
    """(the price the product sells at `now`, the attributes that keep its sale). A product on sale
    sells at its sale price (Google's feeds, WooCommerce's "Sale price"; PrestaShop's discount off the
    price), so that is the price search filters, sorts, buckets and shows while the sale's dates say it
    runs (`engine.sale_dates`); the regular one stays for a page's strike-through. A sale above the
    regular price is refused: one column is the wrong one."""
    price = check.number(raw, "price", currency)
    sale = _sale_price(check, raw, price, currency)
    try:
        window = read_window(*(_text(raw.get(f)) for f in ("sale_from", "sale_to", "sale_dates")))
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        check.fail(field, message)
        return price, {}
    ends = {} if window.end is None else {SALE_ENDS: write_moment(window.end)}
    if sale is None or (window.end is not None and window.end <= now):
        return price, {}
    if window.start is not None and now < window.start:
        return price, {SCHEDULED_SALE_PRICE: sale, SALE_STARTS: write_moment(window.start), **ends}
    return sale, {} if price is None else {REGULAR_PRICE: price, **ends}  # no price: the sale is the price


def sale_fields(attributes: dict[str, Any]) -> dict[str, Any]:
    """The record fields that give again the sale `attributes` keep (`read_sale`): a scheduled sale's
    price, and the dates of a scheduled or running one (a running sale's price is the product's)."""
    fields: dict[str, Any] = {}
    if SCHEDULED_SALE_PRICE in attributes:
        fields["sale_price"] = attributes[SCHEDULED_SALE_PRICE]
    if SALE_STARTS in attributes:
        fields["sale_from"] = attributes[SALE_STARTS]
    if SALE_ENDS in attributes:
        fields["sale_to"] = attributes[SALE_ENDS]
    return fields


def _sale_price(check: FieldChecker, raw: dict[str, Any], price: float | None, currency: str) -> float | None:
    """The price on sale that `sale_price`, `sale_percent` ("20" or "20%") or `sale_amount` says (a
    discount of 0 is none, as PrestaShop writes it for every product without one, and so is a sale price
    of 0 beside a price, as BigCommerce writes "0.0000"; a sale price of 0 alone is the price of a free
    product); None when there is none or it is wrong."""
    percent = raw.get("sale_percent")
    percent = percent.strip().removesuffix("%") if isinstance(percent, str) else percent
    given = {
        "sale_price": check.number(raw, "sale_price", currency),
        "sale_percent": check.number({"sale_percent": percent}, "sale_percent"),
        "sale_amount": check.number(raw, "sale_amount", currency),
    }
    free = not price  # without a price of its own, a sale price of 0 is what the product costs
    named = [f for f, v in given.items() if v is not None and (v > 0 or (f == "sale_price" and free))]
    if len(named) > 1:
        both = " and ".join(named)
        check.fail(named[1], f"give one of sale_price, sale_percent and sale_amount, not {both}")
        return None
    if not named:
        return None
    field, value = named[0], given[named[0]] or 0.0
    if field == "sale_price":
        sale = value
    elif price is None:
        check.fail(field, "a discount needs the product's price")
        return None
    elif field == "sale_percent" and value > 100:
        check.fail(field, f"must be at most 100 (per cent), got {value:g}")
        return None
    else:
        sale = round(price * (1 - value / 100) if field == "sale_percent" else price - value, 2)
    if price is not None and sale > price:
        check.fail(field, f"{sale:g} is above the regular price {price:g}")
    elif price is not None and sale < 0:
        check.fail(field, f"{value:g} is more than the price {price:g}")
    else:
        return sale
    return None


def _text(value: Any) -> str | None:
    return None if missing(value) else str(value)
