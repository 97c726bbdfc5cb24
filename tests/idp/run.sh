#!/usr/bin/env bash
# Start/stop the local test OpenID Provider.
#   run.sh start STATE_DIR PORT   (IDP_INTERVAL, IDP_DEVICE_TTL pass through)
#   run.sh stop STATE_DIR
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=tests/daemon.sh
. "$HERE/../daemon.sh"

usage() {
    echo "usage: $0 start STATE_DIR PORT | stop STATE_DIR" >&2
    exit 2
}

gen_certs() {
    local dir="$1" ext
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -sha256 \
        -keyout "$dir/ca.key" -out "$dir/ca.pem" \
        -subj "/CN=pam_oidc test CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -sha256 \
        -keyout "$dir/server.key" -out "$dir/server.csr" \
        -subj "/CN=127.0.0.1" 2>/dev/null
    ext="$dir/server.ext"
    cat >"$ext" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EXT
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
        -CAcreateserial -days 30 -sha256 -extfile "$ext" -out "$dir/server.pem" 2>/dev/null
    rm -f "$dir/server.csr" "$ext" "$dir/ca.srl"
    # An unrelated CA, for "unknown CA" tests.
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -sha256 \
        -keyout "$dir/other-ca.key" -out "$dir/other-ca.pem" \
        -subj "/CN=pam_oidc unrelated test CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    chmod 600 "$dir"/*.key
}

start() {
    local state="$1" port="$2" pid i
    [[ "$port" =~ ^[0-9]+$ ]] || { echo "run.sh: bad port '$port'" >&2; exit 2; }
    mkdir -p "$state"
    state="$(cd "$state" && pwd)"
    if [[ -f "$state/idp.pid" ]] && kill -0 "$(cat "$state/idp.pid")" 2>/dev/null; then
        echo "run.sh: already running (pid $(cat "$state/idp.pid"))" >&2
        exit 1
    fi
    if [[ ! -d "$HERE/node_modules/oidc-provider" ]]; then
        (cd "$HERE" && npm ci --no-audit --no-fund >&2)
    fi
    gen_certs "$state"
    rm -f "$state/ready"
    IDP_PORT="$port" IDP_STATE="$state" \
        nohup node "$HERE/server.mjs" >"$state/idp.log" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$state/idp.pid"
    daemon_wait "IdP on port $port" "$pid" "$state/ready" "$state/idp.log" \
        "$state/idp.pid"
}

stop() {
    daemon_stop "$1/idp.pid" "$1/ready"
}

case "${1:-}" in
    start) [[ $# -eq 3 ]] || usage; start "$2" "$3" ;;
    stop) [[ $# -eq 2 ]] || usage; stop "$2" ;;
    *) usage ;;
esac
