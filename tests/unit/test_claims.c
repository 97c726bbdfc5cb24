/*
 * claims: paths, the local username, and require_claim rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include "claims.h"
#include "config.h"
#include "fixtures.h"
#include "names.h"

static json_t *
J(const char *s)
{
	json_t *j = json_loads(s, 0, NULL);

	assert_non_null(j);
	return j;
}

static struct oidc_config *
cfg_with(const char *text)
{
	struct oidc_config *cfg = config_new();
	char why[256] = "";
	const char *base = "issuer = https://idp.test\nclient_id = c\n";

	assert_int_equal(
	    config_parse(cfg, "t", base, strlen(base), why, sizeof(why)), 0);
	if (text != NULL)
		assert_int_equal(config_parse(cfg, "t", text, strlen(text), why,
				     sizeof(why)),
		    0);
	assert_int_equal(config_validate(cfg, why, sizeof(why)), 0);
	return cfg;
}

/* The username for claims under cfg text, or NULL when refused. */
static char *
username(const char *claims, const char *cfgtext, char *why, size_t whysz)
{
	struct oidc_config *cfg = cfg_with(cfgtext);
	struct oidc_username_rule rule = config_username_rule(cfg);
	json_t *c = J(claims);
	char *user = NULL;
	int r;

	r = claims_username(c, &rule, &user, why, whysz);
	if (r != 0) {
		assert_int_equal(r, OIDC_ERR_CLAIM);
		assert_null(user);
	}
	json_decref(c);
	config_free(cfg);
	return user;
}

static void
expect_user(const char *claims, const char *cfgtext, const char *want)
{
	char why[256] = "";
	char *u = username(claims, cfgtext, why, sizeof(why));

	if (u == NULL)
		fail_msg("refused: %s", why);
	assert_string_equal(u, want);
	free(u);
}

static void
expect_refused(const char *claims, const char *cfgtext)
{
	char why[256] = "";
	char *u = username(claims, cfgtext, why, sizeof(why));

	if (u != NULL)
		fail_msg("accepted \"%s\"", u);
	assert_true(why[0] != '\0');
}

static void
test_get_nested_path(void **state)
{
	json_t *c = J("{\"realm_access\":{\"roles\":[\"admin\",\"dev\"]},"
		      "\"a\":{\"b\":{\"c\":\"deep\"}}}");
	const json_t *v;

	v = claims_get(c, "realm_access.roles");
	assert_true(json_is_array(v));
	assert_int_equal(json_array_size(v), 2);
	assert_string_equal(json_string_value(claims_get(c, "a.b.c")), "deep");
	assert_true(json_is_object(claims_get(c, "a.b")));
	json_decref(c);
}

static void
test_get_missing_is_null(void **state)
{
	json_t *c = J("{\"a\":{\"b\":1}}");

	assert_null(claims_get(c, "x"));
	assert_null(claims_get(c, "a.x"));
	assert_null(claims_get(c, "a.b.c"));
	assert_null(claims_get(c, "a."));
	assert_null(claims_get(c, ".a"));
	assert_null(claims_get(c, "a..b"));
	json_decref(c);
}

static void
test_get_non_object_midway_is_null(void **state)
{
	json_t *c = J("{\"a\":\"string\",\"l\":[{\"b\":1}]}");

	assert_null(claims_get(c, "a.b"));
	assert_null(claims_get(c, "l.b"));
	assert_null(claims_get(c, "l.0"));
	json_decref(c);
}

static void
test_get_depth_limited(void **state)
{
	json_t *c = J("{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":"
		      "{\"a\":{\"a\":1}}}}}}}}}");

	assert_non_null(claims_get(c, "a.a.a.a.a.a.a.a"));
	assert_null(claims_get(c, "a.a.a.a.a.a.a.a.a"));
	json_decref(c);
}

static void
test_username_default_claim(void **state)
{
	expect_user("{\"sub\":\"s-1\",\"preferred_username\":\"alice\"}", NULL,
	    "alice");
}

static void
test_username_configured_nested_claim(void **state)
{
	expect_user("{\"ext\":{\"login\":\"bob\"}}",
	    "username_claim = ext.login\n", "bob");
}

static void
test_username_strip_domain_only_listed(void **state)
{
	const char *cfg = "username_claim = email\n"
			  "username_transform = strip_domain=example.com "
			  "strip_domain=corp.example\n";

	expect_user("{\"email\":\"alice@example.com\",\"email_verified\":true}",
	    cfg, "alice");
	expect_user("{\"email\":\"bob@corp.example\",\"email_verified\":true}",
	    cfg, "bob");
	/* Other domains keep the @, which then is not a valid name. */
	expect_refused("{\"email\":\"alice@evil.example\"}", cfg);
	expect_refused("{\"email\":\"alice@sub.example.com\"}", cfg);
	expect_refused("{\"email\":\"alice@example.com.evil\"}", cfg);
}

static void
test_username_strip_domain_uses_last_at(void **state)
{
	/* "root@evil@example.com" must not become "root". */
	expect_refused("{\"email\":\"root@evil@example.com\"}",
	    "username_claim = email\n"
	    "username_transform = strip_domain=example.com\n");
}

static void
test_username_lowercase(void **state)
{
	expect_user("{\"preferred_username\":\"Alice\"}",
	    "username_transform = lowercase\n", "alice");
	expect_user("{\"email\":\"Alice.Smith@example.com\","
		    "\"email_verified\":true}",
	    "username_claim = email\n"
	    "username_transform = lowercase strip_domain=example.com\n",
	    "alice.smith");
}

/* A username from email needs a verified address unless configured so. */
static void
test_username_from_email_needs_email_verified(void **state)
{
	const char *cfg = "username_claim = email\n"
			  "username_transform = strip_domain=example.com\n";
	const char *off = "username_claim = email\n"
			  "username_transform = strip_domain=example.com\n"
			  "require_email_verified = no\n";

	expect_refused("{\"email\":\"alice@example.com\"}", cfg);
	expect_refused(
	    "{\"email\":\"alice@example.com\",\"email_verified\":false}", cfg);
	expect_refused(
	    "{\"email\":\"alice@example.com\",\"email_verified\":\"yes\"}",
	    cfg);
	expect_refused(
	    "{\"email\":\"alice@example.com\",\"email_verified\":1}", cfg);
	/* Google sends the string "true". */
	expect_user(
	    "{\"email\":\"alice@example.com\",\"email_verified\":\"true\"}",
	    cfg, "alice");
	expect_user("{\"email\":\"alice@example.com\"}", off, "alice");
	/* Other claims are not addresses: no email_verified needed. */
	expect_user("{\"preferred_username\":\"alice\"}", NULL, "alice");
}

static void
test_username_uppercase_without_lowercase_refused(void **state)
{
	expect_refused("{\"preferred_username\":\"Alice\"}", NULL);
}

static void
test_username_invalid_names_refused(void **state)
{
	static const char *const bad[] = { "a:b", "a,b", "a/b", "..", ".",
		"-alice", "alice bob", "alice\\u00e9", "0day", "", "a@b",
		"al\\tice" };
	char buf[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(buf, sizeof(buf), "{\"preferred_username\":\"%s\"}",
		    bad[i]);
		expect_refused(buf, NULL);
	}
	expect_user("{\"preferred_username\":\"_svc.a-1\"}", NULL, "_svc.a-1");
}

static void
test_username_too_long_refused(void **state)
{
	char name[40], buf[128];

	memset(name, 'a', sizeof(name));
	name[32] = '\0';
	snprintf(buf, sizeof(buf), "{\"preferred_username\":\"%s\"}", name);
	expect_user(buf, NULL, name);
	name[32] = 'a';
	name[33] = '\0';
	snprintf(buf, sizeof(buf), "{\"preferred_username\":\"%s\"}", name);
	expect_refused(buf, NULL);
	expect_user(buf, "username_max_length = 33\n", name);
}

static void
test_username_non_string_refused(void **state)
{
	expect_refused("{\"preferred_username\":5}", NULL);
	expect_refused("{\"preferred_username\":[\"alice\"]}", NULL);
	expect_refused("{\"preferred_username\":null}", NULL);
	expect_refused("{\"preferred_username\":{\"a\":1}}", NULL);
}

static void
test_username_missing_no_fallback(void **state)
{
	/* sub and email are valid names, but are never used instead. */
	expect_refused("{\"sub\":\"alice\",\"email\":\"alice\","
		       "\"name\":\"alice\"}",
	    NULL);
}

static void
test_valid_name_rules(void **state)
{
	assert_true(names_valid("alice", 32));
	assert_true(names_valid("_a", 32));
	assert_false(names_valid("alice", 4));
	assert_false(names_valid("", 32));
	assert_false(names_valid("Alice", 32));
	assert_false(names_valid("-a", 32));
	assert_false(names_valid("a$", 32));
}

static int
require(const char *claims, const char *rules_text, char *why, size_t whysz)
{
	struct oidc_config *cfg = cfg_with(rules_text);
	json_t *c = J(claims);
	int r;

	why[0] = '\0';
	r = claims_require(c, cfg->require_claims, why, whysz);
	json_decref(c);
	config_free(cfg);
	return r;
}

static void
test_require_string(void **state)
{
	char why[256];

	assert_int_equal(
	    require("{\"hd\":\"example.com\"}",
		"require_claim = hd = example.com\n", why, sizeof(why)),
	    0);
	assert_int_equal(
	    require("{\"hd\":\"example.org\"}",
		"require_claim = hd = example.com\n", why, sizeof(why)),
	    OIDC_ERR_CLAIM);
	assert_int_equal(
	    require("{\"hd\":\"Example.com\"}",
		"require_claim = hd = example.com\n", why, sizeof(why)),
	    OIDC_ERR_CLAIM);
}

static void
test_require_boolean_true(void **state)
{
	char why[256];
	const char *rule = "require_claim = email_verified = true\n";

	assert_int_equal(
	    require("{\"email_verified\":true}", rule, why, sizeof(why)), 0);
	assert_int_equal(
	    require("{\"email_verified\":false}", rule, why, sizeof(why)),
	    OIDC_ERR_CLAIM);
	assert_int_equal(require("{}", rule, why, sizeof(why)), OIDC_ERR_CLAIM);
	assert_int_equal(
	    require("{\"email_verified\":1}", rule, why, sizeof(why)),
	    OIDC_ERR_CLAIM);
}

static void
test_require_google_true_string(void **state)
{
	char why[256];

	assert_int_equal(
	    require("{\"email_verified\":\"true\"}",
		"require_claim = email_verified = true\n", why, sizeof(why)),
	    0);
	assert_int_equal(
	    require("{\"email_verified\":\"false\"}",
		"require_claim = email_verified = true\n", why, sizeof(why)),
	    OIDC_ERR_CLAIM);
}

static void
test_require_integer(void **state)
{
	char why[256];

	assert_int_equal(require("{\"tier\":3}", "require_claim = tier = 3\n",
			     why, sizeof(why)),
	    0);
	assert_int_equal(require("{\"tier\":30}", "require_claim = tier = 3\n",
			     why, sizeof(why)),
	    OIDC_ERR_CLAIM);
	assert_int_equal(require("{\"tier\":3.0}", "require_claim = tier = 3\n",
			     why, sizeof(why)),
	    OIDC_ERR_CLAIM);
}

static void
test_require_nested_path(void **state)
{
	char why[256];

	assert_int_equal(
	    require("{\"org\":{\"unit\":\"ops\"}}",
		"require_claim = org.unit = ops\n", why, sizeof(why)),
	    0);
}

static void
test_require_all_rules_and_failing_rule_named(void **state)
{
	char why[256];
	const char *rules = "require_claim = email_verified = true\n"
			    "require_claim = hd = example.com\n"
			    "require_claim = tier = 3\n";

	assert_int_equal(require("{\"email_verified\":true,\"hd\":"
				 "\"example.com\",\"tier\":3}",
			     rules, why, sizeof(why)),
	    0);
	assert_int_equal(require("{\"email_verified\":true,\"hd\":"
				 "\"evil.com\",\"tier\":3}",
			     rules, why, sizeof(why)),
	    OIDC_ERR_CLAIM);
	assert_non_null(strstr(why, "hd"));
	assert_non_null(strstr(why, "example.com"));
	assert_null(strstr(why, "email_verified"));
	assert_int_equal(require("{\"email_verified\":true,\"hd\":"
				 "\"example.com\"}",
			     rules, why, sizeof(why)),
	    OIDC_ERR_CLAIM);
	assert_non_null(strstr(why, "tier"));
}

static void
test_require_no_rules_holds(void **state)
{
	char why[16] = "";

	assert_int_equal(claims_require(NULL, NULL, why, sizeof(why)), 0);
}

static void
test_value_matches(void **state)
{
	json_t *t = json_true(), *f = json_false(), *i = json_integer(-7);
	json_t *s = json_string("x"), *r = json_real(1.5);

	assert_true(claims_value_matches(t, "true"));
	assert_false(claims_value_matches(t, "false"));
	assert_true(claims_value_matches(f, "false"));
	assert_true(claims_value_matches(i, "-7"));
	assert_false(claims_value_matches(i, "7"));
	assert_true(claims_value_matches(s, "x"));
	assert_false(claims_value_matches(s, "X"));
	assert_false(claims_value_matches(r, "1.5"));
	assert_false(claims_value_matches(json_null(), "null"));
	json_decref(i);
	json_decref(s);
	json_decref(r);
}

/* require_claim amr = otp holds when the amr array lists otp. */
static void
test_array_claim_matches_a_member(void **state)
{
	json_t *c = json_loads("{\"amr\":[\"pwd\",\"otp\"],\"n\":[[\"otp\"]],"
			       "\"e\":[],\"m\":[true,7]}",
	    0, NULL);
	struct oidc_kv rule = { "amr", "otp", NULL };
	char why[128];

	assert_non_null(c);
	assert_true(claims_value_matches(json_object_get(c, "amr"), "otp"));
	assert_true(claims_value_matches(json_object_get(c, "amr"), "pwd"));
	assert_false(claims_value_matches(json_object_get(c, "amr"), "mfa"));
	assert_false(
	    claims_value_matches(json_object_get(c, "amr"), "pwd otp"));
	/* Only one level: a nested array does not count. */
	assert_false(claims_value_matches(json_object_get(c, "n"), "otp"));
	assert_false(claims_value_matches(json_object_get(c, "e"), ""));
	assert_true(claims_value_matches(json_object_get(c, "m"), "true"));
	assert_true(claims_value_matches(json_object_get(c, "m"), "7"));
	assert_int_equal(claims_require(c, &rule, why, sizeof(why)), 0);
	rule.value = "hwk";
	assert_int_equal(
	    claims_require(c, &rule, why, sizeof(why)), OIDC_ERR_CLAIM);
	json_decref(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_nested_path),
		cmocka_unit_test(test_get_missing_is_null),
		cmocka_unit_test(test_get_non_object_midway_is_null),
		cmocka_unit_test(test_get_depth_limited),
		cmocka_unit_test(test_username_default_claim),
		cmocka_unit_test(test_username_configured_nested_claim),
		cmocka_unit_test(test_username_strip_domain_only_listed),
		cmocka_unit_test(test_username_strip_domain_uses_last_at),
		cmocka_unit_test(test_username_lowercase),
		cmocka_unit_test(test_username_from_email_needs_email_verified),
		cmocka_unit_test(
		    test_username_uppercase_without_lowercase_refused),
		cmocka_unit_test(test_username_invalid_names_refused),
		cmocka_unit_test(test_username_too_long_refused),
		cmocka_unit_test(test_username_non_string_refused),
		cmocka_unit_test(test_username_missing_no_fallback),
		cmocka_unit_test(test_valid_name_rules),
		cmocka_unit_test(test_require_string),
		cmocka_unit_test(test_require_boolean_true),
		cmocka_unit_test(test_require_google_true_string),
		cmocka_unit_test(test_require_integer),
		cmocka_unit_test(test_require_nested_path),
		cmocka_unit_test(test_require_all_rules_and_failing_rule_named),
		cmocka_unit_test(test_require_no_rules_holds),
		cmocka_unit_test(test_value_matches),
		cmocka_unit_test(test_array_claim_matches_a_member),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
