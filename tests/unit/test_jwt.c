/*
 * jwt and jwks: ID token verification against keys generated at test time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include <openssl/pem.h>

#include "config.h"
#include "fixtures.h"
#include "jwks.h"
#include "jwt.h"
#include "jwt_fixtures.h"

#define NOW    ((time_t)1700000000)
#define HDR_RS "{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}"
#define SECRET "client-secret-of-at-least-32-bytes!!"

struct keys {
	EVP_PKEY *rsa;            /* kid k1, in the JWKS */
	EVP_PKEY *rsa2;           /* kid k2, in the JWKS */
	EVP_PKEY *attacker;       /* not in any JWKS */
	EVP_PKEY *ec;             /* kid e1 */
	struct oidc_jwks *set;    /* k1 only */
	struct oidc_jwks *set2;   /* k1 and k2 */
	struct oidc_jwks *set_ec; /* e1 only */
};

static struct keys K;

static struct oidc_jwks *
jwks_from(const char *doc)
{
	struct oidc_jwks *set = NULL;
	json_t *j = json_loads(doc, 0, NULL);

	if (j == NULL || jwks_parse(j, &set) != 0)
		abort();
	json_decref(j);
	return set;
}

static int
group_setup(void **state)
{
	char *j1, *j2, *je, *d;

	K.rsa = fix_rsa_key(2048);
	K.rsa2 = fix_rsa_key(2048);
	K.attacker = fix_rsa_key(2048);
	K.ec = fix_ec_key();
	j1 = fix_rsa_jwk(K.rsa, "k1");
	j2 = fix_rsa_jwk(K.rsa2, "k2");
	je = fix_ec_jwk(K.ec, "e1");
	d = fix_jwks_doc(j1, NULL);
	K.set = jwks_from(d);
	free(d);
	d = fix_jwks_doc(j1, j2, NULL);
	K.set2 = jwks_from(d);
	free(d);
	d = fix_jwks_doc(je, NULL);
	K.set_ec = jwks_from(d);
	free(d);
	free(j1);
	free(j2);
	free(je);
	return 0;
}

static int
group_teardown(void **state)
{
	EVP_PKEY_free(K.rsa);
	EVP_PKEY_free(K.rsa2);
	EVP_PKEY_free(K.attacker);
	EVP_PKEY_free(K.ec);
	jwks_free(K.set);
	jwks_free(K.set2);
	jwks_free(K.set_ec);
	return 0;
}

static struct oidc_jwt_policy
policy(unsigned int algs)
{
	return fix_policy(algs, NOW);
}

#define verify_with fix_verify

static int
verify(const char *token)
{
	struct oidc_jwt_policy pol = policy(ALG_RS256);

	return verify_with(token, K.set, &pol, NULL);
}

/* An RS256 token with k1 over the standard payload with overrides. */
static char *
rs_token(const char *overrides)
{
	char *p = fix_payload(NOW, overrides), *t;

	t = fix_jws(HDR_RS, p, "RS256", K.rsa, NULL);
	free(p);
	return t;
}

static int
verify_payload(const char *overrides)
{
	char *t = rs_token(overrides);
	int r = verify(t);

	free(t);
	return r;
}

static int
verify_header(const char *header, EVP_PKEY *key)
{
	char *p = fix_payload(NOW, NULL), *t;
	int r;

	t = fix_jws(header, p, "RS256", key, NULL);
	r = verify(t);
	free(p);
	free(t);
	return r;
}

/* A token from raw header and payload segments and a signature. */
static char *
raw_token(const char *h64, const char *p64, EVP_PKEY *key)
{
	char *input = fix_strdupf("%s.%s", h64, p64), *s, *out;
	unsigned char *sig;
	size_t n;

	sig = fix_sign_raw(
	    "RS256", key, NULL, (unsigned char *)input, strlen(input), &n, 0);
	s = fix_b64(sig, n);
	out = fix_strdupf("%s.%s", input, s);
	free(sig);
	free(s);
	free(input);
	return out;
}

static void
test_valid_rs256_returns_claims(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_RS256);
	struct oidc_jwt_info info;
	json_t *claims = NULL;
	char *t = rs_token(NULL);

	assert_int_equal(jwt_verify(t, K.set, &pol, &claims, &info), 0);
	assert_string_equal(
	    json_string_value(json_object_get(claims, "preferred_username")),
	    "alice");
	assert_string_equal(
	    json_string_value(json_object_get(claims, "iss")), FIX_ISS);
	json_decref(claims);
	free(t);
}

static void
test_second_key_selected_by_kid(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_RS256);
	char *p = fix_payload(NOW, NULL), *t;

	t = fix_jws(
	    "{\"alg\":\"RS256\",\"kid\":\"k2\"}", p, "RS256", K.rsa2, NULL);
	assert_int_equal(verify_with(t, K.set2, &pol, NULL), 0);
	free(t);
	/* k2's kid on a token signed by k1: bad signature. */
	t = fix_jws(
	    "{\"alg\":\"RS256\",\"kid\":\"k2\"}", p, "RS256", K.rsa, NULL);
	assert_int_equal(verify_with(t, K.set2, &pol, NULL), OIDC_ERR_TOKEN);
	free(t);
	free(p);
}

static void
test_expired_beyond_leeway_refused(void **state)
{
	char o[128];

	snprintf(o, sizeof(o), "{\"exp\":%lld}", (long long)NOW - 61);
	assert_int_equal(verify_payload(o), OIDC_ERR_TOKEN);
	snprintf(o, sizeof(o), "{\"exp\":%lld}", (long long)NOW - 60);
	assert_int_equal(verify_payload(o), OIDC_ERR_TOKEN);
	/* Expired, but within the leeway. */
	snprintf(o, sizeof(o), "{\"exp\":%lld}", (long long)NOW - 30);
	assert_int_equal(verify_payload(o), 0);
}

static void
test_expired_reason_is_reported(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_RS256);
	struct oidc_jwt_info info;
	char o[128], *t;

	snprintf(o, sizeof(o), "{\"exp\":%lld}", (long long)NOW - 3600);
	t = rs_token(o);
	assert_int_equal(verify_with(t, K.set, &pol, &info), OIDC_ERR_TOKEN);
	assert_non_null(strstr(info.reason, "expired"));
	assert_string_equal(info.alg, "RS256");
	assert_string_equal(info.kid, "k1");
	free(t);
}

static void
test_nbf_in_future_refused(void **state)
{
	char o[128];

	snprintf(o, sizeof(o), "{\"nbf\":%lld}", (long long)NOW + 120);
	assert_int_equal(verify_payload(o), OIDC_ERR_TOKEN);
	snprintf(o, sizeof(o), "{\"nbf\":%lld}", (long long)NOW + 30);
	assert_int_equal(verify_payload(o), 0);
}

static void
test_iat_in_future_refused(void **state)
{
	char o[128];

	snprintf(o, sizeof(o), "{\"iat\":%lld}", (long long)NOW + 120);
	assert_int_equal(verify_payload(o), OIDC_ERR_TOKEN);
}

static void
test_missing_exp_or_iat_refused(void **state)
{
	assert_int_equal(verify_payload("{\"exp\":null}"), OIDC_ERR_TOKEN);
	assert_int_equal(verify_payload("{\"iat\":null}"), OIDC_ERR_TOKEN);
}

static void
test_exp_as_string_refused(void **state)
{
	char o[128];

	snprintf(o, sizeof(o), "{\"exp\":\"%lld\"}", (long long)NOW + 300);
	assert_int_equal(verify_payload(o), OIDC_ERR_TOKEN);
}

static void
test_exp_absurd_refused(void **state)
{
	assert_int_equal(verify_payload("{\"exp\":1e20}"), OIDC_ERR_TOKEN);
	assert_int_equal(
	    verify_payload("{\"exp\":1700000300.5}"), OIDC_ERR_TOKEN);
	assert_int_equal(
	    verify_payload("{\"exp\":253402300800}"), OIDC_ERR_TOKEN);
	assert_int_equal(verify_payload("{\"nbf\":-1}"), OIDC_ERR_TOKEN);
}

static void
test_wrong_aud_refused(void **state)
{
	assert_int_equal(
	    verify_payload("{\"aud\":\"client-2\"}"), OIDC_ERR_TOKEN);
	assert_int_equal(
	    verify_payload("{\"aud\":[\"client-2\"]}"), OIDC_ERR_TOKEN);
	assert_int_equal(verify_payload("{\"aud\":null}"), OIDC_ERR_TOKEN);
	assert_int_equal(verify_payload("{\"aud\":5}"), OIDC_ERR_TOKEN);
	assert_int_equal(verify_payload("{\"aud\":[\"client-1\"]}"), 0);
}

static void
test_several_aud_without_azp_refused(void **state)
{
	assert_int_equal(verify_payload("{\"aud\":[\"client-1\",\"other\"]}"),
	    OIDC_ERR_TOKEN);
	assert_int_equal(verify_payload("{\"aud\":[\"client-1\",\"other\"],"
					"\"azp\":\"client-1\"}"),
	    0);
}

static void
test_azp_different_refused(void **state)
{
	assert_int_equal(verify_payload("{\"azp\":\"other\"}"), OIDC_ERR_TOKEN);
	assert_int_equal(verify_payload("{\"aud\":[\"client-1\",\"other\"],"
					"\"azp\":\"other\"}"),
	    OIDC_ERR_TOKEN);
	assert_int_equal(verify_payload("{\"azp\":7}"), OIDC_ERR_TOKEN);
}

static void
test_wrong_iss_refused(void **state)
{
	assert_int_equal(
	    verify_payload("{\"iss\":\"https://evil.test\"}"), OIDC_ERR_TOKEN);
	assert_int_equal(verify_payload("{\"iss\":null}"), OIDC_ERR_TOKEN);
	assert_int_equal(
	    verify_payload("{\"iss\":\"https://IDP.test\"}"), OIDC_ERR_TOKEN);
}

static void
test_iss_trailing_slash_refused(void **state)
{
	assert_int_equal(
	    verify_payload("{\"iss\":\"https://idp.test/\"}"), OIDC_ERR_TOKEN);
}

static void
test_issuer_alt_accepted(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_RS256);
	char *t = rs_token("{\"iss\":\"idp.test\"}");

	assert_int_equal(verify_with(t, K.set, &pol, NULL), OIDC_ERR_TOKEN);
	pol.issuer_alt = "idp.test";
	assert_int_equal(verify_with(t, K.set, &pol, NULL), 0);
	free(t);
}

static void
test_missing_sub_refused(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_RS256);
	struct oidc_jwt_info info;
	json_t *claims = NULL;
	char *t = rs_token("{\"sub\":null}");

	assert_int_equal(
	    jwt_verify(t, K.set, &pol, &claims, &info), OIDC_ERR_TOKEN);
	assert_null(claims);
	free(t);
}

static void
test_alg_none_refused_in_any_case(void **state)
{
	static const char *const names[] = { "none", "None", "NONE", "nOnE" };
	char *p = fix_payload(NOW, NULL), *h, *hb, *pb, *t;
	size_t i;

	pb = fix_b64s(p);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		h = fix_strdupf("{\"alg\":\"%s\",\"kid\":\"k1\"}", names[i]);
		hb = fix_b64s(h);
		/* Unsigned (empty signature), and with a real one. */
		t = fix_strdupf("%s.%s.", hb, pb);
		assert_int_equal(verify(t), OIDC_ERR_TOKEN);
		free(t);
		t = raw_token(hb, pb, K.rsa);
		assert_int_equal(verify(t), OIDC_ERR_TOKEN);
		free(t);
		free(hb);
		free(h);
	}
	assert_int_equal(jwt_alg_bit("none"), 0);
	assert_int_equal(jwt_alg_bit("None"), 0);
	assert_int_equal(jwt_alg_bit("RS256"), ALG_RS256);
	free(pb);
	free(p);
}

static void
test_alg_not_in_allow_list_refused(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_RS256);
	struct oidc_jwt_info info;
	char *p = fix_payload(NOW, NULL), *t;

	t = fix_jws(
	    "{\"alg\":\"RS384\",\"kid\":\"k1\"}", p, "RS384", K.rsa, NULL);
	assert_int_equal(verify_with(t, K.set, &pol, &info), OIDC_ERR_TOKEN);
	assert_non_null(strstr(info.reason, "not allowed"));
	/* The same token passes once RS384 is allowed. */
	pol.algs = ALG_RS256 | ALG_RS384;
	assert_int_equal(verify_with(t, K.set, &pol, NULL), 0);
	free(t);
	free(p);
}

static void
test_forged_signature_refused(void **state)
{
	char *t = rs_token(NULL), *sig = strrchr(t, '.') + 1;

	assert_int_equal(verify(t), 0);
	/* Flip one character in the middle of the signature. */
	sig[20] = sig[20] == 'A' ? 'B' : 'A';
	assert_int_equal(verify(t), OIDC_ERR_TOKEN);
	free(t);
}

static void
test_modified_payload_refused(void **state)
{
	char *t = rs_token(NULL),
	     *p2 = fix_payload(NOW, "{\"preferred_username\":\"root\"}"),
	     *pb = fix_b64s(p2);
	char *dot1 = strchr(t, '.'), *dot2 = strrchr(t, '.'), *forged;

	*dot1 = '\0';
	forged = fix_strdupf("%s.%s%s", t, pb, dot2);
	assert_int_equal(verify(forged), OIDC_ERR_TOKEN);
	free(forged);
	free(pb);
	free(p2);
	free(t);
}

static void
test_signed_by_other_key_refused(void **state)
{
	assert_int_equal(verify_header(HDR_RS, K.attacker), OIDC_ERR_TOKEN);
}

static void
test_unknown_kid_is_kid_error(void **state)
{
	assert_int_equal(
	    verify_header("{\"alg\":\"RS256\",\"kid\":\"nope\"}", K.rsa),
	    OIDC_ERR_KID);
}

static void
test_no_kid_with_one_key_ok(void **state)
{
	assert_int_equal(verify_header("{\"alg\":\"RS256\"}", K.rsa), 0);
}

static void
test_no_kid_with_two_keys_refused(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_RS256);
	char *p = fix_payload(NOW, NULL), *t;

	t = fix_jws("{\"alg\":\"RS256\"}", p, "RS256", K.rsa, NULL);
	assert_int_equal(verify_with(t, K.set2, &pol, NULL), OIDC_ERR_TOKEN);
	free(t);
	free(p);
}

static void
test_kid_not_string_refused(void **state)
{
	assert_int_equal(verify_header("{\"alg\":\"RS256\",\"kid\":1}", K.rsa),
	    OIDC_ERR_TOKEN);
}

static void
test_crit_header_refused(void **state)
{
	assert_int_equal(verify_header("{\"alg\":\"RS256\",\"kid\":\"k1\","
				       "\"crit\":[\"exp\"],\"exp\":1}",
			     K.rsa),
	    OIDC_ERR_TOKEN);
	assert_int_equal(verify_header("{\"alg\":\"RS256\",\"kid\":\"k1\","
				       "\"crit\":[]}",
			     K.rsa),
	    OIDC_ERR_TOKEN);
}

/* RFC 8725 section 3.11: only an untyped or JWT-typed token is an ID token. */
static void
test_typ_other_than_jwt_refused(void **state)
{
	static const char *const refused[] = { "\"at+jwt\"",
		"\"application/at+jwt\"", "\"logout+jwt\"", "\"JOSE\"", "\"\"",
		"\"JWT \"", "1", "null", "[\"JWT\"]" };
	static const char *const accepted[] = { "\"JWT\"", "\"jwt\"" };
	char h[128];
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		snprintf(h, sizeof(h),
		    "{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":%s}",
		    refused[i]);
		assert_int_equal(verify_header(h, K.rsa), OIDC_ERR_TOKEN);
	}
	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		snprintf(h, sizeof(h),
		    "{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":%s}",
		    accepted[i]);
		assert_int_equal(verify_header(h, K.rsa), 0);
	}
	/* No typ at all is an ID token too. */
	assert_int_equal(
	    verify_header("{\"alg\":\"RS256\",\"kid\":\"k1\"}", K.rsa), 0);
}

static void
test_b64_header_refused(void **state)
{
	assert_int_equal(verify_header("{\"alg\":\"RS256\",\"kid\":\"k1\","
				       "\"b64\":false}",
			     K.rsa),
	    OIDC_ERR_TOKEN);
}

static void
test_jku_x5u_jwk_headers_ignored(void **state)
{
	/* Signed by the JWKS key: the extra headers change nothing. */
	assert_int_equal(verify_header("{\"alg\":\"RS256\",\"kid\":\"k1\","
				       "\"jku\":\"https://evil.example/jwks\"}",
			     K.rsa),
	    0);
	assert_int_equal(
	    verify_header("{\"alg\":\"RS256\",\"kid\":\"k1\","
			  "\"x5u\":\"https://evil.example/cert.pem\"}",
		K.rsa),
	    0);
	assert_int_equal(verify_header("{\"alg\":\"RS256\",\"kid\":\"k1\","
				       "\"x5c\":[\"MIIB\"]}",
			     K.rsa),
	    0);
}

static void
test_embedded_jwk_of_attacker_refused(void **state)
{
	char *jwk = fix_rsa_jwk(K.attacker, "k1"), *h;

	/* The attacker's own key in the header, with and without kid. */
	h = fix_strdupf("{\"alg\":\"RS256\",\"kid\":\"k1\",\"jwk\":%s}", jwk);
	assert_int_equal(verify_header(h, K.attacker), OIDC_ERR_TOKEN);
	free(h);
	h = fix_strdupf("{\"alg\":\"RS256\",\"jwk\":%s}", jwk);
	assert_int_equal(verify_header(h, K.attacker), OIDC_ERR_TOKEN);
	free(h);
	h = fix_strdupf("{\"alg\":\"RS256\",\"kid\":\"k1\","
			"\"jku\":\"https://evil.example/jwks\"}");
	assert_int_equal(verify_header(h, K.attacker), OIDC_ERR_TOKEN);
	free(h);
	free(jwk);
}

static void
test_wrong_segment_count_refused(void **state)
{
	char *t = rs_token(NULL), *x;
	char *dot2 = strrchr(t, '.');

	/* Two segments. */
	x = strndup(t, (size_t)(dot2 - t));
	assert_int_equal(verify(x), OIDC_ERR_TOKEN);
	free(x);
	/* Four segments. */
	x = fix_strdupf("%s.AAAA", t);
	assert_int_equal(verify(x), OIDC_ERR_TOKEN);
	free(x);
	/* Five segments, as in a JWE. */
	x = fix_strdupf("%s.AAAA.AAAA", t);
	assert_int_equal(verify(x), OIDC_ERR_TOKEN);
	free(x);
	assert_int_equal(verify(""), OIDC_ERR_TOKEN);
	assert_int_equal(verify(".."), OIDC_ERR_TOKEN);
	free(t);
}

static void
test_jwe_shaped_token_refused(void **state)
{
	char *h = fix_b64s("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}");
	char *t = fix_strdupf("%s.AAAA.AAAA.AAAA.AAAA", h);

	assert_int_equal(verify(t), OIDC_ERR_TOKEN);
	free(t);
	free(h);
}

static void
test_padded_base64url_refused(void **state)
{
	/* A header whose encoding needs padding, then padded. */
	const char *hdr = "{\"alg\":\"RS256\",\"kid\":\"k1\"}";
	char *h = fix_b64s(hdr), *hp, *p = fix_payload(NOW, NULL), *pb, *t;

	assert_true(strlen(h) % 4 != 0);
	hp = fix_strdupf("%s%s", h, strlen(h) % 4 == 2 ? "==" : "=");
	pb = fix_b64s(p);
	t = raw_token(h, pb, K.rsa);
	assert_int_equal(verify(t), 0);
	free(t);
	t = raw_token(hp, pb, K.rsa);
	assert_int_equal(verify(t), OIDC_ERR_TOKEN);
	free(t);
	free(pb);
	free(p);
	free(hp);
	free(h);
}

static void
test_padded_signature_refused(void **state)
{
	char *t = rs_token(NULL), *x;

	/* A 256-byte signature encodes to 342 characters (mod 4 == 2). */
	assert_int_equal(strlen(strrchr(t, '.') + 1) % 4, 2);
	x = fix_strdupf("%s==", t);
	assert_int_equal(verify(x), OIDC_ERR_TOKEN);
	free(x);
	free(t);
}

static void
test_duplicate_payload_keys_refused(void **state)
{
	char *h = fix_b64s(HDR_RS), *p, *pb, *t;

	p = fix_strdupf(
	    "{\"iss\":\"%s\",\"aud\":\"%s\",\"sub\":\"s-1\","
	    "\"preferred_username\":\"alice\",\"preferred_username\":\"root\","
	    "\"iat\":%lld,\"exp\":%lld}",
	    FIX_ISS, FIX_AUD, (long long)NOW, (long long)NOW + 300);
	pb = fix_b64s(p);
	t = raw_token(h, pb, K.rsa);
	assert_int_equal(verify(t), OIDC_ERR_TOKEN);
	free(t);
	free(pb);
	free(p);
	free(h);
}

static void
test_duplicate_header_keys_refused(void **state)
{
	assert_int_equal(verify_header("{\"alg\":\"RS256\",\"alg\":\"none\","
				       "\"kid\":\"k1\"}",
			     K.rsa),
	    OIDC_ERR_TOKEN);
}

static void
test_payload_not_object_refused(void **state)
{
	char *h = fix_b64s(HDR_RS), *pb = fix_b64s("[1,2]"), *t;

	t = raw_token(h, pb, K.rsa);
	assert_int_equal(verify(t), OIDC_ERR_TOKEN);
	free(t);
	free(pb);
	free(h);
}

static void
test_es256_raw_signature_verifies(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_ES256);
	char *p = fix_payload(NOW, NULL), *t;

	t = fix_jws(
	    "{\"alg\":\"ES256\",\"kid\":\"e1\"}", p, "ES256", K.ec, NULL);
	assert_int_equal(strlen(strrchr(t, '.') + 1), 86); /* 64 bytes */
	assert_int_equal(verify_with(t, K.set_ec, &pol, NULL), 0);
	/* Not when only RS256 is allowed. */
	pol.algs = ALG_RS256;
	assert_int_equal(verify_with(t, K.set_ec, &pol, NULL), OIDC_ERR_TOKEN);
	free(t);
	free(p);
}

static void
test_es256_der_signature_refused(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_ES256);
	char *p = fix_payload(NOW, NULL), *t;

	t = fix_jws_ex(
	    "{\"alg\":\"ES256\",\"kid\":\"e1\"}", p, "ES256", K.ec, NULL, 1);
	assert_int_equal(verify_with(t, K.set_ec, &pol, NULL), OIDC_ERR_TOKEN);
	free(t);
	free(p);
}

static void
test_es256_zero_r_s_refused(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_ES256);
	unsigned char zero[64] = { 0 };
	char *h = fix_b64s("{\"alg\":\"ES256\",\"kid\":\"e1\"}");
	char *p = fix_payload(NOW, NULL), *pb = fix_b64s(p);
	char *s = fix_b64(zero, sizeof(zero)), *t;

	t = fix_strdupf("%s.%s.%s", h, pb, s);
	assert_int_equal(verify_with(t, K.set_ec, &pol, NULL), OIDC_ERR_TOKEN);
	free(t);
	free(s);
	free(pb);
	free(p);
	free(h);
}

static void
test_es256_with_rsa_kid_refused(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_ES256 | ALG_RS256);
	char *p = fix_payload(NOW, NULL), *t;

	/* An EC signature naming the RSA key: no key fits. */
	t = fix_jws(
	    "{\"alg\":\"ES256\",\"kid\":\"k1\"}", p, "ES256", K.ec, NULL);
	assert_true(verify_with(t, K.set, &pol, NULL) < 0);
	free(t);
	free(p);
}

static void
test_hs256_only_when_listed_and_keyed_by_secret(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_RS256);
	char *p = fix_payload(NOW, NULL), *t;

	t = fix_jws("{\"alg\":\"HS256\"}", p, "HS256", NULL, SECRET);
	/* Not listed. */
	pol.hmac_secret = SECRET;
	assert_int_equal(verify_with(t, K.set, &pol, NULL), OIDC_ERR_TOKEN);
	/* Listed and keyed by the secret. */
	pol.algs = ALG_RS256 | ALG_HS256;
	assert_int_equal(verify_with(t, K.set, &pol, NULL), 0);
	/* Listed, but another secret, or none. */
	pol.hmac_secret = "another-secret";
	assert_int_equal(verify_with(t, K.set, &pol, NULL), OIDC_ERR_TOKEN);
	pol.hmac_secret = NULL;
	assert_int_equal(verify_with(t, K.set, &pol, NULL), OIDC_ERR_TOKEN);
	free(t);
	free(p);
}

static void
test_hs256_keyed_with_rsa_public_pem_refused(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_RS256);
	char *p = fix_payload(NOW, NULL), *t, *pem;
	BIO *bio = BIO_new(BIO_s_mem());
	long n;
	char *data;

	assert_int_equal(PEM_write_bio_PUBKEY(bio, K.rsa), 1);
	n = BIO_get_mem_data(bio, &data);
	pem = strndup(data, (size_t)n);
	BIO_free(bio);
	/* The classic confusion: HMAC keyed with the public key. */
	t = fix_jws(
	    "{\"alg\":\"HS256\",\"kid\":\"k1\"}", p, "HS256", NULL, pem);
	assert_int_equal(verify_with(t, K.set, &pol, NULL), OIDC_ERR_TOKEN);
	/* Even with HS256 listed the JWKS key is never the HMAC key. */
	pol.algs = ALG_RS256 | ALG_HS256;
	pol.hmac_secret = SECRET;
	assert_int_equal(verify_with(t, K.set, &pol, NULL), OIDC_ERR_TOKEN);
	free(t);
	free(pem);
	free(p);
}

static void
test_jwk_alg_must_match_token_alg(void **state)
{
	struct oidc_jwt_policy pol = policy(ALG_RS256 | ALG_RS384);
	char *jwk = fix_rsa_jwk_ex(K.rsa, "k1", ",\"alg\":\"RS256\"");
	char *doc = fix_jwks_doc(jwk, NULL), *p = fix_payload(NOW, NULL), *t;
	struct oidc_jwks *set = jwks_from(doc);

	t = fix_jws(
	    "{\"alg\":\"RS384\",\"kid\":\"k1\"}", p, "RS384", K.rsa, NULL);
	assert_true(verify_with(t, set, &pol, NULL) < 0);
	free(t);
	t = fix_jws(HDR_RS, p, "RS256", K.rsa, NULL);
	assert_int_equal(verify_with(t, set, &pol, NULL), 0);
	free(t);
	jwks_free(set);
	free(p);
	free(doc);
	free(jwk);
}

/* jwks_parse */

static struct oidc_jwks *
parse_set(const char *jwk)
{
	char *doc = fix_jwks_doc(jwk, NULL);
	struct oidc_jwks *set = jwks_from(doc);

	free(doc);
	return set;
}

static void
test_jwks_imports_rsa_and_ec(void **state)
{
	assert_int_equal(K.set2->n, 2);
	assert_int_equal(K.set2->skipped, 0);
	assert_string_equal(K.set2->keys[0].kid, "k1");
	assert_int_equal(K.set2->keys[0].kty, KTY_RSA);
	assert_int_equal(K.set_ec->n, 1);
	assert_int_equal(K.set_ec->keys[0].kty, KTY_EC);
	assert_int_equal(K.set_ec->keys[0].curve_bytes, 32);
}

static void
test_jwks_rsa_below_2048_bits_skipped(void **state)
{
	EVP_PKEY *small = fix_rsa_key(1024);
	char *jwk = fix_rsa_jwk(small, "small");
	struct oidc_jwks *set = parse_set(jwk);

	assert_int_equal(set->n, 0);
	assert_int_equal(set->skipped, 1);
	jwks_free(set);
	free(jwk);
	EVP_PKEY_free(small);
}

/* A JWK with the modulus n (and e = 65537), as JSON. */
static char *
rsa_jwk_of(const BIGNUM *n, const char *kid)
{
	char *sn = fix_b64_bn(n, 0), *out;

	out = fix_strdupf(
	    "{\"kty\":\"RSA\",\"n\":\"%s\",\"e\":\"AQAB\",\"kid\":\"%s\"}", sn,
	    kid);
	free(sn);
	return out;
}

/*
 * RSA moduli are checked by shape (odd, 2048 to 8192 bits), not by
 * OpenSSL's Miller-Rabin public check; the 8192-bit bound keeps one
 * verification cheap.
 */
static void
test_jwks_rsa_even_or_oversized_modulus_skipped(void **state)
{
	BIGNUM *n = NULL, *big = BN_new();
	struct oidc_jwks *set;
	char *jwk;

	assert_int_equal(
	    EVP_PKEY_get_bn_param(K.rsa, OSSL_PKEY_PARAM_RSA_N, &n), 1);
	/* The real modulus is accepted ... */
	jwk = rsa_jwk_of(n, "odd");
	set = parse_set(jwk);
	assert_int_equal(set->n, 1);
	jwks_free(set);
	free(jwk);
	/* ... made even, it is skipped. */
	assert_int_equal(BN_sub_word(n, 1), 1);
	jwk = rsa_jwk_of(n, "even");
	set = parse_set(jwk);
	assert_int_equal(set->n, 0);
	assert_int_equal(set->skipped, 1);
	jwks_free(set);
	free(jwk);
	/* 8192 bits (odd) is the largest accepted; 8193 bits is skipped. */
	assert_non_null(big);
	assert_int_equal(BN_set_word(big, 1), 1);
	assert_int_equal(BN_lshift(big, big, 8191), 1);
	assert_int_equal(BN_add_word(big, 1), 1);
	jwk = rsa_jwk_of(big, "max");
	set = parse_set(jwk);
	assert_int_equal(set->n, 1);
	jwks_free(set);
	free(jwk);
	assert_int_equal(BN_lshift1(big, big), 1);
	assert_int_equal(BN_add_word(big, 1), 1);
	assert_int_equal(BN_num_bits(big), 8193);
	jwk = rsa_jwk_of(big, "huge");
	set = parse_set(jwk);
	assert_int_equal(set->n, 0);
	assert_int_equal(set->skipped, 1);
	jwks_free(set);
	free(jwk);
	BN_free(big);
	BN_free(n);
}

static void
test_jwks_use_enc_skipped(void **state)
{
	char *jwk = fix_rsa_jwk_ex(K.rsa, "k1", ",\"use\":\"enc\"");
	struct oidc_jwks *set = parse_set(jwk);

	assert_int_equal(set->n, 0);
	assert_int_equal(set->skipped, 1);
	jwks_free(set);
	free(jwk);
	jwk = fix_rsa_jwk_ex(K.rsa, "k1", ",\"use\":\"sig\"");
	set = parse_set(jwk);
	assert_int_equal(set->n, 1);
	jwks_free(set);
	free(jwk);
}

static void
test_jwks_ec_point_not_on_curve_skipped(void **state)
{
	char *jwk = fix_ec_jwk(K.ec, "e1"), *y, *bad;
	struct oidc_jwks *set;

	/* Change a character of y: the point leaves the curve. */
	bad = strdup(jwk);
	y = strstr(bad, "\"y\":\"") + 5;
	y[10] = y[10] == 'A' ? 'B' : 'A';
	set = parse_set(bad);
	assert_int_equal(set->n, 0);
	assert_int_equal(set->skipped, 1);
	jwks_free(set);
	free(bad);
	free(jwk);
}

static void
test_jwks_bad_members_skipped(void **state)
{
	static const char *const bad[] = {
		"{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}",
		"{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AQAB\",\"y\":\"AQAB\"}",
		"{\"kty\":\"EC\",\"crv\":\"P-192\",\"x\":\"AA\",\"y\":\"AA\"}",
		"{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}",
		"{\"n\":\"AQAB\"}",
		"\"not an object\"",
	};
	struct oidc_jwks *set;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		set = parse_set(bad[i]);
		assert_int_equal(set->n, 0);
		assert_int_equal(set->skipped, 1);
		jwks_free(set);
	}
}

static void
test_jwks_without_keys_array_refused(void **state)
{
	struct oidc_jwks *set = NULL;
	json_t *j = json_loads("{\"keys\":{}}", 0, NULL);

	assert_int_equal(jwks_parse(j, &set), OIDC_ERR_PROTOCOL);
	assert_null(set);
	json_decref(j);
}

static void
test_issuer_alt_only_for_google(void **state)
{
	assert_string_equal(jwt_issuer_alt("https://accounts.google.com"),
	    "accounts.google.com");
	assert_null(jwt_issuer_alt("https://accounts.google.com/"));
	assert_null(jwt_issuer_alt("https://idp.test"));
	assert_null(jwt_issuer_alt("accounts.google.com"));
	assert_null(jwt_issuer_alt(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issuer_alt_only_for_google),
		cmocka_unit_test(test_valid_rs256_returns_claims),
		cmocka_unit_test(test_second_key_selected_by_kid),
		cmocka_unit_test(test_expired_beyond_leeway_refused),
		cmocka_unit_test(test_expired_reason_is_reported),
		cmocka_unit_test(test_nbf_in_future_refused),
		cmocka_unit_test(test_iat_in_future_refused),
		cmocka_unit_test(test_missing_exp_or_iat_refused),
		cmocka_unit_test(test_exp_as_string_refused),
		cmocka_unit_test(test_exp_absurd_refused),
		cmocka_unit_test(test_wrong_aud_refused),
		cmocka_unit_test(test_several_aud_without_azp_refused),
		cmocka_unit_test(test_azp_different_refused),
		cmocka_unit_test(test_wrong_iss_refused),
		cmocka_unit_test(test_iss_trailing_slash_refused),
		cmocka_unit_test(test_issuer_alt_accepted),
		cmocka_unit_test(test_missing_sub_refused),
		cmocka_unit_test(test_alg_none_refused_in_any_case),
		cmocka_unit_test(test_alg_not_in_allow_list_refused),
		cmocka_unit_test(test_forged_signature_refused),
		cmocka_unit_test(test_modified_payload_refused),
		cmocka_unit_test(test_signed_by_other_key_refused),
		cmocka_unit_test(test_unknown_kid_is_kid_error),
		cmocka_unit_test(test_no_kid_with_one_key_ok),
		cmocka_unit_test(test_no_kid_with_two_keys_refused),
		cmocka_unit_test(test_kid_not_string_refused),
		cmocka_unit_test(test_crit_header_refused),
		cmocka_unit_test(test_typ_other_than_jwt_refused),
		cmocka_unit_test(test_b64_header_refused),
		cmocka_unit_test(test_jku_x5u_jwk_headers_ignored),
		cmocka_unit_test(test_embedded_jwk_of_attacker_refused),
		cmocka_unit_test(test_wrong_segment_count_refused),
		cmocka_unit_test(test_jwe_shaped_token_refused),
		cmocka_unit_test(test_padded_base64url_refused),
		cmocka_unit_test(test_padded_signature_refused),
		cmocka_unit_test(test_duplicate_payload_keys_refused),
		cmocka_unit_test(test_duplicate_header_keys_refused),
		cmocka_unit_test(test_payload_not_object_refused),
		cmocka_unit_test(test_es256_raw_signature_verifies),
		cmocka_unit_test(test_es256_der_signature_refused),
		cmocka_unit_test(test_es256_zero_r_s_refused),
		cmocka_unit_test(test_es256_with_rsa_kid_refused),
		cmocka_unit_test(
		    test_hs256_only_when_listed_and_keyed_by_secret),
		cmocka_unit_test(test_hs256_keyed_with_rsa_public_pem_refused),
		cmocka_unit_test(test_jwk_alg_must_match_token_alg),
		cmocka_unit_test(test_jwks_imports_rsa_and_ec),
		cmocka_unit_test(test_jwks_rsa_below_2048_bits_skipped),
		cmocka_unit_test(
		    test_jwks_rsa_even_or_oversized_modulus_skipped),
		cmocka_unit_test(test_jwks_use_enc_skipped),
		cmocka_unit_test(test_jwks_ec_point_not_on_curve_skipped),
		cmocka_unit_test(test_jwks_bad_members_skipped),
		cmocka_unit_test(test_jwks_without_keys_array_refused),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
