/*
 * A whole login_run with the provider's answers fuzzed: discovery, device
 * authorization, token, JWKS and userinfo answers go through the scripted
 * transport (tests/unit/http_script.c) on the fake clock
 * (tests/unit/clock_script.c), while allocations and requests fail at
 * points the input chooses, as Yubico pam-u2f's fuzz/wrap.c does: malloc,
 * calloc, realloc, strdup and strndup of the core are wrapped at link time
 * (-Wl,--wrap), jansson's through json_set_alloc_funcs.
 *
 * Input: a control line, then one line per answer or setting.
 *
 * Control line: letters, some with a decimal number.
 *   o   an OAuth 2.0-only provider: no issuer; device, token and userinfo
 *       endpoints configured, username_claim = login
 *   k   kiosk: no PAM_USER      e  wait for Enter    v  the display fails
 *   n   no client secret        b  client_secret_basic   p  _post
 *   q   a UTF-8 QR code
 *   wN  N more logins (1 to 3, default 1) with the same cache and answers
 *   y   the cache entries cut short before each further login
 *   d   cache_dir names a regular file: the cache cannot be written
 *   mN  the Nth allocation of the core (from 0, counted from the start of
 *       login_run) fails        rN  each one fails with probability N/1000
 *   jN  the Nth jansson allocation fails
 *   xN  each request fails in transport with probability N/1000
 *   sN  the Nth sleep ends with SIGINT
 *   The random failures draw from a generator seeded with the input.
 *
 * Answer lines: KIND [STATUS] [FLAGS] ' ' BODY. KIND: D discovery (GET of
 * the discovery URL), A device authorization (a POST without grant_type),
 * T token (a POST with grant_type), K JWKS (another GET without bearer),
 * U userinfo (a GET with a bearer token). Each request takes the next
 * unused line of its kind; with none left it fails in transport. STATUS:
 * three digits (default 200). FLAGS: f form, t text/html, z no
 * Content-Type; c max-age=3600, a max-age=0, s no-store; U a transport
 * failure, B an oversized answer.
 * In a body, $NOW and $EXP are now and now + 300 (seconds), $JWKE, $JWKF
 * and $JWKR the public JWKs of the keys e1, e2 and k1, and each $ID the ID
 * token of the next C line (or, with none left, a valid one for alice).
 *
 * C lines: 'C' ALG PAYLOAD. ALG: E (ES256 key e1), F (ES256 key e2), R
 * (RS256 key k1), H (HS256 with the client secret), N (alg none), X
 * (ES256 by e2 claiming kid e1: forged). PAYLOAD: a JSON object merged
 * over a valid payload for alice (null removes a member), or any other
 * text, used as the payload as it is.
 *
 * '=' lines: KEY=VALUE, a module argument (config_apply_arg) for a key
 * that does not name a file: cache_dir, ca_file and client_secret_file
 * stay the harness's.
 *
 * Checked (abort): login_run returns 0 or a known OIDC_ERR_*; 0 only with
 * an identity whose username equals PAM_USER byte for byte (when given),
 * is a valid name within username_max_length, and whose roles and groups
 * are bounded; any other result leaves *out NULL; no success after an
 * allocation failed (the core's or jansson's); no token request before the code is on
 * screen, at or past the deadline, or after a stop signal, and a stop
 * signal ends the login with OIDC_ERR_CONV; the signal mask is given back;
 * every HTTP handle is freed; no leak (LeakSanitizer).
 *
 * Files: a private cache directory (mkdtemp under $TMPDIR, mode 0700),
 * emptied before each input and removed at exit.
 */
#include <dirent.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "clock_script.h"
#include "config.h"
#include "fixtures.h"
#include "fuzz.h"
#include "http_script.h"
#include "login.h"
#include "names.h"
#include "oidc.h"
#include "roles.h"

#define ISS         FIX_ISS
#define SECRET      "fuzz-client-secret-0123456789abcdef"
#define T0          ((int64_t)1000000)
#define MAX_ANSWERS 64
#define MAX_TOKENS  8

/* --- failing allocations ------------------------------------------------ */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static struct {
	int armed;
	long count, fail_at, rate; /* rate: per mille */
	long jcount, jfail_at;
	int fired, jfired;
	uint64_t rng;
} F;

static uint64_t
rnd(void)
{
	/* xorshift64 */
	F.rng ^= F.rng << 13;
	F.rng ^= F.rng >> 7;
	F.rng ^= F.rng << 17;
	return F.rng;
}

static int
fail_now(void)
{
	if (!F.armed)
		return 0;
	if (F.count++ == F.fail_at ||
	    (F.rate > 0 && (long)(rnd() % 1000) < F.rate)) {
		F.fired = 1;
		return 1;
	}
	return 0;
}

void *
__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t m)
{
	return fail_now() ? NULL : __real_calloc(n, m);
}

void *
__wrap_realloc(void *p, size_t n)
{
	/* realloc(p, 0) frees; that cannot fail. */
	return n > 0 && fail_now() ? NULL : __real_realloc(p, n);
}

char *
__wrap_strdup(const char *s)
{
	return fail_now() ? NULL : __real_strdup(s);
}

char *
__wrap_strndup(const char *s, size_t n)
{
	return fail_now() ? NULL : __real_strndup(s, n);
}

static void *
json_fail_malloc(size_t n)
{
	if (F.armed && F.jcount++ == F.jfail_at) {
		F.jfired = 1;
		return NULL;
	}
	return __real_malloc(n);
}

/* --- keys, the cache directory ------------------------------------------ */

static EVP_PKEY *e1, *e2, *k1;
static char *jwk_e1, *jwk_e2, *jwk_k1;
static char cache_dir[4096], not_a_dir[4200];
/* FUZZ_LOGIN_DEBUG=1: the log and each login's result on stderr. */
static int debug;

static void
at_exit(void)
{
	unlink(not_a_dir);
	cache_clear(cache_dir);
	rmdir(cache_dir);
	EVP_PKEY_free(e1);
	EVP_PKEY_free(e2);
	EVP_PKEY_free(k1);
	free(jwk_e1);
	free(jwk_e2);
	free(jwk_k1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	(void)argc;
	(void)argv;
	if (tmp == NULL || tmp[0] != '/')
		tmp = "/tmp";
	if (snprintf(cache_dir, sizeof(cache_dir), "%s/pam_oidc_login.XXXXXX",
		tmp) >= (int)sizeof(cache_dir) ||
	    mkdtemp(cache_dir) == NULL)
		abort();
	/* Outside the cache itself, so that emptying it leaves this alone. */
	if (snprintf(not_a_dir, sizeof(not_a_dir), "%s.file", cache_dir) >=
		(int)sizeof(not_a_dir) ||
	    (fd = open(
		 not_a_dir, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
		abort();
	close(fd);
	e1 = fix_ec_key();
	e2 = fix_ec_key();
	k1 = fix_rsa_key(2048);
	jwk_e1 = fix_ec_jwk_ex(e1, "e1", ",\"alg\":\"ES256\"");
	jwk_e2 = fix_ec_jwk(e2, "e2");
	jwk_k1 = fix_rsa_jwk(k1, "k1");
	atexit(at_exit);
	debug = getenv("FUZZ_LOGIN_DEBUG") != NULL;
	json_set_alloc_funcs(json_fail_malloc, free);
	return 0;
}

/* --- the input ---------------------------------------------------------- */

enum kind { K_DISCO, K_DEVICE, K_TOKEN, K_JWKS, K_USERINFO, K_N };

struct answer {
	struct script_step s;
	char *body;
};

struct input {
	/* control line */
	int oauth2, kiosk, enter, ui_fails, no_secret, more, qr;
	int corrupt, bad_cache;
	enum oidc_client_auth auth;
	long xrate, stop_sleep;
	/* answers, per kind in order */
	struct answer ans[K_N][MAX_ANSWERS];
	int n[K_N], used[K_N];
	/* C lines, then their tokens */
	const uint8_t *claims[MAX_TOKENS];
	size_t claims_len[MAX_TOKENS];
	int nclaims, next_token;
	char *args[16];
	int nargs;
	time_t now;
	/* what happened */
	int code_shown, shown;
};

static long
number(const uint8_t **p, const uint8_t *end)
{
	long n = 0;

	while (*p < end && **p >= '0' && **p <= '9' && n < 100000000)
		n = n * 10 + (*(*p)++ - '0');
	return n;
}

static void
control(struct input *in, const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;
	uint8_t c;

	while (p < end) {
		c = *p++;
		switch (c) {
		case 'o': in->oauth2 = 1; break;
		case 'k': in->kiosk = 1; break;
		case 'e': in->enter = 1; break;
		case 'v': in->ui_fails = 1; break;
		case 'n': in->no_secret = 1; break;
		case 'b': in->auth = CLIENT_AUTH_BASIC; break;
		case 'p': in->auth = CLIENT_AUTH_POST; break;
		case 'q': in->qr = 1; break;
		case 'w':
			in->more = (int)number(&p, end);
			if (in->more < 1 || in->more > 3)
				in->more = 1;
			break;
		case 'y': in->corrupt = 1; break;
		case 'd': in->bad_cache = 1; break;
		case 'm': F.fail_at = number(&p, end); break;
		case 'r': F.rate = number(&p, end) % 1001; break;
		case 'j': F.jfail_at = number(&p, end); break;
		case 'x': in->xrate = number(&p, end) % 1001; break;
		case 's': in->stop_sleep = number(&p, end); break;
		default: break;
		}
	}
}

/* A growing string of the harness (never failed: not armed yet). */
struct sbuf {
	char *p;
	size_t len, cap;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
sb_str(struct sbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

static char *make_token(struct input *in, int i);

/* Replace $NOW, $EXP, $JWKE, $JWKF, $JWKR and $ID in p[0..n). */
static char *
expand(struct input *in, const uint8_t *p, size_t n, int tokens)
{
	struct sbuf b = { NULL, 0, 0 };
	char num[32], *tok;
	size_t i = 0;

	sb_add(&b, "", 0);
	while (i < n) {
		const char *s = (const char *)p + i;
		size_t left = n - i;

		if (left >= 4 && memcmp(s, "$NOW", 4) == 0) {
			snprintf(num, sizeof(num), "%lld", (long long)in->now);
			sb_str(&b, num);
			i += 4;
		} else if (left >= 4 && memcmp(s, "$EXP", 4) == 0) {
			snprintf(
			    num, sizeof(num), "%lld", (long long)in->now + 300);
			sb_str(&b, num);
			i += 4;
		} else if (left >= 5 && memcmp(s, "$JWKE", 5) == 0) {
			sb_str(&b, jwk_e1);
			i += 5;
		} else if (left >= 5 && memcmp(s, "$JWKF", 5) == 0) {
			sb_str(&b, jwk_e2);
			i += 5;
		} else if (left >= 5 && memcmp(s, "$JWKR", 5) == 0) {
			sb_str(&b, jwk_k1);
			i += 5;
		} else if (tokens && left >= 3 && memcmp(s, "$ID", 3) == 0) {
			tok = make_token(in, in->next_token++);
			sb_str(&b, tok);
			free(tok);
			i += 3;
		} else {
			sb_add(&b, s, 1);
			i++;
		}
	}
	return b.p;
}

/* The payload of a C line: merged over a valid one, or as it is. */
static char *
payload(struct input *in, const uint8_t *p, size_t n)
{
	char *text = expand(in, p, n, 0), *out;
	json_t *base, *o, *v;
	const char *key;
	void *tmp;

	if (text[0] == '\0') {
		free(text);
		text = fix_strdupf("{}");
	}

	base = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "iss", ISS, "aud",
	    FIX_AUD, "sub", "s-1", "preferred_username", "alice", "iat",
	    (json_int_t)in->now, "exp", (json_int_t)in->now + 300);
	o = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (base == NULL || !json_is_object(o)) {
		json_decref(base);
		json_decref(o);
		return text;
	}
	json_object_foreach_safe(o, tmp, key, v)
	{
		if (json_is_null(v))
			json_object_del(base, key);
		else
			json_object_set(base, key, v);
	}
	json_decref(o);
	free(text);
	if ((out = json_dumps(base, JSON_COMPACT)) == NULL)
		abort();
	json_decref(base);
	return out;
}

static char *
make_token(struct input *in, int i)
{
	const uint8_t *c = i < in->nclaims ? in->claims[i] : NULL;
	size_t len = i < in->nclaims ? in->claims_len[i] : 0;
	char alg = len > 0 ? (char)c[0] : 'E';
	char *pl = payload(in, c != NULL ? c + 1 : NULL, len > 0 ? len - 1 : 0);
	char *tok, *h, *p;

	switch (alg) {
	case 'F':
		tok = fix_jws(
		    "{\"alg\":\"ES256\",\"kid\":\"e2\"}", pl, "ES256", e2, "");
		break;
	case 'R':
		tok = fix_jws(
		    "{\"alg\":\"RS256\",\"kid\":\"k1\"}", pl, "RS256", k1, "");
		break;
	case 'H':
		tok = fix_jws("{\"alg\":\"HS256\"}", pl, "HS256", NULL, SECRET);
		break;
	case 'N':
		h = fix_b64s("{\"alg\":\"none\"}");
		p = fix_b64s(pl);
		tok = fix_strdupf("%s.%s.", h, p);
		free(h);
		free(p);
		break;
	case 'X':
		tok = fix_jws(
		    "{\"alg\":\"ES256\",\"kid\":\"e1\"}", pl, "ES256", e2, "");
		break;
	default:
		tok = fix_jws(
		    "{\"alg\":\"ES256\",\"kid\":\"e1\"}", pl, "ES256", e1, "");
		break;
	}
	free(pl);
	return tok;
}

static void
answer_line(struct input *in, const uint8_t *p, size_t len)
{
	static const char kinds[] = "DATKU";
	const uint8_t *end = p + len, *sp;
	struct answer *a;
	const char *k;
	int kind;

	if (len == 0 || (k = memchr(kinds, p[0], 5)) == NULL)
		return;
	kind = (int)(k - kinds);
	if (in->n[kind] >= MAX_ANSWERS)
		return;
	a = &in->ans[kind][in->n[kind]++];
	p++;
	if (end - p >= 3 && p[0] >= '1' && p[0] <= '5' && p[1] >= '0' &&
	    p[1] <= '9' && p[2] >= '0' && p[2] <= '9') {
		a->s.status =
		    (p[0] - '0') * 100 + (p[1] - '0') * 10 + p[2] - '0';
		p += 3;
	}
	if ((sp = memchr(p, ' ', (size_t)(end - p))) == NULL)
		sp = end;
	for (; p < sp; p++) {
		switch (*p) {
		case 'f':
			a->s.content_type = "application/x-www-form-urlencoded";
			break;
		case 't': a->s.content_type = "text/html"; break;
		case 'z': a->s.content_type = ""; break;
		case 'c': a->s.cache_control = "max-age=3600"; break;
		case 'a': a->s.cache_control = "max-age=0"; break;
		case 's': a->s.cache_control = "no-store"; break;
		case 'U':
			a->s.fail = OIDC_ERR_UNAVAIL;
			a->s.error_text = "Connection reset by peer";
			break;
		case 'B': a->s.fail = OIDC_ERR_PROTOCOL; break;
		default: break;
		}
	}
	if (sp < end)
		sp++;
	a->body = expand(in, sp, (size_t)(end - sp), 1);
	a->s.body = a->body;
	a->s.len = strlen(a->body);
}

static int
allowed_arg(const uint8_t *p, size_t len)
{
	static const char *const files[] = { "cache_dir", "ca_file",
		"client_secret_file", "config", NULL };
	size_t i, n;

	for (i = 0; files[i] != NULL; i++) {
		n = strlen(files[i]);
		if (len >= n && memcmp(p, files[i], n) == 0)
			return 0;
	}
	return 1;
}

static void
parse(struct input *in, const uint8_t *data, size_t size)
{
	const uint8_t *line;
	size_t len;

	if (!fz_next(&data, &size, '\n', &line, &len))
		return;
	control(in, line, len);
	/* C lines first: answers may name their tokens in any order. */
	while (fz_next(&data, &size, '\n', &line, &len)) {
		if (len > 0 && line[0] == 'C' && in->nclaims < MAX_TOKENS) {
			in->claims[in->nclaims] = line + 1;
			in->claims_len[in->nclaims++] = len - 1;
		} else if (len > 1 && line[0] == '=' && in->nargs < 16 &&
		    allowed_arg(line + 1, len - 1) &&
		    memchr(line, '\0', len) == NULL) {
			in->args[in->nargs++] = fz_strndup(line + 1, len - 1);
		}
	}
}

static void
parse_answers(struct input *in, const uint8_t *data, size_t size)
{
	const uint8_t *line;
	size_t len;

	if (!fz_next(&data, &size, '\n', &line, &len))
		return;
	while (fz_next(&data, &size, '\n', &line, &len))
		if (len > 0 && line[0] != 'C' && line[0] != '=')
			answer_line(in, line, len);
}

/* --- the login ---------------------------------------------------------- */

static enum kind
kind_of(const struct script_call *c)
{
	if (strcmp(c->method, "POST") == 0)
		return c->form != NULL &&
			memmem(c->form, c->form_len, "grant_type=", 11) != NULL
		    ? K_TOKEN
		    : K_DEVICE;
	if (c->bearer)
		return K_USERINFO;
	if (strstr(c->url, "/.well-known/openid-configuration") != NULL)
		return K_DISCO;
	return K_JWKS;
}

static int
respond(void *ctx, const struct script_call *c, struct script_step *a)
{
	struct input *in = ctx;
	enum kind k = kind_of(c);

	/* No request after a stop signal. */
	if (in->stop_sleep > 0 && clock_script_sleeps() >= in->stop_sleep)
		abort();
	if (k == K_TOKEN) {
		/* The code is on screen before the first poll ... */
		if (!in->shown)
			abort();
		/* ... and no poll is made at or past the deadline. */
		if (script_deadline() > 0 && c->at_ms >= script_deadline())
			abort();
	}
	if (in->xrate > 0 && (long)(rnd() % 1000) < in->xrate) {
		a->fail = rnd() % 4 == 0 ? OIDC_ERR_PROTOCOL : OIDC_ERR_UNAVAIL;
		a->error_text = "injected failure";
		return 0;
	}
	if (in->used[k] >= in->n[k]) {
		a->fail = OIDC_ERR_UNAVAIL;
		a->error_text = "no scripted answer";
		return 0;
	}
	*a = in->ans[k][in->used[k]++].s;
	return 0;
}

static void
code_shown(void *ctx)
{
	struct input *in = ctx;

	in->code_shown = 1;
}

static int
show(void *ctx, const char *text)
{
	struct input *in = ctx;

	if (!in->code_shown)
		abort();
	fz_assert_terminal_safe(text, '\n');
	in->shown = 1;
	return in->ui_fails ? OIDC_ERR_CONV : 0;
}

static struct oidc_config *
configure(struct input *in)
{
	struct oidc_config *cfg = config_new();
	char why[256];
	char *text;
	int i;

	if (cfg == NULL)
		abort();
	text =
	    fix_strdupf("client_id = client-1\ncache_dir = %s\nqr = %s\n%s%s",
		in->bad_cache ? not_a_dir : cache_dir, in->qr ? "utf8" : "off",
		in->no_secret ? "signing_algorithms = RS256 ES256\n"
			      : "signing_algorithms = RS256 ES256 HS256\n"
				"client_secret = " SECRET "\n",
		in->oauth2
		    ? "device_authorization_endpoint = https://gh.test/code\n"
		      "token_endpoint = https://gh.test/token\n"
		      "userinfo_endpoint = https://api.gh.test/user\n"
		      "username_claim = login\n"
		    : "issuer = " ISS "\n");
	if (config_parse(cfg, "fuzz", text, strlen(text), why, sizeof(why)) !=
	    0)
		abort();
	free(text);
	if (in->auth != CLIENT_AUTH_AUTO && !in->no_secret)
		cfg->client_auth = in->auth;
	for (i = 0; i < in->nargs; i++)
		if (config_apply_arg(cfg, in->args[i], why, sizeof(why)) != 0)
			goto bad;
	if (config_validate(cfg, why, sizeof(why)) != 0)
		goto bad;
	return cfg;
bad:
	config_free(cfg);
	return NULL;
}

static void
check_identity(const struct oidc_config *cfg, const struct oidc_login *lg,
    const struct oidc_identity *id)
{
	size_t i;

	if (id == NULL || id->username == NULL || id->sub == NULL ||
	    id->claims == NULL)
		abort();
	if (!names_valid(id->username, NAMES_USER_MAX) ||
	    strlen(id->username) > (size_t)cfg->username_max_length)
		abort();
	if (lg->user != NULL &&
	    (strlen(lg->user) != strlen(id->username) ||
		memcmp(lg->user, id->username, strlen(lg->user)) != 0))
		abort();
	if (id->roles.n > ROLES_MAX)
		abort();
	for (i = 0; i < id->groups.n; i++)
		if (!names_valid(id->groups.v[i], NAMES_GROUP_MAX))
			abort();
}

static void
log_stderr(void *ctx, int prio, const char *line)
{
	(void)ctx;
	fprintf(stderr, "  log %d: %s\n", prio, line);
}

static const struct oidc_log debug_log = { log_stderr, NULL, 1 };

static void
one_login(struct input *in, const struct oidc_config *cfg)
{
	struct oidc_ui ui = { in, show, show, code_shown };
	struct oidc_login lg = { "fuzzhost", "sshd", "alice", in->enter,
		debug ? &debug_log : NULL, 0 };
	struct oidc_identity *id = NULL;
	int r, failed;

	if (in->kiosk)
		lg.user = NULL;
	in->shown = in->code_shown = 0;
	clock_script_reset(T0);
	if (in->stop_sleep > 0)
		clock_script_stop_at((int)in->stop_sleep, SIGINT, 700);
	F.fired = F.jfired = 0;
	F.armed = 1;
	r = login_run(cfg, &lg, &ui, &id);
	F.armed = 0;
	failed = F.fired || F.jfired;
	if (debug)
		fprintf(stderr,
		    "login: %d (%s), %zu requests, %ld allocations of the "
		    "core and %ld of jansson so far, %s failed\n",
		    r, oidc_strerror(r), script_requests(), F.count, F.jcount,
		    failed ? "one" : "none");
	if (r > 0 || r < OIDC_ERR_PERM)
		abort();
	if (r == 0)
		check_identity(cfg, &lg, id);
	else if (id != NULL)
		abort();
	if (r == 0 && failed)
		abort();
	if (in->stop_sleep > 0 && clock_script_sleeps() >= in->stop_sleep &&
	    r != OIDC_ERR_CONV)
		abort();
	if (clock_script_holds() != clock_script_releases() ||
	    script_live_handles() != 0)
		abort();
	identity_free(id);
}

/* Cut every cache entry to half its length. */
static void
cut_cache(void)
{
	struct dirent *de;
	struct stat st;
	char path[8192];
	DIR *d;

	if ((d = opendir(cache_dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    snprintf(path, sizeof(path), "%s/%s", cache_dir,
			de->d_name) >= (int)sizeof(path))
			continue;
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    truncate(path, st.st_size / 2) != 0)
			abort();
	}
	closedir(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_config *cfg;
	struct input *in;
	uint64_t seed = 1469598103934665603ULL;
	size_t i;
	int k, a;

	if ((in = calloc(1, sizeof(*in))) == NULL)
		abort();
	for (i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 1099511628211ULL;
	memset(&F, 0, sizeof(F));
	F.fail_at = F.jfail_at = -1;
	F.rng = seed | 1;
	in->now = time(NULL);
	parse(in, data, size);
	parse_answers(in, data, size);
	if ((cfg = configure(in)) != NULL) {
		cache_clear(cache_dir);
		script_reset(NULL);
		script_set_responder(respond, in);
		one_login(in, cfg);
		for (i = 0; i < (size_t)in->more; i++) {
			if (in->corrupt)
				cut_cache();
			one_login(in, cfg);
		}
		script_reset(NULL);
	}
	config_free(cfg);
	for (k = 0; k < K_N; k++)
		for (a = 0; a < in->n[k]; a++)
			free(in->ans[k][a].body);
	for (i = 0; i < (size_t)in->nargs; i++)
		free(in->args[i]);
	free(in);
	return 0;
}
