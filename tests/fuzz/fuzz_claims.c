/*
 * Claim paths: claims_get, and what uses a path from the configuration:
 * claims_value_matches, claims_require, claims_username and
 * roles_from_claims.
 *
 * Input: the path (a NUL byte ends it), a newline, then the JSON document.
 *
 * Checked: claims_get agrees with a plain reading of the documented rule
 * (dot-separated member names, no empty name, at most
 * CLAIM_PATH_MAX_DEPTH names of under 256 bytes, objects all the way); a
 * value matches its own text form; a derived username is a valid name;
 * roles are distinct, non-empty and bounded.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "config.h"
#include "fuzz.h"
#include "json.h"
#include "names.h"
#include "oidc.h"
#include "roles.h"

/* The value at path, written from the description in claims.h. */
static const json_t *
reference_get(const json_t *doc, const char *path)
{
	const json_t *cur = doc;
	const char *dot;
	char name[256];
	size_t n;
	int depth = 0;

	if (*path == '\0')
		return doc;
	for (;;) {
		dot = strchr(path, '.');
		n = dot != NULL ? (size_t)(dot - path) : strlen(path);
		if (n == 0 || n >= sizeof(name) ||
		    ++depth > CLAIM_PATH_MAX_DEPTH || !json_is_object(cur))
			return NULL;
		memcpy(name, path, n);
		name[n] = '\0';
		if ((cur = json_object_get(cur, name)) == NULL)
			return NULL;
		if (dot == NULL)
			return cur;
		path = dot + 1;
	}
}

/* An array matches what one of its scalar members matches, nothing else. */
static void
check_array_match(const json_t *v)
{
	const json_t *item;
	int has_null = 0, has_empty = 0;
	size_t i;

	json_array_foreach (v, i, item) {
		if (!json_is_string(item))
			continue;
		if (!claims_value_matches(v, json_string_value(item)))
			abort();
		has_null |= strcmp(json_string_value(item), "null") == 0;
		has_empty |= json_string_value(item)[0] == '\0';
	}
	if ((claims_value_matches(v, "null") && !has_null) ||
	    (claims_value_matches(v, "") && !has_empty))
		abort();
}

static void
check_match(const json_t *v)
{
	char num[32];

	if (json_is_string(v) && !claims_value_matches(v, json_string_value(v)))
		abort();
	if (json_is_true(v) &&
	    (!claims_value_matches(v, "true") ||
		claims_value_matches(v, "false")))
		abort();
	if (json_is_false(v) &&
	    (!claims_value_matches(v, "false") ||
		claims_value_matches(v, "true")))
		abort();
	if (json_is_integer(v)) {
		snprintf(
		    num, sizeof(num), "%lld", (long long)json_integer_value(v));
		if (!claims_value_matches(v, num))
			abort();
	}
	if ((json_is_null(v) || json_is_real(v) || json_is_object(v)) &&
	    (claims_value_matches(v, "null") || claims_value_matches(v, "")))
		abort();
	if (json_is_array(v))
		check_array_match(v);
}

static void
check_require(const json_t *doc, const char *path, const json_t *v)
{
	struct oidc_kv rule = { 0 };
	char why[128];
	int r;

	rule.key = (char *)path;
	rule.value =
	    (char *)(json_is_string(v) ? json_string_value(v) : "true");
	r = claims_require(doc, &rule, why, sizeof(why));
	if (r != 0 && r != OIDC_ERR_CLAIM)
		abort();
	if (json_is_string(v) && r != 0)
		abort();
	if (v == NULL && r == 0)
		abort();
}

static void
check_username(const json_t *doc, const char *path)
{
	static const char *const xforms[] = {
		"lowercase strip_domain=example.com", "none"
	};
	struct oidc_username_rule rule;
	struct oidc_config *cfg;
	char why[128], line[64], *user;
	size_t i;
	int r;

	for (i = 0; i < sizeof(xforms) / sizeof(xforms[0]); i++) {
		if ((cfg = config_new()) == NULL ||
		    (cfg->username_claim = strdup(path)) == NULL)
			abort();
		snprintf(
		    line, sizeof(line), "username_transform = %s\n", xforms[i]);
		if (config_parse(
			cfg, "fuzz", line, strlen(line), why, sizeof(why)) != 0)
			abort();
		rule = config_username_rule(cfg);
		user = NULL;
		r = claims_username(doc, &rule, &user, why, sizeof(why));
		if (r == 0) {
			if (!names_valid(
				user, (size_t)cfg->username_max_length))
				abort();
			free(user);
		} else if (r != OIDC_ERR_CLAIM || user != NULL) {
			abort();
		}
		config_free(cfg);
	}
}

static void
check_roles(const json_t *doc, const char *path)
{
	struct oidc_kv map2 = { "ops", "adm", NULL };
	struct oidc_kv map = { "admin", "wheel adm", &map2 };
	struct oidc_strlist roles, groups;
	size_t i;

	if (!fz_roles(doc, path, &roles))
		return;
	for (i = 0; i < roles.n; i++) {
		if (strpbrk(roles.v[i], " \t") == NULL &&
		    roles_allowed(&roles, roles.v[i]) != 1)
			abort();
	}
	if (roles_allowed(&roles, NULL) != 1)
		abort();
	(void)roles_allowed(&roles, "admin staff");
	if (roles_groups(&roles, &map, &groups) != 0)
		abort();
	if (groups.n > 2)
		abort();
	strlist_free(&groups);
	strlist_free(&roles);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part;
	const json_t *v;
	size_t plen;
	json_t *doc = NULL;
	char *path;

	if (!fz_next(&data, &size, '\n', &part, &plen) || data == NULL)
		return 0;
	if (json_parse_object((const char *)data, size, &doc) != 0)
		return 0;
	path = fz_strndup(part, plen);
	v = claims_get(doc, path);
	if (v != reference_get(doc, path))
		abort();
	if (v != NULL)
		check_match(v);
	check_require(doc, path, v);
	check_username(doc, path);
	check_roles(doc, path);
	free(path);
	json_decref(doc);
	return 0;
}
