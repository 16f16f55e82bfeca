"""Headless Chromium for the page tests: Debian's `chromium` driven by Selenium through `chromium-driver`.

`ensure_browser()` installs both with apt-get when they are missing (as root, which CI machines are), so a
fresh machine passes without a browser download from anywhere else; without root it fails with the
command to run. `open_browser()` starts one headless window that records the page's console, so every
test can assert the page logged no errors.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

APT_PACKAGES = ("chromium", "chromium-driver")


def _binaries() -> tuple[str, str] | None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def ensure_browser() -> tuple[str, str]:
    """Paths of chromium and chromedriver, installing the Debian packages first if needed."""
    found = _binaries()
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError(f"chromium is missing: run `sudo apt-get install -y {' '.join(APT_PACKAGES)}`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", *APT_PACKAGES]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    found = _binaries()
    if not found:
        raise RuntimeError("apt-get installed chromium but chromium/chromedriver are not on PATH")
    return found


def open_browser(width: int = 1200, height: int = 900) -> WebDriver:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as exc:
        raise RuntimeError("the page tests need Selenium: pip install selenium") from exc

    browser, driver = ensure_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--disable-extensions",
        "--no-first-run",
        f"--window-size={width},{height}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def console_errors(driver: WebDriver) -> list[str]:
    """The page's console errors since the last call (the log is drained by reading it)."""
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


ROOT = Path(__file__).resolve().parents[2]


def screenshot_dir() -> Path:
    """Where the page tests save their screenshots: `var/screenshots/`, or the committed
    `docs/screenshots/` with AISLE_UPDATE_SCREENSHOTS=1, so an ordinary run leaves the tree clean."""
    if os.environ.get("AISLE_UPDATE_SCREENSHOTS", "").strip() in ("1", "true", "yes"):
        return ROOT / "docs" / "screenshots"
    return ROOT / "var" / "screenshots"


def save_screenshot(driver: WebDriver, path: Path, colours: int = 96) -> Path:
    """A PNG of the window, reduced to a small palette so the committed file stays small."""
    from io import BytesIO

    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.open(BytesIO(driver.get_screenshot_as_png())).convert("RGB")
    image.quantize(colours, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    return path
