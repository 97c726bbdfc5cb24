# Integration tests of the proxy keys (proxy, no_proxy,
# proxy_credentials_file): logins through a real HTTP proxy, tinyproxy from
# Debian's packages, run in the foreground on a free loopback port with
# this file's own configuration (never the system's service); through one
# that demands credentials; one that refuses (a closed port); one that
# stalls (stall_listener.py). A failed login must end within
# http_timeout + 1 s with PAM_AUTHINFO_UNAVAIL and a log line that names
# the proxy. Sourced by run.sh, whose helpers, provider and expect() they
# use.
# shellcheck shell=bash

PX_TIMEOUT=2 # http_timeout of the logins that must fail
PX_USER=pxuser
PX_PASS='Px-pass-7Qw9'
PX_PIDS=()

# tinyproxy_start NAME [config lines...]: a tinyproxy that allows CONNECT
# to the provider's port (TP_CONNECT_PORT instead, when set); sets TP_PID,
# TP_URL and TP_LOG. As root it runs as nobody, as the package's own
# configuration has it.
tinyproxy_start() {
	local dir="$WORK/tinyproxy-$1" port l i
	shift
	port="$(free_port)"
	mkdir -p "$dir"
	chmod 0755 "$dir"
	: >"$dir/log"
	{
		if [ "$(id -u)" = 0 ]; then
			echo "User nobody"
			echo "Group $(id -gn nobody)"
			chown nobody "$dir/log"
		fi
		echo "Port $port"
		echo "Listen 127.0.0.1"
		echo "Timeout 30"
		echo "LogFile \"$dir/log\""
		echo "LogLevel Connect"
		echo "MaxClients 20"
		echo "Allow 127.0.0.1"
		echo "ConnectPort ${TP_CONNECT_PORT:-$IDP_PORT}"
		for l in "$@"; do echo "$l"; done
	} >"$dir/tinyproxy.conf"
	# timeout stops it even if this run is cut short.
	timeout 600 tinyproxy -d -c "$dir/tinyproxy.conf" >"$dir/out" 2>&1 &
	TP_PID=$!
	PX_PIDS+=("$TP_PID")
	TP_URL="http://127.0.0.1:$port"
	TP_LOG="$dir/log"
	for ((i = 0; i < 100; i++)); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# px_stop PID: stop a process this file started, and forget it.
px_stop() {
	local pid left=()
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	for pid in "${PX_PIDS[@]}"; do
		[ "$pid" = "$1" ] || left+=("$pid")
	done
	PX_PIDS=("${left[@]}")
}

# tp_connects: how many CONNECTs to the provider's port tinyproxy logged.
tp_connects() {
	grep -c "CONNECT 127.0.0.1:$IDP_PORT " "$TP_LOG"
}

# px_login NAME [conf lines...]: one login approved at the provider, with
# an empty cache, so discovery and JWKS go the same way; LOGIN_RC is set.
px_login() {
	local name="$1" code
	shift
	write_conf "$WORK/$name.conf" pam-public "wait = poll" "$@"
	write_service "$WORK/pam.d" "$name" "$WORK/$name.conf"
	rm -rf "$WORK/cache"/*
	login_start "$WORK/$name.out" "$name" alice
	if code="$(wait_code "$WORK/$name.out")"; then
		approve "$code" alice approve ||
		    echo "approve.sh failed" >>"$WORK/$name.out"
	fi
	login_wait
}

# px_prepare NAME [conf lines...]: the config and service of a login that
# should fail before a code is shown.
px_prepare() {
	local name="$1"
	shift
	write_conf "$WORK/$name.conf" pam-public "wait = poll" \
	    "http_timeout = $PX_TIMEOUT" "$@"
	write_service "$WORK/pam.d" "$name" "$WORK/$name.conf"
}

# px_run NAME: run it with an empty cache; LOGIN_RC is set and PX_MS is
# how long pamdrive ran, in ms.
px_run() {
	local t0 t1
	rm -rf "$WORK/cache"/*
	t0=$(date +%s%N)
	login_start "$WORK/$1.out" "$1" alice
	login_wait
	t1=$(date +%s%N)
	PX_MS=$(((t1 - t0) / 1000000))
}

# px_fail NAME [conf lines...]: px_prepare, then px_run.
px_fail() {
	px_prepare "$@"
	px_run "$1"
}

# px_unavail NAME WHAT PATTERN: the last px_fail gave PAM_AUTHINFO_UNAVAIL
# within http_timeout + 1 s, with a log line matching PATTERN (grep -E).
px_unavail() {
	local out="$WORK/$1.out"
	expect "$2: PAM_AUTHINFO_UNAVAIL" $PAM_AUTHINFO_UNAVAIL "$LOGIN_RC" \
	    "$out"
	echo "    $2: gave up after $PX_MS ms (http_timeout $PX_TIMEOUT s)"
	[ "$PX_MS" -lt $(((PX_TIMEOUT + 1) * 1000)) ] &&
	    ok "$2: ends within http_timeout + 1 s" ||
	    not_ok "$2: ends within http_timeout + 1 s" "took $PX_MS ms" "$out"
	grep -qE "^SYSLOG 3 .*$3" "$out" &&
	    ok "$2: the log line names the proxy and what it did" ||
	    not_ok "$2: log line" "no SYSLOG line matching /$3/" "$out"
}

# px_no_password FILE...: no log line of these logins holds the proxy
# password or the Basic credentials made from it.
px_no_password() {
	local b64
	b64="$(printf '%s:%s' "$PX_USER" "$PX_PASS" | base64)"
	if ! cat "$@" | grep -q '^SYSLOG 3 .*through proxy'; then
		not_ok "no log line holds the proxy password" \
		    "no proxy log line to look at" "$1"
	elif cat "$@" | grep '^SYSLOG' | grep -qF -e "$PX_PASS" -e "$b64"; then
		not_ok "no log line holds the proxy password" "found it" "$1"
	else
		ok "no log line holds the proxy password (debug on)"
	fi
}

have_tinyproxy() {
	command -v tinyproxy >/dev/null 2>&1 && return 0
	not_ok "proxy tests" "tinyproxy is not installed (bash tests/deps.sh)"
	return 1
}

# (1) Through tinyproxy: success, the CONNECT is in the proxy's log, and
# the provider's certificate is still verified end to end.
test_proxy_login_through_tinyproxy() {
	local before
	have_tinyproxy || return
	if ! tinyproxy_start plain; then
		not_ok "tinyproxy starts" "no listener" "$WORK/tinyproxy-plain/out"
		return
	fi
	px_login pxok "proxy = $TP_URL"
	expect "login through an HTTP proxy (tinyproxy): PAM_SUCCESS" \
	    $PAM_SUCCESS "$LOGIN_RC" "$WORK/pxok.out"
	[ "$(tp_connects)" -ge 1 ] &&
	    ok "tinyproxy logged the CONNECT to the provider's port" ||
	    not_ok "CONNECT through tinyproxy" "none in its log" "$TP_LOG"
	before="$(tp_connects)"
	px_prepare pxca "proxy = $TP_URL"
	sed -i "s|^ca_file = .*|ca_file = $IDP_DIR/other-ca.pem|" \
	    "$WORK/pxca.conf"
	px_run pxca
	expect "through the proxy, a provider certificate from another CA: PAM_AUTHINFO_UNAVAIL" \
	    $PAM_AUTHINFO_UNAVAIL "$LOGIN_RC" "$WORK/pxca.out"
	[ "$(tp_connects)" -gt "$before" ] &&
	    grep -qE "^SYSLOG 3 .*through proxy $TP_URL: .*certificate" \
		"$WORK/pxca.out" &&
	    ok "the certificate was refused through the tunnel, and the log says so" ||
	    not_ok "certificate check through the proxy" \
		"no CONNECT or no log line" "$WORK/pxca.out"
	px_stop "$TP_PID"
}

# (2) Proxy credentials from a root-only file against a proxy that
# demands them; wrong or missing ones are a 407, a file others can read
# is a configuration error.
test_proxy_credentials() {
	local cred="$WORK/px-cred" wrong="$WORK/px-cred-wrong"
	local open="$WORK/px-cred-open"
	have_tinyproxy || return
	if ! tinyproxy_start auth "BasicAuth $PX_USER $PX_PASS"; then
		not_ok "tinyproxy with BasicAuth starts" "no listener" \
		    "$WORK/tinyproxy-auth/out"
		return
	fi
	printf '%s:%s\n' "$PX_USER" "$PX_PASS" >"$cred"
	printf '%s:%s\n' "$PX_USER" "not-$PX_PASS" >"$wrong"
	cp "$cred" "$open"
	chmod 0600 "$cred" "$wrong"
	chmod 0644 "$open"
	px_login pxauth "proxy = $TP_URL" "proxy_credentials_file = $cred" \
	    "debug = yes"
	expect "proxy credentials from a 0600 file: PAM_SUCCESS" \
	    $PAM_SUCCESS "$LOGIN_RC" "$WORK/pxauth.out"
	[ "$(tp_connects)" -ge 1 ] &&
	    ok "the login went through the proxy that demands credentials" ||
	    not_ok "CONNECT through the BasicAuth proxy" "none logged" "$TP_LOG"
	px_fail pxauth-wrong "proxy = $TP_URL" \
	    "proxy_credentials_file = $wrong" "debug = yes"
	# tinyproxy answers wrong credentials with 401, missing ones with 407.
	px_unavail pxauth-wrong "wrong proxy credentials (401)" \
	    "through proxy $TP_URL: the proxy answered 401 to CONNECT; check proxy_credentials_file"
	px_fail pxauth-none "proxy = $TP_URL"
	px_unavail pxauth-none "no proxy credentials (407)" \
	    "through proxy $TP_URL: the proxy answered 407 to CONNECT; check proxy_credentials_file"
	px_fail pxauth-open "proxy = $TP_URL" "proxy_credentials_file = $open"
	expect "a proxy credentials file others can read: PAM_SERVICE_ERR" \
	    $PAM_SERVICE_ERR "$LOGIN_RC" "$WORK/pxauth-open.out"
	grep -q "^SYSLOG .*$open is readable by group or others" \
	    "$WORK/pxauth-open.out" &&
	    ok "the refused credentials file is named with the fix" ||
	    not_ok "credentials file log line" "missing" "$WORK/pxauth-open.out"
	px_no_password "$WORK/pxauth.out" "$WORK/pxauth-wrong.out" \
	    "$WORK/pxauth-none.out" "$WORK/pxauth-open.out"
	px_stop "$TP_PID"
}

# A proxy that refuses CONNECT to the provider's port answers 403.
test_proxy_forbidden_port() {
	have_tinyproxy || return
	if ! TP_CONNECT_PORT=443 tinyproxy_start deny; then
		not_ok "tinyproxy starts" "no listener" "$WORK/tinyproxy-deny/out"
		return
	fi
	px_fail pxdeny "proxy = $TP_URL"
	px_unavail pxdeny "proxy refusing CONNECT to the provider's port (403)" \
	    "through proxy $TP_URL: the proxy answered 403 to CONNECT"
	px_stop "$TP_PID"
}

# (3) A proxy that refuses: nothing listens on its port.
test_proxy_refusing() {
	local url
	url="http://127.0.0.1:$(free_port)"
	px_fail pxrefused "proxy = $url"
	px_unavail pxrefused "proxy refusing the connection" \
	    "through proxy $url: cannot connect to the proxy"
}

# (4) A proxy that accepts the connection and never answers CONNECT.
test_proxy_stalling() {
	local port pid i
	port="$(free_port)"
	python3 "$ROOT/tests/integration/stall_listener.py" "$port" 60 \
	    >"$WORK/stall.out" 2>&1 &
	pid=$!
	PX_PIDS+=("$pid")
	for ((i = 0; i < 100; i++)); do
		grep -q ready "$WORK/stall.out" 2>/dev/null && break
		sleep 0.05
	done
	px_fail pxstall "proxy = http://127.0.0.1:$port"
	px_unavail pxstall "proxy stalling" \
	    "through proxy http://127.0.0.1:$port: the proxy did not answer CONNECT in time"
	px_stop "$pid"
}

# (5) no_proxy naming the provider's host: direct, past a refusing proxy;
# naming another host: the proxy is used, and refuses.
test_proxy_no_proxy() {
	local url
	url="http://127.0.0.1:$(free_port)"
	px_login pxnp "proxy = $url" "no_proxy = localhost, 127.0.0.1"
	expect "no_proxy naming 127.0.0.1, a refusing proxy set: PAM_SUCCESS (direct)" \
	    $PAM_SUCCESS "$LOGIN_RC" "$WORK/pxnp.out"
	px_fail pxnp-other "proxy = $url" "no_proxy = .example.com, 127.0.0.2"
	expect "no_proxy naming other hosts: the refusing proxy is used (PAM_AUTHINFO_UNAVAIL)" \
	    $PAM_AUTHINFO_UNAVAIL "$LOGIN_RC" "$WORK/pxnp-other.out"
}

# (6) The environment names no proxy for the module: without proxy in the
# config every *_proxy variable is ignored; with it, the environment's
# no_proxy cannot send the login around it.
test_proxy_environment_ignored() {
	local url saved=("${NSS_ENV[@]}") before
	url="http://127.0.0.1:$(free_port)"
	NSS_ENV+=("https_proxy=$url" "HTTPS_PROXY=$url" "ALL_PROXY=$url"
	    "all_proxy=$url" "http_proxy=$url" "HTTP_PROXY=$url")
	px_login pxenv
	NSS_ENV=("${saved[@]}")
	expect "https_proxy/ALL_PROXY in the environment, no proxy in the config: PAM_SUCCESS" \
	    $PAM_SUCCESS "$LOGIN_RC" "$WORK/pxenv.out"
	have_tinyproxy || return
	if ! tinyproxy_start env; then
		not_ok "tinyproxy starts" "no listener" "$WORK/tinyproxy-env/out"
		return
	fi
	before="$(tp_connects)"
	NSS_ENV+=("no_proxy=*" "NO_PROXY=*")
	px_login pxenv-np "proxy = $TP_URL"
	NSS_ENV=("${saved[@]}")
	expect "no_proxy=* in the environment, proxy in the config: PAM_SUCCESS" \
	    $PAM_SUCCESS "$LOGIN_RC" "$WORK/pxenv-np.out"
	[ "$(tp_connects)" -gt "$before" ] &&
	    ok "no_proxy in the environment does not bypass the configured proxy" ||
	    not_ok "environment no_proxy" "no CONNECT through the proxy" "$TP_LOG"
	px_stop "$TP_PID"
}

# Stop whatever this file started and a failed test left running.
px_cleanup() {
	while [ "${#PX_PIDS[@]}" -gt 0 ]; do
		px_stop "${PX_PIDS[0]}"
	done
}
