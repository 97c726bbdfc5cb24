/*
 * login_run's verification without a network: the JWKS refetch for an
 * unknown kid and its rate limit, userinfo, OAuth 2.0-only providers,
 * pin_sub and the byte-exact match with the account. The transport and
 * the clock are the scripted doubles (login_fixtures.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include "cache.h"
#include "login_fixtures.h"

/* Discovery, device authorization, one poll that gets tokens. */
static void
expect_until_tokens(EVP_PKEY *key, const char *kid, const char *overrides)
{
	expect_discovery();
	expect_device(DEVICE_ANSWER(600, 5));
	expect_tokens_with(key, kid, overrides);
}

static size_t
count_requests(const char *url)
{
	size_t i, n = 0;

	for (i = 0; i < script_requests(); i++)
		if (strcmp(script_call(i)->url, url) == 0)
			n++;
	return n;
}

static void
next_login(void)
{
	script_reset(on_script_fail);
	clock_script_reset(T0);
	T->logbuf[0] = '\0';
}

/* A first login with k1 leaves the JWKS {k1} in the cache. */
static void
warm_cache_with_k1(void)
{
	configure("");
	expect_until_tokens(K.k1, "k1", NULL);
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), 0);
	assert_int_equal(cache_entries("jwks-"), 1);
	next_login();
}

static void
test_unknown_kid_refetches_the_cached_jwks_once(void **state)
{
	warm_cache_with_k1();
	/* The cached set lacks k2; the provider has rotated to it. */
	expect_device(DEVICE_ANSWER(600, 5));
	expect_tokens_with(K.k2, "k2", NULL);
	expect_jwks(K.jwk1, K.jwk2);
	assert_int_equal(run_login(), 0);
	assert_int_equal(count_requests(JWKS), 1);
	assert_non_null(strstr(T->logbuf, "unknown kid k2"));
}

static void
test_refetch_that_still_lacks_the_kid_refuses_the_token(void **state)
{
	warm_cache_with_k1();
	expect_device(DEVICE_ANSWER(600, 5));
	expect_tokens_with(K.k3, "k3", NULL);
	expect_jwks(K.jwk1, K.jwk2);
	assert_int_equal(run_login(), OIDC_ERR_TOKEN);
	assert_int_equal(count_requests(JWKS), 1);
	assert_non_null(strstr(T->logbuf, "no provider key has this kid"));
}

static void
test_second_unknown_kid_within_a_minute_does_not_refetch(void **state)
{
	warm_cache_with_k1();
	expect_device(DEVICE_ANSWER(600, 5));
	expect_tokens_with(K.k2, "k2", NULL);
	expect_jwks(K.jwk1, K.jwk2);
	assert_int_equal(run_login(), 0);

	/* Another unknown kid: the cached set, and no request for another. */
	next_login();
	expect_device(DEVICE_ANSWER(600, 5));
	expect_tokens_with(K.k3, "k3", NULL);
	assert_int_equal(run_login(), OIDC_ERR_TOKEN);
	assert_int_equal(script_requests(), 2);
	assert_int_equal(count_requests(JWKS), 0);
	assert_null(strstr(T->logbuf, "fetching the JWKS again"));
	assert_non_null(strstr(T->logbuf, "no provider key has this kid"));

	/* The refetched set is the cached one now: k2 signs in. */
	next_login();
	expect_device(DEVICE_ANSWER(600, 5));
	expect_tokens_with(K.k2, "k2", NULL);
	assert_int_equal(run_login(), 0);
	assert_int_equal(script_requests(), 2);
}

static void
test_unknown_kid_in_a_just_fetched_jwks_is_not_refetched(void **state)
{
	configure("");
	expect_until_tokens(K.k2, "k2", NULL);
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), OIDC_ERR_TOKEN);
	assert_int_equal(count_requests(JWKS), 1);
}

static void
test_known_kid_fetches_the_jwks_once(void **state)
{
	configure("");
	expect_until_tokens(K.k1, "k1", NULL);
	expect_jwks(K.jwk1, K.jwk2);
	assert_int_equal(run_login(), 0);
	assert_int_equal(count_requests(JWKS), 1);
}

static void
test_forged_signature_is_refused_without_refetch(void **state)
{
	configure("");
	/* kid k1, but signed by k3: a bad signature, not an unknown kid. */
	expect_until_tokens(K.k3, "k1", NULL);
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), OIDC_ERR_TOKEN);
	assert_int_equal(count_requests(JWKS), 1);
}

static void
test_userinfo_sub_mismatch_is_refused(void **state)
{
	configure("userinfo = always\n");
	expect_until_tokens(K.k1, "k1", NULL);
	expect_jwks(K.jwk1, NULL);
	expect_userinfo("{\"sub\":\"s-2\",\"preferred_username\":\"alice\"}");
	assert_int_equal(run_login(), OIDC_ERR_TOKEN);
	assert_non_null(strstr(T->logbuf, "userinfo sub differs"));
}

static void
test_userinfo_without_sub_is_refused(void **state)
{
	configure("userinfo = always\n");
	expect_until_tokens(K.k1, "k1", NULL);
	expect_jwks(K.jwk1, NULL);
	expect_userinfo("{\"preferred_username\":\"alice\"}");
	assert_int_equal(run_login(), OIDC_ERR_TOKEN);
}

static void
test_userinfo_fills_a_missing_username_claim(void **state)
{
	configure("");
	expect_until_tokens(K.k1, "k1", "{\"preferred_username\":null}");
	expect_jwks(K.jwk1, NULL);
	expect_userinfo("{\"sub\":\"s-1\",\"preferred_username\":\"alice\","
			"\"email\":\"a@example.com\"}");
	assert_int_equal(run_login(), 0);
	assert_string_equal(T->id->username, "alice");
	assert_string_equal(
	    json_string_value(json_object_get(T->id->claims, "email")),
	    "a@example.com");
}

static void
test_userinfo_never_overrides_the_id_token(void **state)
{
	configure("userinfo = always\n");
	expect_until_tokens(K.k1, "k1", "{\"roles\":[\"user\"]}");
	expect_jwks(K.jwk1, NULL);
	expect_userinfo("{\"sub\":\"s-1\",\"preferred_username\":\"bob\","
			"\"roles\":[\"admin\"]}");
	assert_int_equal(run_login(), 0);
	assert_string_equal(T->id->username, "alice");
	assert_string_equal(json_string_value(json_array_get(
				json_object_get(T->id->claims, "roles"), 0)),
	    "user");
}

static void
test_username_claim_missing_everywhere_is_a_claim_error(void **state)
{
	configure("userinfo = never\n");
	expect_until_tokens(K.k1, "k1", "{\"preferred_username\":null}");
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), OIDC_ERR_CLAIM);
}

/* GitHub: no issuer, no ID token; the identity is the user API's. */
static void
configure_oauth2(void)
{
	configure_raw("device_authorization_endpoint = https://gh.test/code\n"
		      "token_endpoint = https://gh.test/token\n"
		      "userinfo_endpoint = https://api.gh.test/user\n"
		      "username_claim = login\n"
		      "scope = read:user\n");
}

static void
test_oauth2_only_identity_comes_from_userinfo(void **state)
{
	struct script_step dev = { .method = "POST",
		.url = "https://gh.test/code",
		.form = { "client_id=client-1", "scope=read:user" },
		.no_form = { "client_secret" },
		.body = DEVICE_ANSWER(900, 5) };
	/* GitHub answers in a form unless asked otherwise. */
	struct script_step tok = { .method = "POST",
		.url = "https://gh.test/token",
		.form = { "grant_type=" GRANT, "device_code=" DC },
		.no_form = { "client_secret" },
		.content_type = "application/x-www-form-urlencoded",
		.body = "access_token=gho_1&token_type=bearer&id_token=x.y.z" };
	struct script_step ui = { .method = "GET",
		.url = "https://api.gh.test/user",
		.bearer = "gho_1",
		.body = "{\"login\":\"alice\",\"id\":42}" };

	configure_oauth2();
	script_expect(&dev);
	script_expect(&tok);
	script_expect(&ui);
	assert_int_equal(run_login(), 0);
	/* No discovery, no JWKS: the id_token is not looked at. */
	assert_int_equal(script_requests(), 3);
	assert_string_equal(T->id->username, "alice");
	assert_string_equal(T->id->sub, "");
	assert_int_equal(cache_entries("discovery-"), 0);
}

static void
test_oauth2_only_userinfo_failure_is_unavailable(void **state)
{
	struct script_step dev = { .method = "POST",
		.url = "https://gh.test/code",
		.no_form = { "client_secret" },
		.body = DEVICE_ANSWER(900, 5) };
	struct script_step tok = { .method = "POST",
		.url = "https://gh.test/token",
		.no_form = { "client_secret" },
		.body = "{\"access_token\":\"gho_1\"}" };
	struct script_step ui = { .method = "GET",
		.url = "https://api.gh.test/user",
		.bearer = "gho_1",
		.status = 502,
		.content_type = "text/html",
		.body = "<html>bad gateway</html>" };

	configure_oauth2();
	script_expect(&dev);
	script_expect(&tok);
	script_expect(&ui);
	assert_int_equal(run_login(), OIDC_ERR_UNAVAIL);
}

static void
test_pinned_user_with_pinned_sub_passes(void **state)
{
	configure("pin_sub = alice = s-1\n");
	expect_until_tokens(K.k1, "k1", NULL);
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), 0);
	assert_string_equal(T->id->sub, "s-1");
}

static void
test_pinned_user_with_another_sub_is_mismatch(void **state)
{
	configure("pin_sub = alice = s-1\n");
	expect_until_tokens(K.k1, "k1", "{\"sub\":\"s-2\"}");
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), OIDC_ERR_MISMATCH);
	assert_non_null(strstr(T->logbuf, "not the sub pinned"));
}

static void
test_pin_of_another_user_does_not_apply(void **state)
{
	configure("pin_sub = bob = s-1\n");
	expect_until_tokens(K.k1, "k1", "{\"sub\":\"s-9\"}");
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), 0);
}

/* One login whose username claim is claim (JSON text) for account "alice". */
static int
login_as(const char *claim)
{
	char *o = fix_strdupf("{\"preferred_username\":%s}", claim);
	int r;

	next_login();
	assert_int_equal(cache_clear(T->cache) >= 0, 1);
	expect_until_tokens(K.k1, "k1", o);
	expect_jwks(K.jwk1, NULL);
	r = run_login();
	free(o);
	return r;
}

static void
test_username_must_equal_the_account_byte_for_byte(void **state)
{
	configure("");
	T->login.user = "alice";
	/* Not a portable name at all: a claim error. */
	assert_int_equal(login_as("\"Alice\""), OIDC_ERR_CLAIM);
	assert_int_equal(login_as("\"alice \""), OIDC_ERR_CLAIM);
	assert_int_equal(login_as("\"alice\\n\""), OIDC_ERR_CLAIM);
	assert_int_equal(login_as("\" alice\""), OIDC_ERR_CLAIM);
	/* Valid names, but another account: a mismatch. */
	assert_int_equal(login_as("\"alic\""), OIDC_ERR_MISMATCH);
	assert_int_equal(login_as("\"alice2\""), OIDC_ERR_MISMATCH);
	assert_int_equal(login_as("\"alice.\""), OIDC_ERR_MISMATCH);
	assert_non_null(strstr(T->logbuf, "is not the account alice"));
	assert_int_equal(login_as("\"alice\""), 0);
	assert_string_equal(T->id->username, "alice");
}

static void
test_lowercase_transform_then_exact_match(void **state)
{
	configure("username_transform = lowercase "
		  "strip_domain=example.com\n");
	assert_int_equal(login_as("\"Alice@example.com\""), 0);
	assert_string_equal(T->id->username, "alice");
	assert_int_equal(login_as("\"Alice@example.org\""), OIDC_ERR_CLAIM);
}

static void
test_kiosk_takes_the_username_from_the_claim(void **state)
{
	configure("");
	T->login.user = NULL;
	assert_int_equal(login_as("\"carol\""), 0);
	assert_string_equal(T->id->username, "carol");
	assert_non_null(strstr(T->rec.text, "as the account you approve"));
}

static void
test_roles_map_to_groups_and_allowed_roles(void **state)
{
	configure("role_claim = roles\n"
		  "role_map = admin = sudo adm\n"
		  "allowed_roles = admin\n");
	assert_int_equal(login_as("\"alice\""), 0);
	assert_int_equal(T->id->allowed, 0);
	assert_int_equal(T->id->groups.n, 0);

	next_login();
	assert_int_equal(cache_clear(T->cache) >= 0, 1);
	expect_until_tokens(K.k1, "k1", "{\"roles\":[\"admin\",\"x\"]}");
	expect_jwks(K.jwk1, NULL);
	assert_int_equal(run_login(), 0);
	assert_int_equal(T->id->allowed, 1);
	assert_int_equal(T->id->groups.n, 2);
	assert_string_equal(T->id->groups.v[0], "sudo");
	assert_string_equal(T->id->groups.v[1], "adm");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T_(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T_(test_unknown_kid_refetches_the_cached_jwks_once),
		T_(test_refetch_that_still_lacks_the_kid_refuses_the_token),
		T_(test_second_unknown_kid_within_a_minute_does_not_refetch),
		T_(test_unknown_kid_in_a_just_fetched_jwks_is_not_refetched),
		T_(test_known_kid_fetches_the_jwks_once),
		T_(test_forged_signature_is_refused_without_refetch),
		T_(test_userinfo_sub_mismatch_is_refused),
		T_(test_userinfo_without_sub_is_refused),
		T_(test_userinfo_fills_a_missing_username_claim),
		T_(test_userinfo_never_overrides_the_id_token),
		T_(test_username_claim_missing_everywhere_is_a_claim_error),
		T_(test_oauth2_only_identity_comes_from_userinfo),
		T_(test_oauth2_only_userinfo_failure_is_unavailable),
		T_(test_pinned_user_with_pinned_sub_passes),
		T_(test_pinned_user_with_another_sub_is_mismatch),
		T_(test_pin_of_another_user_does_not_apply),
		T_(test_username_must_equal_the_account_byte_for_byte),
		T_(test_lowercase_transform_then_exact_match),
		T_(test_kiosk_takes_the_username_from_the_claim),
		T_(test_roles_map_to_groups_and_allowed_roles),
#undef T_
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
