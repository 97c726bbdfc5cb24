/*
 * JWKS import: json_parse_object and jwks_parse, then the published
 * tokens verified against the imported set so that key selection (kid,
 * alg, kty, curve) runs over keys the fuzzer made.
 *
 * Input: the JWKS document.
 *
 * Checked: every kept key has a public key of its type, an EC key one of
 * the three curve sizes; kept and skipped add up to the keys given; no
 * published token (none is an ID token) is ever accepted.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "jose_vectors.h"
#include "json.h"
#include "jwks.h"
#include "jwt.h"
#include "oidc.h"

static const char *const tokens[] = {
	RFC7515_A2_JWS,
	RFC7515_A3_JWS,
	RFC8037_A4_JWS,
	RFC7520_4_1_JWS,
	RFC7520_4_2_JWS,
	RFC7520_4_3_JWS,
};

static void
check_set(const struct oidc_jwks *set, size_t given)
{
	const struct oidc_jwk *k;
	size_t i;

	if (set->n + set->skipped != given || set->n > JWKS_MAX_KEYS)
		abort();
	for (i = 0; i < set->n; i++) {
		k = &set->keys[i];
		if (k->pkey == NULL)
			abort();
		switch (k->kty) {
		case KTY_RSA:
			if (!EVP_PKEY_is_a(k->pkey, "RSA") ||
			    EVP_PKEY_get_bits(k->pkey) < RSA_MIN_BITS)
				abort();
			break;
		case KTY_EC:
			if (!EVP_PKEY_is_a(k->pkey, "EC") ||
			    (k->curve_bytes != 32 && k->curve_bytes != 48 &&
				k->curve_bytes != 66))
				abort();
			break;
		case KTY_OKP:
			if (!EVP_PKEY_is_a(k->pkey, "ED25519"))
				abort();
			break;
		default: abort();
		}
	}
}

static void
verify_tokens(const struct oidc_jwks *set)
{
	struct oidc_jwt_policy pol = { 0 };
	struct oidc_jwt_info info;
	json_t *claims;
	unsigned int bit;
	size_t i;
	int r;

	for (bit = 1; bit <= ALG_HS512; bit <<= 1)
		if (jwt_key_available(set, bit) != 0 &&
		    jwt_key_available(set, bit) != 1)
			abort();
	pol.algs = ~0u;
	pol.issuer = "joe";
	pol.client_id = "client-1";
	pol.leeway = 60;
	pol.now = 1300819000;
	for (i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++) {
		claims = NULL;
		r = jwt_verify(tokens[i], set, &pol, &claims, &info);
		if (r == 0 || claims != NULL)
			abort();
		if (r != OIDC_ERR_TOKEN && r != OIDC_ERR_KID)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_jwks *set = NULL;
	json_t *doc = NULL;
	int r;

	if (json_parse_object((const char *)data, size, &doc) != 0)
		return 0;
	r = jwks_parse(doc, &set);
	if (r == 0) {
		check_set(set, json_array_size(json_object_get(doc, "keys")));
		verify_tokens(set);
		jwks_free(set);
	} else if (r != OIDC_ERR_PROTOCOL || set != NULL) {
		abort();
	}
	json_decref(doc);
	return 0;
}
