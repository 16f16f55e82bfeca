# Shared by scripts/kafka.sh and scripts/opensearch.sh (sourced, not run): messages, the pid file of the
# local server and stopping it. The sourcing script sets `service` (the message prefix) and `pidfile`.

say() { echo "$service: $*" >&2; }
die() {
    say "$*"
    exit 1
}

running_pid() {
    local pid
    pid="$(cat "$pidfile" 2>/dev/null || true)"
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        echo "$pid"
    fi
}

stop() {
    local pid
    pid="$(running_pid)"
    if [ -z "$pid" ]; then
        say "not running (no live pid in $pidfile)"
        rm -f "$pidfile"
        return 0
    fi
    kill -TERM "$pid"
    for _ in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "pid $pid ignored SIGTERM for 30s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
    say "stopped (pid $pid)"
}
