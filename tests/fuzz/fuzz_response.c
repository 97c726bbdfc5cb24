/*
 * Answers of the device authorization endpoint and of the token endpoint
 * (RFC 8628 sections 3.2 and 3.5), JSON or form-encoded, through the path
 * flow.c takes: json_parse_body, then device_flow_parse_auth and the sign-in
 * message, and device_flow_poll_step.
 *
 * Input: one control byte, then the body. Bit 0 of the control byte picks
 * the Content-Type (0 JSON, 1 form), bits 1-3 the HTTP status of the token
 * answer, bits 4-5 the QR code style of the message, bit 6 whether PAM_USER
 * is known, bit 7 whether the message waits for Enter.
 *
 * Checked: an accepted authorization answer has a non-empty device code,
 * a non-empty sanitised user code, https verification URIs and bounded
 * times; the message built from it holds no terminal control character but
 * newlines; a poll step returns a defined result and never schedules the
 * next poll in the past.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "device_flow.h"
#include "display.h"
#include "fuzz.h"
#include "json.h"
#include "oidc.h"
#include "sanitize.h"

static const long statuses[] = { 200, 400, 401, 403, 429, 500, 503, 302 };
static const enum oidc_qr styles[] = { QR_OFF, QR_UTF8, QR_ASCII, QR_AUTO };

static struct oidc_config *cfg;

static void
free_cfg(void)
{
	config_free(cfg);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char text[] = "issuer = https://idp.test\n"
				   "client_id = client-1\n";
	char why[256];

	(void)argc;
	(void)argv;
	if ((cfg = config_new()) == NULL ||
	    config_parse(
		cfg, "fuzz", text, sizeof(text) - 1, why, sizeof(why)) != 0 ||
	    config_validate(cfg, why, sizeof(why)) != 0)
		abort();
	atexit(free_cfg);
	return 0;
}

static void
check_auth(const struct oidc_device_auth *da, uint8_t ctl)
{
	struct oidc_display_ctx ctx = { 0 };
	struct oidc_poll p;
	char *text = NULL;
	long life;
	int r;

	if (da->device_code == NULL || da->device_code[0] == '\0' ||
	    strlen(da->device_code) > OIDC_MAX_FIELD)
		abort();
	if (da->user_code == NULL || da->user_code[0] == '\0' ||
	    strlen(da->user_code) > OIDC_MAX_USER_CODE)
		abort();
	fz_assert_terminal_safe(da->user_code, -1);
	if (sanitize_check_url(da->verification_uri, OIDC_MAX_FIELD) != 0)
		abort();
	if (da->verification_uri_complete != NULL &&
	    sanitize_check_url(da->verification_uri_complete, OIDC_MAX_FIELD) !=
		0)
		abort();
	/* No usable lifetime is 0, and the login takes its budget instead. */
	if ((da->expires_in < 1 && !da->expires_fixed) ||
	    da->expires_in > OIDC_MAX_EXPIRES || da->interval < 1 ||
	    da->interval > OIDC_MAX_INTERVAL)
		abort();
	life = da->expires_fixed ? 300 : da->expires_in;

	device_flow_poll_init(&p, 1000, da->interval, life, 0);
	if (p.next_ms <= 1000 || p.end_ms <= 1000 ||
	    device_flow_wait_ms(&p, 1000) != p.next_ms - 1000 ||
	    device_flow_wait_ms(&p, p.next_ms) != 0)
		abort();
	/* Enter pressed before the first poll: poll at once. */
	device_flow_poll_now(&p, 1500);
	if (p.next_ms != 1500 || device_flow_wait_ms(&p, 1500) != 0)
		abort();

	ctx.qr = styles[(ctl >> 4) & 3];
	ctx.prompt = cfg->prompt;
	ctx.host = "host.example";
	ctx.service = "sshd";
	ctx.user = (ctl & 0x40) ? "alice" : NULL;
	ctx.wait_enter = (ctl & 0x80) != 0;
	ctx.left_s = life;
	ctx.until = (time_t)life;
	if ((r = display_build(&ctx, da, &text)) != 0) {
		if (r != OIDC_ERR_NOMEM && r != OIDC_ERR_INVALID)
			abort();
		return;
	}
	fz_assert_terminal_safe(text, '\n');
	if (strstr(text, da->user_code) == NULL ||
	    strstr(text, da->verification_uri) == NULL)
		abort();
	free(text);
}

static void
check_poll(const json_t *body, long status)
{
	struct oidc_poll p;
	const char *err = NULL;
	int64_t now = 5000;
	int i, r;

	device_flow_poll_init(&p, now, OIDC_DEFAULT_INTERVAL, 600, 400000);
	for (i = 0; i < 3; i++) {
		now = p.next_ms;
		r = device_flow_poll_step(&p, status, body, now, &err);
		if (err != NULL && err != json_str(body, "error"))
			abort();
		if (r == POLL_DONE) {
			if (status != 200 ||
			    json_str(body, "access_token") == NULL)
				abort();
			return;
		}
		if (r != POLL_AGAIN) {
			if (r != OIDC_ERR_UNAVAIL && r != OIDC_ERR_PROTOCOL &&
			    r != OIDC_ERR_DENIED && r != OIDC_ERR_EXPIRED &&
			    r != OIDC_ERR_CLIENT)
				abort();
			return;
		}
		if (p.next_ms <= now || p.interval_s < 1 || p.polls != i + 1)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const ct[] = { "application/json",
		"application/x-www-form-urlencoded; charset=UTF-8" };
	struct oidc_device_auth *da = NULL;
	json_t *body = NULL;
	uint8_t ctl;
	int r;

	if (size < 1)
		return 0;
	ctl = data[0];
	r = json_parse_body(
	    (const char *)data + 1, size - 1, ct[ctl & 1], &body);
	if (r != 0)
		return 0;
	r = device_flow_parse_auth(body, &da);
	if (r == 0) {
		check_auth(da, ctl);
		device_auth_free(da);
	} else if (r != OIDC_ERR_PROTOCOL) {
		abort();
	}
	check_poll(body, statuses[(ctl >> 1) & 7]);
	json_wipe_decref(body);
	return 0;
}
