/*
 * Shared test fixtures: keys, JWKs and signed tokens, all generated at
 * test time (no key material is checked in).
 */
#ifndef OIDC_TEST_FIXTURES_H
#define OIDC_TEST_FIXTURES_H

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "b64url.h"
#include "oidc.h"

#define FIX_ISS "https://idp.test"
#define FIX_AUD "client-1"

static inline char *
fix_b64(const unsigned char *p, size_t n)
{
	char *s = NULL;

	if (b64url_encode(p, n, &s) != 0)
		abort();
	return s;
}

static inline char *
fix_b64s(const char *s)
{
	return fix_b64((const unsigned char *)s, strlen(s));
}

static inline char *
fix_b64_bn(const BIGNUM *bn, int pad)
{
	int n = pad > 0 ? pad : BN_num_bytes(bn);
	unsigned char *buf = malloc((size_t)n + 1);
	char *s;

	if (buf == NULL || BN_bn2binpad(bn, buf, n) != n)
		abort();
	s = fix_b64(buf, (size_t)n);
	free(buf);
	return s;
}

static inline char *fix_strdupf(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

static inline char *
fix_strdupf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

/* An RSA key of bits (2048 for the real tests). */
static inline EVP_PKEY *
fix_rsa_key(unsigned int bits)
{
	EVP_PKEY *k = EVP_RSA_gen(bits);

	if (k == NULL)
		abort();
	return k;
}

/* An EC P-256 key. */
static inline EVP_PKEY *
fix_ec_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	if (k == NULL)
		abort();
	return k;
}

/* The public JWK of an RSA key; extra is "" or ",\"use\":\"enc\"" etc. */
static inline char *
fix_rsa_jwk_ex(EVP_PKEY *k, const char *kid, const char *extra)
{
	BIGNUM *n = NULL, *e = NULL;
	char *sn, *se, *out;
	char kidpart[256] = "";

	if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
	    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_E, &e) != 1)
		abort();
	sn = fix_b64_bn(n, 0);
	se = fix_b64_bn(e, 0);
	if (kid != NULL)
		snprintf(kidpart, sizeof(kidpart), ",\"kid\":\"%s\"", kid);
	out = fix_strdupf("{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"%s\"%s%s}", sn,
	    se, kidpart, extra != NULL ? extra : "");
	free(sn);
	free(se);
	BN_free(n);
	BN_free(e);
	return out;
}

static inline char *
fix_rsa_jwk(EVP_PKEY *k, const char *kid)
{
	return fix_rsa_jwk_ex(k, kid, "");
}

/* The public JWK of an EC P-256 key. */
static inline char *
fix_ec_jwk_ex(EVP_PKEY *k, const char *kid, const char *extra)
{
	BIGNUM *x = NULL, *y = NULL;
	char *sx, *sy, *out;
	char kidpart[256] = "";

	if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
	    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1)
		abort();
	sx = fix_b64_bn(x, 32);
	sy = fix_b64_bn(y, 32);
	if (kid != NULL)
		snprintf(kidpart, sizeof(kidpart), ",\"kid\":\"%s\"", kid);
	out = fix_strdupf("{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"%s\","
			  "\"y\":\"%s\"%s%s}",
	    sx, sy, kidpart, extra != NULL ? extra : "");
	free(sx);
	free(sy);
	BN_free(x);
	BN_free(y);
	return out;
}

static inline char *
fix_ec_jwk(EVP_PKEY *k, const char *kid)
{
	return fix_ec_jwk_ex(k, kid, "");
}

/* {"keys":[jwk1, jwk2, ...]} from NULL-terminated JWK strings. */
static inline char *
fix_jwks_doc(const char *first, ...)
{
	va_list ap;
	const char *j;
	char *out = fix_strdupf("{\"keys\":["), *next;
	int n = 0;

	va_start(ap, first);
	for (j = first; j != NULL; j = va_arg(ap, const char *)) {
		next = fix_strdupf("%s%s%s", out, n++ ? "," : "", j);
		free(out);
		out = next;
	}
	va_end(ap);
	next = fix_strdupf("%s]}", out);
	free(out);
	return next;
}

/* Raw signature bytes over data for alg with key (or secret for HS*). */
static inline unsigned char *
fix_sign_raw(const char *alg, EVP_PKEY *key, const char *secret,
    const unsigned char *data, size_t dlen, size_t *siglen, int ec_der)
{
	unsigned char *sig = NULL;
	const char *md = "SHA256";
	EVP_MD_CTX *ctx;
	size_t len = 0;

	if (strcmp(alg, "RS384") == 0)
		md = "SHA384";
	else if (strcmp(alg, "RS512") == 0)
		md = "SHA512";
	if (strncmp(alg, "HS", 2) == 0) {
		sig = malloc(EVP_MAX_MD_SIZE);
		if (sig == NULL ||
		    EVP_Q_mac(NULL, "HMAC", NULL, md, NULL, secret,
			strlen(secret), data, dlen, sig, EVP_MAX_MD_SIZE,
			&len) == NULL)
			abort();
		*siglen = len;
		return sig;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit_ex(ctx, NULL, md, NULL, NULL, key, NULL) != 1 ||
	    EVP_DigestSign(ctx, NULL, &len, data, dlen) != 1 ||
	    (sig = malloc(len)) == NULL ||
	    EVP_DigestSign(ctx, sig, &len, data, dlen) != 1)
		abort();
	EVP_MD_CTX_free(ctx);
	if (strncmp(alg, "ES", 2) == 0 && !ec_der) {
		/* DER to the JWS form: raw R || S, 32 bytes each. */
		const unsigned char *p = sig;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)len);
		const BIGNUM *r, *s;
		unsigned char *raw = malloc(64);

		if (es == NULL || raw == NULL)
			abort();
		ECDSA_SIG_get0(es, &r, &s);
		if (BN_bn2binpad(r, raw, 32) != 32 ||
		    BN_bn2binpad(s, raw + 32, 32) != 32)
			abort();
		ECDSA_SIG_free(es);
		free(sig);
		sig = raw;
		len = 64;
	}
	*siglen = len;
	return sig;
}

/*
 * A compact JWS: header and payload are JSON text, alg picks the
 * signature (RS256/RS384/RS512, ES256 raw R||S, HS256 with secret).
 * ec_der: sign ES256 with a DER signature instead (must be refused).
 */
static inline char *
fix_jws_ex(const char *header, const char *payload, const char *alg,
    EVP_PKEY *key, const char *secret, int ec_der)
{
	char *h = fix_b64s(header), *p = fix_b64s(payload), *input, *s, *out;
	unsigned char *sig;
	size_t siglen = 0;

	input = fix_strdupf("%s.%s", h, p);
	sig = fix_sign_raw(alg, key, secret, (const unsigned char *)input,
	    strlen(input), &siglen, ec_der);
	s = fix_b64(sig, siglen);
	out = fix_strdupf("%s.%s", input, s);
	free(h);
	free(p);
	free(input);
	free(sig);
	free(s);
	return out;
}

static inline char *
fix_jws(const char *header, const char *payload, const char *alg, EVP_PKEY *key,
    const char *secret)
{
	return fix_jws_ex(header, payload, alg, key, secret, 0);
}

/*
 * The standard valid payload (iss, aud, sub, preferred_username, iat now,
 * exp now+300) with overrides, a JSON object text or NULL: each member
 * replaces the default, and a member set to null removes it.
 */
static inline char *
fix_payload(time_t now, const char *overrides)
{
	json_t *p, *o, *v;
	const char *key;
	void *tmp;
	char *out;

	p = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "iss", FIX_ISS, "aud",
	    FIX_AUD, "sub", "s-1", "preferred_username", "alice", "iat",
	    (json_int_t)now, "exp", (json_int_t)now + 300);
	if (p == NULL)
		abort();
	if (overrides != NULL) {
		if ((o = json_loads(overrides, 0, NULL)) == NULL)
			abort();
		json_object_foreach_safe(o, tmp, key, v)
		{
			if (json_is_null(v))
				json_object_del(p, key);
			else
				json_object_set(p, key, v);
		}
		json_decref(o);
	}
	out = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	if (out == NULL)
		abort();
	return out;
}

/* Write text to a fresh file in dir with mode; returns the path. */
static inline char *
fix_write_file(
    const char *dir, const char *name, const char *text, unsigned int mode)
{
	char *path = fix_strdupf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0 ||
	    chmod(path, mode) != 0)
		abort();
	return path;
}

/* A fresh temporary directory. */
static inline char *
fix_tmpdir(void)
{
	char *d = strdup("/tmp/pam_oidc_unit.XXXXXX");

	if (d == NULL || mkdtemp(d) == NULL)
		abort();
	return d;
}

/* rm -rf of a temporary directory made by fix_tmpdir. */
static inline void
fix_rmtree(const char *dir)
{
	char *cmd = fix_strdupf("rm -rf -- '%s'", dir);

	if (strncmp(dir, "/tmp/pam_oidc_unit.", 19) == 0 && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
}

#endif
