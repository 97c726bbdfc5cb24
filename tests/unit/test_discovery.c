/*
 * discovery: the metadata URL and the document's checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include "discovery.h"
#include "fixtures.h"

#define WK "/.well-known/openid-configuration"

static void
expect_url(const char *issuer, const char *want_url, const char *want_iss)
{
	char *url = NULL, *iss = NULL;

	assert_int_equal(discovery_url(issuer, &url, &iss), 0);
	assert_string_equal(url, want_url);
	assert_string_equal(iss, want_iss);
	free(url);
	free(iss);
}

static int
parse(const char *doc, const char *expected, struct oidc_metadata **out)
{
	json_t *j = json_loads(doc, 0, NULL);
	struct oidc_metadata *p = discovery_new();
	int r;

	assert_non_null(j);
	assert_non_null(p);
	r = discovery_parse(j, expected, p);
	json_decref(j);
	if (out != NULL)
		*out = p;
	else
		discovery_free(p);
	return r;
}

static void
test_url_without_suffix(void **state)
{
	expect_url(
	    "https://idp.test", "https://idp.test" WK, "https://idp.test");
	expect_url("https://idp.test/realms/corp",
	    "https://idp.test/realms/corp" WK, "https://idp.test/realms/corp");
}

static void
test_url_with_suffix(void **state)
{
	expect_url(
	    "https://idp.test" WK, "https://idp.test" WK, "https://idp.test");
	expect_url("https://idp.test/realms/corp" WK,
	    "https://idp.test/realms/corp" WK, "https://idp.test/realms/corp");
}

static void
test_url_with_trailing_slash(void **state)
{
	/* The issuer keeps its slash; the URL gets only one. */
	expect_url(
	    "https://idp.test/", "https://idp.test" WK, "https://idp.test/");
	expect_url("https://login.example/tenant/v2.0/",
	    "https://login.example/tenant/v2.0" WK,
	    "https://login.example/tenant/v2.0/");
}

static void
test_parse_exact_issuer_fills_endpoints(void **state)
{
	struct oidc_metadata *p;

	assert_int_equal(
	    parse(
		"{\"issuer\":\"https://idp.test\","
		"\"device_authorization_endpoint\":\"https://idp.test/device\","
		"\"token_endpoint\":\"https://idp.test/token\","
		"\"userinfo_endpoint\":\"https://idp.test/userinfo\","
		"\"jwks_uri\":\"https://idp.test/jwks\"}",
		"https://idp.test", &p),
	    0);
	assert_string_equal(p->issuer, "https://idp.test");
	assert_string_equal(
	    p->device_authorization_endpoint, "https://idp.test/device");
	assert_string_equal(p->token_endpoint, "https://idp.test/token");
	assert_string_equal(p->userinfo_endpoint, "https://idp.test/userinfo");
	assert_string_equal(p->jwks_uri, "https://idp.test/jwks");
	/* Lists not given: unknown. */
	assert_int_equal(p->device_grant, -1);
	assert_int_equal(p->auth_methods, 0);
	discovery_free(p);
}

static void
test_parse_issuer_trailing_slash_difference_refused(void **state)
{
	assert_int_equal(parse("{\"issuer\":\"https://idp.test/\"}",
			     "https://idp.test", NULL),
	    OIDC_ERR_PROTOCOL);
	assert_int_equal(parse("{\"issuer\":\"https://idp.test\"}",
			     "https://idp.test/", NULL),
	    OIDC_ERR_PROTOCOL);
}

static void
test_parse_issuer_case_difference_refused(void **state)
{
	assert_int_equal(parse("{\"issuer\":\"https://IDP.test\"}",
			     "https://idp.test", NULL),
	    OIDC_ERR_PROTOCOL);
}

static void
test_parse_issuer_missing_or_not_string_refused(void **state)
{
	assert_int_equal(parse("{\"token_endpoint\":\"https://idp.test/t\"}",
			     "https://idp.test", NULL),
	    OIDC_ERR_PROTOCOL);
	assert_int_equal(parse("{\"issuer\":5}", "https://idp.test", NULL),
	    OIDC_ERR_PROTOCOL);
}

static void
test_parse_http_endpoint_refused(void **state)
{
	static const char *const keys[] = { "device_authorization_endpoint",
		"token_endpoint", "userinfo_endpoint", "jwks_uri" };
	char doc[256];
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(doc, sizeof(doc),
		    "{\"issuer\":\"https://idp.test\","
		    "\"%s\":\"http://idp.test/x\"}",
		    keys[i]);
		assert_int_equal(
		    parse(doc, "https://idp.test", NULL), OIDC_ERR_PROTOCOL);
		snprintf(doc, sizeof(doc),
		    "{\"issuer\":\"https://idp.test\","
		    "\"%s\":[\"https://idp.test/x\"]}",
		    keys[i]);
		assert_int_equal(
		    parse(doc, "https://idp.test", NULL), OIDC_ERR_PROTOCOL);
	}
}

static void
test_parse_grant_types_supported(void **state)
{
	struct oidc_metadata *p;

	assert_int_equal(
	    parse("{\"issuer\":\"https://idp.test\","
		  "\"grant_types_supported\":[\"authorization_code\","
		  "\"urn:ietf:params:oauth:grant-type:device_code\"]}",
		"https://idp.test", &p),
	    0);
	assert_int_equal(p->device_grant, 1);
	discovery_free(p);
	assert_int_equal(
	    parse("{\"issuer\":\"https://idp.test\","
		  "\"grant_types_supported\":[\"authorization_code\"]}",
		"https://idp.test", &p),
	    0);
	assert_int_equal(p->device_grant, 0);
	discovery_free(p);
}

static void
test_parse_auth_methods(void **state)
{
	struct oidc_metadata *p;

	assert_int_equal(
	    parse(
		"{\"issuer\":\"https://idp.test\","
		"\"token_endpoint_auth_methods_supported\":[\"client_secret_post\","
		"\"private_key_jwt\",\"none\",7]}",
		"https://idp.test", &p),
	    0);
	assert_int_equal(p->auth_methods, AUTH_METHOD_POST | AUTH_METHOD_NONE);
	discovery_free(p);
	assert_int_equal(parse("{\"issuer\":\"https://idp.test\","
			       "\"token_endpoint_auth_methods_supported\":"
			       "[\"client_secret_basic\"]}",
			     "https://idp.test", &p),
	    0);
	assert_int_equal(p->auth_methods, AUTH_METHOD_BASIC);
	discovery_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_without_suffix),
		cmocka_unit_test(test_url_with_suffix),
		cmocka_unit_test(test_url_with_trailing_slash),
		cmocka_unit_test(test_parse_exact_issuer_fills_endpoints),
		cmocka_unit_test(
		    test_parse_issuer_trailing_slash_difference_refused),
		cmocka_unit_test(test_parse_issuer_case_difference_refused),
		cmocka_unit_test(
		    test_parse_issuer_missing_or_not_string_refused),
		cmocka_unit_test(test_parse_http_endpoint_refused),
		cmocka_unit_test(test_parse_grant_types_supported),
		cmocka_unit_test(test_parse_auth_methods),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
