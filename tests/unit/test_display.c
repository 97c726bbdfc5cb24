/*
 * display: the sign-in message.
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
#include "qr.h"

#define URI      "https://idp.test/device"
#define COMPLETE "https://idp.test/device?user_code=WDJB-MJHT"
#define CODE     "WDJB-MJHT"
#define BLOCKS   "\xe2\x96" /* the U+2580..U+259F block elements */

static struct oidc_config *
cfg_new(enum oidc_qr qr)
{
	struct oidc_config *cfg = config_new();
	const char *t = "issuer = https://idp.test\nclient_id = c\n";
	char why[256];

	assert_int_equal(
	    config_parse(cfg, "t", t, strlen(t), why, sizeof(why)), 0);
	assert_int_equal(config_validate(cfg, why, sizeof(why)), 0);
	cfg->qr = qr;
	return cfg;
}

/* display_build with the prompt and QR style of cfg. */
static int
display_for(const struct oidc_config *cfg, struct oidc_display_ctx *ctx,
    const struct oidc_device_auth *da, char **text)
{
	ctx->prompt = cfg->prompt;
	ctx->qr = cfg->qr;
	return display_build(ctx, da, text);
}

static char *
build(enum oidc_qr qr, int wait_enter, const char *complete)
{
	struct oidc_config *cfg = cfg_new(qr);
	struct oidc_display_ctx ctx = { "host-7", "sshd", "alice", wait_enter,
		NULL, QR_OFF };
	struct oidc_device_auth da = { 0 };
	char *text = NULL;

	da.device_code = "dc";
	da.user_code = CODE;
	da.verification_uri = URI;
	da.verification_uri_complete = (char *)complete;
	da.expires_in = 600;
	da.interval = 5;
	assert_int_equal(display_for(cfg, &ctx, &da, &text), 0);
	assert_non_null(text);
	config_free(cfg);
	return text;
}

static void
test_text_names_host_service_user_url_code(void **state)
{
	char *t = build(QR_OFF, 0, NULL);

	assert_non_null(strstr(t, "host-7"));
	assert_non_null(strstr(t, "sshd"));
	assert_non_null(strstr(t, "alice"));
	assert_non_null(strstr(t, URI));
	assert_non_null(strstr(t, CODE));
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
	assert_true(strncmp(last + 1, "Press Enter", 11) == 0);
	free(t);
	t = build(QR_OFF, 0, NULL);
	assert_null(strstr(t, "Press Enter"));
	free(t);
}

static void
test_qr_off_has_no_block_characters(void **state)
{
	char *t = build(QR_OFF, 0, COMPLETE);

	assert_null(strstr(t, BLOCKS));
	assert_null(strstr(t, "####"));
	free(t);
}

static void
test_qr_utf8_included(void **state)
{
	char *t = build(QR_UTF8, 0, NULL), *qr = NULL;

	assert_non_null(strstr(t, BLOCKS));
	assert_int_equal(qr_render(URI, QR_UTF8, &qr), 0);
	assert_non_null(strstr(t, qr));
	free(qr);
	free(t);
}

static void
test_qr_uses_complete_uri_but_shows_uri_and_code(void **state)
{
	char *t = build(QR_ASCII, 0, COMPLETE), *qr_c = NULL, *qr_u = NULL;

	assert_int_equal(qr_render(COMPLETE, QR_ASCII, &qr_c), 0);
	assert_int_equal(qr_render(URI, QR_ASCII, &qr_u), 0);
	assert_non_null(strstr(t, qr_c));
	assert_null(strstr(t, qr_u));
	assert_non_null(strstr(t, "Open:  " URI "\n"));
	assert_non_null(strstr(t, CODE));
	/* The QR code's target is shown as text, for checking. */
	assert_non_null(strstr(t, "Link:  " COMPLETE "\n"));
	free(qr_c);
	free(qr_u);
	free(t);
}

static void
test_context_strings_sanitised(void **state)
{
	struct oidc_config *cfg = cfg_new(QR_OFF);
	struct oidc_display_ctx ctx = { "ho\x1b[2Jst", "ss\rhd",
		"al\xe2\x80\xaeice", 0, NULL, QR_OFF };
	struct oidc_device_auth da = { 0 };
	char *t = NULL;

	da.user_code = CODE;
	da.verification_uri = URI;
	assert_int_equal(display_for(cfg, &ctx, &da, &t), 0);
	assert_null(strchr(t, '\x1b'));
	assert_null(strchr(t, '\r'));
	assert_null(strstr(t, "\xe2\x80\xae"));
	assert_non_null(strstr(t, "alice"));
	free(t);
	config_free(cfg);
}

static void
test_kiosk_without_user(void **state)
{
	struct oidc_config *cfg = cfg_new(QR_OFF);
	struct oidc_display_ctx ctx = { NULL, NULL, NULL, 0, NULL, QR_OFF };
	struct oidc_device_auth da = { 0 };
	char *t = NULL;

	da.user_code = CODE;
	da.verification_uri = URI;
	assert_int_equal(display_for(cfg, &ctx, &da, &t), 0);
	assert_non_null(strstr(t,
	    "Sign-in to login on this machine, as the "
	    "account you approve with."));
	assert_non_null(strstr(t, "this machine"));
	assert_non_null(strstr(t, CODE));
	free(t);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_names_host_service_user_url_code),
		cmocka_unit_test(test_wait_enter_ends_with_press_enter),
		cmocka_unit_test(test_qr_off_has_no_block_characters),
		cmocka_unit_test(test_qr_utf8_included),
		cmocka_unit_test(
		    test_qr_uses_complete_uri_but_shows_uri_and_code),
		cmocka_unit_test(test_context_strings_sanitised),
		cmocka_unit_test(test_kiosk_without_user),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
