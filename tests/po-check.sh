#!/usr/bin/env bash
# The person's languages: every catalog in pam_oidc/po passes
# msgfmt --check, translates every message of the template, has no fuzzy
# entry, and the template holds exactly the strings the sources mark.
set -uo pipefail
cd "$(dirname "$0")/.."

for t in msgfmt msgcmp xgettext; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "po-check: $t is not installed (make deps)" >&2
		exit 2
	}
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
bad=0
for po in pam_oidc/po/*.po; do
	if ! msgfmt --check --statistics -o /dev/null "$po" \
	    >"$tmp/stats" 2>&1; then
		echo "po-check: $po: msgfmt --check failed" >&2
		sed 's/^/    /' "$tmp/stats" >&2
		bad=1
	elif grep -qE 'fuzzy|untranslated' "$tmp/stats"; then
		echo "po-check: $po: $(cat "$tmp/stats")" >&2
		bad=1
	fi
	if ! msgcmp "$po" pam_oidc/po/pam_oidc.pot 2>"$tmp/cmp"; then
		echo "po-check: $po does not translate every message" >&2
		sed 's/^/    /' "$tmp/cmp" >&2
		bad=1
	fi
done
xgettext --from-code=UTF-8 --language=C --keyword=T --keyword=N_ \
    --add-comments=TRANSLATORS: --package-name=pam_oidc \
    --msgid-bugs-address= --no-location --sort-output \
    -o "$tmp/new.pot" pam_oidc/*.c 2>/dev/null
if ! diff <(grep -v '^"POT-Creation-Date' pam_oidc/po/pam_oidc.pot) \
    <(grep -v '^"POT-Creation-Date' "$tmp/new.pot") >"$tmp/diff"; then
	echo "po-check: pam_oidc/po/pam_oidc.pot is out of date (make pot)" >&2
	sed 's/^/    /' "$tmp/diff" >&2
	bad=1
fi
if [ "$bad" -eq 0 ]; then
	echo "po-check: $(ls pam_oidc/po/*.po | wc -l) catalogs complete and checked"
fi
exit "$bad"
