# Background test servers (the provider, the proxy): wait until one is
# ready, and stop one. Sourced by tests/idp/run.sh and tests/proxy/run.sh.
# shellcheck shell=bash

# daemon_wait NAME PID READY_FILE LOG PID_FILE: return once READY_FILE is
# written; otherwise show the log's tail, stop PID and exit 1 (20 s).
daemon_wait() {
    local name="$1" pid="$2" ready="$3" log="$4" pidfile="$5" i
    for ((i = 0; i < 200; i++)); do
        [[ -s "$ready" ]] && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    echo "run.sh: $name did not become ready; log tail:" >&2
    tail -n 30 "$log" >&2 || true
    kill "$pid" 2>/dev/null || true
    rm -f "$pidfile"
    exit 1
}

# daemon_stop PID_FILE [FILE...]: TERM, up to 10 s, then KILL; remove the
# pid file and the other files named.
daemon_stop() {
    local pidfile="$1" pid i
    shift
    [[ -f "$pidfile" ]] || return 0
    pid="$(cat "$pidfile")"
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for ((i = 0; i < 100; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill -9 "$pid" 2>/dev/null || true
        fi
    fi
    rm -f "$pidfile" "$@"
}
