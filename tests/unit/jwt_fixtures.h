/*
 * Shared by the JWS tests: the default policy and a verify call that
 * checks claims come back exactly on success. Include after cmocka.h.
 */
#ifndef OIDC_TEST_JWT_FIXTURES_H
#define OIDC_TEST_JWT_FIXTURES_H

#include "fixtures.h"
#include "jwt.h"

static inline struct oidc_jwt_policy
fix_policy(unsigned int algs, time_t now)
{
	struct oidc_jwt_policy p = {
		.algs = algs,
		.issuer = FIX_ISS,
		.issuer_alt = NULL,
		.client_id = FIX_AUD,
		.hmac_secret = NULL,
		.leeway = 60,
		.now = now,
	};

	return p;
}

/* jwt_verify; claims are returned exactly on success, and dropped. */
static inline int
fix_verify(const char *token, const struct oidc_jwks *set,
    const struct oidc_jwt_policy *pol, struct oidc_jwt_info *info)
{
	struct oidc_jwt_info local;
	json_t *claims = NULL;
	int r;

	r = jwt_verify(token, set, pol, &claims, info != NULL ? info : &local);
	if (r == 0) {
		assert_non_null(claims);
		assert_string_equal(
		    json_string_value(json_object_get(claims, "sub")), "s-1");
	} else {
		assert_null(claims);
	}
	json_decref(claims);
	return r;
}

#endif
