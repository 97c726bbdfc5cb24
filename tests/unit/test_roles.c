/*
 * roles: role claims, the allowed_roles gate and role_map to groups.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include "config.h"
#include "fixtures.h"
#include "roles.h"

static json_t *
claims(const char *text)
{
	json_t *j = json_loads(text, 0, NULL);

	assert_non_null(j);
	return j;
}

static struct oidc_kv *
map(const char *spec)
{
	struct oidc_config *cfg = config_new();
	struct oidc_kv *kv;
	char why[256];

	assert_int_equal(
	    config_parse(cfg, "t", spec, strlen(spec), why, sizeof(why)), 0);
	kv = cfg->role_map;
	cfg->role_map = NULL;
	config_free(cfg);
	return kv;
}

static void
test_roles_from_array_and_nested_path(void **state)
{
	json_t *c =
	    claims("{\"realm_access\":{\"roles\":[\"admin\",\"dev\"]}}");
	struct oidc_strlist r;

	assert_int_equal(roles_from_claims(c, "realm_access.roles", &r), 0);
	assert_int_equal(r.n, 2);
	assert_string_equal(r.v[0], "admin");
	assert_string_equal(r.v[1], "dev");
	strlist_free(&r);
	json_decref(c);
}

static void
test_single_string_role(void **state)
{
	json_t *c = claims("{\"role\":\"admin\"}");
	struct oidc_strlist r;

	assert_int_equal(roles_from_claims(c, "role", &r), 0);
	assert_int_equal(r.n, 1);
	strlist_free(&r);
	json_decref(c);
}

static void
test_missing_role_claim_is_no_roles(void **state)
{
	json_t *c = claims("{}");
	struct oidc_strlist r;

	assert_int_equal(roles_from_claims(c, "roles", &r), 0);
	assert_int_equal(r.n, 0);
	json_decref(c);
}

static void
test_malformed_role_claims_refused(void **state)
{
	static const char *const bad[] = { "{\"roles\":5}",
		"{\"roles\":[\"a\",5]}", "{\"roles\":{\"a\":1}}",
		"{\"roles\":[\"\"]}", "{\"roles\":[[\"a\"]]}" };
	struct oidc_strlist r;
	json_t *c;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = claims(bad[i]);
		assert_int_equal(
		    roles_from_claims(c, "roles", &r), OIDC_ERR_CLAIM);
		assert_int_equal(r.n, 0);
		json_decref(c);
	}
}

static void
test_too_many_roles_refused(void **state)
{
	json_t *c = json_object(), *a = json_array();
	struct oidc_strlist r;
	char name[32];
	int i;

	for (i = 0; i <= ROLES_MAX; i++) {
		assert_true(snprintf(name, sizeof(name), "r%d", i) > 0);
		json_array_append_new(a, json_string(name));
	}
	json_object_set_new(c, "roles", a);
	assert_int_equal(roles_from_claims(c, "roles", &r), OIDC_ERR_CLAIM);
	json_decref(c);
}

static void
test_allowed_roles_gate(void **state)
{
	json_t *c = claims("{\"roles\":[\"user\"]}");
	struct oidc_strlist r;

	assert_int_equal(roles_from_claims(c, "roles", &r), 0);
	assert_true(roles_allowed(&r, NULL));
	assert_true(roles_allowed(&r, "admin user"));
	assert_false(roles_allowed(&r, "admin"));
	/* Exact match: no prefixes, no case folding. */
	assert_false(roles_allowed(&r, "use users User"));
	strlist_free(&r);
	json_decref(c);
}

static void
test_role_map_grants_only_named_groups(void **state)
{
	json_t *c = claims("{\"roles\":[\"admin\",\"sudo\",\"Admin\"]}");
	struct oidc_kv *kv = map("role_map = admin = sudo adm\n"
				 "role_map = user = users\n"
				 "role_map = admin = adm wheel\n");
	struct oidc_strlist r, g;

	assert_int_equal(roles_from_claims(c, "roles", &r), 0);
	assert_int_equal(roles_groups(&r, kv, &g), 0);
	/* admin's groups once each; the role "sudo" grants nothing. */
	assert_int_equal(g.n, 3);
	assert_string_equal(g.v[0], "sudo");
	assert_string_equal(g.v[1], "adm");
	assert_string_equal(g.v[2], "wheel");
	strlist_free(&g);
	strlist_free(&r);
	kv_free(kv);
	json_decref(c);
}

static void
test_role_named_like_group_grants_nothing(void **state)
{
	json_t *c = claims("{\"roles\":[\"wheel\",\"root\"]}");
	struct oidc_kv *kv = map("role_map = admin = wheel\n");
	struct oidc_strlist r, g;

	assert_int_equal(roles_from_claims(c, "roles", &r), 0);
	assert_int_equal(roles_groups(&r, kv, &g), 0);
	assert_int_equal(g.n, 0);
	strlist_free(&r);
	kv_free(kv);
	json_decref(c);
}

static void
test_invalid_group_name_in_role_map_is_config_error(void **state)
{
	struct oidc_config *cfg = config_new();
	static const char text[] = "client_id = x\n"
				   "issuer = https://idp.test\n"
				   "role_map = admin = ok bad:name\n";
	char why[256] = "";

	assert_int_equal(
	    config_parse(cfg, "t", text, strlen(text), why, sizeof(why)), 0);
	assert_int_equal(
	    config_validate(cfg, why, sizeof(why)), OIDC_ERR_CONFIG);
	assert_non_null(strstr(why, "bad:name"));
	config_free(cfg);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles_from_array_and_nested_path),
		cmocka_unit_test(test_single_string_role),
		cmocka_unit_test(test_missing_role_claim_is_no_roles),
		cmocka_unit_test(test_malformed_role_claims_refused),
		cmocka_unit_test(test_too_many_roles_refused),
		cmocka_unit_test(test_allowed_roles_gate),
		cmocka_unit_test(test_role_map_grants_only_named_groups),
		cmocka_unit_test(test_role_named_like_group_grants_nothing),
		cmocka_unit_test(
		    test_invalid_group_name_in_role_map_is_config_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
