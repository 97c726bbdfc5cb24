/*
 * Claim paths, username derivation and claim requirements.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "names.h"
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
claims_username(const json_t *claims, const struct oidc_username_rule *rule,
    char **user, char *why, size_t whysz)
{
	const json_t *v = claims_get(claims, rule->claim);
	char *name, *p;

	if (v == NULL)
		return fail(why, whysz, "the username claim is missing",
		    OIDC_ERR_CLAIM);
	/*
	 * An address the provider has not verified may belong to anyone who
	 * typed it into their profile.
	 */
	if (rule->require_email_verified && strcmp(rule->claim, "email") == 0 &&
	    !claims_value_matches(
		json_object_get(claims, "email_verified"), "true"))
		return fail(why, whysz,
		    "the username comes from email, and email_verified is not "
		    "true",
		    OIDC_ERR_CLAIM);
	if (!json_is_string(v) || json_string_length(v) > 1024)
		return fail(why, whysz, "the username claim is not a string",
		    OIDC_ERR_CLAIM);
	if ((name = strdup(json_string_value(v))) == NULL)
		return OIDC_ERR_NOMEM;
	strip_domain(name, rule->strip_domains);
	if (rule->lowercase)
		for (p = name; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p + 32);
	if (!names_valid(name, (size_t)rule->max_length)) {
		free(name);
		return fail(why, whysz,
		    "the username claim is not a valid "
		    "local username",
		    OIDC_ERR_CLAIM);
	}
	*user = name;
	return 0;
}

/* A scalar claim value against the configured text. */
static int
scalar_matches(const json_t *v, const char *want)
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
claims_value_matches(const json_t *v, const char *want)
{
	const json_t *item;
	size_t i;

	if (!json_is_array(v))
		return scalar_matches(v, want);
	/* An array (amr, groups) holds when one of its members does. */
	json_array_foreach (v, i, item)
		if (scalar_matches(item, want))
			return 1;
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
