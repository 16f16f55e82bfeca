"""The search page in headless Chromium against the real gateway, Triton and the indexed sample catalog.

What a shopper does, checked against what the API and the event log say: a query shows results, a
facet narrows them with counts equal to the API's, a click is logged with the list's search_id and the
card's position, similar items open, suggestions and the debug view work, and the page is usable with
the keyboard alone and at phone width. Saves a screenshot of results (see `screenshot_dir`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from engine.events.base import Event
from tests.e2e.browser import save_screenshot, screenshot_dir
from tests.e2e.conftest import PAGE_FACETS, LiveGateway

pytestmark = pytest.mark.integration

QUERY = "jacket"
ATTRIBUTES = [f"attr.{name}" for name in PAGE_FACETS]  # the page's attribute facets


def counted(total: int) -> str:
    """How the page's summary opens for `total` results."""
    return "1 result for" if total == 1 else f"{total} results for"


def wait_for(driver: Any, check: Callable[[Any], Any], timeout: float = 30.0) -> Any:
    """Poll `check` until truthy; the page re-renders lists, so an element gone stale is just a retry."""
    waiter = WebDriverWait(
        driver, timeout, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException,)
    )
    return waiter.until(check)


def search_in_page(driver: Any, gateway: LiveGateway, query: str) -> None:
    driver.get(f"{gateway.url}/")
    box = driver.find_element(By.ID, "q")
    box.send_keys(query, Keys.ENTER)
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "#hits .card"))


def shopper(driver: Any) -> dict[str, str]:
    return driver.execute_script(
        "return {user_id: localStorage.getItem('aisle.user_id'),"
        " session_id: sessionStorage.getItem('aisle.session_id')};"
    )


def api_search(gateway: LiveGateway, driver: Any, **body: Any) -> dict[str, Any]:
    payload = {
        "size": 12,
        "facets": ["category", "brand", "price", "availability", *ATTRIBUTES],
        # as the page asks
        "disjunctive_facets": ["brand", "price", "availability", *ATTRIBUTES],
        **shopper(driver),
        **body,
    }
    response = httpx.post(f"{gateway.url}/v1/search", json=payload, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def facet_counts(driver: Any, name: str) -> dict[str, int]:
    buttons = driver.find_elements(By.CSS_SELECTOR, f'[aria-labelledby="facet-{name}"] button[data-value]')
    return {b.get_attribute("data-value"): int(b.find_element(By.CLASS_NAME, "count").text) for b in buttons}


def logged(gateway: LiveGateway, match: Callable[[Event], bool], timeout: float = 10.0) -> Event:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for record in gateway.services.events.read(0, limit=100_000):
            if record.event is not None and match(record.event):
                return record.event
        time.sleep(0.1)
    raise AssertionError("the event never reached the event log")


def test_a_query_shows_results(browser: Any, live_gateway: LiveGateway) -> None:
    search_in_page(browser, live_gateway, QUERY)
    api = api_search(live_gateway, browser, query=QUERY)
    cards = browser.find_elements(By.CSS_SELECTOR, "#hits .card")
    assert [c.get_attribute("data-product-id") for c in cards] == [h["id"] for h in api["hits"]]
    assert [c.get_attribute("data-position") for c in cards] == [str(i) for i in range(1, len(cards) + 1)]
    first = cards[0]
    assert first.find_element(By.CLASS_NAME, "title").text == api["hits"][0]["title"]
    assert counted(api["total"]) in browser.find_element(By.ID, "summary").text
    with_image = [c for c in cards if c.find_elements(By.TAG_NAME, "img")]
    assert with_image, "the sample catalog's pictures should show on some cards"
    wait_for(
        browser,
        lambda d: d.execute_script(
            "return [...document.querySelectorAll('#hits img')].every(i => i.complete && i.naturalWidth > 0)"
        ),
    )
    assert browser.find_element(By.ID, "pager").find_elements(By.CSS_SELECTOR, "[aria-current=page]")
    save_screenshot(browser, screenshot_dir() / "results.png")


def test_a_single_result_is_counted_in_the_singular(browser: Any, live_gateway: LiveGateway) -> None:
    search_in_page(browser, live_gateway, "p0001")  # a product id: an identifier, one product
    api = api_search(live_gateway, browser, query="p0001")
    assert api["total"] == 1 and [h["id"] for h in api["hits"]] == ["p0001"]
    assert browser.find_element(By.ID, "summary").text == "1 result for “p0001”"


def test_a_query_matching_nothing_says_so_and_offers_the_words_that_match(
    browser: Any, live_gateway: LiveGateway
) -> None:
    browser.get(f"{live_gateway.url}/")
    browser.find_element(By.ID, "q").send_keys(f"{QUERY} xyzzyqwv", Keys.ENTER)
    wait_for(browser, lambda d: d.find_element(By.ID, "summary").text.startswith("No results"))
    assert browser.find_elements(By.CSS_SELECTOR, "#hits .card") == []
    text = browser.find_element(By.ID, "summary").text
    assert f"No results for “{QUERY} xyzzyqwv”" in text and f"Did you mean {QUERY}?" in text
    browser.find_element(By.CSS_SELECTOR, "#summary a.suggestion").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#hits .card"))
    api = api_search(live_gateway, browser, query=QUERY)
    assert counted(api["total"]) in browser.find_element(By.ID, "summary").text


def test_a_facet_narrows_results_and_counts_agree_with_the_api(
    browser: Any, live_gateway: LiveGateway
) -> None:
    search_in_page(browser, live_gateway, QUERY)
    api = api_search(live_gateway, browser, query=QUERY)
    shown = facet_counts(browser, "brand")
    assert shown == {f["value"]: f["count"] for f in api["facets"]["brand"]}
    brand, count = max(shown.items(), key=lambda item: item[1])
    assert count < api["total"], "pick a query whose results span several brands"

    browser.find_element(
        By.CSS_SELECTOR, f'[aria-labelledby="facet-brand"] button[data-value="{brand}"]'
    ).click()
    wait_for(browser, lambda d: d.find_element(By.ID, "summary").text.startswith(counted(count)))
    narrowed = api_search(live_gateway, browser, query=QUERY, filters={"brand": [brand]})
    assert narrowed["total"] == count
    brands = {
        c.find_element(By.CLASS_NAME, "brand").text
        for c in browser.find_elements(By.CSS_SELECTOR, "#hits .card")
    }
    assert brands == {brand}
    assert "brand=" in browser.current_url
    # The other brands stay to add, counted as before the pick; adding one shows both.
    assert facet_counts(browser, "brand") == shown
    second, second_count = sorted(shown.items(), key=lambda item: -item[1])[1]
    browser.find_element(
        By.CSS_SELECTOR, f'[aria-labelledby="facet-brand"] button[data-value="{second}"]'
    ).click()
    wait_for(
        browser, lambda d: d.find_element(By.ID, "summary").text.startswith(counted(count + second_count))
    )
    browser.find_element(
        By.CSS_SELECTOR, f'[aria-labelledby="facet-brand"] button[data-value="{second}"]'
    ).click()
    wait_for(browser, lambda d: d.find_element(By.ID, "summary").text.startswith(counted(count)))

    # The category facet agrees too, then narrows the brand's results further.
    categories = facet_counts(browser, "category")
    assert categories == {f["value"]: f["count"] for f in narrowed["facets"]["category"]}
    top, top_count = next(iter(categories.items()))
    browser.find_element(
        By.CSS_SELECTOR, f'[aria-labelledby="facet-category"] button[data-value="{top}"]'
    ).click()
    wait_for(browser, lambda d: d.find_element(By.ID, "summary").text.startswith(counted(top_count)))
    both = api_search(live_gateway, browser, query=QUERY, filters={"brand": [brand], "category": [top]})
    assert both["total"] == top_count


def test_colours_picked_add_up_and_the_others_stay_to_pick(browser: Any, live_gateway: LiveGateway) -> None:
    """The sample catalog names colours and sizes as a Google feed does (`color`, `size`)."""
    search_in_page(browser, live_gateway, QUERY)
    api = api_search(live_gateway, browser, query=QUERY)
    colours = facet_counts(browser, "color")
    assert colours == {f["value"]: f["count"] for f in api["facets"]["attr.color"]} and len(colours) > 1
    (first, count), (second, _) = sorted(colours.items(), key=lambda item: -item[1])[:2]
    button = '[aria-labelledby="facet-color"] button[data-value="{}"]'
    browser.find_element(By.CSS_SELECTOR, button.format(first)).click()
    wait_for(browser, lambda d: d.find_element(By.ID, "summary").text.startswith(counted(count)))
    assert "color=" in browser.current_url
    assert facet_counts(browser, "color") == colours  # the other colours stay, counted as before
    browser.find_element(By.CSS_SELECTOR, button.format(second)).click()
    both = api_search(live_gateway, browser, query=QUERY, filters={"attributes": {"color": [first, second]}})
    assert both["total"] > count
    wait_for(browser, lambda d: d.find_element(By.ID, "summary").text.startswith(counted(both["total"])))


def test_the_attribute_facets_are_the_ones_the_gateway_names(browser: Any, live_gateway: LiveGateway) -> None:
    """`AISLE_PAGE_FACETS` here adds the sample catalog's material to colour and size, under its heading."""
    search_in_page(browser, live_gateway, QUERY)
    headings = [h.text for h in browser.find_elements(By.CSS_SELECTOR, "#facets h3")]
    assert "Material" in headings and headings.index("Colour") < headings.index("Material")
    api = api_search(live_gateway, browser, query=QUERY)
    materials = facet_counts(browser, "material")
    assert materials == {f["value"]: f["count"] for f in api["facets"]["attr.material"]}
    assert len(materials) > 1
    first, count = max(materials.items(), key=lambda item: item[1])
    button = f'[aria-labelledby="facet-material"] button[data-value="{first}"]'
    browser.find_element(By.CSS_SELECTOR, button).click()
    wait_for(browser, lambda d: d.find_element(By.ID, "summary").text.startswith(counted(count)))
    assert f"material={first}" in browser.current_url.replace("+", " ")
    picked = api_search(live_gateway, browser, query=QUERY, filters={"attributes": {"material": [first]}})
    assert picked["total"] == count
    browser.refresh()  # the pick is read back from the URL
    wait_for(browser, lambda d: d.find_element(By.ID, "summary").text.startswith(counted(count)))


def test_clicking_a_result_records_a_click_with_its_search_id_and_position(
    browser: Any, live_gateway: LiveGateway
) -> None:
    search_in_page(browser, live_gateway, QUERY)
    card = browser.find_elements(By.CSS_SELECTOR, "#hits .card")[1]
    search_id, product_id = card.get_attribute("data-search-id"), card.get_attribute("data-product-id")
    card.find_element(By.CLASS_NAME, "card-link").click()
    wait_for(browser, lambda d: d.find_element(By.ID, "product-dialog").get_attribute("open") is not None)
    wait_for(browser, lambda d: d.find_element(By.CSS_SELECTOR, "#product-body .product-detail"))

    click = logged(live_gateway, lambda e: e.type == "click" and e.search_id == search_id)
    assert (click.product_id, click.position) == (product_id, 2)
    assert click.user_id == shopper(browser)["user_id"]
    served = live_gateway.services.events.impression(search_id)
    assert served is not None and served.product_ids[1] == product_id and served.positions[1] == 2
    seen = logged(live_gateway, lambda e: e.type == "impression" and e.search_id == search_id)
    assert seen.position is not None and served.product_ids[seen.position - 1] == seen.product_id

    browser.find_element(By.ID, "add-to-cart").click()
    cart = logged(live_gateway, lambda e: e.type == "add_to_cart" and e.search_id == search_id)
    assert (cart.product_id, cart.position) == (product_id, 2)


def test_similar_items_open_for_a_card(browser: Any, live_gateway: LiveGateway) -> None:
    search_in_page(browser, live_gateway, QUERY)
    card = browser.find_elements(By.CSS_SELECTOR, "#hits .card")[0]
    source = card.get_attribute("data-product-id")
    card.find_element(By.CLASS_NAME, "similar").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#similar-list .card"))
    similar = browser.find_elements(By.CSS_SELECTOR, "#similar-list .card")
    ids = [c.get_attribute("data-product-id") for c in similar]
    api = httpx.get(f"{live_gateway.url}/v1/products/{source}/similar", params={"size": 8}, timeout=30).json()
    assert ids == [h["id"] for h in api["hits"]] and source not in ids
    list_id = similar[0].get_attribute("data-search-id")
    served = live_gateway.services.events.impression(list_id)
    assert served is not None and served.surface == "similar" and list(served.product_ids) == ids
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    wait_for(browser, lambda d: d.find_element(By.ID, "similar-dialog").get_attribute("open") is None)


def test_suggestions_offer_popular_queries(browser: Any, live_gateway: LiveGateway) -> None:
    for user in ("shopper-a", "shopper-b"):  # popular = searched by at least two people
        httpx.post(
            f"{live_gateway.url}/v1/search", json={"query": "Softshell jacket", "user_id": user}, timeout=30
        )
    time.sleep(2.5)  # the suggester re-reads the log at most every 2 s
    browser.get(f"{live_gateway.url}/")
    box = browser.find_element(By.ID, "q")
    box.send_keys("softs")
    first = "#suggestions [role=option]:first-child"
    wait_for(
        browser,
        lambda d: (
            [o.get_attribute("data-query") for o in d.find_elements(By.CSS_SELECTOR, first)]
            == ["Softshell jacket"]
        ),
    )
    wait_for(browser, lambda d: "popular" in d.find_element(By.CSS_SELECTOR, first).text)
    assert box.get_attribute("aria-expanded") == "true"
    box.send_keys(Keys.ARROW_DOWN)
    assert box.get_attribute("aria-activedescendant") == "suggestion-0"
    box.send_keys(Keys.ENTER)
    wait_for(browser, lambda d: "Softshell jacket" in d.find_element(By.ID, "summary").text)
    assert browser.find_elements(By.CSS_SELECTOR, "#hits .card")


def test_debug_shows_stage_scores_and_the_ranker_version(browser: Any, live_gateway: LiveGateway) -> None:
    search_in_page(browser, live_gateway, QUERY)
    assert not browser.find_elements(By.CSS_SELECTOR, "#hits .scores")
    browser.find_element(By.ID, "debug").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#hits .scores"))
    version = live_gateway.services.inference.ranker().version()
    info = browser.find_element(By.ID, "debug-info").text
    assert f"ranker version {version}" in info and "pipeline full" in info
    scores = browser.find_element(By.CSS_SELECTOR, "#hits .scores").text
    assert "fused" in scores and f"v{version}" in scores


def test_keyboard_only_at_phone_width(browser: Any, live_gateway: LiveGateway) -> None:
    browser.set_window_size(375, 812)
    browser.get(f"{live_gateway.url}/")
    active = browser.switch_to.active_element
    active.send_keys(Keys.TAB)  # skip link, then the logo, then the search box
    for _ in range(5):
        if browser.switch_to.active_element.get_attribute("id") == "q":
            break
        browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "q"
    browser.switch_to.active_element.send_keys(QUERY, Keys.ENTER)
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#hits .card"))
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways at phone width ({width}px)"

    link = browser.find_element(By.CSS_SELECTOR, "#hits .card .card-link")
    for _ in range(60):  # tab through filters to the first result
        if browser.switch_to.active_element == link:
            break
        browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element == link
    link.send_keys(Keys.ENTER)
    dialog = browser.find_element(By.ID, "product-dialog")
    wait_for(browser, lambda d: dialog.get_attribute("open") is not None)
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    wait_for(browser, lambda d: dialog.get_attribute("open") is None)
    assert browser.switch_to.active_element == link, "focus returns to the card after the dialog closes"


def test_a_product_on_sale_shows_its_regular_price_struck_through(
    browser: Any, live_gateway: LiveGateway
) -> None:
    headers = {"Authorization": f"Bearer {live_gateway.key}"}
    product = {"id": "sale-e2e", "title": "Qwobble walnut tamper", "price": 40, "sale_price": 30}
    product |= {"sale_to": "2090-01-31"}  # the sale's last day, shown on the card
    assert httpx.post(f"{live_gateway.url}/v1/products", json=product, headers=headers, timeout=60).is_success
    try:
        search_in_page(browser, live_gateway, "qwobble tamper")
        card = browser.find_element(By.CSS_SELECTOR, '#hits .card[data-product-id="sale-e2e"]')
        price = card.find_element(By.CLASS_NAME, "price")
        assert "30" in price.text and "40" in price.find_element(By.CSS_SELECTOR, "s.was").text
        until = price.find_element(By.CSS_SELECTOR, "span.until").text
        assert until.startswith("until") and "31" in until and "2090" in until
        card.find_element(By.CSS_SELECTOR, ".card-link").click()  # the product's page, in its dialog
        dialog = browser.find_element(By.ID, "product-dialog")
        wait_for(browser, lambda d: dialog.find_elements(By.CSS_SELECTOR, ".product-detail .price .until"))
        facts = dialog.text
        assert "regular_price" not in facts and "sale_ends" not in facts  # shown by the price line
        browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    finally:
        httpx.delete(f"{live_gateway.url}/v1/products/sale-e2e", headers=headers, timeout=60)


def test_a_family_shows_once_with_its_variants_and_their_price_range(
    browser: Any, live_gateway: LiveGateway
) -> None:
    headers = {"Authorization": f"Bearer {live_gateway.key}"}
    sizes = [
        {
            "id": f"zorb-{size}",
            "title": "Zorbling fleece vest",
            "price": price,
            "group": "zorb",
            "variant": size,
        }
        for size, price in (("s", 49), ("m", 49), ("l", 59))
    ]
    assert httpx.post(f"{live_gateway.url}/v1/products", json=sizes, headers=headers, timeout=60).is_success
    try:
        search_in_page(browser, live_gateway, "zorbling vest")
        cards = browser.find_elements(By.CSS_SELECTOR, '#hits .card[data-product-id^="zorb-"]')
        assert len(cards) == 1  # one card for the three sizes
        assert cards[0].find_element(By.CLASS_NAME, "variants").text == "3 variants"
        shown = cards[0].find_element(By.CLASS_NAME, "price-range").text
        assert "49" in shown and "59" in shown
        size = cards[0].get_attribute("data-product-id").removeprefix("zorb-")
        assert cards[0].find_element(By.CLASS_NAME, "variant").text == size  # which size the card shows
    finally:
        for size in sizes:
            httpx.delete(f"{live_gateway.url}/v1/products/{size['id']}", headers=headers, timeout=60)
