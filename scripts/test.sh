#!/usr/bin/env bash
# Lint (ruff), types (mypy over engine, api, indexer, bench: see [tool.mypy] in pyproject.toml), then the whole
# test suite: unit tests, then integration tests against the real Triton and OpenSearch servers
# (the fixtures in tests/fixtures/ start them with the project's own scripts and stop them afterwards).
# Extra arguments go to pytest, e.g. `scripts/test.sh tests/unit -x`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

bash scripts/bootstrap.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false

echo "== lint"
.venv/bin/ruff check .
echo "== types"
.venv/bin/mypy
echo "== tests"
if [ "$#" -gt 0 ]; then
    exec .venv/bin/python -m pytest "$@"
fi
exec .venv/bin/python -m pytest -ra tests
