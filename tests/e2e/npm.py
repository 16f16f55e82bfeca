"""The stock InstantSearch.js, `algoliasearch` (lite client) and `search-insights` from the npm registry,
for the browser test of the InstantSearch-compatible API.

The versions are pinned by `tests/e2e/instantsearch/package.json` and its lock file; `ensure_packages()`
runs `npm ci` into the download cache (`$AISLE_CACHE/npm/instantsearch`, default `<repo>/.cache`, which
git ignores) and skips it while a stamp of both files matches, so only the first run (or a version bump)
reaches the registry. A file lock keeps two test processes from installing at once. Without npm it
installs Debian's `nodejs` and `npm` when running as root (CI machines), else fails with the command to
run: the test errors rather than skips.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = Path(__file__).resolve().parent / "instantsearch"
SPEC_FILES = ("package.json", "package-lock.json")
APT_PACKAGES = ("nodejs", "npm")

# What the test page loads: name it is served under -> file inside node_modules.
BUNDLES = {
    "instantsearch.js": "instantsearch.js/dist/instantsearch.production.min.js",
    "algoliasearch-lite.js": "algoliasearch/dist/lite/builds/browser.umd.js",
    "search-insights.js": "search-insights/dist/search-insights.min.js",
}


def install_dir() -> Path:
    return Path(os.environ.get("AISLE_CACHE") or ROOT / ".cache") / "npm" / "instantsearch"


def _npm() -> str:
    found = shutil.which("npm")
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError(f"npm is missing: run `sudo apt-get install -y {' '.join(APT_PACKAGES)}`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", *APT_PACKAGES]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    found = shutil.which("npm")
    if not found:
        raise RuntimeError("apt-get installed npm but it is not on PATH")
    return found


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for name in SPEC_FILES:
        digest.update((SPEC / name).read_bytes())
    return digest.hexdigest()


def _installed(target: Path, want: str) -> bool:
    stamp = target / ".aisle-stamp"
    return (
        stamp.is_file()
        and stamp.read_text().strip() == want
        and all((target / "node_modules" / path).is_file() for path in BUNDLES.values())
    )


def ensure_packages(attempts: int = 2) -> dict[str, Path]:
    """Install the pinned packages if needed; returns served name -> bundle path."""
    target = install_dir()
    target.mkdir(parents=True, exist_ok=True)
    want = _fingerprint()
    with open(target / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _installed(target, want):
            npm = _npm()
            for name in SPEC_FILES:
                shutil.copyfile(SPEC / name, target / name)
            (target / ".aisle-stamp").unlink(missing_ok=True)
            error = ""
            for _ in range(attempts):  # a registry hiccup is worth one more try
                done = subprocess.run(
                    [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
                    cwd=target,
                    capture_output=True,
                    text=True,
                    timeout=600,
                )
                if done.returncode == 0:
                    break
                error = (done.stderr or done.stdout)[-2000:]
            else:
                raise RuntimeError(f"npm ci in {target} failed:\n{error}")
            (target / ".aisle-stamp").write_text(want + "\n")
    return {name: target / "node_modules" / path for name, path in BUNDLES.items()}
