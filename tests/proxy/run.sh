#!/usr/bin/env bash
# Start/stop the misbehaving HTTPS proxy in front of the test IdP.
#   run.sh start STATE_DIR IDP_PORT PORT   (STATE_DIR: the IdP's, with ca.pem + ca.key)
#   run.sh stop STATE_DIR
# Env: PROXY_TRAP_PORT, PROXY_WRONG_CERT_PORT (default 0: any free port).
# Writes STATE_DIR/proxy.{pem,key} (127.0.0.1), wrong.{pem,key}
# (DNS:wrong.example only), proxy.pid, proxy.log, proxy.ports
# ("trap=N wrong_cert=N") and proxy.ready (the main port).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/daemon.sh
. "$HERE/../daemon.sh"

usage() {
    echo "usage: $0 start STATE_DIR IDP_PORT PORT | stop STATE_DIR" >&2
    exit 2
}

# leaf_cert DIR NAME SAN: NAME.pem/NAME.key signed by DIR/ca.pem + ca.key.
leaf_cert() {
    local dir="$1" name="$2" san="$3" ext
    openssl req -newkey rsa:2048 -nodes -sha256 \
        -keyout "$dir/$name.key" -out "$dir/$name.csr" \
        -subj "/CN=pam_oidc test proxy ($name)" 2>/dev/null
    ext="$dir/$name.ext"
    cat >"$ext" <<EXT
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=$san
EXT
    openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
        -CAcreateserial -days 30 -sha256 -extfile "$ext" -out "$dir/$name.pem" 2>/dev/null
    rm -f "$dir/$name.csr" "$ext" "$dir/ca.srl"
    chmod 600 "$dir/$name.key"
}

start() {
    local state="$1" idp_port="$2" port="$3" pid i
    [[ "$idp_port" =~ ^[0-9]+$ ]] || { echo "run.sh: bad IdP port '$idp_port'" >&2; exit 2; }
    [[ "$port" =~ ^[0-9]+$ ]] || { echo "run.sh: bad port '$port'" >&2; exit 2; }
    state="$(cd "$state" && pwd)"
    [[ -f "$state/ca.pem" && -f "$state/ca.key" ]] || { echo "run.sh: no ca.pem/ca.key in $state" >&2; exit 2; }
    if [[ -f "$state/proxy.pid" ]] && kill -0 "$(cat "$state/proxy.pid")" 2>/dev/null; then
        echo "run.sh: proxy already running (pid $(cat "$state/proxy.pid"))" >&2
        exit 1
    fi
    leaf_cert "$state" proxy "IP:127.0.0.1,DNS:localhost"
    leaf_cert "$state" wrong "DNS:wrong.example"
    rm -f "$state/proxy.ready" "$state/proxy.ports"
    nohup node "$HERE/proxy.mjs" --state "$state" --idp-port "$idp_port" --port "$port" \
        --trap-port "${PROXY_TRAP_PORT:-0}" --wrong-cert-port "${PROXY_WRONG_CERT_PORT:-0}" \
        >"$state/proxy.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$state/proxy.pid"
    daemon_wait "proxy on port $port" "$pid" "$state/proxy.ready" "$state/proxy.log" \
        "$state/proxy.pid"
}

stop() {
    daemon_stop "$1/proxy.pid" "$1/proxy.ready"
}

case "${1:-}" in
    start) [[ $# -eq 4 ]] || usage; start "$2" "$3" "$4" ;;
    stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
    *) usage ;;
esac
