/*
 * device_flow: the authorization answer and the polling state machine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include "device_flow.h"
#include "fixtures.h"

#define NOW 1000000 /* an arbitrary monotonic time in ms */

static json_t *
J(const char *s)
{
	json_t *j = json_loads(s, 0, NULL);

	assert_non_null(j);
	return j;
}

static int
parse(const char *s, struct oidc_device_auth **da)
{
	json_t *j = J(s);
	int r;

	*da = NULL;
	r = device_flow_parse_auth(j, da);
	json_decref(j);
	if (r != 0)
		assert_null(*da);
	return r;
}

static int
parse_only(const char *s)
{
	struct oidc_device_auth *da;
	int r = parse(s, &da);

	device_auth_free(da);
	return r;
}

/* One poll step at NOW with a JSON body (or NULL). */
static int
step(struct oidc_poll *p, long status, const char *body, const char **err)
{
	json_t *j = body != NULL ? J(body) : NULL;
	const char *e = NULL;
	int r;

	r = device_flow_poll_step(p, status, j, NOW, &e);
	if (err != NULL)
		*err = e != NULL ? strdup(e) : NULL;
	json_decref(j);
	return r;
}

static void
init(struct oidc_poll *p, long interval)
{
	device_flow_poll_init(p, NOW, interval, 600, 0);
}

static void
test_parse_auth_happy_path(void **state)
{
	struct oidc_device_auth *da;

	assert_int_equal(
	    parse(
		"{\"device_code\":\"dc-1\",\"user_code\":"
		"\"ABCD-EFGH\",\"verification_uri\":\"https://idp.test/device\","
		"\"verification_uri_complete\":\"https://idp.test/device?c=ABCD\","
		"\"expires_in\":600,\"interval\":7}",
		&da),
	    0);
	assert_string_equal(da->device_code, "dc-1");
	assert_string_equal(da->user_code, "ABCD-EFGH");
	assert_string_equal(da->verification_uri, "https://idp.test/device");
	assert_string_equal(
	    da->verification_uri_complete, "https://idp.test/device?c=ABCD");
	assert_int_equal(da->expires_in, 600);
	assert_int_equal(da->interval, 7);
	device_auth_free(da);
}

static void
test_parse_auth_google_verification_url(void **state)
{
	struct oidc_device_auth *da;

	assert_int_equal(
	    parse("{\"device_code\":\"dc\",\"user_code\":\"XYZ\","
		  "\"verification_url\":\"https://www.google.com/device\","
		  "\"expires_in\":1800}",
		&da),
	    0);
	assert_string_equal(
	    da->verification_uri, "https://www.google.com/device");
	assert_null(da->verification_uri_complete);
	device_auth_free(da);
}

static void
test_parse_auth_missing_fields_refused(void **state)
{
	assert_int_equal(
	    parse_only("{\"user_code\":\"U\",\"verification_uri\":"
		       "\"https://idp.test/d\",\"expires_in\":600}"),
	    OIDC_ERR_PROTOCOL);
	assert_int_equal(
	    parse_only("{\"device_code\":\"D\",\"verification_uri\""
		       ":\"https://idp.test/d\",\"expires_in\":600}"),
	    OIDC_ERR_PROTOCOL);
	assert_int_equal(
	    parse_only("{\"device_code\":\"D\",\"user_code\":\"U\","
		       "\"expires_in\":600}"),
	    OIDC_ERR_PROTOCOL);
	assert_int_equal(
	    parse_only(
		"{\"device_code\":\"\",\"user_code\":\"U\","
		"\"verification_uri\":\"https://idp.test/d\",\"expires_in\":600}"),
	    OIDC_ERR_PROTOCOL);
	assert_int_equal(
	    parse_only(
		"{\"device_code\":5,\"user_code\":\"U\","
		"\"verification_uri\":\"https://idp.test/d\",\"expires_in\":600}"),
	    OIDC_ERR_PROTOCOL);
}

static void
test_parse_auth_interval_absent_is_5(void **state)
{
	struct oidc_device_auth *da;

	assert_int_equal(
	    parse(
		"{\"device_code\":\"D\",\"user_code\":\"U\","
		"\"verification_uri\":\"https://idp.test/d\",\"expires_in\":600}",
		&da),
	    0);
	assert_int_equal(da->interval, 5);
	device_auth_free(da);
}

static void
test_parse_auth_interval_string_accepted(void **state)
{
	struct oidc_device_auth *da;

	assert_int_equal(
	    parse(
		"{\"device_code\":\"D\",\"user_code\":\"U\","
		"\"verification_uri\":\"https://idp.test/d\",\"expires_in\":\"900\","
		"\"interval\":\"10\"}",
		&da),
	    0);
	assert_int_equal(da->interval, 10);
	assert_int_equal(da->expires_in, 900);
	device_auth_free(da);
}

/*
 * An answer with the required fields and then members (",\"k\":v..."),
 * parsed; its interval, lifetime and what was noted must be as given.
 */
static void
expect_times(const char *members, long interval, long expires,
    int interval_fixed, int expires_fixed)
{
	struct oidc_device_auth *da;
	char buf[256];

	snprintf(buf, sizeof(buf),
	    "{\"device_code\":\"D\",\"user_code\":\"U\","
	    "\"verification_uri\":\"https://idp.test/d\"%s}",
	    members);
	assert_int_equal(parse(buf, &da), 0);
	assert_int_equal(da->interval, interval);
	assert_int_equal(da->expires_in, expires);
	assert_int_equal(da->interval_fixed, interval_fixed);
	assert_int_equal(da->expires_fixed, expires_fixed);
	device_auth_free(da);
}

/* RFC 8628 section 3.2: what is not a positive interval is none. */
static void
test_parse_auth_bad_interval_is_5_and_noted(void **state)
{
	static const char *const bad[] = { "0", "-3", "\"soon\"", "\"\"",
		"null", "true", "1.5", "[5]" };
	char m[64];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(m, sizeof(m), ",\"expires_in\":600,\"interval\":%s",
		    bad[i]);
		expect_times(m, 5, 600, 1, 0);
	}
	/* Too long an interval is held at the bound, and noted. */
	expect_times(",\"expires_in\":600,\"interval\":3600", OIDC_MAX_INTERVAL,
	    600, 1, 0);
}

/* A lifetime that is missing or not positive is left to the timeout. */
static void
test_parse_auth_bad_expiry_is_noted(void **state)
{
	static const char *const bad[] = { "", ",\"expires_in\":0",
		",\"expires_in\":-5", ",\"expires_in\":\"later\"",
		",\"expires_in\":null" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_times(bad[i], 5, 0, 0, 1);
	expect_times(",\"expires_in\":999999", 5, OIDC_MAX_EXPIRES, 0, 0);
}

static void
test_parse_auth_http_verification_uri_refused(void **state)
{
	assert_int_equal(
	    parse_only(
		"{\"device_code\":\"D\",\"user_code\":\"U\","
		"\"verification_uri\":\"http://idp.test/d\",\"expires_in\":600}"),
	    OIDC_ERR_PROTOCOL);
	assert_int_equal(
	    parse_only(
		"{\"device_code\":\"D\",\"user_code\":\"U\","
		"\"verification_uri\":\"https://idp.test/d\","
		"\"verification_uri_complete\":\"http://idp.test/d?c=U\","
		"\"expires_in\":600}"),
	    OIDC_ERR_PROTOCOL);
}

static void
test_parse_auth_userinfo_uri_refused(void **state)
{
	assert_int_equal(
	    parse_only(
		"{\"device_code\":\"D\",\"user_code\":\"U\","
		"\"verification_uri\":\"https://idp.test@evil.example/d\","
		"\"expires_in\":600}"),
	    OIDC_ERR_PROTOCOL);
	assert_int_equal(
	    parse_only(
		"{\"device_code\":\"D\",\"user_code\":\"U\","
		"\"verification_uri\":\"https://idp.test/d\","
		"\"verification_uri_complete\":\"https://idp@evil.example/\","
		"\"expires_in\":600}"),
	    OIDC_ERR_PROTOCOL);
}

static void
test_parse_auth_user_code_sanitised(void **state)
{
	struct oidc_device_auth *da;

	assert_int_equal(
	    parse("{\"device_code\":\"D\",\"user_code\":"
		  "\"AB\\u001b[2JCD\\u202e\\r\\n\",\"verification_uri\":"
		  "\"https://idp.test/d\",\"expires_in\":600}",
		&da),
	    0);
	assert_null(strchr(da->user_code, '\x1b'));
	assert_null(strstr(da->user_code, "\xe2\x80\xae"));
	assert_null(strchr(da->user_code, '\r'));
	assert_null(strchr(da->user_code, '\n'));
	assert_string_equal(da->user_code, "AB[2JCD");
	device_auth_free(da);
}

static void
test_parse_auth_user_code_only_controls_refused(void **state)
{
	assert_int_equal(
	    parse_only(
		"{\"device_code\":\"D\",\"user_code\":"
		"\"\\u001b\\u0007\",\"verification_uri\":\"https://idp.test/d\","
		"\"expires_in\":600}"),
	    OIDC_ERR_PROTOCOL);
}

static void
test_parse_auth_overlong_user_code_refused(void **state)
{
	char buf[512], code[OIDC_MAX_USER_CODE + 2];

	memset(code, 'A', sizeof(code) - 1);
	code[sizeof(code) - 1] = '\0';
	snprintf(buf, sizeof(buf),
	    "{\"device_code\":\"D\",\"user_code\":"
	    "\"%s\",\"verification_uri\":\"https://idp.test/d\","
	    "\"expires_in\":600}",
	    code);
	assert_int_equal(parse_only(buf), OIDC_ERR_PROTOCOL);
}

static void
test_poll_init_first_poll_one_interval_later(void **state)
{
	struct oidc_poll p;

	device_flow_poll_init(&p, NOW, 7, 600, 0);
	assert_int_equal(p.next_ms, NOW + 7000);
	assert_int_equal(p.interval_s, 7);
	assert_int_equal(p.end_ms, NOW + 600000);
	assert_int_equal(p.polls, 0);
	assert_int_equal(device_flow_wait_ms(&p, NOW), 7000);
}

static void
test_poll_init_nonpositive_interval_defaults_to_5(void **state)
{
	struct oidc_poll p;

	device_flow_poll_init(&p, NOW, 0, 600, 0);
	assert_int_equal(p.interval_s, 5);
	assert_int_equal(p.next_ms, NOW + 5000);
}

static void
test_poll_init_end_is_min_of_expiry_and_deadline(void **state)
{
	struct oidc_poll p;

	device_flow_poll_init(&p, NOW, 5, 600, NOW + 300000);
	assert_int_equal(p.end_ms, NOW + 300000);
	device_flow_poll_init(&p, NOW, 5, 600, NOW + 900000);
	assert_int_equal(p.end_ms, NOW + 600000);
}

static void
test_wait_ms_never_negative(void **state)
{
	struct oidc_poll p;

	init(&p, 5);
	assert_int_equal(device_flow_wait_ms(&p, NOW + 4000), 1000);
	assert_int_equal(device_flow_wait_ms(&p, NOW + 5000), 0);
	assert_int_equal(device_flow_wait_ms(&p, NOW + 999999), 0);
}

static void
test_authorization_pending_polls_again_after_interval(void **state)
{
	struct oidc_poll p;
	const char *e;

	init(&p, 5);
	assert_int_equal(
	    step(&p, 400, "{\"error\":\"authorization_pending\"}", &e),
	    POLL_AGAIN);
	assert_string_equal(e, "authorization_pending");
	free((char *)e);
	assert_int_equal(p.next_ms, NOW + 5000);
	assert_int_equal(p.interval_s, 5);
	assert_int_equal(p.polls, 1);
}

/* A pending answer at time t: the next poll's earliest time. */
static void
pending_at(struct oidc_poll *p, int64_t t)
{
	json_t *j =
	    json_loads("{\"error\":\"authorization_pending\"}", 0, NULL);
	const char *e = NULL;

	assert_int_equal(device_flow_poll_step(p, 400, j, t, &e), POLL_AGAIN);
	json_decref(j);
}

/* Polls follow the interval while two or more still fit. */
static void
test_due_follows_the_interval(void **state)
{
	struct oidc_poll p;

	device_flow_poll_init(&p, NOW, 5, 300, 0);
	assert_int_equal(p.expiry_ms, NOW + 300000);
	assert_int_equal(device_flow_due_ms(&p), NOW + 5000);
	pending_at(&p, NOW + 5000);
	assert_int_equal(device_flow_due_ms(&p), NOW + 10000);
}

/*
 * expires_in 300, interval 5: after the poll at 290 s one more fits, and
 * it waits until one margin before the end (299 s), not 295 s: an
 * approval in the last seconds still counts.
 */
static void
test_last_poll_as_close_to_the_end_as_the_interval_allows(void **state)
{
	struct oidc_poll p;

	device_flow_poll_init(&p, NOW, 5, 300, 0);
	pending_at(&p, NOW + 290000);
	assert_int_equal(p.next_ms, NOW + 295000);
	assert_int_equal(
	    device_flow_due_ms(&p), NOW + 300000 - OIDC_POLL_MARGIN_MS);
	/* Never sooner than the interval allows. */
	assert_true(device_flow_due_ms(&p) >= p.next_ms);
	pending_at(&p, NOW + 299000);
	assert_int_equal(device_flow_due_ms(&p), -1);
	/* Interval 7: the last poll at 299 s is 12 s after the one before. */
	device_flow_poll_init(&p, NOW, 7, 300, 0);
	pending_at(&p, NOW + 287000);
	assert_int_equal(device_flow_due_ms(&p), NOW + 299000);
}

/* The overall deadline ends polling the same way, before the code. */
static void
test_due_respects_the_deadline(void **state)
{
	struct oidc_poll p;

	device_flow_poll_init(&p, NOW, 5, 600, NOW + 60000);
	assert_int_equal(p.end_ms, NOW + 60000);
	assert_int_equal(p.expiry_ms, NOW + 600000);
	pending_at(&p, NOW + 50000);
	assert_int_equal(device_flow_due_ms(&p), NOW + 59000);
	pending_at(&p, NOW + 59000);
	assert_int_equal(device_flow_due_ms(&p), -1);
	/* A code that lives less than an interval and a margin: no poll. */
	device_flow_poll_init(&p, NOW, 5, 5, 0);
	assert_int_equal(device_flow_due_ms(&p), -1);
}

static void
test_slow_down_adds_five_seconds(void **state)
{
	struct oidc_poll p;

	init(&p, 5);
	assert_int_equal(
	    step(&p, 400, "{\"error\":\"slow_down\"}", NULL), POLL_AGAIN);
	assert_int_equal(p.interval_s, 10);
	assert_int_equal(p.next_ms, NOW + 10000);
	assert_int_equal(p.slow_downs, 1);
	assert_int_equal(
	    step(&p, 400, "{\"error\":\"slow_down\"}", NULL), POLL_AGAIN);
	assert_int_equal(p.interval_s, 15);
	assert_int_equal(p.next_ms, NOW + 15000);
	/* And pending keeps the slower pace. */
	assert_int_equal(
	    step(&p, 400, "{\"error\":\"authorization_pending\"}", NULL),
	    POLL_AGAIN);
	assert_int_equal(p.next_ms, NOW + 15000);
}

static void
test_slow_down_uses_larger_interval_from_body(void **state)
{
	struct oidc_poll p;

	init(&p, 5);
	assert_int_equal(step(&p, 400,
			     "{\"error\":\"slow_down\","
			     "\"interval\":30}",
			     NULL),
	    POLL_AGAIN);
	assert_int_equal(p.interval_s, 30);
	assert_int_equal(p.next_ms, NOW + 30000);
}

static void
test_slow_down_smaller_body_interval_still_adds_five(void **state)
{
	struct oidc_poll p;

	init(&p, 5);
	assert_int_equal(step(&p, 400,
			     "{\"error\":\"slow_down\","
			     "\"interval\":3}",
			     NULL),
	    POLL_AGAIN);
	assert_int_equal(p.interval_s, 10);
}

static void
test_access_denied_is_denied(void **state)
{
	struct oidc_poll p;

	init(&p, 5);
	assert_int_equal(step(&p, 400, "{\"error\":\"access_denied\"}", NULL),
	    OIDC_ERR_DENIED);
}

static void
test_expired_token_is_expired(void **state)
{
	struct oidc_poll p;

	init(&p, 5);
	assert_int_equal(step(&p, 400, "{\"error\":\"expired_token\"}", NULL),
	    OIDC_ERR_EXPIRED);
}

static void
test_invalid_grant_is_denied(void **state)
{
	struct oidc_poll p;

	init(&p, 5);
	assert_int_equal(step(&p, 400, "{\"error\":\"invalid_grant\"}", NULL),
	    OIDC_ERR_DENIED);
}

static void
test_client_errors_are_client(void **state)
{
	struct oidc_poll p;

	init(&p, 5);
	assert_int_equal(step(&p, 401, "{\"error\":\"invalid_client\"}", NULL),
	    OIDC_ERR_CLIENT);
	assert_int_equal(
	    step(&p, 200, "{\"error\":\"device_flow_disabled\"}", NULL),
	    OIDC_ERR_CLIENT);
	assert_int_equal(
	    step(&p, 200, "{\"error\":\"incorrect_client_credentials\"}", NULL),
	    OIDC_ERR_CLIENT);
	assert_int_equal(
	    step(&p, 400, "{\"error\":\"unauthorized_client\"}", NULL),
	    OIDC_ERR_CLIENT);
}

static void
test_error_at_http_200_is_still_an_error(void **state)
{
	struct oidc_poll p;

	init(&p, 5);
	/* GitHub answers 200 with an error member. */
	assert_int_equal(
	    step(&p, 200, "{\"error\":\"authorization_pending\"}", NULL),
	    POLL_AGAIN);
	assert_int_equal(step(&p, 200, "{\"error\":\"access_denied\"}", NULL),
	    OIDC_ERR_DENIED);
	/* An error beside an access_token is still an error. */
	assert_int_equal(step(&p, 200,
			     "{\"error\":\"expired_token\","
			     "\"access_token\":\"x\"}",
			     NULL),
	    OIDC_ERR_EXPIRED);
}

static void
test_200_with_access_token_is_done(void **state)
{
	struct oidc_poll p;
	const char *e = (const char *)1;

	init(&p, 5);
	assert_int_equal(
	    step(&p, 200,
		"{\"access_token\":\"at\","
		"\"id_token\":\"x.y.z\",\"token_type\":\"Bearer\"}",
		&e),
	    POLL_DONE);
	assert_null(e);
}

static void
test_200_without_access_token_is_protocol(void **state)
{
	struct oidc_poll p;

	init(&p, 5);
	assert_int_equal(
	    step(&p, 200, "{\"id_token\":\"x.y.z\"}", NULL), OIDC_ERR_PROTOCOL);
	assert_int_equal(step(&p, 200, NULL, NULL), OIDC_ERR_PROTOCOL);
}

static void
test_access_token_at_non_200_is_not_done(void **state)
{
	struct oidc_poll p;

	init(&p, 5);
	assert_int_equal(step(&p, 400, "{\"access_token\":\"at\"}", NULL),
	    OIDC_ERR_PROTOCOL);
}

static void
test_500_without_json_error_is_unavail(void **state)
{
	struct oidc_poll p;

	init(&p, 5);
	assert_int_equal(step(&p, 500, NULL, NULL), OIDC_ERR_UNAVAIL);
	assert_int_equal(
	    step(&p, 503, "{\"message\":\"down\"}", NULL), OIDC_ERR_UNAVAIL);
	assert_int_equal(step(&p, 502, "{\"error\":\"server_error\"}", NULL),
	    OIDC_ERR_UNAVAIL);
	assert_int_equal(step(&p, 429, NULL, NULL), OIDC_ERR_UNAVAIL);
}

static void
test_unknown_error_is_protocol(void **state)
{
	struct oidc_poll p;
	const char *e;

	init(&p, 5);
	assert_int_equal(step(&p, 400, "{\"error\":\"weird_thing\"}", &e),
	    OIDC_ERR_PROTOCOL);
	assert_string_equal(e, "weird_thing");
	free((char *)e);
}

static void
test_poll_counts_polls(void **state)
{
	struct oidc_poll p;

	init(&p, 5);
	step(&p, 400, "{\"error\":\"authorization_pending\"}", NULL);
	step(&p, 400, "{\"error\":\"authorization_pending\"}", NULL);
	step(&p, 400, "{\"error\":\"slow_down\"}", NULL);
	assert_int_equal(p.polls, 3);
	assert_int_equal(p.slow_downs, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_auth_happy_path),
		cmocka_unit_test(test_parse_auth_google_verification_url),
		cmocka_unit_test(test_parse_auth_missing_fields_refused),
		cmocka_unit_test(test_parse_auth_interval_absent_is_5),
		cmocka_unit_test(test_parse_auth_interval_string_accepted),
		cmocka_unit_test(test_parse_auth_bad_interval_is_5_and_noted),
		cmocka_unit_test(test_parse_auth_bad_expiry_is_noted),
		cmocka_unit_test(test_parse_auth_http_verification_uri_refused),
		cmocka_unit_test(test_parse_auth_userinfo_uri_refused),
		cmocka_unit_test(test_parse_auth_user_code_sanitised),
		cmocka_unit_test(
		    test_parse_auth_user_code_only_controls_refused),
		cmocka_unit_test(test_parse_auth_overlong_user_code_refused),
		cmocka_unit_test(test_poll_init_first_poll_one_interval_later),
		cmocka_unit_test(
		    test_poll_init_nonpositive_interval_defaults_to_5),
		cmocka_unit_test(
		    test_poll_init_end_is_min_of_expiry_and_deadline),
		cmocka_unit_test(test_wait_ms_never_negative),
		cmocka_unit_test(test_due_follows_the_interval),
		cmocka_unit_test(
		    test_last_poll_as_close_to_the_end_as_the_interval_allows),
		cmocka_unit_test(test_due_respects_the_deadline),
		cmocka_unit_test(
		    test_authorization_pending_polls_again_after_interval),
		cmocka_unit_test(test_slow_down_adds_five_seconds),
		cmocka_unit_test(test_slow_down_uses_larger_interval_from_body),
		cmocka_unit_test(
		    test_slow_down_smaller_body_interval_still_adds_five),
		cmocka_unit_test(test_access_denied_is_denied),
		cmocka_unit_test(test_expired_token_is_expired),
		cmocka_unit_test(test_invalid_grant_is_denied),
		cmocka_unit_test(test_client_errors_are_client),
		cmocka_unit_test(test_error_at_http_200_is_still_an_error),
		cmocka_unit_test(test_200_with_access_token_is_done),
		cmocka_unit_test(test_200_without_access_token_is_protocol),
		cmocka_unit_test(test_access_token_at_non_200_is_not_done),
		cmocka_unit_test(test_500_without_json_error_is_unavail),
		cmocka_unit_test(test_unknown_error_is_protocol),
		cmocka_unit_test(test_poll_counts_polls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
