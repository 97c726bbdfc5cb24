/*
 * ID token verification: jwt_verify (compact JWS parsing, the algorithm
 * allow-list, key choice, the signature and the claim checks), then what
 * login.c does with verified claims: claims_require, claims_username,
 * roles_from_claims, roles_allowed and roles_groups.
 *
 * Three key sets are built once at start-up, each with a policy that
 * allows every algorithm:
 *   - the RFC 7515 appendix A and RFC 8037 keys (no kid), with the RFC
 *     7515 A.1 HMAC key as client secret and "joe" as issuer;
 *   - the RFC 7520 keys (kid bilbo.baggins@hobbiton.example), with the
 *     RFC 7520 HMAC key;
 *   - keys generated at start-up (tests/unit/fixtures.h): RSA as "k1" and,
 *     limited to PS256, as "k2"; EC P-256 "e1" (alg ES256), P-384 "e2",
 *     P-521 "e3"; Ed25519 "o1"; and the client secret of FUZZ_SECRET, with
 *     issuer https://idp.test (or idp.test) and client id client-1.
 *
 * Input, two forms:
 *   TOKEN [ '\n' NOW [ ' ' LEEWAY ] ]
 *       a compact token, verified against each of the three sets;
 *   HEADER-JSON '\n' PAYLOAD-JSON [ '\n' NOW [ ' ' LEEWAY ] ]
 *       (the input starts with '{') the harness encodes both parts as they
 *       are, signs them with the generated key (or secret) that the
 *       header's alg calls for, and verifies against the generated set, so
 *       that the claim checks see payloads the fuzzer chose.
 * NOW is decimal seconds (default 1700000000, limited to year 9999 and
 * beyond by a day), LEEWAY 0 to 600 (default 60).
 *
 * Checked: a refusal leaves no claims and gives a reason; an accepted
 * token's claims meet every rule of OpenID Connect Core 3.1.3.7 that
 * jwt_verify promises (iss, aud and azp, sub, exp, iat, nbf), checked here
 * again independently; a derived username is a valid name; the roles are
 * distinct and bounded.
 */
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "claims.h"
#include "config.h"
#include "fixtures.h"
#include "fuzz.h"
#include "jose_vectors.h"
#include "json.h"
#include "jwks.h"
#include "jwt.h"
#include "names.h"
#include "oidc.h"
#include "roles.h"

#define FUZZ_SECRET  "fuzz-client-secret-0123456789abcdef"
#define DEFAULT_NOW  1700000000LL
#define MAX_NOW      (253402300799LL + 86400)
#define MAX_LEEWAY   600
#define NUM_MAX_DATE 253402300799LL

struct keyset {
	struct oidc_jwks *jwks;
	struct oidc_jwt_policy pol;
	char *secret;
};

static struct keyset sets[3];
static EVP_PKEY *rsa, *ec256, *ec384, *ec521, *ed;
static struct oidc_config *cfgs[2];

static struct oidc_jwks *
import(const char *doc)
{
	struct oidc_jwks *set = NULL;
	json_t *j = NULL;

	if (json_parse_object(doc, strlen(doc), &j) != 0 ||
	    jwks_parse(j, &set) != 0 || set->n == 0)
		abort();
	json_decref(j);
	return set;
}

static char *
secret_of(const char *k)
{
	unsigned char *raw = NULL;
	size_t n = 0;

	if (b64url_decode(k, strlen(k), &raw, &n) != 0 ||
	    memchr(raw, '\0', n) != NULL)
		abort();
	return (char *)raw;
}

static char *
ec_jwk(EVP_PKEY *k, const char *crv, int bytes, const char *kid)
{
	BIGNUM *x = NULL, *y = NULL;
	char *sx, *sy, *out;

	if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
	    EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1)
		abort();
	sx = fix_b64_bn(x, bytes);
	sy = fix_b64_bn(y, bytes);
	out = fix_strdupf("{\"kty\":\"EC\",\"crv\":\"%s\",\"x\":\"%s\","
			  "\"y\":\"%s\",\"kid\":\"%s\",\"use\":\"sig\"}",
	    crv, sx, sy, kid);
	free(sx);
	free(sy);
	BN_free(x);
	BN_free(y);
	return out;
}

static char *
ed_jwk(EVP_PKEY *k, const char *kid)
{
	unsigned char pub[32];
	size_t n = sizeof(pub);
	char *x, *out;

	if (EVP_PKEY_get_raw_public_key(k, pub, &n) != 1 || n != 32)
		abort();
	x = fix_b64(pub, n);
	out = fix_strdupf(
	    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"%s\",\"kid\":\"%s\"}",
	    x, kid);
	free(x);
	return out;
}

static struct oidc_config *
config_of(const char *text)
{
	struct oidc_config *cfg;
	char why[256];

	if ((cfg = config_new()) == NULL ||
	    config_parse(cfg, "fuzz", text, strlen(text), why, sizeof(why)) !=
		0 ||
	    config_validate(cfg, why, sizeof(why)) != 0)
		abort();
	return cfg;
}

static void
cleanup(void)
{
	size_t i;

	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		jwks_free(sets[i].jwks);
		free(sets[i].secret);
	}
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(ec256);
	EVP_PKEY_free(ec384);
	EVP_PKEY_free(ec521);
	EVP_PKEY_free(ed);
	config_free(cfgs[0]);
	config_free(cfgs[1]);
}

static void
policy(struct keyset *s, const char *issuer, const char *alt)
{
	memset(&s->pol, 0, sizeof(s->pol));
	s->pol.algs = ~0u;
	s->pol.issuer = issuer;
	s->pol.issuer_alt = alt;
	s->pol.client_id = FIX_AUD;
	s->pol.hmac_secret = s->secret;
	s->pol.leeway = 60;
	s->pol.now = DEFAULT_NOW;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *k1, *k2, *e1, *e2, *e3, *o1, *doc;

	(void)argc;
	(void)argv;
	sets[0].jwks = import("{\"keys\":[" RFC7515_A2_JWK "," RFC7515_A3_JWK
			      "," RFC8037_A2_JWK "]}");
	sets[0].secret = secret_of(RFC7515_A1_K);
	policy(&sets[0], "joe", NULL);
	sets[1].jwks = import("{\"keys\":[" RFC7520_RSA_JWK "," RFC7520_EC_JWK
			      "," RFC7520_OCT_JWK "]}");
	sets[1].secret = secret_of(RFC7520_OCT_K);
	policy(&sets[1], FIX_ISS, NULL);

	rsa = fix_rsa_key(2048);
	ec256 = fix_ec_key();
	if ((ec384 = EVP_EC_gen("P-384")) == NULL ||
	    (ec521 = EVP_EC_gen("P-521")) == NULL ||
	    (ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")) == NULL)
		abort();
	k1 = fix_rsa_jwk(rsa, "k1");
	k2 = fix_rsa_jwk_ex(rsa, "k2", ",\"alg\":\"PS256\"");
	e1 = fix_ec_jwk_ex(ec256, "e1", ",\"alg\":\"ES256\"");
	e2 = ec_jwk(ec384, "P-384", 48, "e2");
	e3 = ec_jwk(ec521, "P-521", 66, "e3");
	o1 = ed_jwk(ed, "o1");
	doc = fix_jwks_doc(k1, k2, e1, e2, e3, o1, NULL);
	sets[2].jwks = import(doc);
	if (sets[2].jwks->n != 6)
		abort();
	if ((sets[2].secret = strdup(FUZZ_SECRET)) == NULL)
		abort();
	policy(&sets[2], FIX_ISS, "idp.test");
	free(k1);
	free(k2);
	free(e1);
	free(e2);
	free(e3);
	free(o1);
	free(doc);

	cfgs[0] = config_of("issuer = " FIX_ISS "\n"
			    "client_id = " FIX_AUD "\n"
			    "username_transform = lowercase "
			    "strip_domain=example.com\n"
			    "require_claim = email_verified = true\n"
			    "role_claim = realm_access.roles\n"
			    "role_map = admin = wheel adm\n"
			    "role_map = dev = docker\n"
			    "allowed_roles = admin staff\n");
	cfgs[1] = config_of("issuer = " FIX_ISS "\n"
			    "client_id = " FIX_AUD "\n"
			    "username_claim = email\n"
			    "username_transform = strip_domain=example.com\n"
			    "username_max_length = 8\n"
			    "require_claim = hd = example.com\n"
			    "require_claim = org.tier = 3\n"
			    "role_claim = groups\n"
			    "role_map = ops = adm\n");
	atexit(cleanup);
	return 0;
}

/* NOW [LEEWAY] in decimal; out of range values are clamped. */
static void
parse_clock(const uint8_t *p, size_t n, long long *now, long *leeway)
{
	char *s = fz_strndup(p, n), *end;
	long long v;

	v = strtoll(s, &end, 10);
	if (end != s)
		*now = v < 0 ? 0 : v > MAX_NOW ? MAX_NOW : v;
	if (*end == ' ') {
		v = strtoll(end + 1, &end, 10);
		*leeway = v < 0 ? 0 : v > MAX_LEEWAY ? MAX_LEEWAY : (long)v;
	}
	free(s);
}

/* A time claim as jwt_verify must have found it: an integer in range. */
static long long
time_claim(const json_t *c, const char *name, int required)
{
	const json_t *v = json_object_get(c, name);

	if (v == NULL) {
		if (required)
			abort();
		return -1;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > NUM_MAX_DATE)
		abort();
	return json_integer_value(v);
}

/* The rules of an accepted token, checked again without jwt.c. */
static void
check_accepted(const json_t *c, const struct oidc_jwt_policy *pol)
{
	const json_t *aud = json_object_get(c, "aud"), *v, *azp;
	const char *iss = json_str(c, "iss"), *sub = json_str(c, "sub");
	long long exp, iat, nbf, now = (long long)pol->now;
	size_t i, n = 1;
	int found = 0;

	if (!json_is_object(c) || iss == NULL)
		abort();
	if (strcmp(iss, pol->issuer) != 0 &&
	    (pol->issuer_alt == NULL || strcmp(iss, pol->issuer_alt) != 0))
		abort();
	if (json_is_string(aud)) {
		found = strcmp(json_string_value(aud), pol->client_id) == 0;
	} else if (json_is_array(aud)) {
		n = json_array_size(aud);
		json_array_foreach (aud, i, v) {
			if (!json_is_string(v))
				abort();
			if (strcmp(json_string_value(v), pol->client_id) == 0)
				found = 1;
		}
	}
	if (!found)
		abort();
	azp = json_object_get(c, "azp");
	if (azp != NULL &&
	    (!json_is_string(azp) ||
		strcmp(json_string_value(azp), pol->client_id)))
		abort();
	if (n > 1 && azp == NULL)
		abort();
	if (sub == NULL || sub[0] == '\0' || strlen(sub) > 255)
		abort();
	exp = time_claim(c, "exp", 1);
	iat = time_claim(c, "iat", 1);
	nbf = time_claim(c, "nbf", 0);
	if (now >= exp + pol->leeway || iat > now + pol->leeway ||
	    (nbf >= 0 && nbf > now + pol->leeway))
		abort();
}

static void
check_roles(const json_t *claims, const struct oidc_config *cfg)
{
	struct oidc_strlist roles, groups;
	size_t i;

	if (!fz_roles(claims, cfg->role_claim, &roles))
		return;
	(void)roles_allowed(&roles, cfg->allowed_roles);
	if (roles_groups(&roles, cfg->role_map, &groups) == 0) {
		for (i = 0; i < groups.n; i++)
			if (!names_valid(groups.v[i], 32))
				abort();
		strlist_free(&groups);
	}
	strlist_free(&roles);
}

static void
use_claims(const json_t *claims)
{
	struct oidc_username_rule rule;
	char why[256], *user;
	size_t i;
	int r;

	for (i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		r = claims_require(
		    claims, cfgs[i]->require_claims, why, sizeof(why));
		if (r != 0 && r != OIDC_ERR_CLAIM)
			abort();
		rule = config_username_rule(cfgs[i]);
		user = NULL;
		r = claims_username(claims, &rule, &user, why, sizeof(why));
		if (r == 0) {
			if (!names_valid(
				user, (size_t)cfgs[i]->username_max_length))
				abort();
			free(user);
		} else if (r != OIDC_ERR_CLAIM || user != NULL) {
			abort();
		}
		check_roles(claims, cfgs[i]);
	}
}

static void
verify(const char *token, const struct keyset *s, long long now, long leeway)
{
	struct oidc_jwt_policy pol = s->pol;
	struct oidc_jwt_info info;
	json_t *claims = NULL;
	int r;

	pol.now = (time_t)now;
	pol.leeway = leeway;
	r = jwt_verify(token, s->jwks, &pol, &claims, &info);
	if (strnlen(info.alg, sizeof(info.alg)) == sizeof(info.alg) ||
	    strnlen(info.kid, sizeof(info.kid)) == sizeof(info.kid) ||
	    strnlen(info.reason, sizeof(info.reason)) == sizeof(info.reason))
		abort();
	if (r != 0) {
		if (claims != NULL)
			abort();
		if (r == OIDC_ERR_TOKEN && info.reason[0] == '\0')
			abort();
		if (r != OIDC_ERR_TOKEN && r != OIDC_ERR_KID)
			abort();
		return;
	}
	if (jwt_alg_bit(info.alg) == 0)
		abort();
	check_accepted(claims, &pol);
	use_claims(claims);
	json_decref(claims);
}

/* Raw signature bytes over data for alg, with the generated keys. */
static unsigned char *
sign(const char *alg, const char *data, size_t *siglen)
{
	const char *md = NULL;
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *ctx;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *sig = NULL, *raw;
	const unsigned char *p;
	ECDSA_SIG *es;
	const BIGNUM *r, *s;
	size_t len = 0;
	int pss = 0, ec = 0;

	if (strlen(alg) == 5 && strchr("RPEH", alg[0]) != NULL &&
	    alg[1] == 'S') {
		if (strcmp(alg + 2, "256") == 0)
			md = "SHA256";
		else if (strcmp(alg + 2, "384") == 0)
			md = "SHA384";
		else if (strcmp(alg + 2, "512") == 0)
			md = "SHA512";
	}
	if (strcmp(alg, "EdDSA") == 0) {
		key = ed;
	} else if (md == NULL) {
		return NULL;
	} else if (alg[0] == 'H') {
		if ((sig = malloc(EVP_MAX_MD_SIZE)) == NULL ||
		    EVP_Q_mac(NULL, "HMAC", NULL, md, NULL, FUZZ_SECRET,
			strlen(FUZZ_SECRET), (const unsigned char *)data,
			strlen(data), sig, EVP_MAX_MD_SIZE, &len) == NULL)
			abort();
		*siglen = len;
		return sig;
	} else if (alg[0] == 'R' || alg[0] == 'P') {
		key = rsa;
		pss = alg[0] == 'P';
	} else {
		ec = alg[2] == '2' ? 32 : alg[2] == '3' ? 48 : 66;
		key = ec == 32 ? ec256 : ec == 48 ? ec384 : ec521;
	}
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit_ex(ctx, &pctx, md, NULL, NULL, key, NULL) != 1)
		abort();
	if (pss &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
		EVP_PKEY_CTX_set_rsa_pss_saltlen(
		    pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
		abort();
	if (EVP_DigestSign(ctx, NULL, &len, (const unsigned char *)data,
		strlen(data)) != 1 ||
	    (sig = malloc(len)) == NULL ||
	    EVP_DigestSign(
		ctx, sig, &len, (const unsigned char *)data, strlen(data)) != 1)
		abort();
	EVP_MD_CTX_free(ctx);
	if (ec) {
		/* DER to the JWS form, R || S of the curve's size each. */
		p = sig;
		if ((es = d2i_ECDSA_SIG(NULL, &p, (long)len)) == NULL ||
		    (raw = malloc(2 * (size_t)ec)) == NULL)
			abort();
		ECDSA_SIG_get0(es, &r, &s);
		if (BN_bn2binpad(r, raw, ec) != ec ||
		    BN_bn2binpad(s, raw + ec, ec) != ec)
			abort();
		ECDSA_SIG_free(es);
		free(sig);
		sig = raw;
		len = 2 * (size_t)ec;
	}
	*siglen = len;
	return sig;
}

/* header.payload.signature from the exact bytes of the two JSON parts. */
static char *
make_token(const uint8_t *h, size_t hlen, const uint8_t *p, size_t plen)
{
	char *h64 = NULL, *p64 = NULL, *s64 = NULL, *input, *token;
	const char *alg = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	json_t *hdr;

	if (b64url_encode(h, hlen, &h64) != 0)
		return NULL;
	if (b64url_encode(p, plen, &p64) != 0) {
		free(h64);
		return NULL;
	}
	input = fix_strdupf("%s.%s", h64, p64);
	if ((hdr = json_loadb((const char *)h, hlen, 0, NULL)) != NULL)
		alg = json_str(hdr, "alg");
	if (alg != NULL)
		sig = sign(alg, input, &siglen);
	if (b64url_encode(sig, siglen, &s64) != 0)
		abort();
	token = fix_strdupf("%s.%s", input, s64);
	json_decref(hdr);
	free(sig);
	free(s64);
	free(input);
	free(p64);
	free(h64);
	return token;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *first, *second = NULL, *clock;
	size_t flen, slen = 0, clen, i;
	long long now = DEFAULT_NOW;
	long leeway = 60;
	char *token;

	if (!fz_next(&data, &size, '\n', &first, &flen))
		return 0;
	if (flen > 0 && first[0] == '{') {
		if (!fz_next(&data, &size, '\n', &second, &slen))
			return 0;
	}
	if (fz_next(&data, &size, '\n', &clock, &clen))
		parse_clock(clock, clen, &now, &leeway);
	if (second != NULL) {
		if ((token = make_token(first, flen, second, slen)) == NULL)
			return 0;
		verify(token, &sets[2], now, leeway);
	} else {
		token = fz_strndup(first, flen);
		for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
			verify(token, &sets[i], now, leeway);
	}
	free(token);
	return 0;
}
