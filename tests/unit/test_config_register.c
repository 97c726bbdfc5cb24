/*
 * config: the register_* keys reach the registration policy through the
 * module's own parser, with the same checks as the NSS module's reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include "config.h"
#include "fixtures.h"

#define BASE "issuer = https://idp.test\nclient_id = c\n"

static int
parse(const char *text, struct oidc_config **out, char *why, size_t whysz)
{
	struct oidc_config *cfg = config_new();
	int r;

	assert_non_null(cfg);
	why[0] = '\0';
	r = config_parse(cfg, "test.conf", text, strlen(text), why, whysz);
	*out = cfg;
	return r;
}

static void
test_register_keys_set_the_policy(void **state)
{
	struct oidc_config *cfg;
	char why[512];

	(void)state;
	assert_int_equal(parse(BASE "auto_register = yes\n"
				    "register_with = nss\n"
				    "register_uid_min = 70000\n"
				    "register_uid_max = 79999\n"
				    "register_home = /srv/people\n"
				    "register_allow = dev-* ops-*\n"
				    "register_max_pending = 20\n"
				    "register_rate = 5\n"
				    "register_pending_ttl = 30\n",
			     &cfg, why, sizeof(why)),
	    0);
	assert_int_equal(cfg->reg.with, REGISTER_NSS);
	assert_int_equal(cfg->reg.uid_min, 70000);
	assert_int_equal(cfg->reg.uid_max, 79999);
	assert_string_equal(cfg->reg.home, "/srv/people");
	assert_string_equal(cfg->reg.allow, "dev-* ops-*");
	assert_int_equal(cfg->reg.max_pending, 20);
	assert_int_equal(cfg->reg.rate, 5);
	assert_int_equal(cfg->reg.ttl, 30);
	config_free(cfg);
}

static void
test_register_defaults(void **state)
{
	struct oidc_config *cfg;
	char why[512];

	(void)state;
	assert_int_equal(parse(BASE, &cfg, why, sizeof(why)), 0);
	assert_int_equal(config_validate(cfg, why, sizeof(why)), 0);
	assert_int_equal(cfg->reg.with, REGISTER_USERADD);
	assert_string_equal(cfg->reg.home, "/home");
	assert_int_equal(cfg->reg.max_pending, 50);
	assert_int_equal(cfg->reg.rate, 10);
	assert_int_equal(cfg->reg.ttl, 600);
	config_free(cfg);
}

static void
test_register_bad_values_name_the_key(void **state)
{
	static const char *const bad[] = { "register_with = ldap\n",
		"register_uid_min = 0\n", "register_uid_max = 4294967295\n",
		"register_home = relative\n", "register_home = /a b\n",
		"register_max_pending = 0\n", "register_rate = 1001\n",
		"register_pending_ttl = 1\n", "register_allow = a:b\n", NULL };
	struct oidc_config *cfg;
	char why[512], key[64];
	size_t i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		assert_int_equal(
		    parse(bad[i], &cfg, why, sizeof(why)), OIDC_ERR_CONFIG);
		snprintf(key, sizeof(key), "bad value for %.*s",
		    (int)strcspn(bad[i], " "), bad[i]);
		assert_non_null(strstr(why, key));
		config_free(cfg);
	}
	assert_int_equal(parse("register_rate = 1\nregister_rate = 2\n", &cfg,
			     why, sizeof(why)),
	    OIDC_ERR_CONFIG);
	assert_non_null(strstr(why, "given twice"));
	config_free(cfg);
}

static void
test_nss_registration_needs_a_range_and_a_plain_shell(void **state)
{
	struct oidc_config *cfg;
	char why[512];

	(void)state;
	assert_int_equal(
	    parse(BASE "register_with = nss\n", &cfg, why, sizeof(why)), 0);
	assert_int_equal(
	    config_validate(cfg, why, sizeof(why)), OIDC_ERR_CONFIG);
	assert_non_null(strstr(why, "register_uid_min and register_uid_max"));
	config_free(cfg);
	assert_int_equal(parse(BASE "register_with = nss\n"
				    "register_uid_min = 1\n"
				    "register_uid_max = 10\n",
			     &cfg, why, sizeof(why)),
	    0);
	assert_int_equal(
	    config_validate(cfg, why, sizeof(why)), OIDC_ERR_CONFIG);
	assert_non_null(strstr(why, "below UID_MIN"));
	config_free(cfg);
	assert_int_equal(parse(BASE "register_with = nss\n"
				    "register_uid_min = 79000\n"
				    "register_uid_max = 78000\n",
			     &cfg, why, sizeof(why)),
	    0);
	assert_int_equal(
	    config_validate(cfg, why, sizeof(why)), OIDC_ERR_CONFIG);
	assert_non_null(strstr(why, "is above register_uid_max"));
	config_free(cfg);
	assert_int_equal(parse(BASE "register_with = nss\n"
				    "register_uid_min = 70000\n"
				    "register_uid_max = 79999\n"
				    "shell = /bin/my shell\n",
			     &cfg, why, sizeof(why)),
	    0);
	assert_int_equal(
	    config_validate(cfg, why, sizeof(why)), OIDC_ERR_CONFIG);
	assert_non_null(strstr(why, "shell must be an absolute path"));
	config_free(cfg);
	/* A useradd site keeps its freedom of shell paths. */
	assert_int_equal(
	    parse(BASE "shell = /opt/my shell/sh\n", &cfg, why, sizeof(why)),
	    0);
	assert_int_equal(config_validate(cfg, why, sizeof(why)), 0);
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_keys_set_the_policy),
		cmocka_unit_test(test_register_defaults),
		cmocka_unit_test(test_register_bad_values_name_the_key),
		cmocka_unit_test(
		    test_nss_registration_needs_a_range_and_a_plain_shell),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
