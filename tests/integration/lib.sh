# Shared helpers for the integration tests: a provider, configs, PAM
# service files, users seen through nss_wrapper, and one login at a time.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
IDP="$ROOT/tests/idp"
ITEST="$ROOT/tests/integration"

# The interpreter itself: a version manager's python3 wrapper costs a few
# hundred ms per call, and the tests call it often.
PY="$(python3 -I -S "$ITEST/python_path.py" 2>/dev/null)"
PY="${PY:-python3}"

free_port() {
	"$PY" -I -S "$ITEST/free_port.py"
}

# idp_start DIR [ENV=VAL...]: a provider in DIR; sets IDP_URL, IDP_DIR.
idp_start() {
	local dir="$1" port
	shift
	port="$(free_port)"
	env "$@" bash "$IDP/run.sh" start "$dir" "$port" >/dev/null
	IDP_DIR="$dir"
	IDP_PORT="$port"
	IDP_URL="https://127.0.0.1:$port"
}

idp_stop() {
	bash "$IDP/run.sh" stop "$1" >/dev/null 2>&1 || true
}

# idp_stat DIR PORT EXPR: a number from the provider's counters.
idp_stat() {
	curl -sS --cacert "$1/ca.pem" "https://127.0.0.1:$2/__stats" |
	    "$PY" -I -S "$ITEST/json_expr.py" s "$3"
}

idp_reset() {
	curl -sS --cacert "$1/ca.pem" -X POST \
	    "https://127.0.0.1:$2/__reset" >/dev/null
}

# Local accounts for the module, without touching /etc: nss_wrapper.
nss_setup() {
	local dir="$1"
	cat >"$dir/passwd" <<PW
root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
alice:x:2001:2001:Alice:/home/alice:/bin/bash
bob:x:2002:2002:Bob:/home/bob:/bin/bash
carol:x:2003:2003:Carol:/home/carol:/bin/bash
dave:x:2004:2004:Dave:/home/dave:/bin/bash
gina:x:2007:2007:Gina:/home/gina:/bin/bash
hank:x:2008:2008:Hank:/home/hank:/bin/bash
PW
	cat >"$dir/group" <<GR
root:x:0:
sudo:x:27:
users:x:100:
alice:x:2001:
bob:x:2002:
GR
	# Under ASan its runtime must come first (make asan sets ASAN_PRELOAD).
	NSS_ENV=(LD_PRELOAD="${ASAN_PRELOAD:+$ASAN_PRELOAD }libnss_wrapper.so"
	    NSS_WRAPPER_PASSWD="$dir/passwd"
	    NSS_WRAPPER_GROUP="$dir/group")
}

# write_conf FILE CLIENT [extra lines...]: a config for the test provider.
write_conf() {
	local file="$1" client="$2" secret=""
	shift 2
	case "$client" in
	pam-basic) secret="client_secret = basic-secret" ;;
	pam-basic-wrong) client=pam-basic secret="client_secret = wrong" ;;
	pam-post) secret="client_secret = post-secret" ;;
	esac
	{
		echo "issuer = $IDP_URL"
		echo "client_id = $client"
		[ -n "$secret" ] && echo "$secret"
		echo "scope = openid email profile roles"
		echo "ca_file = $IDP_DIR/ca.pem"
		echo "cache_dir = $WORK/cache"
		# Pins per configuration file, so that suites that sign alice
		# in with edited subjects do not meet each other's pins; and
		# no per-host limit of device codes unless a test sets one.
		case " $* " in *" state_dir ="*) ;; *)
			mkdir -p "$WORK/state"
			echo "state_dir = $WORK/state/$(basename "$file" .conf)"
		esac
		case " $* " in *" device_rate_limit ="*) ;; *)
			echo "device_rate_limit = 0"
		esac
		local l
		for l in "$@"; do echo "$l"; done
	} >"$file"
	chmod 0600 "$file"
}

# write_service DIR NAME CONF: a PAM service file using the built module.
write_service() {
	mkdir -p "$1"
	cat >"$1/$2" <<SVC
auth    required $BUILD_ABS/pam_oidc.so config=$3
account required $BUILD_ABS/pam_oidc.so
SVC
}

# login_start OUT SERVICE USER [pamdrive args...]: run pamdrive in the
# background; LOGIN_PID is its pid.
login_start() {
	local out="$1" svc="$2" user="$3"
	shift 3
	# The file exists before wait_code reads it.
	: >"$out"
	env "${NSS_ENV[@]}" "$BUILD_ABS/pamdrive" -c "$WORK/pam.d" -s "$svc" \
	    ${user:+-u "$user"} "$@" >"$out" 2>&1 &
	LOGIN_PID=$!
}

# wait_code OUT: the user code once it is on screen (the "Code:" line
# starts a line, or stands beside a QR code).
wait_code() {
	local i code
	for ((i = 0; i < 300; i++)); do
		code="$(sed -n 's/^.*Code:  *\([^ ]*\).*$/\1/p' "$1" | head -n 1)"
		if [ -n "$code" ]; then
			echo "$code"
			return 0
		fi
		kill -0 "$LOGIN_PID" 2>/dev/null || break
		sleep 0.05
	done
	return 1
}

# login_wait: LOGIN_RC is the PAM code of pam_authenticate (pamdrive's
# exit status). Not in a subshell: only this shell can wait for the pid.
login_wait() {
	LOGIN_RC=0
	wait "$LOGIN_PID" || LOGIN_RC=$?
}

approve() {
	bash "$IDP/approve.sh" "$IDP_DIR" "$IDP_PORT" "$1" "$2" "${3:-approve}" \
	    >/dev/null
}

# proxy_start IDP_DIR IDP_PORT: the fault and quirk proxy in front of the
# provider; sets PROXY_URL.
proxy_start() {
	local port
	port="$(free_port)"
	bash "$ROOT/tests/proxy/run.sh" start "$1" "$2" "$port" >/dev/null
	PROXY_URL="https://127.0.0.1:$port"
	PROXY_CA="$1/ca.pem"
}

proxy_stop() {
	bash "$ROOT/tests/proxy/run.sh" stop "$1" >/dev/null 2>&1 || true
}

# proxy_mode JSON: set the proxy's mode ({"mode": "pass"} to reset).
proxy_mode() {
	curl -sS --fail --cacert "$PROXY_CA" -X POST -H 'content-type: application/json' \
	    -d "$1" "$PROXY_URL/__mode" >/dev/null
}

# proxy_log EXPR: a value from the proxy's request log (python, l = log).
proxy_log() {
	curl -sS --cacert "$PROXY_CA" "$PROXY_URL/__log" |
	    "$PY" -I -S "$ITEST/json_expr.py" l "$1"
}
