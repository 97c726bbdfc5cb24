#!/usr/bin/env bash
# Act as the end user of the device flow on the test IdP's own pages.
#   approve.sh STATE_DIR PORT USER_CODE USERNAME [approve|deny]
# Page order (as the provider serves it): /device code entry -> device
# confirmation (Continue or Abort) -> login -> consent (only if asked) ->
# success page. "deny" presses Abort on the confirmation page; the pending
# token poll then gets access_denied.
set -euo pipefail

die() { echo "approve.sh: $*" >&2; exit 1; }
[[ $# -ge 4 && $# -le 5 ]] || die "usage: approve.sh STATE_DIR PORT USER_CODE USERNAME [approve|deny]"

STATE="$1" PORT="$2" CODE="$3" USERNAME="$4" MODE="${5:-approve}"
[[ "$MODE" == approve || "$MODE" == deny ]] || die "mode must be approve or deny"
[[ -f "$STATE/ca.pem" ]] || die "no $STATE/ca.pem"
BASE="https://127.0.0.1:$PORT"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
JAR="$WORK/cookies"
BODY="$WORK/body"
: >"$JAR"

STATUS="" LOCATION=""
# req URL [curl args...]: one request, body in $BODY, sets STATUS/LOCATION.
req() {
    local url="$1" out
    shift
    out="$(curl -sS --proto =https --cacert "$STATE/ca.pem" -b "$JAR" -c "$JAR" \
        --max-time 20 -o "$BODY" -w '%{http_code} %{redirect_url}' "$@" "$url")" \
        || die "request to $url failed"
    STATUS="${out%% *}"
    LOCATION="${out#* }"
}
# Follow redirects (GET) while they stay on this IdP.
follow() {
    local n=0
    while [[ "$STATUS" =~ ^30[12378]$ ]]; do
        ((n++ < 10)) || die "too many redirects"
        case "$LOCATION" in
            "$BASE"/*) ;;
            *) die "redirect leaves the IdP: $LOCATION" ;;
        esac
        req "$LOCATION"
    done
}
# First value="..." of a named input in $BODY.
field() {
    sed -n "s/.*name=\"$1\" value=\"\\([^\"]*\\)\".*/\\1/p" "$BODY" | head -n 1
}
# First form action in $BODY, absolute.
action() {
    local a
    a="$(grep -o 'action="[^"]*"' "$BODY" | head -n 1 | sed 's/^action="//; s/"$//; s/&amp;/\&/g')"
    [[ -n "$a" ]] || die "no form on page"
    case "$a" in
        "$BASE"/*) echo "$a" ;;
        /*) echo "$BASE$a" ;;
        *) die "form posts off the IdP: $a" ;;
    esac
}
has() { grep -q -- "$1" "$BODY"; }

# 1. code entry page
req "$BASE/device"
follow
if [[ "$STATUS" != 200 ]] || ! has 'op.deviceInputForm'; then
    die "no code entry page (HTTP $STATUS)"
fi
xsrf="$(field xsrf)"
[[ -n "$xsrf" ]] || die "no xsrf token on code entry page"

# 2. submit the user code -> confirmation page
req "$(action)" --data-urlencode "xsrf=$xsrf" --data-urlencode "user_code=$CODE"
follow
if ! has 'op.deviceConfirmForm'; then
    has 'incorrect' && die "user code '$CODE' rejected (unknown, expired or already used)"
    die "no device confirmation page (HTTP $STATUS)"
fi
xsrf="$(field xsrf)"
ucode="$(field user_code)"
confirm_url="$(action)"

# 3a. deny: Abort (a browser sends confirm and abort together)
if [[ "$MODE" == deny ]]; then
    req "$confirm_url" --data-urlencode "xsrf=$xsrf" --data-urlencode "user_code=$ucode" \
        -d confirm=yes -d abort=yes
    follow
    has 'interrupted' || die "abort not acknowledged (HTTP $STATUS)"
    echo "approve.sh: denied $ucode"
    exit 0
fi

# 3b. approve: Continue -> login
req "$confirm_url" --data-urlencode "xsrf=$xsrf" --data-urlencode "user_code=$ucode" -d confirm=yes
follow
for ((step = 0; step < 5; step++)); do
    if has 'Sign-in Success'; then
        echo "approve.sh: approved $ucode as $USERNAME"
        exit 0
    elif has 'name="prompt" value="login"'; then
        req "$(action)" -d prompt=login --data-urlencode "login=$USERNAME" -d password=test-password
        follow
        [[ "$STATUS" != 401 ]] || die "login as '$USERNAME' failed"
    elif has 'name="prompt" value="consent"'; then
        req "$(action)" -d prompt=consent
        follow
    else
        break
    fi
done
die "no success page (HTTP $STATUS): $(sed 's/<[^>]*>//g' "$BODY" | grep -v '^[[:space:]]*$' | grep -iv '[{}]' | head -n 5 | tr -s ' \n' ' ')"
