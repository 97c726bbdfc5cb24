/*
 * Claims: paths into the verified claim set, the local username, and the
 * require_claim rules. No network, no PAM.
 */
#ifndef OIDC_CLAIMS_H
#define OIDC_CLAIMS_H

#include <jansson.h>
#include <stddef.h>

#include "strlist.h"

#define CLAIM_PATH_MAX_DEPTH 8

/* The value at "a.b.c", or NULL. */
const json_t *claims_get(const json_t *claims, const char *path);

/*
 * Derive the local username from username_claim with the configured
 * transform; it must be a portable POSIX name within the length limit.
 * No fallback to any other claim.
 */
struct oidc_username_rule {
	const char *claim;                   /* username_claim */
	const struct oidc_kv *strip_domains; /* username_transform */
	int lowercase;
	int max_length;
	int require_email_verified; /* when claim is email */
};

int claims_username(const json_t *claims, const struct oidc_username_rule *rule,
    char **user, char *why, size_t whysz);

/* Does every require_claim line hold? why names the first that fails. */
int claims_require(
    const json_t *claims, const struct oidc_kv *rules, char *why, size_t whysz);

/*
 * Does the claim value equal the configured text? Strings compare
 * byte-exactly; booleans match "true"/"false"; integers their decimal
 * form. A string "true" matches "true" (Google sends email_verified so).
 * An array matches when one of its members (not a nested array) does.
 */
int claims_value_matches(const json_t *v, const char *want);

#endif
