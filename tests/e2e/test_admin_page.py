"""The admin page in headless Chromium against the real gateway and Triton.

It asks for the API key, shows the ranker version Triton serves with each kept version's validation,
the event-log counts and the update job's state, and rolls back to the previous version (Triton then
answers with it); a query-tower trial has its own panel, whose button stops it. Saves a screenshot of
it (see `screenshot_dir`).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from engine.learning.rollout import roll_out
from engine.learning.versions import RankerStore
from engine.models.ranker_net import RankerManifest, TrainingRecord
from engine.pipeline.trialstate import TrialConfig, TrialState, load_trial, save_trial, trial_path
from tests.e2e.browser import save_screenshot, screenshot_dir
from tests.e2e.conftest import LiveGateway
from tests.e2e.test_search_page import wait_for

pytestmark = pytest.mark.integration


def answering(gateway: LiveGateway, want: int, timeout: float = 60.0) -> int:
    """The version Triton answers with, once it is `want` (model reloads take a moment)."""
    ranker: Any = gateway.services.inference.ranker()
    deadline = time.monotonic() + timeout
    while True:
        version = int(ranker.served_version())
        if version == want or time.monotonic() > deadline:
            return version
        time.sleep(0.5)


@pytest.fixture
def two_versions(live_gateway: LiveGateway) -> RankerStore:
    """A second ranker version (a copy of the first with recorded validation numbers), rolled out."""
    store = RankerStore(live_gateway.services.settings)
    if store.serving() != 2:
        net, first = store.load(1)
        manifest = RankerManifest(
            version=0,
            feature_names=list(first.feature_names),
            hidden=first.hidden,
            training=TrainingRecord(
                kind="clicks",
                parent=1,
                validation={"accepted": True, "clicks": {"candidate": 0.4321, "serving": 0.4012}},
            ),
        )
        version = store.add(net, manifest)
        assert version == 2
        roll_out(store, live_gateway.services.inference, version, details={"source": "test"})
    assert answering(live_gateway, 2) == 2
    return store


def sign_in(browser: Any, gateway: LiveGateway, key: str) -> None:
    browser.get(f"{gateway.url}/admin")
    field = browser.find_element(By.ID, "api-key")
    field.send_keys(key)
    browser.find_element(By.CSS_SELECTOR, "#key-form button[type=submit]").click()


def test_a_wrong_key_is_refused(browser: Any, live_gateway: LiveGateway) -> None:
    sign_in(browser, live_gateway, "not-the-key")
    notice = wait_for(browser, lambda d: d.find_element(By.ID, "admin-notice").text)
    assert "refused" in notice
    assert browser.find_element(By.ID, "admin-content").get_attribute("hidden") is not None
    browser.get_log("browser")  # the refused requests' 403s are expected here


def test_admin_shows_the_serving_version_and_rolls_back(
    browser: Any, live_gateway: LiveGateway, two_versions: RankerStore
) -> None:
    sign_in(browser, live_gateway, live_gateway.key)
    wait_for(browser, lambda d: d.find_element(By.ID, "serving-version").text == "2")
    assert browser.find_element(By.ID, "answering-version").text == "2"
    assert browser.find_element(By.ID, "previous-version").text == "1"
    rows = browser.find_elements(By.CSS_SELECTOR, "#versions tbody tr")
    assert [r.get_attribute("data-version") for r in rows] == ["2", "1"]
    assert "clicks.candidate: 0.4321" in rows[0].text and "serving" in rows[0].get_attribute("class")
    counts = live_gateway.services.events.counts()
    shown = browser.find_element(By.ID, "event-counts").text
    assert f"impression\n{counts['impression']}" in shown
    assert "Unread log records" in browser.find_element(By.ID, "update-job").text
    save_screenshot(browser, screenshot_dir() / "admin.png")

    browser.find_element(By.ID, "rollback-previous").click()
    wait_for(browser, lambda d: d.find_element(By.ID, "confirm").is_displayed())
    assert browser.switch_to.active_element.get_attribute("id") == "confirm-yes"
    browser.switch_to.active_element.click()
    wait_for(browser, lambda d: d.find_element(By.ID, "serving-version").text == "1", timeout=90)
    assert "Now serving version 1 (was 2)" in browser.find_element(By.ID, "admin-notice").text
    assert two_versions.serving() == 1
    assert answering(live_gateway, 1) == 1
    decisions = browser.find_elements(By.CSS_SELECTOR, "#rollouts tbody tr")
    assert "rollback" in decisions[0].text


def test_the_query_tower_trial_has_its_own_panel_and_stops(browser: Any, live_gateway: LiveGateway) -> None:
    """A running query-tower trial (its state as `engine encoder trial start` leaves it) shows beside the
    ranker's panel; *Stop* stops it through the admin API, and version 1 goes on serving."""
    services = live_gateway.services
    path = trial_path(services.settings.data_dir, "encoder")
    offset = services.events.last_offset()
    save_trial(path, TrialState(2, 1, offset, TrialConfig(share=0.2), status="running", model="encoder"))
    try:
        sign_in(browser, live_gateway, live_gateway.key)
        panel = wait_for(browser, lambda d: d.find_element(By.ID, "encoder-trial"))
        wait_for(browser, lambda d: "Candidate\n2" in panel.text)
        assert "Against (serving)\n1" in panel.text and "Share of searches\n0.2" in panel.text
        assert "no trial yet" in browser.find_element(By.ID, "trial").text  # the ranker has none
        assert not browser.find_element(By.ID, "trial-stop").is_displayed()

        browser.find_element(By.ID, "encoder-trial-stop").click()
        notice = "Query-tower trial of version 2 stopped."
        wait_for(browser, lambda d: notice in d.find_element(By.ID, "admin-notice").text)
        assert "stopped: stopped from the admin page" in browser.find_element(By.ID, "encoder-trial").text
        assert not browser.find_element(By.ID, "encoder-trial-stop").is_displayed()
        stopped = load_trial(path)
        assert stopped is not None and stopped.status == "stopped" and stopped.recorded
    finally:
        path.unlink(missing_ok=True)
