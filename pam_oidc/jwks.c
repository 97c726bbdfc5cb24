/*
 * Key import with OpenSSL 3 EVP and OSSL_PARAM. Every key is checked
 * (RSA size, EC point on the curve) before it is kept.
 */
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "json.h"
#include "jwks.h"
#include "oidc.h"

/* A member's bytes; *oom is set when memory ran out, not the key. */
static int
member_bytes(const json_t *jwk, const char *name, unsigned char **buf,
    size_t *len, int *oom)
{
	const char *s = json_str(jwk, name);
	int r;

	if (s == NULL)
		return OIDC_ERR_INVALID;
	if ((r = b64url_decode(s, strlen(s), buf, len)) == OIDC_ERR_NOMEM)
		*oom = 1;
	return r;
}

/*
 * check_key: run EVP_PKEY_public_check, which for EC verifies that the
 * point lies on the curve and in the right subgroup (a few hundred
 * thousand instructions). RSA keys are checked by import_rsa instead: OpenSSL's
 * RSA public check (SP 800-56B) runs a Miller-Rabin test to show that n
 * is composite, about 28 M instructions per key on every login, and
 * proves nothing a verifier needs: a bad modulus can only fail to verify.
 */
static EVP_PKEY *
pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld, int check_key)
{
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL, *check = NULL;
	EVP_PKEY *pkey = NULL;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		goto out;
	if (check_key &&
	    ((check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
		EVP_PKEY_public_check(check) <= 0)) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
out:
	EVP_PKEY_CTX_free(check);
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pkey;
}

static EVP_PKEY *
import_rsa(const json_t *jwk, int *oom)
{
	unsigned char *n = NULL, *e = NULL;
	size_t nlen = 0, elen = 0;
	BIGNUM *bn = NULL, *be = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;

	if (member_bytes(jwk, "n", &n, &nlen, oom) != 0 ||
	    member_bytes(jwk, "e", &e, &elen, oom) != 0 || nlen == 0 ||
	    elen == 0 || elen > 8)
		goto out;
	if ((bn = BN_bin2bn(n, (int)nlen, NULL)) == NULL ||
	    (be = BN_bin2bn(e, (int)elen, NULL)) == NULL ||
	    BN_num_bits(bn) < RSA_MIN_BITS || BN_num_bits(bn) > RSA_MAX_BITS ||
	    !BN_is_odd(bn) || !BN_is_odd(be) || BN_is_one(be))
		goto out;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
		goto out;
	pkey = pkey_fromdata("RSA", bld, 0);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn);
	BN_free(be);
	free(n);
	free(e);
	return pkey;
}

static const struct {
	const char *crv;
	const char *group;
	int bytes;
} curves[] = {
	{ "P-256", "prime256v1", 32 },
	{ "P-384", "secp384r1", 48 },
	{ "P-521", "secp521r1", 66 },
};

static EVP_PKEY *
import_ec(const json_t *jwk, int *curve_bytes, int *oom)
{
	const char *crv = json_str(jwk, "crv");
	unsigned char *x = NULL, *y = NULL, pub[1 + 2 * 66];
	size_t xlen = 0, ylen = 0, i;
	OSSL_PARAM_BLD *bld = NULL;
	EVP_PKEY *pkey = NULL;
	int bytes;

	for (i = 0; crv != NULL && i < sizeof(curves) / sizeof(curves[0]); i++)
		if (strcmp(crv, curves[i].crv) == 0)
			break;
	if (crv == NULL || i == sizeof(curves) / sizeof(curves[0]))
		return NULL;
	bytes = curves[i].bytes;
	if (member_bytes(jwk, "x", &x, &xlen, oom) != 0 ||
	    member_bytes(jwk, "y", &y, &ylen, oom) != 0 ||
	    xlen != (size_t)bytes || ylen != (size_t)bytes)
		goto out;
	pub[0] = 0x04;
	memcpy(pub + 1, x, xlen);
	memcpy(pub + 1 + xlen, y, ylen);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(
		bld, OSSL_PKEY_PARAM_GROUP_NAME, curves[i].group, 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(
		bld, OSSL_PKEY_PARAM_PUB_KEY, pub, 1 + 2 * (size_t)bytes))
		goto out;
	if ((pkey = pkey_fromdata("EC", bld, 1)) != NULL)
		*curve_bytes = bytes;
out:
	OSSL_PARAM_BLD_free(bld);
	free(x);
	free(y);
	return pkey;
}

static EVP_PKEY *
import_okp(const json_t *jwk, int *oom)
{
	const char *crv = json_str(jwk, "crv");
	unsigned char *x = NULL;
	size_t xlen = 0;
	EVP_PKEY *pkey = NULL;

	if (crv == NULL || strcmp(crv, "Ed25519") != 0 ||
	    member_bytes(jwk, "x", &x, &xlen, oom) != 0 || xlen != 32)
		goto out;
	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, xlen);
out:
	free(x);
	return pkey;
}

/* Import one key; returns 1 kept, 0 skipped, or an error. */
static int
import_one(const json_t *jwk, struct oidc_jwk *k)
{
	const char *kty = json_str(jwk, "kty"), *use = json_str(jwk, "use");
	const char *kid = json_str(jwk, "kid"), *alg = json_str(jwk, "alg");
	int oom = 0;

	memset(k, 0, sizeof(*k));
	if (!json_is_object(jwk) || kty == NULL)
		return 0;
	if (use != NULL && strcmp(use, "sig") != 0)
		return 0;
	if (strcmp(kty, "RSA") == 0) {
		k->kty = KTY_RSA;
		k->pkey = import_rsa(jwk, &oom);
	} else if (strcmp(kty, "EC") == 0) {
		k->kty = KTY_EC;
		k->pkey = import_ec(jwk, &k->curve_bytes, &oom);
	} else if (strcmp(kty, "OKP") == 0) {
		k->kty = KTY_OKP;
		k->pkey = import_okp(jwk, &oom);
	}
	/* Out of memory is not a bad key: the whole set fails. */
	if (oom) {
		EVP_PKEY_free(k->pkey);
		k->pkey = NULL;
		return OIDC_ERR_NOMEM;
	}
	if (k->pkey == NULL)
		return 0;
	if ((kid != NULL && (k->kid = strdup(kid)) == NULL) ||
	    (alg != NULL && (k->alg = strdup(alg)) == NULL)) {
		EVP_PKEY_free(k->pkey);
		free(k->kid);
		free(k->alg);
		return OIDC_ERR_NOMEM;
	}
	return 1;
}

int
jwks_parse(const json_t *doc, struct oidc_jwks **out)
{
	const json_t *keys = json_object_get(doc, "keys");
	struct oidc_jwks *set;
	size_t i, n;
	int r;

	if (!json_is_array(keys))
		return OIDC_ERR_PROTOCOL;
	n = json_array_size(keys);
	if (n > JWKS_MAX_KEYS)
		return OIDC_ERR_PROTOCOL;
	if ((set = calloc(1, sizeof(*set))) == NULL ||
	    (n > 0 && (set->keys = calloc(n, sizeof(*set->keys))) == NULL)) {
		free(set);
		return OIDC_ERR_NOMEM;
	}
	for (i = 0; i < n; i++) {
		r = import_one(json_array_get(keys, i), &set->keys[set->n]);
		if (r < 0) {
			jwks_free(set);
			return r;
		}
		if (r == 1)
			set->n++;
		else
			set->skipped++;
	}
	*out = set;
	return 0;
}

void
jwks_free(struct oidc_jwks *jwks)
{
	size_t i;

	if (jwks == NULL)
		return;
	for (i = 0; i < jwks->n; i++) {
		EVP_PKEY_free(jwks->keys[i].pkey);
		free(jwks->keys[i].kid);
		free(jwks->keys[i].alg);
	}
	free(jwks->keys);
	free(jwks);
}
