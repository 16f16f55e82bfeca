#!/usr/bin/env bash
# First run on a fresh machine: installs everything into .venv, launches Triton from the pip-installed
# binary, indexes the shipped sample catalog (embedded lexical index unless AISLE_OPENSEARCH_URL is set),
# starts the gateway and answers a search through the Triton-served encoders and ranker.
#
#   scripts/demo.sh            # ... then keeps serving http://127.0.0.1:8080 until Ctrl-C
#   scripts/demo.sh --once     # ... then stops everything and exits
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

once=0
case "${1:-}" in
    --once) once=1 ;;
    -h|--help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    "") ;;
    *) echo "demo: unknown option $1 (try --help)" >&2; exit 2 ;;
esac

bash scripts/bootstrap.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
export AISLE_DATA_DIR="${AISLE_DATA_DIR:-$root/var/demo}"
export AISLE_API_KEY="${AISLE_API_KEY:-demo-secret}"
port="${AISLE_API_PORT:-8080}"
bin="$root/.venv/bin"

gateway_pid=""
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ -n "$gateway_pid" ]; then
        kill "$gateway_pid" 2>/dev/null || true
        wait "$gateway_pid" 2>/dev/null || true
    fi
    "$bin/engine" triton stop >/dev/null 2>&1 || true
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== starting Triton (model repository: model_repository/)"
"$bin/engine" triton start
echo "== indexing the sample catalog"
"$bin/indexer" build "$("$bin/python" -c 'from engine.sample import sample_catalog_path; print(sample_catalog_path())')"
echo "== starting the gateway on http://127.0.0.1:$port"
"$bin/gateway" serve --port "$port" > "$AISLE_DATA_DIR/gateway.log" 2>&1 &
gateway_pid=$!
"$bin/python" scripts/demo_client.py --api "http://127.0.0.1:$port" --wait 120

if [ "$once" = 1 ]; then
    exit 0
fi
cat <<MSG

The gateway keeps serving until Ctrl-C:
  search page    http://127.0.0.1:$port/
  API docs       http://127.0.0.1:$port/docs
  try            curl -s -X POST http://127.0.0.1:$port/v1/search -H 'content-type: application/json' \\
                   -d '{"query": "warm jacket for hiking", "size": 5, "facets": ["brand"]}'
MSG
wait "$gateway_pid"
