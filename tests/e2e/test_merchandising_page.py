"""Merchandising and catalog display in headless Chromium against the real gateway and Triton.

The admin page saves a pin rule that the search page then shows first, and refuses a bad rule with the
server's message; it saves synonym sets that searches then use, and names the line of a bad one; the
search page labels price facets in the catalog's currency and shows the
placeholder for a picture that fails to load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.e2e.browser import console_errors, save_screenshot, screenshot_dir
from tests.e2e.conftest import LiveGateway
from tests.e2e.test_admin_page import sign_in
from tests.e2e.test_search_page import api_search, search_in_page, wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def euro_shop(live_gateway: LiveGateway) -> Iterator[None]:
    services = live_gateway.services
    before = services.settings
    services.settings = before.model_copy(update={"currency": "EUR"})
    try:
        yield
    finally:
        services.settings = before


def test_price_facets_in_the_catalog_currency_and_broken_pictures_fall_back(
    browser: Any, live_gateway: LiveGateway, euro_shop: None
) -> None:
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*/image"]})
    try:
        search_in_page(browser, live_gateway, "jacket")
        labels = wait_for(
            browser,
            lambda d: [
                b.find_element(By.CLASS_NAME, "value").text
                for b in d.find_elements(
                    By.CSS_SELECTOR, '[aria-labelledby="facet-price"] button[data-value]'
                )
            ],
        )
        assert labels and all("€" in label and "$" not in label for label in labels), labels
        cards = browser.find_elements(By.CSS_SELECTOR, "#hits .card")
        wait_for(
            browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#hits .card .no-image")) == len(cards)
        )
        assert not browser.find_elements(By.CSS_SELECTOR, "#hits .card img")
    finally:
        browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})
        console_errors(browser)  # the blocked pictures' load errors are what this test provokes


def kept_as_before(
    live_gateway: LiveGateway, setting: str, body: Callable[[dict], dict] = lambda before: before
) -> Iterator[None]:
    """Read an admin setting (`/v1/admin/<setting>`), let the test change it, then put it back as it
    was (`body`: the PUT body from the GET answer)."""
    auth = {"Authorization": f"Bearer {live_gateway.key}"}
    url = f"{live_gateway.url}/v1/admin/{setting}"
    before = httpx.get(url, headers=auth).json()
    yield
    assert httpx.put(url, json=body(before), headers=auth).status_code == 200


@pytest.fixture
def no_rules(live_gateway: LiveGateway) -> Iterator[None]:
    yield from kept_as_before(
        live_gateway, "rules", lambda before: {k: before[k] for k in ("bury_unavailable", "rules")}
    )


def test_admin_saves_a_pin_that_search_shows_and_refuses_a_bad_rule(
    browser: Any, live_gateway: LiveGateway, no_rules: None
) -> None:
    hits = api_search(live_gateway, browser, query="jacket")["hits"]
    last = hits[-1]["id"]
    sign_in(browser, live_gateway, live_gateway.key)
    wait_for(browser, lambda d: d.find_element(By.ID, "rules-generation").text)
    form = browser.find_element(By.ID, "rule-form")
    form.find_element(By.NAME, "rule-id").send_keys("jacket-pin")
    Select(form.find_element(By.NAME, "rule-action")).select_by_value("pin")
    form.find_element(By.NAME, "rule-query").send_keys("Jacket")
    form.find_element(By.NAME, "rule-pins").send_keys(f"{last}@1")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    row = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, '#rules tr[data-rule="jacket-pin"]'))
    assert f"{last} at 1" in row[0].text
    assert "saved" in browser.find_element(By.ID, "admin-notice").text

    form.find_element(By.NAME, "rule-id").clear()
    form.find_element(By.NAME, "rule-id").send_keys("no-filter")
    Select(form.find_element(By.NAME, "rule-action")).select_by_value("bury")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    notice = wait_for(browser, lambda d: "Not saved" in d.find_element(By.ID, "admin-notice").text and d)
    assert "filter" in notice.find_element(By.ID, "admin-notice").text
    assert not browser.find_elements(By.CSS_SELECTOR, '#rules tr[data-rule="no-filter"]')
    console_errors(browser)  # the refused PUT's 422 is expected here

    search_in_page(browser, live_gateway, "jacket")
    first = wait_for(
        browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#hits .card")[0].get_attribute("data-product-id")
    )
    assert first == last


@pytest.fixture
def no_synonyms(live_gateway: LiveGateway) -> Iterator[None]:
    yield from kept_as_before(live_gateway, "synonyms")


def test_admin_saves_synonyms_that_search_uses_and_names_the_line_of_a_bad_set(
    browser: Any, live_gateway: LiveGateway, no_synonyms: None
) -> None:
    assert api_search(live_gateway, browser, query="zorblax")["total"] == 0
    sign_in(browser, live_gateway, live_gateway.key)
    wait_for(browser, lambda d: d.find_element(By.ID, "synonym-count").text)
    sets = browser.find_element(By.ID, "synonym-sets")
    sets.clear()
    sets.send_keys("zorblax, jacket\n\nsettee, sofa, couch")
    browser.find_element(By.CSS_SELECTOR, "#synonym-form button[type=submit]").click()
    wait_for(browser, lambda d: "Synonyms saved" in d.find_element(By.ID, "admin-notice").text)
    assert browser.find_element(By.ID, "synonym-count").text == "2 sets"
    browser.execute_script("document.getElementById('synonyms-title').scrollIntoView()")
    save_screenshot(browser, screenshot_dir() / "admin-synonyms.png")
    # Every gateway process re-reads the sets within a second; lexically, "zorblax" now means "jacket".
    wait_for(browser, lambda d: api_search(live_gateway, d, query="zorblax")["total"] > 0, 10)
    lexical = {"query": "zorblax", "pipeline": "bm25"}
    assert (
        api_search(live_gateway, browser, **lexical)["total"]
        == (api_search(live_gateway, browser, query="jacket", pipeline="bm25")["total"])
    )

    sets.send_keys("\nottoman")  # a set of one entry: line 3 of the list as saved (blank lines dropped)
    browser.find_element(By.CSS_SELECTOR, "#synonym-form button[type=submit]").click()
    notice = wait_for(browser, lambda d: "Not saved" in d.find_element(By.ID, "admin-notice").text and d)
    assert "line 3: a set needs 2" in notice.find_element(By.ID, "admin-notice").text
    auth = {"Authorization": f"Bearer {live_gateway.key}"}
    stored = httpx.get(f"{live_gateway.url}/v1/admin/synonyms", headers=auth).json()
    assert stored == {
        "synonyms": [["zorblax", "jacket"], ["settee", "sofa", "couch"]]
    }  # nothing half-applied
    console_errors(browser)  # the refused PUT's 422 is expected here
