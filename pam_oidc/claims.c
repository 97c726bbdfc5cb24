/*
 * Claim paths, username derivation and claim requirements.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "oidc.h"

const json_t *
claims_get(const json_t *claims, const char *path)
{
	const json_t *cur = claims;
	char part[256];
	size_t n;
	int depth = 0;

	while (cur != NULL && *path != '\0') {
		if (++depth > CLAIM_PATH_MAX_DEPTH || !json_is_object(cur))
			return NULL;
		n = strcspn(path, ".");
		if (n == 0 || n >= sizeof(part))
			return NULL;
		memcpy(part, path, n);
		part[n] = '\0';
		cur = json_object_get(cur, part);
		path += n;
		if (*path == '.' && *++path == '\0')
			return NULL;
	}
	return cur;
}

int
claims_valid_name(const char *name, size_t max)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > max)
		return 0;
	if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
		return 0;
	for (i = 1; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

static int
fail(char *why, size_t whysz, const char *msg, int err)
{
	if (why != NULL && whysz > 0 && snprintf(why, whysz, "%s", msg) < 0)
		why[0] = '\0';
	return err;
}

/* Strip "@domain" when the domain is listed; other domains stay. */
static void
strip_domain(char *user, const struct oidc_kv *domains)
{
	char *at = strrchr(user, '@');

	if (at == NULL)
		return;
	for (; domains != NULL; domains = domains->next)
		if (strcmp(at + 1, domains->key) == 0) {
			*at = '\0';
			return;
		}
}

int
claims_username(const json_t *claims, const struct oidc_config *cfg,
    char **user, char *why, size_t whysz)
{
	const json_t *v = claims_get(claims, cfg->username_claim);
	char *name, *p;

	if (v == NULL)
		return fail(why, whysz, "the username claim is missing",
		    OIDC_ERR_CLAIM);
	if (!json_is_string(v) || json_string_length(v) > 1024)
		return fail(why, whysz, "the username claim is not a string",
		    OIDC_ERR_CLAIM);
	if ((name = strdup(json_string_value(v))) == NULL)
		return OIDC_ERR_NOMEM;
	strip_domain(name, cfg->strip_domains);
	if (cfg->username_lowercase)
		for (p = name; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p + 32);
	if (!claims_valid_name(name, (size_t)cfg->username_max_length)) {
		free(name);
		return fail(why, whysz,
		    "the username claim is not a valid "
		    "local username",
		    OIDC_ERR_CLAIM);
	}
	*user = name;
	return 0;
}

int
claims_value_matches(const json_t *v, const char *want)
{
	char num[32];

	if (json_is_string(v))
		return strcmp(json_string_value(v), want) == 0;
	if (json_is_true(v))
		return strcmp(want, "true") == 0;
	if (json_is_false(v))
		return strcmp(want, "false") == 0;
	if (json_is_integer(v)) {
		if (snprintf(num, sizeof(num), "%lld",
			(long long)json_integer_value(v)) < 0)
			return 0;
		return strcmp(num, want) == 0;
	}
	return 0;
}

int
claims_require(
    const json_t *claims, const struct oidc_kv *rules, char *why, size_t whysz)
{
	const json_t *v;

	for (; rules != NULL; rules = rules->next) {
		v = claims_get(claims, rules->key);
		if (v == NULL || !claims_value_matches(v, rules->value)) {
			if (why != NULL && whysz > 0 &&
			    snprintf(why, whysz,
				"require_claim %s = %s "
				"does not hold",
				rules->key, rules->value) < 0)
				why[0] = '\0';
			return OIDC_ERR_CLAIM;
		}
	}
	return 0;
}
