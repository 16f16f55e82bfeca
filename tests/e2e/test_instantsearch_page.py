"""A shop's stock InstantSearch.js front end in headless Chromium, against the real gateway, Triton and the
indexed sample catalog.

The page (`tests/e2e/instantsearch/`) uses the real InstantSearch.js, the `algoliasearch` lite client and
`search-insights` from the npm registry (installed by `tests/e2e/npm.py`), with only their hosts pointed at
the gateway: search box, hits (titles through the Highlight component), a brand refinement list,
pagination and the insights middleware. Checked against the API and the event log: results render with
the query marked in their titles, the refinement narrows them with the count it showed,
the next page shows the next hits, and a click reaches the event log tied to the list it was made on.
Saves `instantsearch.png` (see `screenshot_dir`).
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from fastapi.staticfiles import StaticFiles
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from engine.events.base import Event, Impression
from tests.e2e.browser import save_screenshot, screenshot_dir
from tests.e2e.conftest import LiveGateway
from tests.e2e.npm import SPEC, ensure_packages

pytestmark = pytest.mark.integration

PAGE_PATH = "/e2e/instantsearch"
QUERY = "jacket"
PER_PAGE = 4  # the page's configure widget
WAIT_S = 120.0  # a search on a busy two-core CI machine (Triton on CPU) can take many seconds


@pytest.fixture(scope="module")
def page_url(live_gateway: LiveGateway, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The page and the npm bundles, mounted on the live gateway so the page and the API share an origin."""
    root = tmp_path_factory.mktemp("instantsearch-page")
    for name in ("index.html", "app.js"):
        shutil.copyfile(SPEC / name, root / name)
    (root / "vendor").mkdir()
    for name, bundle in ensure_packages().items():
        shutil.copyfile(bundle, root / "vendor" / name)
    live_gateway.app.mount(PAGE_PATH, StaticFiles(directory=root, html=True), name="instantsearch-e2e")
    return f"{live_gateway.url}{PAGE_PATH}/"


def wait_for(driver: Any, check: Callable[[Any], Any], timeout: float = WAIT_S) -> Any:
    waiter = WebDriverWait(
        driver, timeout, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException,)
    )
    return waiter.until(check)


def shown_ids(driver: Any) -> list[str]:
    return [h.get_attribute("data-id") for h in driver.find_elements(By.CSS_SELECTOR, "#hits .hit")]


def shown_total(driver: Any) -> int | None:
    match = re.match(r"([\d,]+) results?", driver.find_element(By.CSS_SELECTOR, "#stats").text)
    return int(match.group(1).replace(",", "")) if match else None


def logged_list(gateway: LiveGateway, ids: list[str], query: str) -> Impression | None:
    """The logged impression of exactly this list for `query` (the page's queryID is its search_id)."""
    gateway.services.impressions.flush()
    for record in reversed(gateway.services.events.read(0, limit=100_000)):
        item = record.impression
        if item is not None and item.query == query and list(item.product_ids) == ids:
            return item
    return None


def served_list(gateway: LiveGateway, ids: list[str], query: str, timeout: float = WAIT_S) -> Impression:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        item = logged_list(gateway, ids, query)
        if item is not None:
            return item
        time.sleep(0.2)
    raise AssertionError(f"no impression of {ids} for {query!r} in the event log")


def logged_event(gateway: LiveGateway, match: Callable[[Event], bool], timeout: float = WAIT_S) -> Event:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for record in gateway.services.events.read(0, limit=100_000):
            if record.event is not None and match(record.event):
                return record.event
        time.sleep(0.1)
    raise AssertionError("the event never reached the event log")


def api_total(gateway: LiveGateway, **params: Any) -> int:
    body = {"requests": [{"indexName": "products", "hitsPerPage": 1, **params}]}
    response = httpx.post(
        f"{gateway.url}/1/indexes/*/queries", json=body, headers={"X-Aisle-Log": "off"}, timeout=WAIT_S
    )
    assert response.status_code == 200, response.text
    return int(response.json()["results"][0]["nbHits"])


def test_instantsearch_js_searches_refines_pages_and_reports_clicks(
    browser: Any, live_gateway: LiveGateway, page_url: str
) -> None:
    browser.get(page_url)
    # Before typing: the catalog, browsed.
    wait_for(browser, lambda d: len(shown_ids(d)) == PER_PAGE and shown_total(d) is not None)
    assert shown_total(browser) == api_total(live_gateway, query="")

    box = browser.find_element(By.CSS_SELECTOR, "#searchbox input")
    box.send_keys(QUERY, Keys.ENTER)
    # The page shows the query's results once its hits are the list logged for the query.
    wait_for(browser, lambda d: shown_ids(d) and logged_list(live_gateway, shown_ids(d), QUERY) is not None)
    first_page = shown_ids(browser)
    assert shown_total(browser) == api_total(live_gateway, query=QUERY)
    titles = [t.text.lower() for t in browser.find_elements(By.CSS_SELECTOR, "#hits .hit h3")]
    assert any(QUERY in title for title in titles), titles
    # The Highlight component renders the answer's _highlightResult: the query word marked in titles.
    marks = [m.text.lower() for m in browser.find_elements(By.CSS_SELECTOR, "#hits .hit h3 mark")]
    assert marks and set(marks) == {QUERY}, marks

    # Refinement: the brand with most hits, whose shown count the results then match.
    labels = browser.find_elements(By.CSS_SELECTOR, "#brands .ais-RefinementList-label")
    counts = {
        label.find_element(By.CLASS_NAME, "ais-RefinementList-labelText").text: int(
            label.find_element(By.CLASS_NAME, "ais-RefinementList-count").text
        )
        for label in labels
    }
    brand, count = max(counts.items(), key=lambda item: item[1])
    total = shown_total(browser)
    assert total is not None and count < total, "the query's results should span several brands"
    next(
        label
        for label in labels
        if label.find_element(By.CLASS_NAME, "ais-RefinementList-labelText").text == brand
    ).click()
    wait_for(browser, lambda d: shown_total(d) == count)
    assert count == api_total(live_gateway, query=QUERY, facetFilters=[[f"brand:{brand}"]])
    assert {h.get_attribute("data-brand") for h in browser.find_elements(By.CSS_SELECTOR, "#hits .hit")} == {
        brand
    }
    save_screenshot(browser, screenshot_dir() / "instantsearch.png")

    # Pagination: back to the unrefined results, then page 2 shows the next hits.
    browser.find_element(By.CSS_SELECTOR, "#brands input:checked").click()
    wait_for(browser, lambda d: shown_total(d) == total and shown_ids(d))
    assert total > PER_PAGE, "the query should have more than one page"
    browser.find_element(
        By.XPATH, "//li[contains(@class,'ais-Pagination-item--page')]//a[normalize-space()='2']"
    ).click()
    wait_for(browser, lambda d: shown_ids(d) and shown_ids(d)[0] not in first_page)
    second_page = shown_ids(browser)
    assert not set(second_page) & set(first_page)
    page_two = served_list(live_gateway, second_page, QUERY)
    assert list(page_two.positions) == list(range(PER_PAGE + 1, PER_PAGE + 1 + len(second_page)))

    # A click through the insights middleware arrives in the event log, tied to that list and position.
    clicked = second_page[1]
    browser.find_element(By.CSS_SELECTOR, f'#hits .hit[data-id="{clicked}"] h3').click()
    event = logged_event(
        live_gateway,
        lambda e: e.type == "click" and e.product_id == clicked and e.search_id == page_two.search_id,
    )
    assert event.position == PER_PAGE + 2
    assert event.user_id == "e2e-shopper"
    assert live_gateway.services.impressions.known(page_two.search_id)
