# Shared by alloc.sh and cycles.sh: the robustness drivers the Makefile
# built, a provider that approves every login at once, and a config for it.
# Needs tests/integration/lib.sh sourced first, BUILD_ABS and WORK set.
# shellcheck shell=bash

passed=0 failed=0
ok() {
	passed=$((passed + 1))
	echo "ok - $1"
}
not_ok() {
	failed=$((failed + 1))
	echo "not ok - $1: $2"
}
# check NAME WHY CMD...: ok NAME if CMD succeeds, else not ok with WHY.
check() {
	local name="$1" why="$2"
	shift 2
	if "$@"; then
		ok "$name"
	else
		not_ok "$name" "$why"
	fi
}

# robust_bins PROGRAM...: each is in BUILD_ABS (make test-bins builds
# them: failmalloc.so, logindrive, cycles); says which is missing.
robust_bins() {
	local b missing=""
	for b in "$@"; do
		[ -e "$BUILD_ABS/$b" ] || missing="$missing $BUILD_ABS/$b"
	done
	[ -z "$missing" ] && return 0
	echo "missing:$missing; run make BUILD=$BUILD_ABS test-bins" >&2
	return 1
}

# robust_idp: the test provider, approving every device code for alice
# before it answers the device authorization, so that the module's first
# poll, made as soon as the Enter prompt is answered, gets the tokens.
# The interval is 1 s, the smallest the module accepts: no login should
# wait for it, and one that did would cost a second, not five.
robust_idp() {
	idp_start "$WORK/idp" IDP_INTERVAL=1 || return 1
	curl -sS --fail --cacert "$IDP_DIR/ca.pem" -X POST \
	    "$IDP_URL/__autoapprove?account=alice&delay_ms=0" >/dev/null
}

# robust_conf FILE CACHE_DIR: the config of every robustness login: the
# Enter prompt, the UTF-8 QR code, a client secret (Basic), userinfo,
# a claim requirement and roles, so that most of the module runs.
robust_conf() {
	(
		WORK="$(dirname "$2")"
		write_conf "$1" pam-basic "wait = enter" "qr = utf8" \
		    "debug = yes" "userinfo = always" \
		    "require_claim = email_verified = true" \
		    "role_claim = roles" "role_map = admin = sudo users" \
		    "allowed_roles = admin"
		sed -i "s|^cache_dir = .*|cache_dir = $2|" "$1"
	)
}

# robust_service DIR CONF: the service "robust" (auth and account), and an
# "other" service so that libpam does not log its absence.
robust_service() {
	write_service "$1" robust "$2"
	printf 'auth required pam_deny.so\naccount required pam_deny.so\n' \
	    >"$1/other"
}

# RUN_ENV: NSS_ENV (the local user alice) with more preloads first.
run_env() {
	local e
	RUN_ENV=()
	for e in "${NSS_ENV[@]}"; do
		case "$e" in
		LD_PRELOAD=*) RUN_ENV+=("LD_PRELOAD=$* ${e#LD_PRELOAD=}") ;;
		*) RUN_ENV+=("$e") ;;
		esac
	done
}

# PAM code names, for the summaries.
pam_name() {
	case "$1" in
	0) echo PAM_SUCCESS ;;
	3) echo PAM_SERVICE_ERR ;;
	4) echo PAM_SYSTEM_ERR ;;
	5) echo PAM_BUF_ERR ;;
	6) echo PAM_PERM_DENIED ;;
	7) echo PAM_AUTH_ERR ;;
	9) echo PAM_AUTHINFO_UNAVAIL ;;
	10) echo PAM_USER_UNKNOWN ;;
	19) echo PAM_CONV_ERR ;;
	25) echo PAM_IGNORE ;;
	31) echo PAM_INCOMPLETE ;;
	124 | 137) echo "timeout" ;;
	*) if [ "$1" -gt 128 ] 2>/dev/null; then
		echo "signal $(($1 - 128))"
	else
		echo "code $1"
	fi ;;
	esac
}
