#!/usr/bin/env bash
# Creates (or refreshes) the project's virtual environment in .venv and installs the engine with its
# dev extras. Idempotent: a stamp holding the hash of pyproject.toml skips the install when nothing changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

pick_python() {
    for candidate in "${AISLE_PYTHON:-}" python3.11 python3.12 python3.13 python3.10 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(0 if (3, 10) <= sys.version_info[:2] < (3, 14) else 1)'; then
            echo "$candidate"
            return 0
        fi
    done
    echo "bootstrap: need Python 3.10-3.13 on PATH (set AISLE_PYTHON to choose one)" >&2
    return 1
}

python_bin="$(pick_python)"
if [ ! -x .venv/bin/python ]; then
    echo "bootstrap: creating .venv with $python_bin"
    "$python_bin" -m venv .venv
fi

stamp=.venv/.aisle-install-stamp
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    echo "bootstrap: installing dependencies into .venv (first run downloads torch, a few minutes)"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[dev]"
    echo "$want" > "$stamp"
else
    echo "bootstrap: .venv is up to date"
fi
