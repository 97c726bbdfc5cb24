/*
 * Verification of a compact JWS ID token (RFC 7515, OpenID Connect Core
 * section 3.1.3.7). Takes bytes, keys and a policy; returns the claims.
 */
#ifndef OIDC_JWT_H
#define OIDC_JWT_H

#include <jansson.h>
#include <time.h>

#include "jwks.h"

/* JWS algorithms, as bits of the allow-list. */
enum oidc_alg {
	ALG_RS256 = 1 << 0,
	ALG_RS384 = 1 << 1,
	ALG_RS512 = 1 << 2,
	ALG_PS256 = 1 << 3,
	ALG_PS384 = 1 << 4,
	ALG_PS512 = 1 << 5,
	ALG_ES256 = 1 << 6,
	ALG_ES384 = 1 << 7,
	ALG_ES512 = 1 << 8,
	ALG_EDDSA = 1 << 9,
	ALG_HS256 = 1 << 10,
	ALG_HS384 = 1 << 11,
	ALG_HS512 = 1 << 12,
};

struct oidc_jwt_policy {
	unsigned int algs; /* allow-list, enum oidc_alg bits */
	const char *issuer;
	const char *issuer_alt; /* a second accepted spelling, or NULL */
	const char *client_id;
	const char *hmac_secret; /* HS* key: the client secret */
	long leeway;
	time_t now;
};

/* Why a token was refused, for the log; never holds token bytes. */
struct oidc_jwt_info {
	char alg[16];
	char kid[128];
	char reason[128];
};

/*
 * Verify token and return its payload. OIDC_ERR_KID means no key of the
 * set carries the token's kid (the caller may refetch the JWKS once);
 * every other refusal is OIDC_ERR_TOKEN with info->reason set.
 */
int jwt_verify(const char *token, const struct oidc_jwks *jwks,
    const struct oidc_jwt_policy *pol, json_t **claims,
    struct oidc_jwt_info *info);

/*
 * The second spelling of iss accepted for this issuer, or NULL: only
 * Google's issuer has one ("accounts.google.com", without the scheme).
 */
const char *jwt_issuer_alt(const char *issuer);

/*
 * Does the set hold a key that can verify this algorithm? HS* needs none:
 * its key is the client secret.
 */
int jwt_key_available(const struct oidc_jwks *jwks, unsigned int alg_bit);

/* The name of an allow-list bit, or NULL. */
const char *jwt_alg_name(unsigned int alg_bit);

/* The allow-list bit of an algorithm name, 0 if unknown or "none". */
unsigned int jwt_alg_bit(const char *name);

#endif
