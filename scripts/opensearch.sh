#!/usr/bin/env bash
# Runs a single-node OpenSearch on loopback for development and the integration tests.
#
#   scripts/opensearch.sh start    fetch (once), start, wait for health green/yellow, print the URL
#   scripts/opensearch.sh stop     stop the node started from the same data directory (pidfile)
#   scripts/opensearch.sh status   "running <url>" (exit 0) or "stopped" (exit 3)
#   scripts/opensearch.sh url      print the URL
#
# Every command is idempotent: `start` on a port that already answers only reports it, `stop` on a
# stopped node says so and succeeds.
#
# What is fetched (Maven Central, with `mvn dependency:copy`, into the cache directory):
#   org.opensearch.distribution.integ-test-zip:opensearch:<version>:zip
#       the runnable server without a bundled JDK; it runs on the machine's Java (17+). This
#       distribution carries only the transport module, so the English analysers are added from:
#   org.opensearch.plugin:analysis-common:<version>   (jar)
#       the module that provides the `english` analyser, `porter_stem`, `synonym` and the other
#       token filters the product mapping uses; installed as modules/analysis-common.
#
# Environment:
#   AISLE_OPENSEARCH_VERSION   server version (default 2.19.4)
#   AISLE_OPENSEARCH_PORT      HTTP port on 127.0.0.1 (default 9200)
#   AISLE_OPENSEARCH_DATA      data, logs, config copy and pidfile (default <repo>/var/opensearch)
#   AISLE_OPENSEARCH_TIMEOUT   seconds `start` waits for the cluster health (default 180)
#   AISLE_CACHE                download cache (default <repo>/.cache); the server lives in .../opensearch
#   OPENSEARCH_JAVA_OPTS       JVM options (default "-Xms512m -Xmx512m")
#   AISLE_OPENSEARCH_PLUGINS   plugins to install before the first start (see scripts/opensearch_plugins.sh)
#
# OpenSearch refuses to run as root ("can not run opensearch as root"). When this script runs as
# root it creates the system user `aisle-opensearch` and runs the node as that user; the data
# directory is handed to it, the distribution stays read-only.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${AISLE_OPENSEARCH_VERSION:-2.19.4}"
port="${AISLE_OPENSEARCH_PORT:-9200}"
cache="${AISLE_CACHE:-$root/.cache}/opensearch"
home="$cache/opensearch-$version"
data="${AISLE_OPENSEARCH_DATA:-$root/var/opensearch}"
timeout_s="${AISLE_OPENSEARCH_TIMEOUT:-180}"
java_opts="${OPENSEARCH_JAVA_OPTS:--Xms512m -Xmx512m}"
run_user="aisle-opensearch"
url="http://127.0.0.1:$port"
pidfile="$data/opensearch.pid"
console="$data/console.log"

service=opensearch
# shellcheck source=scripts/service_lib.sh
source "$root/scripts/service_lib.sh"

answers() {
    # True when something on the port answers like an OpenSearch node.
    curl -fsS --max-time 2 "$url/" 2>/dev/null | grep -q '"cluster_name"'
}

fetch() {
    # Download and unpack once; a lock keeps parallel test runs from unpacking over each other.
    [ -x "$home/bin/opensearch" ] && [ -f "$home/modules/analysis-common/plugin-descriptor.properties" ] \
        && return 0
    command -v mvn >/dev/null || die "needs Maven (mvn) to fetch the distribution from Maven Central"
    command -v unzip >/dev/null || die "needs unzip"
    mkdir -p "$cache"
    exec 9>"$cache/.fetch.lock"
    flock 9
    if [ ! -x "$home/bin/opensearch" ] || [ ! -f "$home/modules/analysis-common/plugin-descriptor.properties" ]; then
        local zip="$cache/opensearch-$version.zip" jar="$cache/analysis-common-$version.jar"
        if [ ! -f "$zip" ]; then
            say "fetching org.opensearch.distribution.integ-test-zip:opensearch:$version:zip"
            mvn -q dependency:copy \
                -Dartifact="org.opensearch.distribution.integ-test-zip:opensearch:$version:zip" \
                -DoutputDirectory="$cache" || die "could not fetch the distribution from Maven Central"
        fi
        if [ ! -f "$jar" ]; then
            say "fetching org.opensearch.plugin:analysis-common:$version"
            mvn -q dependency:copy -Dartifact="org.opensearch.plugin:analysis-common:$version" \
                -DoutputDirectory="$cache" || die "could not fetch analysis-common from Maven Central"
        fi
        local tmp
        tmp="$(mktemp -d "$cache/unpack.XXXXXX")"
        unzip -q "$zip" -d "$tmp"
        local module="$tmp/opensearch-$version/modules/analysis-common"
        mkdir -p "$module"
        cp "$jar" "$module/"
        cat >"$module/plugin-descriptor.properties" <<EOF
description=Adds the common analysers and token filters (english, porter_stem, synonym, ...)
version=$version
name=analysis-common
classname=org.opensearch.analysis.common.CommonAnalysisPlugin
java.version=11
opensearch.version=$version
extended.plugins=
has.native.controller=false
EOF
        chmod -R a+rX "$tmp"
        rm -rf "$home"
        mv "$tmp/opensearch-$version" "$home"
        rmdir "$tmp"
    fi
    flock -u 9
}

ensure_user() {
    if ! id "$run_user" >/dev/null 2>&1; then
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$run_user" \
            || id "$run_user" >/dev/null 2>&1 || die "could not create user $run_user"
    fi
}

show_errors() {
    # The end of the console output and the server log's errors: enough to see why it did not start.
    tail -n 20 "$console" >&2 2>/dev/null || true
    grep -hE '\]\[(ERROR|FATAL)|Exception' "$data/logs/aisle-dev.log" 2>/dev/null | tail -n 20 >&2 || true
}

start() {
    if answers; then
        echo "$url"
        say "already running on port $port"
        return 0
    fi
    if [ -n "$(running_pid)" ]; then
        die "the node in $data (pid $(running_pid)) runs but does not answer on port $port; stop it first"
    fi
    command -v java >/dev/null || die "needs Java 17+ on PATH"
    fetch
    # Optional plugins (e.g. AISLE_OPENSEARCH_PLUGINS=knn with a version that has a k-NN build).
    [ -z "${AISLE_OPENSEARCH_PLUGINS:-}" ] ||
        bash "$root/scripts/opensearch_plugins.sh" "$home" $AISLE_OPENSEARCH_PLUGINS || die "plugin install failed"
    mkdir -p "$data/data" "$data/logs"
    # A per-node copy of the config: OpenSearch writes its keystore there on first start.
    if [ ! -f "$data/config/opensearch.yml" ]; then
        rm -rf "$data/config"
        cp -r "$home/config" "$data/config"
        # The stock jvm.options writes the gc log, error files and heap dumps to relative paths.
        sed -i -e "s#file=logs/#file=$data/logs/#; s#-Xloggc:logs/#-Xloggc:$data/logs/#" \
            -e "s#ErrorFile=logs/#ErrorFile=$data/logs/#; s#HeapDumpPath=data#HeapDumpPath=$data/logs#" \
            "$data/config/jvm.options"
    fi
    rm -f "$pidfile"
    : >"$console"
    local -a launch=(env "OPENSEARCH_PATH_CONF=$data/config" "OPENSEARCH_JAVA_OPTS=$java_opts"
        "JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
        "$home/bin/opensearch" -d -p "$pidfile"
        -E "cluster.name=aisle-dev" -E "node.name=aisle-$port"
        -E "discovery.type=single-node" -E "network.host=127.0.0.1" -E "http.port=$port"
        -E "path.data=$data/data" -E "path.logs=$data/logs"
        -E "action.destructive_requires_name=false")
    if [ "$(id -u)" = 0 ]; then
        ensure_user
        chown -R "$run_user:" "$data"
        launch=(runuser -u "$run_user" -- "${launch[@]}")
    fi
    say "starting OpenSearch $version on $url (data in $data)"
    (cd "$data" && "${launch[@]}" >>"$console" 2>&1) || {
        show_errors
        die "failed to launch (see $console)"
    }
    local waited=0 pid="" problem=""
    until curl -fsS --max-time 2 "$url/_cluster/health?wait_for_status=yellow&timeout=1s" \
        2>/dev/null | grep -Eq '"status":"(green|yellow)"'; do
        # The JVM writes its pidfile early and removes it when it exits: remember the pid once seen.
        [ -n "$pid" ] || pid="$(cat "$pidfile" 2>/dev/null || true)"
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            problem="exited during startup"
        elif [ -z "$pid" ] && [ "$waited" -ge 60 ]; then
            problem="no process after ${waited}s"
        elif [ "$waited" -ge "$timeout_s" ]; then
            problem="not healthy after ${waited}s"
        fi
        if [ -n "$problem" ]; then
            show_errors
            stop >/dev/null 2>&1 || true
            die "$problem (logs in $data/logs)"
        fi
        sleep 1
        waited=$((waited + 1))
    done
    echo "$url"
}

status() {
    if answers; then
        echo "running $url"
        return 0
    fi
    echo "stopped"
    return 3
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    url) echo "$url" ;;
    *)
        echo "usage: $0 {start|stop|status|url}" >&2
        exit 2
        ;;
esac
