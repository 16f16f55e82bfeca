"""Sales with their dates and discounts: a sale is the price only while it runs (`engine.sale_dates`)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.product_schema import RecordError, validate_record
from engine.sale_dates import SaleWindow, read_moment, read_window, write_moment
from indexer.loading import load_catalog
from indexer.partial import apply_patch

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def product(now: datetime = NOW, **fields: object):
    return validate_record({"id": "1", "title": "Barolo DOCG 2018", "price": "40", **fields}, now=now)


@pytest.mark.parametrize(
    ("text", "ends", "moment"),
    [
        ("2026-12-24", False, datetime(2026, 12, 24, tzinfo=UTC)),
        ("2026-12-24", True, datetime(2026, 12, 25, tzinfo=UTC)),  # the whole day is in
        ("2026-12-24 18:30:00", True, datetime(2026, 12, 24, 18, 30, tzinfo=UTC)),
        ("2026-12-01T00:00-08:00", False, datetime(2026, 12, 1, 8, 0, tzinfo=UTC)),
        ("12/24/26", True, datetime(2026, 12, 25, tzinfo=UTC)),  # Magento: month first
        ("24/12/2026", False, datetime(2026, 12, 24, tzinfo=UTC)),  # 24 cannot be a month
        ("12/7/26, 6:00 PM", True, datetime(2026, 12, 7, 18, 0, tzinfo=UTC)),
        ("12/7/26 12:15 AM", False, datetime(2026, 12, 7, 0, 15, tzinfo=UTC)),
    ],
)
def test_dates_read_as_shop_systems_write_them(text: str, ends: bool, moment: datetime) -> None:
    assert read_moment(text, ends=ends) == moment


@pytest.mark.parametrize("text", ["tomorrow", "2026-13-01", "13/13/26", "12/7/26 13:00 PM", "2026-12"])
def test_unreadable_dates_say_what_was_expected(text: str) -> None:
    with pytest.raises(ValueError, match="expected"):
        read_moment(text)


def test_a_moment_is_written_in_utc_as_it_is_read_back() -> None:
    moment = read_moment("2026-12-24T23:59-08:00")
    assert write_moment(moment) == "2026-12-25T07:59:00Z" and read_moment(write_moment(moment)) == moment


def test_a_window_runs_from_its_start_to_the_end_of_its_last_day() -> None:
    window = read_window("2026-12-01", "2026-12-07", None)
    assert window.runs_at(NOW) and not window.runs_at(datetime(2026, 12, 8, tzinfo=UTC))
    assert not window.runs_at(datetime(2026, 11, 30, 23, 59, tzinfo=UTC))
    assert read_window("0000-00-00", "0000-00-00 00:00:00", None) == SaleWindow()  # PrestaShop: no dates
    assert read_window(None, None, "2026-12-01T00:00Z/") == SaleWindow(datetime(2026, 12, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("start", "end", "interval", "message"),
    [
        ("2026-12-08", "2026-12-01", None, "sale_to: ends before the sale starts"),
        ("2026-12-01", None, "2026-12-01/2026-12-02", "sale_dates: give either"),
        (None, None, "2026-12-01", "sale_dates: expected two dates"),
        (None, "next week", None, "sale_to: expected a date"),
    ],
)
def test_bad_windows_name_their_field(
    start: str | None, end: str | None, interval: str | None, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        read_window(start, end, interval)


def test_a_sale_is_the_price_only_while_its_dates_say_it_runs() -> None:
    running = product(sale_price="30", sale_from="2026-12-01", sale_to="2026-12-24")
    assert running.price == 30 and running.attributes["regular_price"] == 40
    assert running.attributes["sale_ends"] == "2026-12-25T00:00:00Z"
    over = product(sale_price="30", sale_to="12/6/26")  # Magento's special price after its sale
    assert over.price == 40 and "regular_price" not in over.attributes and "sale_ends" not in over.attributes
    later = product(sale_price="30", sale_dates="2026-12-20T00:00+01:00/2026-12-24T23:59+01:00")
    assert later.price == 40  # Christmas prices are not November's
    begun = product(now=datetime(2026, 12, 21, tzinfo=UTC), sale_price="30", sale_from="2026-12-20")
    assert begun.price == 30
    assert "sale_ends" not in product(sale_price="30").attributes  # a sale without an end


@pytest.mark.parametrize(
    ("fields", "price"),
    [
        ({"sale_percent": "25"}, 30.0),
        ({"sale_percent": "12.5%"}, 35.0),
        ({"sale_amount": "5,50"}, 34.5),
        ({"sale_percent": "0", "sale_amount": "0"}, 40.0),  # PrestaShop's "no discount"
        ({"sale_price": "0.0000"}, 40.0),  # BigCommerce's "no sale price"
    ],
)
def test_a_discount_off_the_price_is_a_sale(fields: dict[str, str], price: float) -> None:
    assert product(**fields).price == price


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"sale_percent": "20", "sale_amount": "5"}, "sale_amount: give one of sale_price, sale_percent"),
        ({"sale_price": "30", "sale_percent": "10"}, "sale_percent: give one of"),
        ({"sale_percent": "120"}, "sale_percent: must be at most 100"),
        ({"sale_amount": "45"}, "sale_amount: 45 is more than the price 40"),
        ({"sale_price": "50"}, "sale_price: 50 is above the regular price 40"),
        ({"sale_percent": "ten"}, "sale_percent: expected a number"),
        ({"sale_price": "30", "sale_from": "soon"}, "sale_from: expected a date"),
    ],
)
def test_bad_sales_are_refused_naming_the_field(fields: dict[str, str], message: str) -> None:
    with pytest.raises(RecordError, match=message):
        product(**fields)


def test_a_sale_price_of_0_without_a_price_is_a_free_product() -> None:
    free = validate_record({"id": "1", "title": "Sample", "sale_price": "0.00"}, now=NOW)
    assert free.price == 0.0
    assert "regular_price" not in free.attributes


def test_a_discount_needs_a_price() -> None:
    with pytest.raises(RecordError, match="sale_percent: a discount needs the product's price"):
        validate_record({"id": "1", "title": "Barolo", "sale_percent": "10"}, now=NOW)


def test_a_patch_keeps_a_sales_end_and_a_patch_after_it_finds_the_sale_over() -> None:
    on_sale = product(sale_price="30", sale_to="2026-12-24")
    assert apply_patch(on_sale, {"stock": 3}).price == 30  # still running (today)
    assert apply_patch(on_sale, {"stock": 3}).attributes["sale_ends"] == "2026-12-25T00:00:00Z"
    after = apply_patch(on_sale, {"stock": 3}, now=datetime(2026, 12, 26, tzinfo=UTC))
    assert after.price == 40 and "regular_price" not in after.attributes
    renewed = apply_patch(on_sale, {"sale_price": 28}, now=datetime(2026, 12, 26, tzinfo=UTC))
    assert renewed.price == 28 and "sale_ends" not in renewed.attributes  # a sale given anew
    discounted = apply_patch(on_sale, {"sale_percent": "10"})  # PrestaShop's discount replaces the sale
    assert (discounted.price, discounted.attributes["regular_price"]) == (36.0, 40.0)
    ended = apply_patch(discounted, {"sale_percent": "0"})  # and 0 ends it
    assert ended.price == 40 and "regular_price" not in ended.attributes


FEED = """<?xml version="1.0"?>
<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0"><channel>
<item><g:id>1</g:id><title>Amarone</title><g:price>50.00 EUR</g:price><g:sale_price>40.00 EUR</g:sale_price>
<g:sale_price_effective_date>2020-01-01T00:00+01:00/2020-01-31T23:59+01:00</g:sale_price_effective_date></item>
<item><g:id>2</g:id><title>Prosecco</title><g:price>12.00 EUR</g:price><g:sale_price>9.00 EUR</g:sale_price>
<g:sale_price_effective_date>2020-01-01T00:00+01:00/2090-01-31T23:59+01:00</g:sale_price_effective_date></item>
<item><g:id>3</g:id><title>Barolo</title><g:price>45.00 EUR</g:price><g:sale_price>39.00 EUR</g:sale_price>
<g:sale_price_effective_date>2020-01-01/2020-01-02/2020-01-03</g:sale_price_effective_date></item>
</channel></rss>
"""


def test_a_google_feeds_sale_dates_decide_its_price(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text(FEED, encoding="utf-8")
    loaded = load_catalog(path)
    prices = {p.id: p.price for p in loaded.products}
    assert prices == {"1": 50.0, "2": 9.0}  # the January 2020 sale is over; the other runs
    assert [(p.line, p.message) for p in loaded.problems] == [
        (7, "sale_dates: expected two dates separated by '/' (start/end)")
    ]
