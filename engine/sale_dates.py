"""When a sale runs: the dates shop systems write next to a sale price, read so that a sale that is over,
or has not begun, is no sale.

Every shop system schedules its sales, and exports the schedule with the sale price: Magento's
`special_price_from_date` / `special_price_to_date` ("12/1/26"), WooCommerce's "Date sale price starts" /
"ends" ("2026-12-01 00:00:00"), PrestaShop's "Discount from (yyyy-mm-dd)" / "Discount to" ("0000-00-00"
where there is none), Google's `sale_price_effective_date`, one ISO 8601 interval
("2026-12-01T00:00-08:00/2026-12-24T23:59-08:00"). Read without them, a sale that ended last month is
still the price search filters, sorts and shows, and a shop's Christmas prices show in November. Mapped
to the schema's `sale_from`, `sale_to` or `sale_dates`, the sale is the price only while it runs, as of
when the record is read (a build, an upsert), and the gateway's sales clock (or `indexer sales`) starts
and ends it on time between two sends of the catalog (`indexer.sales`).

A date without a time means the whole day, as each of these systems means it: `sale_from` from its
first moment, `sale_to` to its last. A time without a zone is UTC. Slashed dates are Magento's, month
first ("12/24/26"); one whose first number cannot be a month (24/12/2026) is read day first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

# What shop systems write for "no date": PrestaShop's MySQL zero date, with or without its time.
_NO_DATE = re.compile(r"^0000-00-00( 00:00:00)?$")
_SLASHED = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})"  # month/day/year (Magento), or day/month/year
    r"(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"  # and a time: "6:00 PM", "18:00:00"
)
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class SaleWindow:
    """From `start` to `end` (either open), both in UTC; `end` is the first moment after the sale."""

    start: datetime | None = None
    end: datetime | None = None

    def runs_at(self, moment: datetime) -> bool:
        return (self.start is None or self.start <= moment) and (self.end is None or moment < self.end)


def no_date(text: str) -> bool:
    """A cell that states no date: empty, or PrestaShop's zero date."""
    return not text.strip() or bool(_NO_DATE.match(text.strip()))


def read_moment(text: str, *, ends: bool = False) -> datetime:
    """A date or date-time as shop systems export one, in UTC; a date alone is its first moment, or
    with `ends` the first moment after it (its whole day is in). ValueError says what was expected."""
    written = text.strip()
    slashed = _SLASHED.match(written)
    if slashed:
        return _slashed(slashed, ends)
    try:
        if len(written) == 10:
            day = date.fromisoformat(written)
            return datetime.combine(day + (_DAY if ends else timedelta()), time(), UTC)
        moment = datetime.fromisoformat(written.replace(" ", "T", 1) if " " in written else written)
    except ValueError:
        raise ValueError("expected a date like 2026-12-24 or 2026-12-24 18:00:00") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def write_moment(moment: datetime) -> str:
    """A moment in UTC as it is kept and answered ("2026-12-25T00:00:00Z"), which `read_moment` reads."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _slashed(found: re.Match[str], ends: bool) -> datetime:
    first, second, year = int(found.group(1)), int(found.group(2)), int(found.group(3))
    month, day = (second, first) if first > 12 else (first, second)
    year += 2000 if year < 100 else 0
    try:
        moment = datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        raise ValueError("expected a date like 12/24/26 (month first) or 2026-12-24") from None
    if found.group(4) is None:
        return moment + (_DAY if ends else timedelta())
    hour, minute, second_of = int(found.group(4)), int(found.group(5)), int(found.group(6) or 0)
    marker = (found.group(7) or "").lower()
    if (marker and not 1 <= hour <= 12) or hour > 23 or minute > 59 or second_of > 59:
        raise ValueError("expected a time like 18:00 or 6:00 PM")
    hour = hour % 12 + (12 if marker == "pm" else 0) if marker else hour
    return moment + timedelta(hours=hour, minutes=minute, seconds=second_of)


def read_window(start: str | None, end: str | None, interval: str | None) -> SaleWindow:
    """The window `sale_from`, `sale_to` or `sale_dates` ("start/end", either side may be empty) give;
    ValueError names the field that is wrong and why."""
    if interval is not None and not no_date(interval):
        if start is not None or end is not None:
            raise ValueError("sale_dates: give either sale_dates or sale_from and sale_to, not both")
        sides = interval.split("/")
        if len(sides) != 2:
            raise ValueError("sale_dates: expected two dates separated by '/' (start/end)")
        start, end = sides
    window = SaleWindow(_side(start, "sale_from", False), _side(end, "sale_to", True))
    if window.start is not None and window.end is not None and window.end <= window.start:
        raise ValueError(f"sale_to: ends before the sale starts ({end.strip() if end else ''})")
    return window


def _side(text: str | None, field: str, ends: bool) -> datetime | None:
    if text is None or no_date(text):
        return None
    try:
        return read_moment(text, ends=ends)
    except ValueError as exc:
        raise ValueError(f"{field}: {exc}, got {text.strip()!r}") from None
