#!/usr/bin/env bash
# Runs a single-node Kafka broker (KRaft mode: broker and controller in one JVM, no ZooKeeper) on
# loopback for development and the integration tests of the Kafka event log.
#
#   scripts/kafka.sh start    fetch the jars (once), format the storage (once), start, wait until the
#                             broker serves requests, print the bootstrap address
#   scripts/kafka.sh stop     stop the broker started from the same data directory (pidfile)
#   scripts/kafka.sh status   "running <bootstrap>" (exit 0) or "stopped" (exit 3)
#   scripts/kafka.sh url      print the bootstrap address
#
# Every command is idempotent: `start` on a live broker only reports it, `stop` on a stopped one says
# so and succeeds.
#
# What is fetched (Maven Central, with `mvn dependency:copy-dependencies` on a generated pom, into the
# cache directory): org.apache.kafka:kafka_2.13:<version> and its runtime dependencies, plus the
# slf4j binding for reload4j so the broker logs to files.
#
# Environment:
#   AISLE_KAFKA_VERSION          broker version (default 3.9.1)
#   AISLE_KAFKA_PORT             client port on 127.0.0.1 (default 9092)
#   AISLE_KAFKA_CONTROLLER_PORT  KRaft controller port on 127.0.0.1 (default: client port + 1)
#   AISLE_KAFKA_DATA             log segments, config, logs and pidfile (default <repo>/var/kafka)
#   AISLE_KAFKA_TIMEOUT          seconds `start` waits for the broker (default 120)
#   AISLE_CACHE                  download cache (default <repo>/.cache); jars live in .../kafka
#   KAFKA_HEAP_OPTS              JVM heap (default "-Xms256m -Xmx512m")
#
# Durability on this single node: `log.flush.interval.messages=1` makes the broker fsync every
# append before it acknowledges an acks=all write, so an acknowledged event survives a crash of the
# machine (a production cluster gets that from replication instead; see docs/scaleout.md).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${AISLE_KAFKA_VERSION:-3.9.1}"
port="${AISLE_KAFKA_PORT:-9092}"
controller_port="${AISLE_KAFKA_CONTROLLER_PORT:-$((port + 1))}"
cache="${AISLE_CACHE:-$root/.cache}/kafka"
home="$cache/kafka-$version"
data="${AISLE_KAFKA_DATA:-$root/var/kafka}"
timeout_s="${AISLE_KAFKA_TIMEOUT:-120}"
heap_opts="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
bootstrap="127.0.0.1:$port"
pidfile="$data/kafka.pid"
console="$data/console.log"
server_log="$data/logs/server.log"

service=kafka
# shellcheck source=scripts/service_lib.sh
source "$root/scripts/service_lib.sh"

port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

fetch() {
    # Resolve once; a lock keeps parallel test runs from writing the same directory.
    [ -f "$home/.complete" ] && return 0
    command -v mvn >/dev/null || die "needs Maven (mvn) to fetch the broker from Maven Central"
    mkdir -p "$cache"
    exec 9>"$cache/.fetch.lock"
    flock 9
    if [ ! -f "$home/.complete" ]; then
        local tmp
        tmp="$(mktemp -d "$cache/fetch.XXXXXX")"
        cat >"$tmp/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>aisle.local</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$version</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-reload4j</artifactId>
      <version>1.7.36</version>
    </dependency>
  </dependencies>
</project>
EOF
        say "fetching org.apache.kafka:kafka_2.13:$version and its runtime dependencies"
        mvn -q -f "$tmp/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
            -DoutputDirectory="$tmp/libs" >"$tmp/mvn.log" 2>&1 || {
            tail -n 20 "$tmp/mvn.log" >&2
            die "could not fetch Kafka $version from Maven Central"
        }
        rm -rf "$home"
        mkdir -p "$home"
        mv "$tmp/libs" "$home/libs"
        rm -rf "$tmp"
        touch "$home/.complete"
    fi
    flock -u 9
}

kafka_java() {
    # Run a Kafka main class with the fetched jars.
    java -cp "$home/libs/*" "-Dlog4j.configuration=file:$data/config/log4j.properties" "$@"
}

write_config() {
    mkdir -p "$data/config" "$data/logs" "$data/segments"
    cat >"$data/config/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data/segments
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
log.flush.interval.messages=1
EOF
    cat >"$data/config/log4j.properties" <<EOF
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$server_log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka=INFO
log4j.logger.org.apache.kafka=INFO
EOF
}

format_storage() {
    # KRaft needs its metadata directory formatted with a cluster id before the first start.
    [ -f "$data/segments/meta.properties" ] && return 0
    local cluster_id
    cluster_id="$(kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    [ -n "$cluster_id" ] || die "could not generate a cluster id"
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$data/config/server.properties" \
        >>"$console" 2>&1 || die "formatting the storage in $data/segments failed (see $console)"
}

ready() {
    # Serving: the client port accepts connections and the server logged the end of its startup.
    port_open "$port" && grep -q "Kafka Server started" "$server_log" 2>/dev/null
}

start() {
    if [ -n "$(running_pid)" ]; then
        if ready; then
            echo "$bootstrap"
            say "already running on $bootstrap"
            return 0
        fi
        die "the broker in $data (pid $(running_pid)) runs but does not serve $bootstrap; stop it first"
    fi
    port_open "$port" && die "port $port is taken by another process"
    port_open "$controller_port" && die "controller port $controller_port is taken by another process"
    command -v java >/dev/null || die "needs Java 17+ on PATH"
    fetch
    write_config
    : >"$console"
    format_storage
    rm -f "$server_log"
    say "starting Kafka $version on $bootstrap (data in $data)"
    # shellcheck disable=SC2086  # heap options are a word list
    nohup setsid java $heap_opts -XX:+UseG1GC -Djava.awt.headless=true \
        "-Dlog4j.configuration=file:$data/config/log4j.properties" -cp "$home/libs/*" \
        kafka.Kafka "$data/config/server.properties" >>"$console" 2>&1 </dev/null &
    echo $! >"$pidfile"
    local waited=0
    until ready; do
        if [ -z "$(running_pid)" ]; then
            tail -n 30 "$console" "$server_log" >&2 2>/dev/null || true
            rm -f "$pidfile"
            die "the broker exited during startup (logs in $data/logs)"
        fi
        if [ "$waited" -ge "$timeout_s" ]; then
            tail -n 30 "$server_log" >&2 2>/dev/null || true
            stop >/dev/null 2>&1 || true
            die "not serving after ${waited}s (logs in $data/logs)"
        fi
        sleep 1
        waited=$((waited + 1))
    done
    echo "$bootstrap"
}

status() {
    if [ -n "$(running_pid)" ] && ready; then
        echo "running $bootstrap"
        return 0
    fi
    echo "stopped"
    return 3
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    url) echo "$bootstrap" ;;
    *)
        echo "usage: $0 {start|stop|status|url}" >&2
        exit 2
        ;;
esac
