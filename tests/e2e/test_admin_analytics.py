"""The admin page's search analytics in headless Chromium against the real gateway and Triton: after
searches and a click, the chart and tables show what `GET /v1/admin/analytics` counts. Saves
`admin-analytics.png` (see `screenshot_dir`)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from selenium.webdriver.common.by import By

from tests.e2e.browser import save_screenshot, screenshot_dir
from tests.e2e.conftest import LiveGateway
from tests.e2e.test_admin_page import sign_in
from tests.e2e.test_search_page import wait_for

pytestmark = pytest.mark.integration


def test_the_admin_page_charts_what_the_analytics_api_counts(browser: Any, live_gateway: LiveGateway) -> None:
    for query in ("tent", "tent", "rain jacket"):
        answer = httpx.post(
            f"{live_gateway.url}/v1/search", json={"query": query, "size": 4}, timeout=60
        ).json()
        if query == "rain jacket":
            click = {"type": "click", "product_id": answer["hits"][0]["id"], "search_id": answer["search_id"]}
            assert httpx.post(f"{live_gateway.url}/v1/events", json=click, timeout=60).status_code == 202
    live_gateway.services.impressions.flush()
    auth = {"Authorization": f"Bearer {live_gateway.key}"}
    api = httpx.get(f"{live_gateway.url}/v1/admin/analytics?limit=10", headers=auth, timeout=60).json()

    sign_in(browser, live_gateway, live_gateway.key)
    wait_for(
        browser,
        lambda d: (
            d.find_element(By.ID, "admin-content").is_displayed()
            and d.find_elements(By.CSS_SELECTOR, "#analytics-time rect.bar")
        ),
    )
    total = api["total"]
    assert browser.find_element(By.ID, "analytics-total").text.startswith(f"{total['searches']} searches")
    bars = browser.find_elements(By.CSS_SELECTOR, "#analytics-time rect.bar[data-searches]")
    assert sum(int(b.get_attribute("data-searches")) for b in bars) == total["searches"]
    rows = browser.find_elements(By.CSS_SELECTOR, "#analytics-top tbody tr")
    shown = [(r.find_element(By.TAG_NAME, "th").text, int(r.get_attribute("data-searches"))) for r in rows]
    assert shown == [(q["query"], q["searches"]) for q in api["top_queries"]]
    assert ("tent", next(q["searches"] for q in api["top_queries"] if q["query"] == "tent")) in shown
    jacket = next(q for q in api["top_queries"] if q["query"] == "rain jacket")
    assert jacket["clicked"] >= 1
    browser.execute_script("document.getElementById('analytics').scrollIntoView()")
    save_screenshot(browser, screenshot_dir() / "admin-analytics.png")
