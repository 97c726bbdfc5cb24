/*
 * Shared by the scripted login tests (test_login*.c): a whole login_run
 * against a scripted provider (http_script.c) on a fake clock
 * (clock_script.c), with a real configuration, a private cache directory,
 * ID tokens signed at test time and a user interface that records what it
 * was shown. Include after cmocka.h.
 */
#ifndef OIDC_TEST_LOGIN_FIXTURES_H
#define OIDC_TEST_LOGIN_FIXTURES_H

#include <dirent.h>
#include <sys/stat.h>

#include "clock_script.h"
#include "config.h"
#include "fixtures.h"
#include "http_script.h"
#include "login.h"
#include "names.h"

#define ISS    FIX_ISS
#define DISCO  ISS "/.well-known/openid-configuration"
#define DEVICE ISS "/device"
#define TOKEN  ISS "/token"
#define JWKS   ISS "/jwks"
#define UINFO  ISS "/userinfo"
#define GRANT  "urn:ietf:params:oauth:grant-type:device_code"
#define DC     "dc-1"
#define AT     "at-1"
#define SECRET "s3cr+t/=&"
#define T0     ((int64_t)1000000) /* the fake clock at the start */

#define DEVICE_ANSWER(expires, interval)                                       \
	"{\"device_code\":\"" DC "\",\"user_code\":\"WDJB-MJHT\","             \
	"\"verification_uri\":\"https://idp.test/activate\","                  \
	"\"expires_in\":" #expires ",\"interval\":" #interval "}"
#define PENDING   "{\"error\":\"authorization_pending\"}"
#define SLOW_DOWN "{\"error\":\"slow_down\"}"

enum auth_mode { AUTH_NONE, AUTH_BASIC, AUTH_POST };

/* Keys made once per binary: k1 and k2 published, k3 never. */
struct keys {
	EVP_PKEY *k1, *k2, *k3;
	char *jwk1, *jwk2;
};

static struct keys K;

/* What the user interface was asked to show. */
struct ui_rec {
	int infos, enters, shown;
	char text[8192];
	int64_t shown_at;
	int disco_entries_at_show; /* discovery entries in the cache then */
	int64_t enter_takes;       /* the person presses Enter this late */
};

struct t {
	char *tmp, *cache;
	struct oidc_config *cfg;
	struct oidc_login login;
	struct oidc_log log;
	struct oidc_ui ui;
	struct ui_rec rec;
	struct oidc_identity *id;
	enum auth_mode auth;
	char logbuf[16384];
};

static struct t *T;

static inline void
on_script_fail(const char *msg)
{
	fail_msg("%s", msg);
}

/* Entries of a kind ("discovery-", "jwks-") in the cache directory. */
static inline int
cache_entries(const char *prefix)
{
	struct dirent *de;
	DIR *d = opendir(T->cache);
	int n = 0;

	if (d == NULL)
		return 0;
	/* "<kind>-<64 hex digits>": no temporary file, no other kind. */
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0 &&
		    strlen(de->d_name) == strlen(prefix) + 64 &&
		    strchr(de->d_name, '.') == NULL)
			n++;
	closedir(d);
	return n;
}

static inline void
record(struct ui_rec *r, const char *text)
{
	r->shown++;
	r->shown_at = oidc_now_ms();
	r->disco_entries_at_show = cache_entries("discovery-");
	if (snprintf(r->text, sizeof(r->text), "%s", text) < 0)
		r->text[0] = '\0';
}

static inline int
ui_info(void *ctx, const char *text)
{
	struct ui_rec *r = ctx;

	r->infos++;
	record(r, text);
	return 0;
}

static inline int
ui_enter(void *ctx, const char *text)
{
	struct ui_rec *r = ctx;

	r->enters++;
	record(r, text);
	clock_script_advance(r->enter_takes);
	return 0;
}

static inline void
log_sink(void *ctx, int prio, const char *line)
{
	struct t *t = ctx;
	size_t n = strlen(t->logbuf);

	(void)prio;
	if (snprintf(t->logbuf + n, sizeof(t->logbuf) - n, "%s\n", line) < 0)
		t->logbuf[n] = '\0';
}

static inline int
group_setup(void **state)
{
	(void)state;
	K.k1 = fix_rsa_key(2048);
	K.k2 = fix_rsa_key(2048);
	K.k3 = fix_rsa_key(2048);
	K.jwk1 = fix_rsa_jwk(K.k1, "k1");
	K.jwk2 = fix_rsa_jwk(K.k2, "k2");
	return 0;
}

static inline int
group_teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(K.k1);
	EVP_PKEY_free(K.k2);
	EVP_PKEY_free(K.k3);
	free(K.jwk1);
	free(K.jwk2);
	return 0;
}

static inline int
setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->tmp = fix_tmpdir();
	t->cache = fix_strdupf("%s/cache", t->tmp);
	assert_int_equal(mkdir(t->cache, 0700), 0);
	t->log.fn = log_sink;
	t->log.ctx = t;
	t->log.debug = 1;
	t->login.host = "testhost";
	t->login.service = "sshd";
	t->login.user = "alice";
	t->login.log = &t->log;
	t->ui.ctx = &t->rec;
	t->ui.info = ui_info;
	t->ui.enter = ui_enter;
	script_reset(on_script_fail);
	clock_script_reset(T0);
	T = t;
	*state = t;
	return 0;
}

static inline int
teardown(void **state)
{
	struct t *t = *state;

	identity_free(t->id);
	config_free(t->cfg);
	fix_rmtree(t->tmp);
	free(t->tmp);
	free(t->cache);
	free(t);
	script_reset(NULL);
	T = NULL;
	return 0;
}

/* The configuration: client and cache, then the given lines. */
static inline void
configure_raw(const char *lines)
{
	char why[256] = "";
	char *text;

	text = fix_strdupf("client_id = client-1\n"
			   "cache_dir = %s\n"
			   "qr = off\n"
			   "%s",
	    T->cache, lines);
	config_free(T->cfg);
	assert_non_null(T->cfg = config_new());
	if (config_parse(T->cfg, "test.conf", text, strlen(text), why,
		sizeof(why)) != 0 ||
	    config_validate(T->cfg, why, sizeof(why)) != 0)
		fail_msg("configuration refused: %s", why);
	free(text);
	if (T->cfg->client_auth == CLIENT_AUTH_POST)
		T->auth = AUTH_POST;
	else if (T->cfg->client_secret != NULL)
		T->auth = AUTH_BASIC;
	else
		T->auth = AUTH_NONE;
}

/* The same with the issuer ISS. */
static inline void
configure(const char *lines)
{
	char *text = fix_strdupf("issuer = " ISS "\n%s", lines);

	configure_raw(text);
	free(text);
}

static inline char *
discovery_doc(const char *issuer, const char *extra)
{
	return fix_strdupf("{\"issuer\":\"%s\","
			   "\"device_authorization_endpoint\":\"" DEVICE "\","
			   "\"token_endpoint\":\"" TOKEN "\","
			   "\"userinfo_endpoint\":\"" UINFO "\","
			   "\"jwks_uri\":\"" JWKS "\"%s}",
	    issuer, extra != NULL ? extra : "");
}

static inline void
expect_get(const char *url, const char *body, const char *cache_control)
{
	struct script_step s = { .method = "GET",
		.url = url,
		.body = body,
		.cache_control = cache_control };

	script_expect(&s);
}

static inline void
expect_discovery(void)
{
	char *doc = discovery_doc(ISS, NULL);

	expect_get(DISCO, doc, "max-age=3600");
	free(doc);
}

/* The JWKS with the given JWKs (NULL-terminated). */
static inline void
expect_jwks(const char *jwk, const char *more)
{
	char *doc = fix_jwks_doc(jwk, more, NULL);

	expect_get(JWKS, doc, "public, max-age=3600");
	free(doc);
}

/* A POST to url carrying the client's authentication, with its answer. */
static inline void
expect_post(const char *url, const char *form1, const char *form2, long status,
    const char *body)
{
	struct script_step s = {
		.method = "POST", .url = url, .status = status, .body = body
	};
	size_t i = 0;

	s.form[i++] = "client_id=client-1";
	if (form1 != NULL)
		s.form[i++] = form1;
	if (form2 != NULL)
		s.form[i++] = form2;
	if (T->auth == AUTH_POST)
		s.form[i++] = "client_secret=" SECRET;
	else
		s.no_form[0] = "client_secret";
	s.basic = T->auth == AUTH_BASIC;
	script_expect(&s);
}

static inline void
expect_device(const char *body)
{
	expect_post(DEVICE, "scope=openid email profile", NULL, 200, body);
}

static inline void
expect_poll(long status, const char *body)
{
	expect_post(
	    TOKEN, "grant_type=" GRANT, "device_code=" DC, status, body);
}

/* An ID token for the client, signed by key as kid, with overrides. */
static inline char *
id_token(EVP_PKEY *key, const char *kid, const char *overrides)
{
	char *hdr = fix_strdupf("{\"alg\":\"RS256\",\"kid\":\"%s\"}", kid);
	char *payload = fix_payload(time(NULL), overrides);
	char *tok = fix_jws(hdr, payload, "RS256", key, "");

	free(hdr);
	free(payload);
	return tok;
}

/* The token endpoint's success, with an ID token signed as k1. */
static inline void
expect_tokens_with(EVP_PKEY *key, const char *kid, const char *overrides)
{
	char *tok = id_token(key, kid, overrides);
	char *body = fix_strdupf("{\"access_token\":\"" AT "\","
				 "\"token_type\":\"Bearer\","
				 "\"expires_in\":300,\"id_token\":\"%s\"}",
	    tok);

	expect_poll(200, body);
	free(tok);
	free(body);
}

static inline void
expect_tokens(const char *overrides)
{
	expect_tokens_with(K.k1, "k1", overrides);
}

static inline void
expect_userinfo(const char *body)
{
	struct script_step s = {
		.method = "GET", .url = UINFO, .bearer = AT, .body = body
	};

	script_expect(&s);
}

/*
 * login_run, then: a failure leaves no identity, a success one whose
 * username is the account's byte for byte, and every queued request was
 * made. The stop signals were held and given back once.
 */
static inline int
run_login(void)
{
	int r;

	identity_free(T->id);
	T->id = NULL;
	r = login_run(T->cfg, &T->login, &T->ui, &T->id);
	if (r != 0) {
		assert_null(T->id);
	} else {
		assert_non_null(T->id);
		assert_true(names_valid(T->id->username, NAMES_USER_MAX));
		if (T->login.user != NULL)
			assert_string_equal(T->id->username, T->login.user);
	}
	script_verify_done();
	assert_int_equal(script_live_handles(), 0);
	assert_int_equal(clock_script_holds(), clock_script_releases());
	return r;
}

/* The fake time of request i (0-based), relative to T0. */
static inline int64_t
at(size_t i)
{
	const struct script_call *c = script_call(i);

	assert_non_null(c);
	return c->at_ms - T0;
}

#endif
