/*
 * Published JOSE examples (RFC 7515 appendix A, RFC 8037 appendix A,
 * RFC 7520 section 4) against jwt_verify and jwks_parse, and hostile or
 * malformed ID tokens that test_jwt.c does not cover.
 *
 * The published payloads are not ID tokens, so jwt_verify can never
 * accept them: a vector "verifies" when the refusal comes after the
 * signature check, and the same token with one signature byte flipped
 * is refused as a bad signature.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include <curl/curl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "config.h"
#include "fixtures.h"
#include "http.h"
#include "jose_vectors.h"
#include "jwks.h"
#include "jwt.h"
#include "jwt_fixtures.h"

#define NOW    ((time_t)1700000000)
#define HDR_RS "{\"alg\":\"RS256\",\"kid\":\"k1\"}"
#define HDR_ES "{\"alg\":\"ES256\",\"kid\":\"e1\"}"

/*
 * The secret argument of the fixtures' signers, unused for RS and ES.
 * Not NULL: with only NULL passed, GCC propagates it into the HS branch
 * of fix_sign_raw and warns of strlen(NULL).
 */
#define NO_SECRET ""

#define REASON_BADSIG "bad signature"
#define REASON_ISS    "iss does not match the issuer"
#define REASON_NOT_JSON                                                        \
	"header or payload is not a strict JSON object in base64url"
#define REASON_TIME "exp, iat or nbf missing or malformed"

/*
 * The network probe. The project reaches the network only through
 * libcurl (http.c); these definitions in the test binary take the place
 * of libcurl's and libc's, count the attempts and fail them.
 */
static int net_calls;

CURLcode
curl_easy_perform(CURL *curl)
{
	net_calls++;
	return CURLE_COULDNT_CONNECT;
}

int
getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
    struct addrinfo **res)
{
	net_calls++;
	return EAI_FAIL;
}

struct keys {
	EVP_PKEY *rsa;         /* kid k1, in set */
	EVP_PKEY *attacker;    /* in no set */
	EVP_PKEY *ec;          /* kid e1, in set_ec */
	struct oidc_jwks *set; /* k1 only */
	struct oidc_jwks *set_ec;
};

static struct keys K;

static struct oidc_jwks *
jwks_of(const char *jwk)
{
	struct oidc_jwks *set = NULL;
	char *doc = fix_jwks_doc(jwk, NULL);
	json_t *j = json_loads(doc, 0, NULL);

	assert_non_null(j);
	assert_int_equal(jwks_parse(j, &set), 0);
	assert_non_null(set);
	json_decref(j);
	free(doc);
	return set;
}

static int
group_setup(void **state)
{
	char *j;

	K.rsa = fix_rsa_key(2048);
	K.attacker = fix_rsa_key(2048);
	K.ec = fix_ec_key();
	j = fix_rsa_jwk(K.rsa, "k1");
	K.set = jwks_of(j);
	free(j);
	j = fix_ec_jwk(K.ec, "e1");
	K.set_ec = jwks_of(j);
	free(j);
	return 0;
}

static int
group_teardown(void **state)
{
	EVP_PKEY_free(K.rsa);
	EVP_PKEY_free(K.attacker);
	EVP_PKEY_free(K.ec);
	jwks_free(K.set);
	jwks_free(K.set_ec);
	return 0;
}

static struct oidc_jwt_policy
policy(unsigned int algs)
{
	return fix_policy(algs, NOW);
}

#define verify_pol fix_verify

/* RS256 with K.set and the default policy; the reason goes to why. */
static int
verify_rs(const char *token, struct oidc_jwt_info *why)
{
	struct oidc_jwt_policy pol = policy(ALG_RS256);

	return verify_pol(token, K.set, &pol, why);
}

/* A token signed with RS256 by key over the exact payload bytes. */
static char *
rs_token_bytes(
    const char *header, const void *payload, size_t plen, EVP_PKEY *key)
{
	char *h = fix_b64s(header), *p = fix_b64(payload, plen), *input, *s;
	unsigned char *sig;
	size_t n = 0;
	char *out;

	input = fix_strdupf("%s.%s", h, p);
	sig = fix_sign_raw("RS256", key, NO_SECRET, (unsigned char *)input,
	    strlen(input), &n, 0);
	s = fix_b64(sig, n);
	out = fix_strdupf("%s.%s", input, s);
	free(sig);
	free(s);
	free(input);
	free(p);
	free(h);
	return out;
}

/* A token signed with RS256 by K.rsa (kid k1) over payload text. */
static char *
rs_token_text(const char *payload)
{
	return rs_token_bytes(HDR_RS, payload, strlen(payload), K.rsa);
}

/*
 * The standard payload written out by hand, so that the test controls
 * every byte: sub and the times are JSON text, extra is "" or
 * ",\"member\":value...".
 */
static char *
payload_text(
    const char *sub, const char *iat, const char *exp, const char *extra)
{
	return fix_strdupf("{\"iss\":\"" FIX_ISS "\",\"aud\":\"" FIX_AUD
			   "\",\"sub\":%s,\"iat\":%s,\"exp\":%s%s}",
	    sub, iat, exp, extra);
}

/* The standard payload (iat NOW, exp NOW + 300) with extra members. */
static char *
payload_extra(const char *extra)
{
	return payload_text("\"s-1\"", "1700000000", "1700000300", extra);
}

static int
verify_payload_text(const char *payload, struct oidc_jwt_info *why)
{
	char *t = rs_token_text(payload);
	int r = verify_rs(t, why);

	free(t);
	return r;
}

/* The token with one byte of its decoded signature changed. */
static char *
flip_signature_byte(const char *token)
{
	const char *sig = strrchr(token, '.') + 1;
	unsigned char *raw = NULL;
	size_t n = 0;
	char *s, *out;

	assert_int_equal(b64url_decode(sig, strlen(sig), &raw, &n), 0);
	assert_true(n > 0);
	raw[n / 2] ^= 0x01;
	s = fix_b64(raw, n);
	out = fix_strdupf("%.*s%s", (int)(sig - token), token, s);
	free(s);
	free(raw);
	return out;
}

/*
 * The signature of token is good: verification goes on and refuses the
 * token later, for reason want; with one signature byte flipped, the
 * refusal is "bad signature".
 */
static void
assert_signature_good(const char *token, const struct oidc_jwks *set,
    const struct oidc_jwt_policy *pol, const char *want)
{
	struct oidc_jwt_info info;
	char *forged;

	assert_int_equal(verify_pol(token, set, pol, &info), OIDC_ERR_TOKEN);
	assert_string_not_equal(info.reason, REASON_BADSIG);
	assert_string_equal(info.reason, want);
	forged = flip_signature_byte(token);
	assert_int_equal(verify_pol(forged, set, pol, &info), OIDC_ERR_TOKEN);
	assert_string_equal(info.reason, REASON_BADSIG);
	free(forged);
}

/* The decoded "k" of a symmetric JWK, usable as a C string secret. */
static char *
hmac_secret_of(const char *k, size_t want_len)
{
	unsigned char *key = NULL;
	size_t n = 0;

	assert_int_equal(b64url_decode(k, strlen(k), &key, &n), 0);
	assert_int_equal(n, want_len);
	/* hmac_secret is NUL-terminated: a NUL byte would cut the key. */
	assert_null(memchr(key, '\0', n));
	return (char *)key;
}

/* RFC 7515 appendix A */

static void
test_rfc7515_a1_hs256_signature_verifies_with_k_as_secret(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_HS256);
	char *secret = hmac_secret_of(RFC7515_A1_K, 64);

	pol.hmac_secret = secret;
	assert_signature_good(RFC7515_A1_JWS, NULL, &pol, REASON_ISS);
	/* Another secret: the same token is a bad signature. */
	pol.hmac_secret = "not the A.1 key";
	assert_int_equal(
	    verify_pol(RFC7515_A1_JWS, NULL, &pol, NULL), OIDC_ERR_TOKEN);
	free(secret);
}

static void
test_rfc7515_a2_rsa_jwk_imports_one_2048_bit_key(void **state)
{
	struct oidc_jwks *set = jwks_of(RFC7515_A2_JWK);

	/* 2048 bits, the minimum: kept, not skipped. */
	assert_int_equal(set->n, 1);
	assert_int_equal(set->skipped, 0);
	assert_int_equal(set->keys[0].kty, KTY_RSA);
	assert_null(set->keys[0].kid);
	assert_int_equal(EVP_PKEY_get_bits(set->keys[0].pkey), RSA_MIN_BITS);
	jwks_free(set);
}

static void
test_rfc7515_a2_rs256_signature_verifies(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_RS256);
	struct oidc_jwks *set = jwks_of(RFC7515_A2_JWK);

	struct oidc_jwt_info info;

	assert_signature_good(RFC7515_A2_JWS, set, &pol, REASON_ISS);
	/* The generated key of the other tests does not verify it. */
	assert_int_equal(
	    verify_pol(RFC7515_A2_JWS, K.set, &pol, &info), OIDC_ERR_TOKEN);
	assert_string_equal(info.reason, REASON_BADSIG);
	jwks_free(set);
}

static void
test_rfc7515_a3_ec_jwk_imports_one_p256_key(void **state)
{
	struct oidc_jwks *set = jwks_of(RFC7515_A3_JWK);

	assert_int_equal(set->n, 1);
	assert_int_equal(set->skipped, 0);
	assert_int_equal(set->keys[0].kty, KTY_EC);
	assert_int_equal(set->keys[0].curve_bytes, 32);
	jwks_free(set);
}

static void
test_rfc7515_a3_es256_signature_verifies(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_ES256);
	struct oidc_jwks *set = jwks_of(RFC7515_A3_JWK);

	assert_signature_good(RFC7515_A3_JWS, set, &pol, REASON_ISS);
	jwks_free(set);
}

/* RFC 8037 appendix A */

static void
test_rfc8037_a2_ed25519_jwk_imports_one_key(void **state)
{
	struct oidc_jwks *set = jwks_of(RFC8037_A2_JWK);

	assert_int_equal(set->n, 1);
	assert_int_equal(set->skipped, 0);
	assert_int_equal(set->keys[0].kty, KTY_OKP);
	jwks_free(set);
}

static void
test_rfc8037_a4_eddsa_signature_verifies(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_EDDSA);
	struct oidc_jwks *set = jwks_of(RFC8037_A2_JWK);

	/* The payload is text, so the refusal is its JSON parse. */
	assert_signature_good(RFC8037_A4_JWS, set, &pol, REASON_NOT_JSON);
	jwks_free(set);
}

/* RFC 7520 section 4 */

static void
test_rfc7520_rsa_jwk_imports_one_key_with_kid(void **state)
{
	struct oidc_jwks *set = jwks_of(RFC7520_RSA_JWK);

	assert_int_equal(set->n, 1);
	assert_int_equal(set->skipped, 0);
	assert_int_equal(set->keys[0].kty, KTY_RSA);
	assert_string_equal(set->keys[0].kid, RFC7520_KID);
	assert_int_equal(EVP_PKEY_get_bits(set->keys[0].pkey), 2048);
	jwks_free(set);
}

static void
test_rfc7520_4_1_rs256_signature_verifies(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_RS256);
	struct oidc_jwks *set = jwks_of(RFC7520_RSA_JWK);

	assert_signature_good(RFC7520_4_1_JWS, set, &pol, REASON_NOT_JSON);
	jwks_free(set);
}

static void
test_rfc7520_4_2_ps384_signature_verifies(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_PS384);
	struct oidc_jwt_info info;
	struct oidc_jwks *set = jwks_of(RFC7520_RSA_JWK);

	assert_signature_good(RFC7520_4_2_JWS, set, &pol, REASON_NOT_JSON);
	/* Off the allow-list (PS256 only), refused before the signature. */
	pol.algs = ALG_PS256;
	assert_int_equal(
	    verify_pol(RFC7520_4_2_JWS, set, &pol, &info), OIDC_ERR_TOKEN);
	assert_string_equal(info.reason, "algorithm not allowed");
	jwks_free(set);
}

static void
test_rfc7520_p521_jwk_imports_one_key_with_kid(void **state)
{
	struct oidc_jwks *set = jwks_of(RFC7520_EC_JWK);

	assert_int_equal(set->n, 1);
	assert_int_equal(set->skipped, 0);
	assert_int_equal(set->keys[0].kty, KTY_EC);
	assert_int_equal(set->keys[0].curve_bytes, 66);
	assert_string_equal(set->keys[0].kid, RFC7520_KID);
	jwks_free(set);
}

static void
test_rfc7520_4_3_es512_signature_verifies(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_ES512);
	struct oidc_jwks *set = jwks_of(RFC7520_EC_JWK);

	assert_signature_good(RFC7520_4_3_JWS, set, &pol, REASON_NOT_JSON);
	jwks_free(set);
}

static void
test_rfc7520_4_4_hs256_signature_verifies_with_k_as_secret(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_HS256);
	char *secret = hmac_secret_of(RFC7520_OCT_K, 32);
	struct oidc_jwks *set = jwks_of(RFC7520_OCT_JWK);

	/* The symmetric JWK never enters the key set. */
	assert_int_equal(set->n, 0);
	assert_int_equal(set->skipped, 1);
	pol.hmac_secret = secret;
	assert_signature_good(RFC7520_4_4_JWS, set, &pol, REASON_NOT_JSON);
	jwks_free(set);
	free(secret);
}

/* A PS256 token by K.rsa (kid k1) with a salt of saltlen bytes. */
static char *
ps256_token(int saltlen)
{
	const char *hdr = "{\"alg\":\"PS256\",\"kid\":\"k1\"}";
	char *p = payload_extra(""), *h = fix_b64s(hdr), *pb = fix_b64s(p);
	char *input = fix_strdupf("%s.%s", h, pb), *s, *t;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char sig[512];
	size_t n = sizeof(sig);

	assert_non_null(ctx);
	assert_int_equal(EVP_DigestSignInit_ex(
			     ctx, &pctx, "SHA256", NULL, NULL, K.rsa, NULL),
	    1);
	assert_int_equal(
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, saltlen), 1);
	assert_int_equal(
	    EVP_DigestSign(ctx, sig, &n, (unsigned char *)input, strlen(input)),
	    1);
	s = fix_b64(sig, n);
	t = fix_strdupf("%s.%s", input, s);
	free(s);
	EVP_MD_CTX_free(ctx);
	free(input);
	free(pb);
	free(h);
	free(p);
	return t;
}

/* PS256: no published compact example, so signed here (RFC 7518 3.5). */
static void
test_ps256_with_digest_sized_salt_verifies(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_PS256);
	char *t = ps256_token(32), *forged;

	assert_int_equal(verify_pol(t, K.set, &pol, NULL), 0);
	forged = flip_signature_byte(t);
	assert_int_equal(verify_pol(forged, K.set, &pol, NULL), OIDC_ERR_TOKEN);
	free(forged);
	free(t);
}

/* RFC 7518 3.5: the salt is as long as the hash output, nothing else. */
static void
test_ps256_with_other_salt_length_refused(void **state)
{
	static const int lens[] = { 0, 20, 64 };
	struct oidc_jwt_policy pol = policy(ALG_PS256);
	struct oidc_jwt_info info;
	size_t i;
	char *t;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		t = ps256_token(lens[i]);
		assert_int_equal(
		    verify_pol(t, K.set, &pol, &info), OIDC_ERR_TOKEN);
		assert_string_equal(info.reason, REASON_BADSIG);
		free(t);
	}
}

/* NUL and UTF-8 */

static void
test_nul_escape_inside_claim_refused(void **state)
{
	struct oidc_jwt_info info;
	char *p;

	/* Control: the same payloads without the NUL pass. */
	p = payload_extra(",\"preferred_username\":\"rootalice\"");
	assert_int_equal(verify_payload_text(p, NULL), 0);
	free(p);
	p = payload_extra(",\"preferred_username\":\"root\\u0000alice\"");
	assert_int_equal(verify_payload_text(p, &info), OIDC_ERR_TOKEN);
	assert_string_equal(info.reason, REASON_NOT_JSON);
	free(p);
	p = payload_text("\"s-1\\u0000admin\"", "1700000000", "1700000300", "");
	assert_int_equal(verify_payload_text(p, NULL), OIDC_ERR_TOKEN);
	free(p);
	/* In a member name. */
	p = payload_extra(",\"groups\\u0000\":\"wheel\"");
	assert_int_equal(verify_payload_text(p, NULL), OIDC_ERR_TOKEN);
	free(p);
}

static void
test_raw_nul_byte_in_payload_refused(void **state)
{
	char *p = payload_extra(",\"preferred_username\":\"rootXalice\"");
	char *x = strchr(p, 'X'), *t;
	size_t n = strlen(p);

	t = rs_token_bytes(HDR_RS, p, n, K.rsa);
	assert_int_equal(verify_rs(t, NULL), 0);
	free(t);
	*x = '\0';
	t = rs_token_bytes(HDR_RS, p, n, K.rsa);
	assert_int_equal(verify_rs(t, NULL), OIDC_ERR_TOKEN);
	free(t);
	free(p);
}

static void
test_invalid_utf8_in_payload_refused(void **state)
{
	static const char *const bad[] = {
		"\xff",             /* never in UTF-8 */
		"\xc0\xaf",         /* overlong "/" */
		"\xe0\x80\xaf",     /* overlong "/", three bytes */
		"\xed\xa0\x80",     /* UTF-16 surrogate D800 */
		"\xe2\x80",         /* truncated sequence */
		"\xf4\x90\x80\x80", /* above U+10FFFF */
		"\x80",             /* lone continuation byte */
		"\\ud800",          /* lone high surrogate escape */
		"\\udc00",          /* lone low surrogate escape */
	};
	struct oidc_jwt_info info;
	char *p, *e;
	size_t i;

	/* Control: valid UTF-8 and escapes pass. */
	p = payload_extra(",\"name\":\"J\xc3\xbcrgen \\u00fc \\ud83d\\ude00\"");
	assert_int_equal(verify_payload_text(p, NULL), 0);
	free(p);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = fix_strdupf(",\"name\":\"alice%sroot\"", bad[i]);
		p = payload_extra(e);
		assert_int_equal(verify_payload_text(p, &info), OIDC_ERR_TOKEN);
		assert_string_equal(info.reason, REASON_NOT_JSON);
		free(p);
		free(e);
	}
	/* In sub itself. */
	p = payload_text("\"s-1\xff\"", "1700000000", "1700000300", "");
	assert_int_equal(verify_payload_text(p, NULL), OIDC_ERR_TOKEN);
	free(p);
}

/* ECDSA range of r and s (P-256, order n) */

static BIGNUM *
p256_order(void)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	BIGNUM *n;

	assert_non_null(g);
	n = BN_dup(EC_GROUP_get0_order(g));
	assert_non_null(n);
	EC_GROUP_free(g);
	return n;
}

/* header.payload.sig with sig = r || s, each 32 bytes. */
static char *
es_token_rs(const char *input, const BIGNUM *r, const BIGNUM *s)
{
	unsigned char raw[64];
	char *sig, *out;

	assert_int_equal(BN_bn2binpad(r, raw, 32), 32);
	assert_int_equal(BN_bn2binpad(s, raw + 32, 32), 32);
	sig = fix_b64(raw, sizeof(raw));
	out = fix_strdupf("%s.%s", input, sig);
	free(sig);
	return out;
}

static void
test_ecdsa_r_or_s_equal_to_order_refused(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_ES256);
	struct oidc_jwt_info info;
	char *p = payload_extra(""), *t, *input, *dot;
	BIGNUM *n = p256_order(), *r, *s;
	unsigned char *raw = NULL;
	size_t len = 0;

	t = fix_jws(HDR_ES, p, "ES256", K.ec, NO_SECRET);
	assert_int_equal(verify_pol(t, K.set_ec, &pol, NULL), 0);
	dot = strrchr(t, '.');
	input = strndup(t, (size_t)(dot - t));
	assert_int_equal(
	    b64url_decode(dot + 1, strlen(dot + 1), &raw, &len), 0);
	assert_int_equal(len, 64);
	r = BN_bin2bn(raw, 32, NULL);
	s = BN_bin2bn(raw + 32, 32, NULL);
	free(t);
	/* r = n */
	t = es_token_rs(input, n, s);
	assert_int_equal(verify_pol(t, K.set_ec, &pol, &info), OIDC_ERR_TOKEN);
	assert_string_equal(info.reason, REASON_BADSIG);
	free(t);
	/* s = n */
	t = es_token_rs(input, r, n);
	assert_int_equal(verify_pol(t, K.set_ec, &pol, &info), OIDC_ERR_TOKEN);
	assert_string_equal(info.reason, REASON_BADSIG);
	free(t);
	/* r = s = n */
	t = es_token_rs(input, n, n);
	assert_int_equal(verify_pol(t, K.set_ec, &pol, NULL), OIDC_ERR_TOKEN);
	free(t);
	BN_free(r);
	BN_free(s);
	BN_free(n);
	free(raw);
	free(input);
	free(p);
}

/*
 * A P-256 key Q for which (r, 1) is a valid signature over input, with
 * r small: R is the curve point with the smallest x >= 2 and
 * Q = r^-1 (R - eG), so that u1 G + u2 Q = eG + rQ = R. Then r + n and
 * 1 + n still fit in 32 bytes and are congruent to a valid (r, s).
 */
static char *
crafted_p256_jwk(const char *input, BIGNUM *r)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	BN_CTX *ctx = BN_CTX_new();
	EC_POINT *pr = EC_POINT_new(g), *pt = EC_POINT_new(g);
	EC_POINT *pq = EC_POINT_new(g);
	BIGNUM *e, *rinv, *qx = BN_new(), *qy = BN_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *sx, *sy, *jwk;

	assert_non_null(ctx);
	assert_int_equal(BN_set_word(r, 2), 1);
	while (!EC_POINT_set_compressed_coordinates(g, pr, r, 0, ctx)) {
		ERR_clear_error();
		assert_int_equal(BN_add_word(r, 1), 1);
	}
	assert_int_equal(
	    EVP_Digest(input, strlen(input), md, &mdlen, EVP_sha256(), NULL),
	    1);
	e = BN_bin2bn(md, (int)mdlen, NULL);
	assert_non_null(e);
	assert_int_equal(BN_nnmod(e, e, EC_GROUP_get0_order(g), ctx), 1);
	assert_int_equal(EC_POINT_mul(g, pt, e, NULL, NULL, ctx), 1);
	assert_int_equal(EC_POINT_invert(g, pt, ctx), 1);
	assert_int_equal(EC_POINT_add(g, pt, pr, pt, ctx), 1);
	rinv = BN_mod_inverse(NULL, r, EC_GROUP_get0_order(g), ctx);
	assert_non_null(rinv);
	assert_int_equal(EC_POINT_mul(g, pq, NULL, pt, rinv, ctx), 1);
	assert_int_equal(
	    EC_POINT_get_affine_coordinates(g, pq, qx, qy, ctx), 1);
	sx = fix_b64_bn(qx, 32);
	sy = fix_b64_bn(qy, 32);
	jwk = fix_strdupf("{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"c1\","
			  "\"x\":\"%s\",\"y\":\"%s\"}",
	    sx, sy);
	free(sx);
	free(sy);
	BN_free(e);
	BN_free(rinv);
	BN_free(qx);
	BN_free(qy);
	EC_POINT_free(pr);
	EC_POINT_free(pt);
	EC_POINT_free(pq);
	BN_CTX_free(ctx);
	EC_GROUP_free(g);
	return jwk;
}

static void
test_ecdsa_r_or_s_plus_order_refused(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_ES256);
	struct oidc_jwt_info info;
	char *p = payload_extra(""), *pb = fix_b64s(p), *h, *input, *jwk, *t;
	BIGNUM *n = p256_order(), *r = BN_new(), *one = BN_new();
	BIGNUM *rn = BN_new(), *sn = BN_new();
	struct oidc_jwks *set;

	/* The crafted key carries kid c1, as the token header does. */
	h = fix_b64s("{\"alg\":\"ES256\",\"kid\":\"c1\"}");
	input = fix_strdupf("%s.%s", h, pb);
	jwk = crafted_p256_jwk(input, r);
	set = jwks_of(jwk);
	assert_int_equal(set->n, 1);
	assert_int_equal(BN_set_word(one, 1), 1);
	assert_int_equal(BN_add(rn, r, n), 1);
	assert_int_equal(BN_add(sn, one, n), 1);
	assert_true(BN_num_bytes(rn) <= 32 && BN_num_bytes(sn) <= 32);
	/* Control: (r, 1) is a valid signature under the crafted key. */
	t = es_token_rs(input, r, one);
	assert_int_equal(verify_pol(t, set, &pol, NULL), 0);
	free(t);
	/* (r + n, 1): r out of range, though r + n = r (mod n). */
	t = es_token_rs(input, rn, one);
	assert_int_equal(verify_pol(t, set, &pol, &info), OIDC_ERR_TOKEN);
	assert_string_equal(info.reason, REASON_BADSIG);
	free(t);
	/* (r, 1 + n): s out of range, though 1 + n = 1 (mod n). */
	t = es_token_rs(input, r, sn);
	assert_int_equal(verify_pol(t, set, &pol, &info), OIDC_ERR_TOKEN);
	assert_string_equal(info.reason, REASON_BADSIG);
	free(t);
	jwks_free(set);
	BN_free(n);
	BN_free(r);
	BN_free(one);
	BN_free(rn);
	BN_free(sn);
	free(jwk);
	free(input);
	free(pb);
	free(h);
	free(p);
}

/* jku and x5u: never fetched, never a source of keys */

static void
test_network_probe_sees_http_requests(void **state)
{
	struct oidc_http_opts opts = { .ca_pem = NULL, .timeout_s = 1 };
	struct oidc_http_resp resp;
	struct oidc_http *h;

	/* Without this the no-network checks below would prove nothing. */
	assert_int_equal(http_global_init(), 0);
	h = http_new(&opts);
	assert_non_null(h);
	net_calls = 0;
	assert_int_equal(
	    http_request(h, "https://jku.invalid/jwks", NULL, NULL, &resp),
	    OIDC_ERR_UNAVAIL);
	assert_int_equal(net_calls, 1);
	http_resp_clear(&resp);
	http_free(h);
}

/* A token with header hdr over the standard payload, RS256 by key. */
static char *
rs_token_hdr(const char *hdr, EVP_PKEY *key)
{
	char *p = payload_extra(""), *t;

	t = rs_token_bytes(hdr, p, strlen(p), key);
	free(p);
	return t;
}

static void
check_header_by_jwks_key_verifies(const char *hdr)
{
	char *t = rs_token_hdr(hdr, K.rsa);

	net_calls = 0;
	assert_int_equal(verify_rs(t, NULL), 0);
	assert_int_equal(net_calls, 0);
	free(t);
}

static void
check_header_by_other_key_refused(const char *hdr, int want)
{
	struct oidc_jwt_info info;
	char *t = rs_token_hdr(hdr, K.attacker);

	net_calls = 0;
	assert_int_equal(verify_rs(t, &info), want);
	if (want == OIDC_ERR_TOKEN)
		assert_string_equal(info.reason, REASON_BADSIG);
	assert_int_equal(net_calls, 0);
	free(t);
}

static void
test_x5u_header_token_by_jwks_key_verifies_without_network(void **state)
{
	check_header_by_jwks_key_verifies(
	    "{\"alg\":\"RS256\",\"kid\":\"k1\","
	    "\"x5u\":\"https://attacker.example/cert.pem\"}");
	check_header_by_jwks_key_verifies(
	    "{\"alg\":\"RS256\",\"x5u\":\"https://attacker.example/c.pem\"}");
}

static void
test_jku_header_token_by_jwks_key_verifies_without_network(void **state)
{
	check_header_by_jwks_key_verifies(
	    "{\"alg\":\"RS256\",\"kid\":\"k1\","
	    "\"jku\":\"https://attacker.example/jwks.json\"}");
	check_header_by_jwks_key_verifies(
	    "{\"alg\":\"RS256\",\"jku\":\"https://attacker.example/jwks\"}");
}

static void
test_x5u_header_token_by_other_key_refused(void **state)
{
	check_header_by_other_key_refused("{\"alg\":\"RS256\",\"kid\":\"k1\","
					  "\"x5u\":\"https://attacker.example/"
					  "cert.pem\"}",
	    OIDC_ERR_TOKEN);
	check_header_by_other_key_refused(
	    "{\"alg\":\"RS256\",\"x5u\":\"https://attacker.example/c.pem\"}",
	    OIDC_ERR_TOKEN);
	/* A kid only the x5u holds: a kid miss, no fetch. */
	check_header_by_other_key_refused("{\"alg\":\"RS256\",\"kid\":\"evil\","
					  "\"x5u\":\"https://attacker.example/"
					  "cert.pem\"}",
	    OIDC_ERR_KID);
}

static void
test_jku_header_token_by_other_key_refused(void **state)
{
	check_header_by_other_key_refused(
	    "{\"alg\":\"RS256\",\"jku\":\"https://attacker.example/jwks\"}",
	    OIDC_ERR_TOKEN);
	check_header_by_other_key_refused("{\"alg\":\"RS256\",\"kid\":\"k1\","
					  "\"jku\":\"https://attacker.example/"
					  "jwks\",\"x5u\":\"https://"
					  "attacker.example/cert.pem\"}",
	    OIDC_ERR_TOKEN);
	check_header_by_other_key_refused("{\"alg\":\"RS256\",\"kid\":\"evil\","
					  "\"jku\":\"https://attacker.example/"
					  "jwks\"}",
	    OIDC_ERR_KID);
}

/* Size */

/* Length of the unpadded base64url of n bytes. */
static size_t
b64len(size_t n)
{
	return (4 * n + 2) / 3;
}

/* A valid token of exactly len bytes (a header member and a claim pad it). */
static char *
token_of_length(size_t len)
{
	char *base = payload_extra(",\"pad\":\"\""), *hdr, *pad, *p, *t;
	size_t plen = strlen(base), hp, pl, hlen, sig = b64len(256);

	free(base);
	for (hp = 0; hp < 4; hp++) {
		hdr = fix_strdupf(
		    "{\"alg\":\"RS256\",\"kid\":\"k1\",\"x\":\"%.*s\"}",
		    (int)hp, "aaa");
		hlen = b64len(strlen(hdr));
		for (pl = 0; pl < len; pl++) {
			if (hlen + 1 + b64len(plen + pl) + 1 + sig < len)
				continue;
			if (hlen + 1 + b64len(plen + pl) + 1 + sig > len)
				break;
			pad = malloc(pl + 1);
			assert_non_null(pad);
			memset(pad, 'a', pl);
			pad[pl] = '\0';
			base = fix_strdupf(",\"pad\":\"%s\"", pad);
			p = payload_extra(base);
			t = rs_token_bytes(hdr, p, strlen(p), K.rsa);
			free(p);
			free(base);
			free(pad);
			free(hdr);
			assert_int_equal(strlen(t), len);
			return t;
		}
		free(hdr);
	}
	fail_msg("no token of length %zu", len);
	return NULL;
}

static void
test_token_over_max_size_refused(void **state)
{
	struct oidc_jwt_info info;
	char *t;

	t = token_of_length(OIDC_MAX_TOKEN);
	assert_int_equal(verify_rs(t, NULL), 0);
	free(t);
	t = token_of_length(OIDC_MAX_TOKEN + 1);
	assert_int_equal(verify_rs(t, &info), OIDC_ERR_TOKEN);
	assert_string_equal(info.reason, "token too large");
	free(t);
	t = token_of_length(OIDC_MAX_TOKEN + OIDC_MAX_TOKEN / 4);
	assert_int_equal(verify_rs(t, &info), OIDC_ERR_TOKEN);
	assert_string_equal(info.reason, "token too large");
	free(t);
}

/* Claims */

static int
verify_extra(const char *extra, struct oidc_jwt_info *info)
{
	char *p = payload_extra(extra);
	int r = verify_payload_text(p, info);

	free(p);
	return r;
}

static void
test_aud_array_without_client_id_refused(void **state)
{
	static const char *const bad[] = {
		",\"aud\":[\"other-1\",\"other-2\"],\"azp\":\"client-1\"",
		",\"aud\":[],\"azp\":\"client-1\"",
		",\"aud\":[\"client-10\",\"CLIENT-1\",\" client-1\"],"
		"\"azp\":\"client-1\"",
		",\"aud\":[[\"client-1\"]],\"azp\":\"client-1\"",
		",\"aud\":[\"client-1\",5],\"azp\":\"client-1\"",
		",\"aud\":[\"other\"]",
	};
	struct oidc_jwt_info info;
	char *p;
	size_t i;

	/* aud is in the template: rebuild the payload without it. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = fix_strdupf("{\"iss\":\"" FIX_ISS "\",\"sub\":\"s-1\","
				"\"iat\":1700000000,\"exp\":1700000300%s}",
		    bad[i]);
		assert_int_equal(verify_payload_text(p, &info), OIDC_ERR_TOKEN);
		assert_string_equal(
		    info.reason, "aud/azp does not name this client");
		free(p);
	}
	/* Control: client_id in the array, azp naming it. */
	p = fix_strdupf(
	    "{\"iss\":\"" FIX_ISS "\",\"sub\":\"s-1\","
	    "\"iat\":1700000000,\"exp\":1700000300,"
	    "\"aud\":[\"other\",\"client-1\"],\"azp\":\"client-1\"}");
	assert_int_equal(verify_payload_text(p, NULL), 0);
	free(p);
}

static void
test_iss_differing_only_in_case_refused(void **state)
{
	static const char *const bad[] = {
		"HTTPS://IDP.TEST",
		"HTTPS://idp.test",
		"https://idp.TEST",
		"https://Idp.test",
	};
	struct oidc_jwt_policy pol = policy(ALG_RS256);
	struct oidc_jwt_info info;
	char *o, *p, *t;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o = fix_strdupf("{\"iss\":\"%s\"}", bad[i]);
		p = fix_payload(NOW, o);
		t = rs_token_text(p);
		assert_int_equal(
		    verify_pol(t, K.set, &pol, &info), OIDC_ERR_TOKEN);
		assert_string_equal(info.reason, REASON_ISS);
		free(t);
		free(p);
		free(o);
	}
	/* The second accepted spelling is compared exactly too. */
	pol.issuer_alt = "https://alt.idp.test/Realm";
	p = fix_payload(NOW, "{\"iss\":\"https://alt.idp.test/realm\"}");
	t = rs_token_text(p);
	assert_int_equal(verify_pol(t, K.set, &pol, NULL), OIDC_ERR_TOKEN);
	free(t);
	free(p);
	p = fix_payload(NOW, "{\"iss\":\"https://alt.idp.test/Realm\"}");
	t = rs_token_text(p);
	assert_int_equal(verify_pol(t, K.set, &pol, NULL), 0);
	free(t);
	free(p);
}

static void
test_iat_as_string_refused(void **state)
{
	struct oidc_jwt_info info;
	char *p;

	p = payload_text("\"s-1\"", "\"1700000000\"", "1700000300", "");
	assert_int_equal(verify_payload_text(p, &info), OIDC_ERR_TOKEN);
	assert_string_equal(info.reason, REASON_TIME);
	free(p);
	p = payload_text("\"s-1\"", "\"\"", "1700000300", "");
	assert_int_equal(verify_payload_text(p, NULL), OIDC_ERR_TOKEN);
	free(p);
}

static void
test_nbf_as_string_refused(void **state)
{
	struct oidc_jwt_info info;

	/* Control: the same nbf as a number passes. */
	assert_int_equal(verify_extra(",\"nbf\":1699999000", NULL), 0);
	assert_int_equal(
	    verify_extra(",\"nbf\":\"1699999000\"", &info), OIDC_ERR_TOKEN);
	assert_string_equal(info.reason, REASON_TIME);
	assert_int_equal(verify_extra(",\"nbf\":null", NULL), OIDC_ERR_TOKEN);
}

static void
test_exp_as_float_refused(void **state)
{
	static const char *const bad[] = {
		"1.5e9",
		"1.5E9",
		"15e8",
		"1500000000.0",
		"1500000000e0",
	};
	/* now such that exp = 1.5e9 would be valid but for its type. */
	struct oidc_jwt_policy pol = policy(ALG_RS256);
	struct oidc_jwt_info info;
	char *p, *t;
	size_t i;

	pol.now = 1499999000;
	p = payload_text("\"s-1\"", "1499999000", "1500000000", "");
	t = rs_token_text(p);
	assert_int_equal(verify_pol(t, K.set, &pol, NULL), 0);
	free(t);
	free(p);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = payload_text("\"s-1\"", "1499999000", bad[i], "");
		t = rs_token_text(p);
		assert_int_equal(
		    verify_pol(t, K.set, &pol, &info), OIDC_ERR_TOKEN);
		assert_string_equal(info.reason, REASON_TIME);
		free(t);
		free(p);
	}
	/* iat as a float likewise. */
	p = payload_text("\"s-1\"", "1.499999e9", "1500000000", "");
	t = rs_token_text(p);
	assert_int_equal(verify_pol(t, K.set, &pol, NULL), OIDC_ERR_TOKEN);
	free(t);
	free(p);
}

static void
test_exp_negative_refused(void **state)
{
	/*
	 * now = 30 and leeway 60: exp = -1 is not yet "expired"
	 * (30 < -1 + 60), so only the range check can refuse it.
	 */
	struct oidc_jwt_policy pol = policy(ALG_RS256);
	struct oidc_jwt_info info;
	char *p, *t;

	pol.now = 30;
	p = payload_text("\"s-1\"", "0", "100", "");
	t = rs_token_text(p);
	assert_int_equal(verify_pol(t, K.set, &pol, NULL), 0);
	free(t);
	free(p);
	p = payload_text("\"s-1\"", "0", "-1", "");
	t = rs_token_text(p);
	assert_int_equal(verify_pol(t, K.set, &pol, &info), OIDC_ERR_TOKEN);
	assert_string_equal(info.reason, REASON_TIME);
	free(t);
	free(p);
	p = payload_text("\"s-1\"", "-1", "100", "");
	t = rs_token_text(p);
	assert_int_equal(verify_pol(t, K.set, &pol, &info), OIDC_ERR_TOKEN);
	assert_string_equal(info.reason, REASON_TIME);
	free(t);
	free(p);
	/* With the real clock, the most negative exp. */
	p = payload_text("\"s-1\"", "1700000000", "-9223372036854775808", "");
	assert_int_equal(verify_payload_text(p, &info), OIDC_ERR_TOKEN);
	assert_string_equal(info.reason, REASON_TIME);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_rfc7515_a1_hs256_signature_verifies_with_k_as_secret),
		cmocka_unit_test(
		    test_rfc7515_a2_rsa_jwk_imports_one_2048_bit_key),
		cmocka_unit_test(test_rfc7515_a2_rs256_signature_verifies),
		cmocka_unit_test(test_rfc7515_a3_ec_jwk_imports_one_p256_key),
		cmocka_unit_test(test_rfc7515_a3_es256_signature_verifies),
		cmocka_unit_test(test_rfc8037_a2_ed25519_jwk_imports_one_key),
		cmocka_unit_test(test_rfc8037_a4_eddsa_signature_verifies),
		cmocka_unit_test(test_rfc7520_rsa_jwk_imports_one_key_with_kid),
		cmocka_unit_test(test_rfc7520_4_1_rs256_signature_verifies),
		cmocka_unit_test(test_rfc7520_4_2_ps384_signature_verifies),
		cmocka_unit_test(
		    test_rfc7520_p521_jwk_imports_one_key_with_kid),
		cmocka_unit_test(test_rfc7520_4_3_es512_signature_verifies),
		cmocka_unit_test(
		    test_rfc7520_4_4_hs256_signature_verifies_with_k_as_secret),
		cmocka_unit_test(test_ps256_with_digest_sized_salt_verifies),
		cmocka_unit_test(test_ps256_with_other_salt_length_refused),
		cmocka_unit_test(test_nul_escape_inside_claim_refused),
		cmocka_unit_test(test_raw_nul_byte_in_payload_refused),
		cmocka_unit_test(test_invalid_utf8_in_payload_refused),
		cmocka_unit_test(test_ecdsa_r_or_s_equal_to_order_refused),
		cmocka_unit_test(test_ecdsa_r_or_s_plus_order_refused),
		cmocka_unit_test(test_network_probe_sees_http_requests),
		cmocka_unit_test(
		    test_x5u_header_token_by_jwks_key_verifies_without_network),
		cmocka_unit_test(
		    test_jku_header_token_by_jwks_key_verifies_without_network),
		cmocka_unit_test(test_x5u_header_token_by_other_key_refused),
		cmocka_unit_test(test_jku_header_token_by_other_key_refused),
		cmocka_unit_test(test_token_over_max_size_refused),
		cmocka_unit_test(test_aud_array_without_client_id_refused),
		cmocka_unit_test(test_iss_differing_only_in_case_refused),
		cmocka_unit_test(test_iat_as_string_refused),
		cmocka_unit_test(test_nbf_as_string_refused),
		cmocka_unit_test(test_exp_as_float_refused),
		cmocka_unit_test(test_exp_negative_refused),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
