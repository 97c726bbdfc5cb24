/*
 * JSON Web Key Sets (RFC 7517, 7518 section 6, 8037): import of the
 * public keys that can verify ID tokens. Unusable keys are skipped.
 */
#ifndef OIDC_JWKS_H
#define OIDC_JWKS_H

#include <jansson.h>
#include <openssl/evp.h>
#include <stddef.h>

#define JWKS_MAX_KEYS 64
#define RSA_MIN_BITS  2048
#define RSA_MAX_BITS  8192 /* bounds the work of one verification */

enum jwk_kty { KTY_RSA = 1, KTY_EC, KTY_OKP };

struct oidc_jwk {
	char *kid; /* NULL when absent */
	char *alg; /* NULL when absent */
	enum jwk_kty kty;
	int curve_bytes; /* EC: 32, 48 or 66 */
	EVP_PKEY *pkey;
};

struct oidc_jwks {
	struct oidc_jwk *keys;
	size_t n;
	size_t skipped;
};

int jwks_parse(const json_t *doc, struct oidc_jwks **out);
void jwks_free(struct oidc_jwks *jwks);

#endif
