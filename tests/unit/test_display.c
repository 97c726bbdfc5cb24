/*
 * display: the sign-in message and the notices that follow it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include "config.h"
#include "device_flow.h"
#include "display.h"
#include "fixtures.h"
#include "lang.h"
#include "qr.h"
#include "wrap.h"

#define URI      "https://idp.test/device"
#define COMPLETE "https://idp.test/device?user_code=WDJB-MJHT"
#define CODE     "WDJB-MJHT"
#define BLOCKS   "\xe2\x96" /* the U+2580..U+259F block elements */
/* 80 characters, and the page it completes. */
#define URI80    "https://login.example-corporation.com/oauth2/device"
#define COMPLETE80                                                             \
	"https://login.example-corporation.com/oauth2/device?user_code=WDJB-MJHT&tenant=a"

static struct oidc_lang en_utf8 = { "C.UTF-8", 1, NULL, "" };
static struct oidc_lang c_ascii = { "C", 0, NULL, "" };

static struct oidc_display_ctx
ctx_for(enum oidc_qr qr, int wait_enter, const struct oidc_lang *l)
{
	struct oidc_display_ctx ctx = { "host-7", "sshd", "alice", wait_enter,
		"Sign in with your identity provider", qr, l, 0, 300 };

	ctx.until = time(NULL) + 300;
	return ctx;
}

static struct oidc_device_auth
da_for(const char *uri, const char *complete)
{
	struct oidc_device_auth da;

	memset(&da, 0, sizeof(da));
	da.device_code = "dc";
	da.user_code = CODE;
	da.verification_uri = (char *)uri;
	da.verification_uri_complete = (char *)complete;
	da.expires_in = 600;
	da.interval = 5;
	return da;
}

static char *
build_ctx(
    const struct oidc_display_ctx *ctx, const char *uri, const char *complete)
{
	struct oidc_device_auth da = da_for(uri, complete);
	char *text = NULL;

	assert_int_equal(display_build(ctx, &da, &text), 0);
	assert_non_null(text);
	return text;
}

static char *
build(enum oidc_qr qr, int wait_enter, const char *complete)
{
	struct oidc_display_ctx ctx = ctx_for(qr, wait_enter, &en_utf8);

	return build_ctx(&ctx, URI, complete);
}

/* The catalog of lang from the catalogs the build made. */
static void
load(struct oidc_lang *l, const char *name)
{
	struct oidc_lang_env env = { NULL, NULL, NULL, name };

	lang_choose(&env, "sudo", NULL, l);
	assert_int_equal(lang_load(l, TEST_LOCALEDIR), 0);
	assert_non_null(l->cat);
}

/* Lines of text and the widest of them, in terminal columns. */
static int
measure(const char *t, int *widest)
{
	const char *p = t, *nl;
	int n = 0, w;

	*widest = 0;
	for (;;) {
		nl = strchr(p, '\n');
		w = wrap_width(p, nl != NULL ? (size_t)(nl - p) : strlen(p));
		if (w > *widest)
			*widest = w;
		n++;
		if (nl == NULL)
			return n;
		p = nl + 1;
	}
}

static int
has_high_byte(const char *t)
{
	for (; *t != '\0'; t++)
		if ((unsigned char)*t >= 0x80)
			return 1;
	return 0;
}

static void
test_text_names_host_service_user_url_code(void **state)
{
	char *t = build(QR_OFF, 0, NULL);

	assert_non_null(strstr(t, "host-7"));
	assert_non_null(strstr(t, "Sign-in for alice to sshd on host-7."));
	assert_non_null(strstr(t, "Open:  " URI "\n"));
	assert_non_null(strstr(t, "Code:  " CODE "\n"));
	assert_non_null(strstr(t, "Sign in with your identity provider"));
	/* The device code is a secret and never shown. */
	assert_null(strstr(t, " dc\n"));
	/* No verification_uri_complete: no Link line. */
	assert_null(strstr(t, "Link:"));
	free(t);
}

static void
test_wait_enter_ends_with_press_enter(void **state)
{
	char *t = build(QR_OFF, 1, NULL), *last = strrchr(t, '\n');

	assert_non_null(last);
	assert_string_equal(
	    last + 1, "Press Enter after you have approved the sign-in: ");
	free(t);
	t = build(QR_OFF, 0, NULL);
	assert_null(strstr(t, "Press Enter"));
	assert_string_equal(strrchr(t, '\n') + 1, "Waiting for approval...");
	free(t);
	/* Beside a QR code the prompt still comes last. */
	t = build(QR_UTF8, 1, COMPLETE);
	assert_non_null(strstr(t, BLOCKS));
	last = t + strlen(t) - strlen("sign-in: ");
	assert_string_equal(last, "sign-in: ");
	free(t);
}

static void
test_qr_off_has_no_block_characters_and_no_note(void **state)
{
	char *t = build(QR_OFF, 0, COMPLETE);

	assert_null(strstr(t, BLOCKS));
	assert_null(strstr(t, "####"));
	assert_null(strstr(t, "No QR code"));
	free(t);
}

/* Every line of the drawn code appears at the start of a line. */
static void
assert_code_drawn(const char *t, const char *text, int quiet)
{
	struct oidc_qrcode *q = NULL;
	char *drawn = NULL, *p, *nl, *line, *all = fix_strdupf("\n%s", t);
	size_t n;

	assert_int_equal(qr_encode(text, &q), 0);
	assert_int_equal(qr_draw(q, QR_UTF8, quiet, &drawn), 0);
	for (p = drawn; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		n = (size_t)(nl - p);
		line = fix_strdupf("\n%.*s", (int)n, p);
		assert_non_null(strstr(all, line));
		free(line);
	}
	free(all);
	free(drawn);
	qr_free(q);
}

static void
test_qr_utf8_beside_the_text(void **state)
{
	char *t = build(QR_UTF8, 0, COMPLETE);

	assert_code_drawn(t, COMPLETE, QR_QUIET_SPEC);
	/* What to do stands to the right of the code, two columns off. */
	assert_non_null(strstr(t, "\xe2\x96\x88  Scan the QR code"));
	/* Below it the context, the URL, the link, then the code, last. */
	assert_non_null(strstr(t,
	    "\nSign-in for alice to sshd on host-7.\n"
	    "Open:  " URI "\nLink:  " COMPLETE "\n"
	    "Code:  " CODE "  Waiting for approval..."));
	assert_null(strstr(t, "No QR code"));
	free(t);
}

static void
test_qr_ascii_uses_complete_uri_and_shows_uri_and_code(void **state)
{
	char *t = build(QR_ASCII, 0, COMPLETE), *qr_c = NULL, *qr_u = NULL;

	assert_int_equal(qr_render(COMPLETE, QR_ASCII, &qr_c), 0);
	assert_int_equal(qr_render(URI, QR_ASCII, &qr_u), 0);
	assert_non_null(strstr(t, qr_c));
	assert_null(strstr(t, qr_u));
	assert_non_null(strstr(t, "Open:  " URI "\n"));
	assert_non_null(strstr(t, "Code:  " CODE "\n"));
	/* The QR code's target is shown as text, for checking. */
	assert_non_null(strstr(t, "Link:  " COMPLETE "\n"));
	assert_false(has_high_byte(t));
	free(qr_c);
	free(qr_u);
	free(t);
}

/*
 * Issue 14: an 80-character verification_uri_complete, in every
 * language and both wait modes, fits 80x24 with its QR code: at most
 * DISPLAY_LINES lines, none wider than 80 columns, and the context line,
 * the URL and the code on it.
 */
static void
check_fits_80x24(const struct oidc_lang *l, int enter, const char *context)
{
	struct oidc_display_ctx ctx = ctx_for(QR_AUTO, enter, l);
	char *t = build_ctx(&ctx, URI80, COMPLETE80);
	int widest, n = measure(t, &widest);

	/* After sudo's newline the cursor takes a line of its own. */
	assert_true(n <= (enter ? DISPLAY_LINES : DISPLAY_LINES - 1));
	assert_true(widest <= DISPLAY_COLS);
	/* The last line: the code, then the prompt (or "Waiting…"). */
	assert_non_null(strstr(strrchr(t, '\n'), CODE));
	assert_non_null(strstr(t, URI80 "\n"));
	assert_non_null(strstr(t, CODE));
	/* The context line may wrap in its column; its start and names. */
	assert_non_null(strstr(t, context));
	assert_non_null(strstr(t, "alice"));
	assert_non_null(strstr(t, "sshd"));
	assert_non_null(strstr(t, "host-7"));
	assert_code_drawn(t, COMPLETE80, QR_QUIET_MIN);
	free(t);
}

static void
test_80_character_link_fits_80x24_en(void **state)
{
	check_fits_80x24(&en_utf8, 0, "Sign-in for alice to sshd on");
	check_fits_80x24(&en_utf8, 1, "Sign-in for alice to sshd on");
}

static void
test_80_character_link_fits_80x24_de(void **state)
{
	struct oidc_lang de;

	load(&de, "de_DE.UTF-8");
	check_fits_80x24(&de, 0, "Anmeldung als alice bei sshd auf");
	check_fits_80x24(&de, 1, "Anmeldung als alice bei sshd auf");
	lang_unload(&de);
}

/* Japanese is laid out by width: two columns a character. */
static void
test_80_character_link_fits_80x24_ja(void **state)
{
	struct oidc_lang ja;

	load(&ja, "ja_JP.UTF-8");
	check_fits_80x24(&ja, 0, "host-7 の sshd に alice と");
	check_fits_80x24(&ja, 1, "host-7 の sshd に alice と");
	lang_unload(&ja);
}

/* A URL too long to leave room: no QR code, a line saying so. */
static void
test_qr_that_cannot_fit_is_dropped_never_the_code(void **state)
{
	struct oidc_display_ctx ctx = ctx_for(QR_UTF8, 0, &en_utf8);
	char *long_uri = fix_strdupf("https://idp.test/%0150d", 7);
	char *long_complete = fix_strdupf("%s?user_code=WDJB-MJHT", long_uri);
	char *t = build_ctx(&ctx, long_uri, long_complete);
	int widest;

	assert_null(strstr(t, BLOCKS));
	assert_non_null(
	    strstr(t, "No QR code: it does not fit on the screen."));
	assert_non_null(strstr(t, long_uri));
	assert_non_null(strstr(t, "Code:  " CODE));
	assert_true(measure(t, &widest) <= DISPLAY_LINES - 1);
	free(t);
	free(long_uri);
	free(long_complete);
}

/* qr = auto: half blocks on a UTF-8 terminal, else none and a note. */
static void
test_auto_follows_the_terminal(void **state)
{
	struct oidc_display_ctx ctx = ctx_for(QR_AUTO, 0, &en_utf8);
	char *t = build_ctx(&ctx, URI, COMPLETE);

	assert_non_null(strstr(t, BLOCKS));
	free(t);
	ctx.lang = &c_ascii;
	t = build_ctx(&ctx, URI, COMPLETE);
	assert_false(has_high_byte(t));
	assert_non_null(
	    strstr(t, "No QR code: this terminal cannot show one.\n"));
	assert_non_null(strstr(t, "Code:  " CODE "\n"));
	assert_non_null(strstr(t, "Link:  " COMPLETE "\n"));
	free(t);
	/* qr = off says nothing about it. */
	ctx.qr = QR_OFF;
	t = build_ctx(&ctx, URI, COMPLETE);
	assert_null(strstr(t, "No QR code"));
	free(t);
}

/* No byte above 0x7f reaches a terminal that takes ASCII only. */
static void
test_ascii_terminal_gets_no_high_byte(void **state)
{
	struct oidc_display_ctx ctx = ctx_for(QR_AUTO, 1, &c_ascii);
	struct oidc_device_auth da = da_for(URI, COMPLETE);
	char *t = NULL;

	da.user_code = "\xc3\x84"
		       "BC-D\xc3\xa9"; /* ÄBC-Dé */
	ctx.prompt = "Anmeldung \xc3\xbc"
		     "ber SSO";
	assert_int_equal(display_build(&ctx, &da, &t), 0);
	assert_false(has_high_byte(t));
	assert_non_null(strstr(t, "Code:  ?BC-D?\n"));
	assert_non_null(strstr(t, "Anmeldung ?ber SSO\n"));
	free(t);
	assert_int_equal(display_pending(&ctx, &t), 0);
	assert_false(has_high_byte(t));
	free(t);
}

static void
test_validity_says_until_when_and_minutes_left(void **state)
{
	struct oidc_display_ctx ctx = ctx_for(QR_OFF, 0, &en_utf8);
	struct tm tm;
	char hhmm[16], *want, *t;

	assert_non_null(localtime_r(&ctx.until, &tm));
	assert_true(strftime(hhmm, sizeof(hhmm), "%H:%M", &tm) > 0);
	t = build_ctx(&ctx, URI, NULL);
	want = fix_strdupf("Valid until %s (5 min left).\n", hhmm);
	assert_non_null(strstr(t, want));
	free(want);
	free(t);
	ctx.left_s = 29;
	t = build_ctx(&ctx, URI, NULL);
	want = fix_strdupf("Valid until %s (less than a minute left).\n", hhmm);
	assert_non_null(strstr(t, want));
	free(want);
	free(t);
	/* Unknown: nothing said. */
	ctx.left_s = -1;
	t = build_ctx(&ctx, URI, NULL);
	assert_null(strstr(t, "Valid until"));
	free(t);
}

static void
test_notices(void **state)
{
	struct oidc_display_ctx ctx = ctx_for(QR_OFF, 1, &en_utf8);
	struct oidc_lang ja;
	char *t = NULL;

	assert_int_equal(display_pending(&ctx, &t), 0);
	assert_true(
	    strncmp(t, "Not approved yet. The code is valid until ", 42) == 0);
	assert_non_null(strstr(t,
	    "(5 min left).\nPress Enter after you have "
	    "approved the sign-in: "));
	free(t);
	ctx.left_s = 60;
	assert_int_equal(display_expiring(&ctx, &t), 0);
	assert_non_null(strstr(t, ", in 60 seconds."));
	free(t);
	assert_int_equal(display_expired(&ctx, 0, &t), 0);
	assert_non_null(strstr(t, "before the sign-in was approved."));
	free(t);
	assert_int_equal(display_expired(&ctx, 1, &t), 0);
	assert_true(strncmp(t, "Time is up: the sign-in was not approved by ",
			44) == 0);
	free(t);
	/* Translated, arguments in the translation's order. */
	load(&ja, "ja_JP.UTF-8");
	ctx.lang = &ja;
	assert_int_equal(display_expiring(&ctx, &t), 0);
	assert_non_null(
	    strstr(t, "\xe3\x81\x82\xe3\x81\xa8 60 ")); /* あと 60 */
	free(t);
	lang_unload(&ja);
}

static void
test_context_strings_sanitised(void **state)
{
	struct oidc_display_ctx ctx = ctx_for(QR_OFF, 0, &en_utf8);
	char *t;

	ctx.host = "ho\x1b[2Jst";
	ctx.service = "ss\rhd";
	ctx.user = "al\xe2\x80\xaeice";
	t = build_ctx(&ctx, URI, NULL);
	assert_null(strchr(t, '\x1b'));
	assert_null(strchr(t, '\r'));
	assert_null(strstr(t, "\xe2\x80\xae"));
	assert_non_null(strstr(t, "alice"));
	free(t);
}

static void
test_kiosk_without_user(void **state)
{
	struct oidc_display_ctx ctx = ctx_for(QR_OFF, 0, &en_utf8);
	char *t;

	ctx.host = NULL;
	ctx.service = NULL;
	ctx.user = NULL;
	ctx.prompt = NULL;
	t = build_ctx(&ctx, URI, NULL);
	assert_non_null(strstr(t,
	    "Sign-in to login on this machine, as the "
	    "account you approve with."));
	assert_non_null(strstr(t, "Sign in with your identity provider\n"));
	assert_non_null(strstr(t, CODE));
	free(t);
}

/* The administrator's heading is theirs; the default one is translated. */
static void
test_heading_translated_only_when_default(void **state)
{
	struct oidc_display_ctx ctx;
	struct oidc_lang de;
	char *t;

	load(&de, "de_DE.UTF-8");
	ctx = ctx_for(QR_OFF, 0, &de);
	t = build_ctx(&ctx, URI, NULL);
	assert_true(strncmp(t,
			"Anmeldung \xc3\xbc"
			"ber Ihren",
			19) == 0);
	assert_non_null(strstr(t,
	    "\xc3\x96"
	    "ffnen:  " URI "\n"));
	free(t);
	ctx.prompt = "Corp SSO";
	t = build_ctx(&ctx, URI, NULL);
	assert_true(strncmp(t, "Corp SSO\n", 9) == 0);
	free(t);
	lang_unload(&de);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_names_host_service_user_url_code),
		cmocka_unit_test(test_wait_enter_ends_with_press_enter),
		cmocka_unit_test(
		    test_qr_off_has_no_block_characters_and_no_note),
		cmocka_unit_test(test_qr_utf8_beside_the_text),
		cmocka_unit_test(
		    test_qr_ascii_uses_complete_uri_and_shows_uri_and_code),
		cmocka_unit_test(test_80_character_link_fits_80x24_en),
		cmocka_unit_test(test_80_character_link_fits_80x24_de),
		cmocka_unit_test(test_80_character_link_fits_80x24_ja),
		cmocka_unit_test(
		    test_qr_that_cannot_fit_is_dropped_never_the_code),
		cmocka_unit_test(test_auto_follows_the_terminal),
		cmocka_unit_test(test_ascii_terminal_gets_no_high_byte),
		cmocka_unit_test(
		    test_validity_says_until_when_and_minutes_left),
		cmocka_unit_test(test_notices),
		cmocka_unit_test(test_context_strings_sanitised),
		cmocka_unit_test(test_kiosk_without_user),
		cmocka_unit_test(test_heading_translated_only_when_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
