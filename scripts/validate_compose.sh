#!/usr/bin/env bash
# Validates docker-compose.yml (or the file given) without a Docker engine: `docker-compose config`
# parses the file, checks it against the Compose schema and interpolates every variable. It runs twice,
# with the default services and with every profile on (gpu, jobs, kafka, cluster).
#
#   scripts/validate_compose.sh                   # the repository's docker-compose.yml
#   scripts/validate_compose.sh path/to/file.yml  # another file (its directory is the project directory)
#
# The real .env holds secrets and is not in the repository, so a throwaway env file with dummy values
# stands in for it. Uses `docker compose` (v2) when that plugin works, else `docker-compose` (Debian's
# 1.29 package reads the file without an engine); installs that package with apt-get when neither is
# there and this runs as root. COMPOSE_CMD overrides the choice (e.g. COMPOSE_CMD=docker-compose).
# Exit status: 0 valid, 1 invalid, 2 no compose tool.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
compose_file="$(realpath "${1:-$root/docker-compose.yml}")"
profiles=(gpu jobs kafka cluster)

find_compose() {
    if [ -n "${COMPOSE_CMD:-}" ]; then
        echo "$COMPOSE_CMD"
    elif docker compose version >/dev/null 2>&1; then
        echo "docker compose"
    elif command -v docker-compose >/dev/null 2>&1; then
        echo "docker-compose"
    else
        return 1
    fi
}

install_compose() {
    if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "validate_compose: no docker compose / docker-compose found; install one (apt-get install docker-compose)" >&2
        exit 2
    fi
    echo "validate_compose: installing docker-compose with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q docker-compose >/dev/null 2>&1; then
        apt-get update -q >/dev/null
        apt-get install -y -q docker-compose >/dev/null
    fi
}

if [ ! -f "$compose_file" ]; then
    echo "validate_compose: no such file: $compose_file" >&2
    exit 1
fi
compose="$(find_compose)" || { install_compose; compose="$(find_compose)"; }

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
env_file="$workdir/validate.env"
cat > "$env_file" <<'EOF'
OPENSEARCH_INITIAL_ADMIN_PASSWORD=Validate-Only-0
AISLE_OPENSEARCH_USER=admin
AISLE_OPENSEARCH_PASSWORD=Validate-Only-0
AISLE_API_KEY=validate-only
EOF

run_config() {
    # shellcheck disable=SC2086  # $compose may be two words ("docker compose")
    $compose --env-file "$env_file" --project-directory "$(dirname "$compose_file")" \
        -f "$compose_file" "$@" config -q
}

status=0
profile_args=()
for profile in "${profiles[@]}"; do
    profile_args+=(--profile "$profile")
done
if run_config; then
    echo "validate_compose: $compose_file is valid (default services) [$compose]"
else
    status=1
fi
if run_config "${profile_args[@]}"; then
    echo "validate_compose: $compose_file is valid (profiles: ${profiles[*]})"
else
    status=1
fi
if [ "$status" != 0 ]; then
    echo "validate_compose: $compose_file is INVALID" >&2
fi
exit "$status"
