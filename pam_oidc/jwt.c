/*
 * JWS verification over the received bytes: the algorithm must be on the
 * configured allow-list, the key comes only from the provider's JWKS (or
 * the client secret for HS*), and header keys that would bring their own
 * key (jku, x5u, jwk, x5c) are never used.
 */
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "b64url.h"
#include "json.h"
#include "jwt.h"
#include "oidc.h"

#define NUMERIC_DATE_MAX 253402300799LL /* 9999-12-31 */

enum sig_kind { SIG_RSA, SIG_PSS, SIG_ECDSA, SIG_EDDSA, SIG_HMAC };

struct alg {
	const char *name;
	unsigned int bit;
	enum sig_kind kind;
	const char *md; /* NULL for EdDSA */
	int ec_bytes;   /* ES*: size of r and of s */
};

static const struct alg algs[] = {
	{ "RS256", ALG_RS256, SIG_RSA, "SHA256", 0 },
	{ "RS384", ALG_RS384, SIG_RSA, "SHA384", 0 },
	{ "RS512", ALG_RS512, SIG_RSA, "SHA512", 0 },
	{ "PS256", ALG_PS256, SIG_PSS, "SHA256", 0 },
	{ "PS384", ALG_PS384, SIG_PSS, "SHA384", 0 },
	{ "PS512", ALG_PS512, SIG_PSS, "SHA512", 0 },
	{ "ES256", ALG_ES256, SIG_ECDSA, "SHA256", 32 },
	{ "ES384", ALG_ES384, SIG_ECDSA, "SHA384", 48 },
	{ "ES512", ALG_ES512, SIG_ECDSA, "SHA512", 66 },
	{ "EdDSA", ALG_EDDSA, SIG_EDDSA, NULL, 0 },
	{ "HS256", ALG_HS256, SIG_HMAC, "SHA256", 0 },
	{ "HS384", ALG_HS384, SIG_HMAC, "SHA384", 0 },
	{ "HS512", ALG_HS512, SIG_HMAC, "SHA512", 0 },
};

static const struct alg *
find_alg(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strcmp(algs[i].name, name) == 0)
			return &algs[i];
	return NULL;
}

unsigned int
jwt_alg_bit(const char *name)
{
	const struct alg *a = find_alg(name);

	return a != NULL ? a->bit : 0;
}

/*
 * Every reason is a constant. Not variadic, so that the analyser (which
 * does not follow variadic calls) sees that a refusal is never 0.
 */
static int
refuse(struct oidc_jwt_info *info, const char *why)
{
	if (snprintf(info->reason, sizeof(info->reason), "%s", why) < 0)
		info->reason[0] = '\0';
	return OIDC_ERR_TOKEN;
}

/* Raw R||S of exactly the curve's size, converted to DER for OpenSSL. */
static int
ecdsa_der(const unsigned char *sig, size_t len, int bytes, unsigned char **der,
    int *derlen)
{
	ECDSA_SIG *es = NULL;
	BIGNUM *r = NULL, *s = NULL;
	int ok = 0;

	*der = NULL;
	if (len != (size_t)bytes * 2)
		return 0;
	if ((es = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(sig, bytes, NULL)) == NULL ||
	    (s = BN_bin2bn(sig + bytes, bytes, NULL)) == NULL)
		goto out;
	if (BN_is_zero(r) || BN_is_zero(s))
		goto out;
	if (!ECDSA_SIG_set0(es, r, s))
		goto out;
	r = s = NULL;
	if ((*derlen = i2d_ECDSA_SIG(es, der)) <= 0)
		goto out;
	ok = 1;
out:
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return ok;
}

static int
verify_pkey(const struct alg *a, EVP_PKEY *pkey, const unsigned char *data,
    size_t dlen, const unsigned char *sig, size_t slen)
{
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *der = NULL;
	int derlen = 0, ok = 0;

	if (a->kind == SIG_ECDSA) {
		if (!ecdsa_der(sig, slen, a->ec_bytes, &der, &derlen))
			return 0;
		sig = der;
		slen = (size_t)derlen;
	}
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit_ex(md, &pctx, a->md, NULL, NULL, pkey, NULL) <=
		0)
		goto out;
	if (a->kind == SIG_PSS &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) <= 0 ||
		EVP_PKEY_CTX_set_rsa_pss_saltlen(
		    pctx, RSA_PSS_SALTLEN_DIGEST) <= 0))
		goto out;
	ok = EVP_DigestVerify(md, sig, slen, data, dlen) == 1;
out:
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	return ok;
}

static int
verify_hmac(const struct alg *a, const char *secret, const unsigned char *data,
    size_t dlen, const unsigned char *sig, size_t slen)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0;
	int ok;

	if (secret == NULL ||
	    EVP_Q_mac(NULL, "HMAC", NULL, a->md, NULL, secret, strlen(secret),
		data, dlen, mac, sizeof(mac), &maclen) == NULL)
		return 0;
	ok = maclen == slen && CRYPTO_memcmp(mac, sig, slen) == 0;
	OPENSSL_cleanse(mac, sizeof(mac));
	return ok;
}

static int
key_fits(const struct oidc_jwk *k, const struct alg *a)
{
	if (k->alg != NULL && strcmp(k->alg, a->name) != 0)
		return 0;
	switch (a->kind) {
	case SIG_RSA:
	case SIG_PSS: return k->kty == KTY_RSA;
	case SIG_ECDSA:
		return k->kty == KTY_EC && k->curve_bytes == a->ec_bytes;
	case SIG_EDDSA: return k->kty == KTY_OKP;
	case SIG_HMAC: return 0;
	}
	return 0;
}

const char *
jwt_issuer_alt(const char *issuer)
{
	/* Google documents both spellings of its issuer in ID tokens. */
	if (issuer != NULL &&
	    strcmp(issuer, "https://accounts.google.com") == 0)
		return "accounts.google.com";
	return NULL;
}

int
jwt_key_available(const struct oidc_jwks *jwks, unsigned int alg_bit)
{
	size_t i, k;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (algs[i].bit != alg_bit)
			continue;
		if (algs[i].kind == SIG_HMAC)
			return 1;
		for (k = 0; jwks != NULL && k < jwks->n; k++)
			if (key_fits(&jwks->keys[k], &algs[i]))
				return 1;
	}
	return 0;
}

const char *
jwt_alg_name(unsigned int alg_bit)
{
	size_t i;

	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (algs[i].bit == alg_bit)
			return algs[i].name;
	return NULL;
}

/* The key for this token: by kid, or the only fitting key when no kid. */
static int
pick_key(const struct oidc_jwks *jwks, const struct alg *a, const char *kid,
    const struct oidc_jwk **key)
{
	const struct oidc_jwk *found = NULL;
	size_t i, fits = 0;

	for (i = 0; jwks != NULL && i < jwks->n; i++) {
		if (!key_fits(&jwks->keys[i], a))
			continue;
		if (kid != NULL) {
			if (jwks->keys[i].kid != NULL &&
			    strcmp(jwks->keys[i].kid, kid) == 0) {
				*key = &jwks->keys[i];
				return 0;
			}
			continue;
		}
		found = &jwks->keys[i];
		fits++;
	}
	if (kid == NULL && fits == 1) {
		*key = found;
		return 0;
	}
	return kid != NULL ? OIDC_ERR_KID : OIDC_ERR_TOKEN;
}

static int
decode_json(const char *seg, size_t len, json_t **out)
{
	unsigned char *buf = NULL;
	size_t blen = 0;
	int r;

	if ((r = b64url_decode(seg, len, &buf, &blen)) != 0)
		return r;
	r = json_parse_object((const char *)buf, blen, out);
	free(buf);
	return r;
}

static int
check_header(const json_t *hdr, const struct oidc_jwt_policy *pol,
    const struct alg **a, struct oidc_jwt_info *info)
{
	const char *alg = json_str(hdr, "alg"), *kid = json_str(hdr, "kid");
	const json_t *typ;

	if (alg == NULL)
		return refuse(info, "header has no alg");
	if (snprintf(info->alg, sizeof(info->alg), "%s", alg) < 0)
		info->alg[0] = '\0';
	if (kid != NULL &&
	    snprintf(info->kid, sizeof(info->kid), "%s", kid) < 0)
		info->kid[0] = '\0';
	if (json_object_get(hdr, "kid") != NULL && kid == NULL)
		return refuse(info, "kid is not a string");
	/* The allow-list decides; "none" is on no allow-list. */
	if ((*a = find_alg(alg)) == NULL || ((*a)->bit & pol->algs) == 0)
		return refuse(info, "algorithm not allowed");
	/* No extension is understood, so any crit is refused (RFC 7515 4.1.11). */
	if (json_object_get(hdr, "crit") != NULL)
		return refuse(info, "unsupported crit header");
	if (json_object_get(hdr, "b64") != NULL)
		return refuse(info, "b64 header not supported");
	/*
	 * Explicit typing (RFC 8725 section 3.11): an ID token is typed JWT
	 * or not at all; an access token (at+jwt, RFC 9068), a logout token
	 * or any other type is not one, even when signed by the same key.
	 */
	if ((typ = json_object_get(hdr, "typ")) != NULL &&
	    (!json_is_string(typ) ||
		strcasecmp(json_string_value(typ), "JWT") != 0))
		return refuse(info, "typ is not JWT: not an ID token");
	return 0;
}

static int
check_time(const json_t *claims, const char *name, int required, long long *out)
{
	const json_t *v = json_object_get(claims, name);

	if (v == NULL)
		return required ? -1 : 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > NUMERIC_DATE_MAX)
		return -1;
	*out = json_integer_value(v);
	return 1;
}

static int
check_aud(const json_t *claims, const char *client_id)
{
	const json_t *aud = json_object_get(claims, "aud"), *v;
	const char *azp = json_str(claims, "azp");
	size_t i, n;
	int found = 0;

	if (json_is_string(aud)) {
		found = strcmp(json_string_value(aud), client_id) == 0;
		n = 1;
	} else if (json_is_array(aud)) {
		n = json_array_size(aud);
		json_array_foreach (aud, i, v) {
			if (!json_is_string(v))
				return 0;
			if (strcmp(json_string_value(v), client_id) == 0)
				found = 1;
		}
	} else {
		return 0;
	}
	if (!found)
		return 0;
	if (json_object_get(claims, "azp") != NULL &&
	    (azp == NULL || strcmp(azp, client_id) != 0))
		return 0;
	/* Several audiences: azp must name us (Core 3.1.3.7 items 4, 5). */
	return n == 1 || azp != NULL;
}

static int
check_claims(const json_t *c, const struct oidc_jwt_policy *pol,
    struct oidc_jwt_info *info)
{
	const char *iss = json_str(c, "iss"), *sub = json_str(c, "sub");
	long long exp = 0, iat = 0, nbf = 0;
	long long now = (long long)pol->now, lw = pol->leeway;
	int has_nbf;

	if (iss == NULL ||
	    (strcmp(iss, pol->issuer) != 0 &&
		(pol->issuer_alt == NULL || strcmp(iss, pol->issuer_alt) != 0)))
		return refuse(info, "iss does not match the issuer");
	if (!check_aud(c, pol->client_id))
		return refuse(info, "aud/azp does not name this client");
	if (sub == NULL || *sub == '\0' || strlen(sub) > 255)
		return refuse(info, "sub missing or invalid");
	if (check_time(c, "exp", 1, &exp) < 0 ||
	    check_time(c, "iat", 1, &iat) < 0 ||
	    (has_nbf = check_time(c, "nbf", 0, &nbf)) < 0)
		return refuse(info, "exp, iat or nbf missing or malformed");
	if (now >= exp + lw)
		return refuse(info, "token expired");
	if (has_nbf && nbf > now + lw)
		return refuse(info, "token not yet valid (nbf)");
	if (iat > now + lw)
		return refuse(info, "token issued in the future (iat)");
	return 0;
}

static int
check_signature(const char *token, size_t signed_len, const char *sig64,
    size_t siglen, const struct alg *a, const struct oidc_jwks *jwks,
    const struct oidc_jwt_policy *pol, const char *kid,
    struct oidc_jwt_info *info)
{
	const struct oidc_jwk *key = NULL;
	unsigned char *sig = NULL;
	size_t slen = 0;
	int hmac = a->kind == SIG_HMAC, r, ok;

	if (!hmac && (r = pick_key(jwks, a, kid, &key)) != 0) {
		if (r == OIDC_ERR_KID)
			return r;
		return refuse(info, "no usable key for the token");
	}
	if ((r = b64url_decode(sig64, siglen, &sig, &slen)) != 0)
		return r == OIDC_ERR_NOMEM
		    ? r
		    : refuse(info, "signature is not base64url");
	if (hmac)
		ok = verify_hmac(a, pol->hmac_secret,
		    (const unsigned char *)token, signed_len, sig, slen);
	else
		ok = verify_pkey(a, key->pkey, (const unsigned char *)token,
		    signed_len, sig, slen);
	free(sig);
	return ok ? 0 : refuse(info, "bad signature");
}

int
jwt_verify(const char *token, const struct oidc_jwks *jwks,
    const struct oidc_jwt_policy *pol, json_t **claims,
    struct oidc_jwt_info *info)
{
	const char *dot1, *dot2;
	const struct alg *a = NULL;
	json_t *hdr = NULL, *payload = NULL;
	size_t len = strlen(token);
	int r;

	memset(info, 0, sizeof(*info));
	if (len > OIDC_MAX_TOKEN)
		return refuse(info, "token too large");
	/* Exactly three segments: no JWE, no unsigned or extra parts. */
	if ((dot1 = strchr(token, '.')) == NULL ||
	    (dot2 = strchr(dot1 + 1, '.')) == NULL ||
	    strchr(dot2 + 1, '.') != NULL)
		return refuse(info, "not a three-part compact JWS");
	if ((r = decode_json(token, (size_t)(dot1 - token), &hdr)) != 0)
		goto bad_json;
	if ((r = check_header(hdr, pol, &a, info)) != 0)
		goto out;
	r = check_signature(token, (size_t)(dot2 - token), dot2 + 1,
	    strlen(dot2 + 1), a, jwks, pol, json_str(hdr, "kid"), info);
	if (r != 0)
		goto out;
	if ((r = decode_json(dot1 + 1, (size_t)(dot2 - dot1 - 1), &payload)) !=
	    0)
		goto bad_json;
	if ((r = check_claims(payload, pol, info)) != 0)
		goto out;
	*claims = payload;
	payload = NULL;
	goto out;
bad_json:
	if (r != OIDC_ERR_NOMEM)
		r = refuse(info,
		    "header or payload is not a strict JSON "
		    "object in base64url");
out:
	json_decref(hdr);
	json_decref(payload);
	return r;
}
