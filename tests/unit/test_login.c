/*
 * login_run's story without a network: the provider's metadata, the
 * code on the screen, the poll loop in fake milliseconds, the provider's
 * refusals, a stop signal, client authentication and the cache. The
 * transport and the clock are the scripted doubles (login_fixtures.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include <signal.h>

#include "device_flow.h"
#include "login_fixtures.h"

/* Discovery, device authorization: the first two requests. */
static void
expect_start(long expires, long interval)
{
	char *dev = fix_strdupf("{\"device_code\":\"" DC "\","
				"\"user_code\":\"WDJB-MJHT\","
				"\"verification_uri\":\"https://idp.test/a\","
				"\"expires_in\":%ld,\"interval\":%ld}",
	    expires, interval);

	expect_discovery();
	expect_device(dev);
	free(dev);
}

static void
test_pending_then_success_polls_one_interval_apart(void **state)
{
	configure("");
	expect_start(600, 5);
	expect_poll(400, PENDING);
	expect_poll(400, PENDING);
	expect_tokens(NULL);
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), 0);
	assert_string_equal(T->id->username, "alice");
	assert_string_equal(T->id->sub, "s-1");
	/* Discovery and device authorization at once, then 5 s apart. */
	assert_int_equal(script_requests(), 6);
	assert_int_equal(at(0), 0);
	assert_int_equal(at(1), 0);
	assert_int_equal(at(2), 5000);
	assert_int_equal(at(3), 10000);
	assert_int_equal(at(4), 15000);
	assert_int_equal(at(5), 15000);
	assert_int_equal(clock_script_sleeps(), 3);
	/* Shown without a prompt, before the first poll. */
	assert_int_equal(T->rec.infos, 1);
	assert_int_equal(T->rec.enters, 0);
	assert_int_equal(T->rec.shown_at, T0);
	assert_non_null(strstr(T->rec.text, "Code:  WDJB-MJHT\n"));
	assert_non_null(strstr(T->rec.text, "Open:  https://idp.test/a\n"));
	assert_non_null(strstr(T->rec.text, "alice to sshd on testhost"));
	/* One kept-alive connection for the whole login. */
	assert_int_equal(script_connections(), 1);
}

static void
test_wait_enter_polls_right_after_enter(void **state)
{
	configure("");
	T->login.wait_enter = 1;
	T->rec.enter_takes = 42000;
	expect_start(600, 5);
	expect_poll(400, PENDING);
	expect_tokens(NULL);
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), 0);
	assert_int_equal(T->rec.enters, 1);
	assert_int_equal(T->rec.infos, 0);
	assert_non_null(strstr(T->rec.text, "Press Enter after"));
	assert_int_equal(T->rec.disco_entries_at_show, 0);
	assert_int_equal(cache_entries("discovery-"), 1);
	/* The first poll when Enter comes, the next one interval later. */
	assert_int_equal(at(2), 42000);
	assert_int_equal(at(3), 47000);
}

static void
test_wait_enter_pressed_at_once_polls_at_once(void **state)
{
	configure("");
	T->login.wait_enter = 1;
	expect_start(600, 5);
	expect_tokens(NULL);
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), 0);
	assert_int_equal(at(2), 0);
}

static void
test_slow_down_adds_five_seconds_and_keeps_them(void **state)
{
	configure("");
	expect_start(600, 5);
	expect_poll(400, PENDING);   /* at 5 s */
	expect_poll(400, SLOW_DOWN); /* at 10 s: the interval becomes 10 s */
	expect_poll(400, PENDING);   /* at 20 s */
	expect_poll(400, SLOW_DOWN); /* at 30 s: 15 s */
	expect_poll(400, PENDING);   /* at 45 s */
	expect_tokens(NULL);         /* at 60 s */
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), 0);
	assert_int_equal(at(2), 5000);
	assert_int_equal(at(3), 10000);
	assert_int_equal(at(4), 20000);
	assert_int_equal(at(5), 30000);
	assert_int_equal(at(6), 45000);
	assert_int_equal(at(7), 60000);
}

static void
test_slow_down_takes_the_servers_larger_interval(void **state)
{
	configure("");
	expect_start(600, 5);
	expect_poll(400, "{\"error\":\"slow_down\",\"interval\":12}");
	expect_poll(400, PENDING);
	/* A smaller one than the current interval: plus 5 s instead. */
	expect_poll(400, "{\"error\":\"slow_down\",\"interval\":3}");
	expect_tokens(NULL);
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), 0);
	assert_int_equal(at(2), 5000);
	assert_int_equal(at(3), 17000);
	assert_int_equal(at(4), 29000);
	assert_int_equal(at(5), 46000);
}

static void
test_expired_token_answer_ends_the_login(void **state)
{
	configure("");
	expect_start(600, 5);
	expect_poll(400, PENDING);
	expect_poll(400, "{\"error\":\"expired_token\"}");
	assert_int_equal(run_login(), OIDC_ERR_EXPIRED);
	assert_int_equal(script_requests(), 4);
	assert_int_equal(at(3), 10000);
}

static void
test_code_lifetime_ends_polling_without_a_late_poll(void **state)
{
	configure("");
	/*
	 * A 12 s code, polled every 5 s: at 5 s, then, as only one more
	 * fits, one margin (1 s) before the end, at 11 s, not at 10 s
	 * (device_flow_due_ms). No poll at 15 s, past the code's life: the
	 * login waits for the end (12 s) and says the code expired.
	 */
	expect_start(12, 5);
	expect_poll(400, PENDING);
	expect_poll(400, PENDING);
	assert_int_equal(run_login(), OIDC_ERR_EXPIRED);
	assert_int_equal(script_requests(), 4);
	assert_int_equal(at(2), 5000);
	assert_int_equal(at(3), 12000 - OIDC_POLL_MARGIN_MS);
	/* Sleeps to 5 s, 11 s and the end: none towards a later poll. */
	assert_int_equal(clock_script_sleeps(), 3);
	assert_int_equal(oidc_now_ms() - T0, 12000);
	/* The code, then its expiry, told when it happened. */
	assert_int_equal(T->rec.infos, 2);
	assert_non_null(strstr(T->rec.text, "The code expired at "));
}

static void
test_configured_timeout_ends_polling_and_bounds_requests(void **state)
{
	configure("timeout = 10\n");
	/*
	 * The code lives 600 s, but the login only 10 s: one poll, a margin
	 * before the end (9 s) as no second one fits, then time is up.
	 */
	expect_start(600, 5);
	expect_poll(400, PENDING);
	assert_int_equal(run_login(), OIDC_ERR_EXPIRED);
	assert_int_equal(script_requests(), 3);
	assert_int_equal(at(2), 10000 - OIDC_POLL_MARGIN_MS);
	assert_int_equal(clock_script_sleeps(), 2);
	assert_int_equal(script_deadline(), T0 + 10000);
	assert_non_null(strstr(T->rec.text, "Time is up: "));
}

static void
test_default_budget_is_300_seconds_for_a_longer_code(void **state)
{
	int i;

	configure("");
	expect_start(900, 60);
	for (i = 0; i < 4; i++)
		expect_poll(400, PENDING);
	assert_int_equal(run_login(), OIDC_ERR_EXPIRED);
	/*
	 * 60, 120, 180 s, then 299 s (one margin before the end, as only one
	 * more fits); 300 s is the end, not a poll.
	 */
	assert_int_equal(script_requests(), 6);
	assert_int_equal(at(4), 180000);
	assert_int_equal(at(5), 300000 - OIDC_POLL_MARGIN_MS);
	assert_int_equal(script_deadline(), T0 + 300000);
}

static void
test_access_denied_is_denied(void **state)
{
	configure("");
	expect_start(600, 5);
	expect_poll(400, PENDING);
	expect_poll(400, "{\"error\":\"access_denied\"}");
	assert_int_equal(run_login(), OIDC_ERR_DENIED);
	assert_int_equal(script_requests(), 4);
}

static void
test_invalid_client_at_token_endpoint_is_client_error(void **state)
{
	configure("");
	expect_start(600, 5);
	expect_poll(401, "{\"error\":\"invalid_client\"}");
	assert_int_equal(run_login(), OIDC_ERR_CLIENT);
	assert_non_null(strstr(T->logbuf, "token endpoint refused the client"));
	assert_non_null(strstr(T->logbuf, "check client_id"));
}

static void
test_stop_signal_while_waiting_ends_without_another_request(void **state)
{
	configure("");
	/* The second wait is cut 1 s in by SIGINT. */
	clock_script_stop_at(2, SIGINT, 1000);
	expect_start(600, 5);
	expect_poll(400, PENDING);
	assert_int_equal(run_login(), OIDC_ERR_CONV);
	assert_int_equal(script_requests(), 3);
	assert_int_equal(clock_script_sleeps(), 2);
	assert_int_equal(oidc_now_ms() - T0, 6000);
	/* Given back to the application once the mask is restored. */
	assert_int_equal(clock_script_raised(), SIGINT);
	assert_int_equal(clock_script_holds(), 1);
	assert_non_null(strstr(T->logbuf, "while waiting for approval"));
}

static void
test_stop_signal_before_the_first_poll_sends_no_poll(void **state)
{
	configure("");
	clock_script_stop_at(1, SIGTERM, 0);
	expect_start(600, 5);
	assert_int_equal(run_login(), OIDC_ERR_CONV);
	assert_int_equal(script_requests(), 2);
	assert_int_equal(clock_script_raised(), SIGTERM);
}

static void
test_client_secret_basic_sends_credentials_not_form(void **state)
{
	configure("client_secret = " SECRET "\n");
	assert_int_equal(T->auth, AUTH_BASIC);
	expect_start(600, 5);
	expect_tokens(NULL);
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), 0);
	assert_string_equal(script_basic_user(), "client-1");
	assert_string_equal(script_basic_pass(), SECRET);
	/* Only the POSTs carried them (expect_* pinned each request). */
	assert_int_equal(script_call(0)->basic, 0);
	assert_int_equal(script_call(1)->basic, 1);
	assert_int_equal(script_call(2)->basic, 1);
	assert_int_equal(script_call(3)->basic, 0);
}

static void
test_client_secret_post_sends_secret_in_form_only(void **state)
{
	configure("client_secret = " SECRET "\n"
		  "client_auth = client_secret_post\n");
	expect_start(600, 5);
	expect_tokens(NULL);
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), 0);
	assert_null(script_basic_user());
	assert_int_equal(script_call(1)->basic, 0);
	assert_int_equal(script_call(2)->basic, 0);
}

static void
test_post_chosen_when_discovery_lists_only_post(void **state)
{
	char *doc = discovery_doc(ISS,
	    ",\"token_endpoint_auth_methods_supported\":"
	    "[\"client_secret_post\",\"private_key_jwt\"]");

	configure("client_secret = " SECRET "\n");
	T->auth = AUTH_POST;
	expect_get(DISCO, doc, NULL);
	expect_device(DEVICE_ANSWER(600, 5));
	expect_tokens(NULL);
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), 0);
	assert_null(script_basic_user());
	free(doc);
}

static void
test_no_secret_sends_no_client_authentication(void **state)
{
	configure("");
	assert_int_equal(T->auth, AUTH_NONE);
	expect_start(600, 5);
	expect_tokens(NULL);
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), 0);
	assert_null(script_basic_user());
}

static void
test_cache_written_only_after_the_code_is_shown(void **state)
{
	configure("");
	expect_start(600, 5);
	expect_tokens(NULL);
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), 0);
	assert_int_equal(T->rec.shown, 1);
	assert_int_equal(T->rec.disco_entries_at_show, 0);
	assert_int_equal(cache_entries("discovery-"), 1);
	assert_int_equal(cache_entries("jwks-"), 1);

	/* Warm: neither discovery nor the JWKS is asked for again. */
	script_reset(on_script_fail);
	clock_script_reset(T0);
	expect_device(DEVICE_ANSWER(600, 5));
	expect_tokens(NULL);
	assert_int_equal(run_login(), 0);
	assert_int_equal(script_requests(), 2);
	assert_int_equal(T->rec.disco_entries_at_show, 1);
}

static void
test_no_store_answers_are_not_cached(void **state)
{
	char *doc = discovery_doc(ISS, NULL);
	char *jwks = fix_jwks_doc(K.jwk1, NULL);

	configure("");
	expect_get(DISCO, doc, "no-store");
	expect_device(DEVICE_ANSWER(600, 5));
	expect_tokens(NULL);
	expect_get(JWKS, jwks, "no-cache, max-age=600");
	assert_int_equal(run_login(), 0);
	assert_int_equal(cache_entries("discovery-"), 0);
	assert_int_equal(cache_entries("jwks-"), 0);
	free(doc);
	free(jwks);
}

static void
test_discovery_issuer_mismatch_is_protocol_and_not_cached(void **state)
{
	char *doc = discovery_doc("https://evil.test", NULL);

	configure("");
	expect_get(DISCO, doc, "max-age=3600");
	assert_int_equal(run_login(), OIDC_ERR_PROTOCOL);
	assert_int_equal(script_requests(), 1);
	assert_int_equal(T->rec.shown, 0);
	assert_int_equal(cache_entries("discovery-"), 0);
	assert_non_null(strstr(T->logbuf, "https://evil.test"));
	free(doc);
}

static void
test_discovery_transport_failure_is_unavailable(void **state)
{
	struct script_step s = { .method = "GET",
		.url = DISCO,
		.fail = OIDC_ERR_UNAVAIL,
		.error_text = "Connection refused" };

	configure("");
	script_expect(&s);
	assert_int_equal(run_login(), OIDC_ERR_UNAVAIL);
	assert_int_equal(T->rec.shown, 0);
	assert_non_null(strstr(T->logbuf, "Connection refused"));
}

static void
test_oversized_device_answer_is_protocol(void **state)
{
	struct script_step s = { .method = "POST",
		.url = DEVICE,
		.form = { "client_id=client-1" },
		.no_form = { "client_secret" },
		.fail = OIDC_ERR_PROTOCOL };

	configure("");
	expect_discovery();
	script_expect(&s);
	assert_int_equal(run_login(), OIDC_ERR_PROTOCOL);
	assert_non_null(strstr(T->logbuf, "answer too large"));
	/* The discovery document was good: it is kept. */
	assert_int_equal(cache_entries("discovery-"), 1);
}

static void
test_poll_transport_failure_ends_the_login_unavailable(void **state)
{
	struct script_step s = { .method = "POST",
		.url = TOKEN,
		.form = { "device_code=" DC },
		.no_form = { "client_secret" },
		.fail = OIDC_ERR_UNAVAIL,
		.error_text = "Operation timed out" };

	configure("");
	expect_start(600, 5);
	expect_poll(400, PENDING);
	script_expect(&s);
	assert_int_equal(run_login(), OIDC_ERR_UNAVAIL);
	assert_int_equal(script_requests(), 4);
}

static void
test_form_encoded_token_answer_is_read(void **state)
{
	char *tok = id_token(K.k1, "k1", NULL);
	char *body = fix_strdupf(
	    "access_token=" AT "&token_type=bearer&id_token=%s", tok);
	struct script_step s = { .method = "POST",
		.url = TOKEN,
		.form = { "grant_type=" GRANT, "device_code=" DC },
		.no_form = { "client_secret" },
		.content_type = "application/x-www-form-urlencoded",
		.body = body };

	configure("");
	expect_start(600, 5);
	script_expect(&s);
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), 0);
	free(tok);
	free(body);
}

/* The double's own checks: what a broken expectation reports. */
static char failures[4096];

static void
record_failure(const char *msg)
{
	size_t n = strlen(failures);

	if (snprintf(failures + n, sizeof(failures) - n, "%s\n", msg) < 0)
		failures[n] = '\0';
}

static void
test_script_reports_unexpected_wrong_and_unmade_requests(void **state)
{
	struct oidc_identity *id = NULL;
	struct script_step wrong = { .method = "GET", .url = DEVICE };

	configure("client_secret = " SECRET "\n");
	failures[0] = '\0';
	script_reset(record_failure);
	/* Basic credentials expected to be absent, and a form value. */
	T->auth = AUTH_NONE;
	expect_discovery();
	expect_post(DEVICE, "scope=openid", NULL, 200, DEVICE_ANSWER(600, 5));
	assert_int_equal(
	    login_run(T->cfg, &T->login, &T->ui, &id), OIDC_ERR_UNAVAIL);
	assert_null(id);
	assert_non_null(strstr(failures,
	    "request 1 (https://idp.test/device): basic credentials sent"));
	assert_non_null(strstr(
	    failures, "form scope is openid email profile, expected openid"));
	assert_null(strstr(failures, "the form holds client_secret"));
	/* The poll after it was not expected at all. */
	assert_non_null(strstr(failures,
	    "request 2: POST https://idp.test/token was not expected"));

	/* Discovery now comes from the cache the first login wrote. */
	failures[0] = '\0';
	script_reset(record_failure);
	script_expect(&wrong);
	expect_get(JWKS, "{}", NULL);
	assert_int_equal(
	    login_run(T->cfg, &T->login, &T->ui, &id), OIDC_ERR_PROTOCOL);
	assert_non_null(strstr(failures,
	    "request 0: expected GET https://idp.test/device, got POST "
	    "https://idp.test/device"));
	script_verify_done();
	assert_non_null(strstr(failures,
	    "1 request(s) were never made; the first: GET https://idp.test/jwks"));
	script_reset(on_script_fail);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T_(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T_(test_pending_then_success_polls_one_interval_apart),
		T_(test_wait_enter_polls_right_after_enter),
		T_(test_wait_enter_pressed_at_once_polls_at_once),
		T_(test_slow_down_adds_five_seconds_and_keeps_them),
		T_(test_slow_down_takes_the_servers_larger_interval),
		T_(test_expired_token_answer_ends_the_login),
		T_(test_code_lifetime_ends_polling_without_a_late_poll),
		T_(test_configured_timeout_ends_polling_and_bounds_requests),
		T_(test_default_budget_is_300_seconds_for_a_longer_code),
		T_(test_access_denied_is_denied),
		T_(test_invalid_client_at_token_endpoint_is_client_error),
		T_(test_stop_signal_while_waiting_ends_without_another_request),
		T_(test_stop_signal_before_the_first_poll_sends_no_poll),
		T_(test_client_secret_basic_sends_credentials_not_form),
		T_(test_client_secret_post_sends_secret_in_form_only),
		T_(test_post_chosen_when_discovery_lists_only_post),
		T_(test_no_secret_sends_no_client_authentication),
		T_(test_cache_written_only_after_the_code_is_shown),
		T_(test_no_store_answers_are_not_cached),
		T_(test_discovery_issuer_mismatch_is_protocol_and_not_cached),
		T_(test_discovery_transport_failure_is_unavailable),
		T_(test_oversized_device_answer_is_protocol),
		T_(test_poll_transport_failure_ends_the_login_unavailable),
		T_(test_form_encoded_token_answer_is_read),
		T_(test_script_reports_unexpected_wrong_and_unmade_requests),
#undef T_
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
