/*
 * The scripted transport (see http_script.h). It allocates only where
 * http.c does (the handle, the credentials, form buffers, the answer's
 * body), so that a harness failing allocations sees the same error paths;
 * its own records are fixed-size.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "http_script.h"
#include "oidc.h"

struct oidc_http {
	int64_t deadline_ms;
	char *user, *pass; /* basic credentials, wiped when freed */
	int connected;
	long connections;
	char errbuf[256];
};

struct step {
	struct script_step s; /* every string points into an owned copy */
	struct step *next;
};

static struct {
	struct step *head, **tail;
	script_fail_fn fail;
	script_responder responder;
	void *responder_ctx;
	size_t requests;
	struct script_call log[SCRIPT_MAX_LOG];
	long connections;
	int live;
	char user[256], pass[256];
	int have_basic;
	int64_t deadline_ms;
} S = { .tail = &S.head };

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
fail(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	if (S.fail != NULL) {
		S.fail(msg);
		return;
	}
	fprintf(stderr, "http_script: %s\n", msg);
	abort();
}

static char *
dup_or_die(const char *s)
{
	char *c;

	if (s == NULL)
		return NULL;
	if ((c = strdup(s)) == NULL) {
		fprintf(stderr, "http_script: out of memory\n");
		abort();
	}
	return c;
}

static void
free_step(struct step *st)
{
	size_t i;

	free((char *)st->s.method);
	free((char *)st->s.url);
	for (i = 0; i < SCRIPT_MAX_FORM; i++) {
		free((char *)st->s.form[i]);
		free((char *)st->s.no_form[i]);
	}
	free((char *)st->s.bearer);
	free((char *)st->s.error_text);
	free((char *)st->s.content_type);
	free((char *)st->s.cache_control);
	free((char *)st->s.body);
	free(st);
}

void
script_reset(script_fail_fn fn)
{
	struct step *st, *next;

	for (st = S.head; st != NULL; st = next) {
		next = st->next;
		free_step(st);
	}
	memset(&S, 0, sizeof(S));
	S.tail = &S.head;
	S.fail = fn;
}

void
script_expect(const struct script_step *in)
{
	struct step *st = calloc(1, sizeof(*st));
	char *body;
	size_t i, len;

	if (st == NULL) {
		fprintf(stderr, "http_script: out of memory\n");
		abort();
	}
	st->s = *in;
	st->s.method = dup_or_die(in->method);
	st->s.url = dup_or_die(in->url);
	for (i = 0; i < SCRIPT_MAX_FORM; i++) {
		st->s.form[i] = dup_or_die(in->form[i]);
		st->s.no_form[i] = dup_or_die(in->no_form[i]);
	}
	st->s.bearer = dup_or_die(in->bearer);
	st->s.error_text = dup_or_die(in->error_text);
	st->s.content_type = dup_or_die(in->content_type);
	st->s.cache_control = dup_or_die(in->cache_control);
	len = in->body == NULL ? 0 : in->len > 0 ? in->len : strlen(in->body);
	if ((body = malloc(len + 1)) == NULL) {
		fprintf(stderr, "http_script: out of memory\n");
		abort();
	}
	if (len > 0)
		memcpy(body, in->body, len);
	body[len] = '\0';
	st->s.body = body;
	st->s.len = len;
	*S.tail = st;
	S.tail = &st->next;
}

void
script_set_responder(script_responder fn, void *ctx)
{
	S.responder = fn;
	S.responder_ctx = ctx;
}

size_t
script_pending(void)
{
	const struct step *st;
	size_t n = 0;

	for (st = S.head; st != NULL; st = st->next)
		n++;
	return n;
}

void
script_verify_done(void)
{
	if (S.head != NULL)
		fail("%zu request(s) were never made; the first: %s %s",
		    script_pending(), S.head->s.method, S.head->s.url);
}

size_t
script_requests(void)
{
	return S.requests;
}

const struct script_call *
script_call(size_t i)
{
	return i < S.requests && i < SCRIPT_MAX_LOG ? &S.log[i] : NULL;
}

long
script_connections(void)
{
	return S.connections;
}

int
script_live_handles(void)
{
	return S.live;
}

const char *
script_basic_user(void)
{
	return S.have_basic ? S.user : NULL;
}

const char *
script_basic_pass(void)
{
	return S.have_basic ? S.pass : NULL;
}

int64_t
script_deadline(void)
{
	return S.deadline_ms;
}

/* --- http.h ------------------------------------------------------------- */

int
http_global_init(void)
{
	return 0;
}

void
http_global_cleanup(void)
{
}

struct oidc_http *
http_new(const struct oidc_http_opts *opts)
{
	struct oidc_http *h;

	(void)opts;
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	S.live++;
	return h;
}

void
http_clear_auth(struct oidc_http *h)
{
	oidc_strfree(h->user);
	oidc_strfree(h->pass);
	h->user = h->pass = NULL;
}

void
http_free(struct oidc_http *h)
{
	if (h == NULL)
		return;
	http_clear_auth(h);
	free(h);
	S.live--;
}

void
http_set_deadline(struct oidc_http *h, int64_t deadline_ms)
{
	h->deadline_ms = deadline_ms;
	S.deadline_ms = deadline_ms;
}

long
http_connections(const struct oidc_http *h)
{
	return h->connections;
}

const char *
http_last_error(const struct oidc_http *h)
{
	return h->errbuf;
}

static void
copy_cut(char *dst, size_t dstsz, const char *src)
{
	size_t n = strlen(src);

	if (n >= dstsz)
		n = dstsz - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

int
http_set_basic_auth(struct oidc_http *h, const char *user, const char *pass)
{
	http_clear_auth(h);
	if ((h->user = strdup(user)) == NULL ||
	    (h->pass = strdup(pass)) == NULL) {
		http_clear_auth(h);
		return OIDC_ERR_NOMEM;
	}
	copy_cut(S.user, sizeof(S.user), user);
	copy_cut(S.pass, sizeof(S.pass), pass);
	S.have_basic = 1;
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decode s[0..n) into out (at least n + 1 bytes). */
static void
decode(const char *s, size_t n, char *out)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
}

/*
 * The decoded value of key in the encoded form, or NULL; the result is
 * malloc'd. Only the test checks call this, before any allocation fails.
 */
static char *
form_value(const struct oidc_form *f, const char *key)
{
	const char *p = f->b.data, *end = f->b.data + f->b.len, *amp, *eq;
	char *k, *v;

	if (f->b.data == NULL)
		return NULL;
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			eq = amp;
		k = malloc((size_t)(eq - p) + 1);
		v = malloc((size_t)(amp - eq) + 1);
		if (k == NULL || v == NULL) {
			fprintf(stderr, "http_script: out of memory\n");
			abort();
		}
		decode(p, (size_t)(eq - p), k);
		decode(eq < amp ? eq + 1 : amp,
		    eq < amp ? (size_t)(amp - eq - 1) : 0, v);
		if (strcmp(k, key) == 0) {
			free(k);
			return v;
		}
		free(k);
		oidc_strfree(v);
		p = amp + 1;
	}
	return NULL;
}

/* Does the request match the step? Reports the first difference. */
static void
check_step(const struct script_step *s, const struct script_call *c,
    const struct oidc_form *form, const char *bearer)
{
	char key[256], *v;
	const char *eq;
	size_t i, n = S.requests;

	if (strcmp(s->method, c->method) != 0 || strcmp(s->url, c->url) != 0)
		fail("request %zu: expected %s %s, got %s %s", n, s->method,
		    s->url, c->method, c->url);
	if (s->bearer == NULL && bearer != NULL)
		fail("request %zu (%s): a bearer token was sent", n, c->url);
	if (s->bearer != NULL &&
	    (bearer == NULL || strcmp(s->bearer, bearer) != 0))
		fail("request %zu (%s): bearer %s, expected %s", n, c->url,
		    bearer != NULL ? bearer : "(none)", s->bearer);
	if (s->basic != c->basic)
		fail("request %zu (%s): basic credentials %s", n, c->url,
		    c->basic ? "sent, expected none" : "missing");
	for (i = 0; i < SCRIPT_MAX_FORM && s->form[i] != NULL; i++) {
		if ((eq = strchr(s->form[i], '=')) == NULL ||
		    (size_t)(eq - s->form[i]) >= sizeof(key))
			fail("bad form check %s", s->form[i]);
		memcpy(key, s->form[i], (size_t)(eq - s->form[i]));
		key[eq - s->form[i]] = '\0';
		v = form != NULL ? form_value(form, key) : NULL;
		if (v == NULL || strcmp(v, eq + 1) != 0)
			fail("request %zu (%s): form %s is %s, expected %s", n,
			    c->url, key, v != NULL ? v : "(absent)", eq + 1);
		oidc_strfree(v);
	}
	for (i = 0; i < SCRIPT_MAX_FORM && s->no_form[i] != NULL; i++) {
		v = form != NULL ? form_value(form, s->no_form[i]) : NULL;
		if (v != NULL) {
			oidc_strfree(v);
			fail("request %zu (%s): the form holds %s", n, c->url,
			    s->no_form[i]);
		}
	}
}

static void
parse_cache_control(struct oidc_http_resp *r, const char *v)
{
	char buf[256], *p, *end;
	long age;

	copy_cut(buf, sizeof(buf), v);
	for (p = buf; *p != '\0'; p++)
		*p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
	if (strstr(buf, "no-store") != NULL || strstr(buf, "no-cache") != NULL)
		r->no_store = 1;
	if ((p = strstr(buf, "max-age=")) != NULL) {
		age = strtol(p + 8, &end, 10);
		if (end != p + 8 && age >= 0)
			r->max_age = age;
	}
}

/* Fill resp from the answer the way http.c does from a transfer. */
static int
answer(struct oidc_http *h, const struct script_step *a,
    struct oidc_http_resp *resp)
{
	size_t len;

	if (a->fail != 0) {
		copy_cut(h->errbuf, sizeof(h->errbuf),
		    a->error_text != NULL ? a->error_text : "scripted failure");
		h->connected = 0;
		return a->fail;
	}
	resp->status = a->status != 0 ? a->status : 200;
	copy_cut(resp->content_type, sizeof(resp->content_type),
	    a->content_type != NULL ? a->content_type : "application/json");
	if (a->cache_control != NULL)
		parse_cache_control(resp, a->cache_control);
	len = a->body == NULL ? 0 : a->len > 0 ? a->len : strlen(a->body);
	if (len > OIDC_MAX_BODY) {
		h->connected = 0;
		return OIDC_ERR_PROTOCOL;
	}
	if ((resp->body = malloc(len + 1)) == NULL)
		return OIDC_ERR_NOMEM;
	if (len > 0)
		memcpy(resp->body, a->body, len);
	resp->body[len] = '\0';
	resp->len = len;
	return 0;
}

int
http_request(struct oidc_http *h, const char *url, const struct oidc_form *form,
    const char *bearer, struct oidc_http_resp *resp)
{
	struct script_call local, *c;
	struct script_step a;
	struct step *st;
	int r;

	memset(resp, 0, sizeof(*resp));
	resp->max_age = -1;
	if (form != NULL && form->b.err != 0)
		return form->b.err == OIDC_ERR_NOMEM ? OIDC_ERR_NOMEM
						     : OIDC_ERR_CONFIG;
	h->errbuf[0] = '\0';
	c = S.requests < SCRIPT_MAX_LOG ? &S.log[S.requests] : &local;
	memset(c, 0, sizeof(*c));
	copy_cut(c->method, sizeof(c->method), form != NULL ? "POST" : "GET");
	copy_cut(c->url, sizeof(c->url), url);
	c->at_ms = oidc_now_ms();
	c->bearer = bearer != NULL;
	copy_cut(c->token, sizeof(c->token), bearer != NULL ? bearer : "");
	/* As http.c: credentials go with POSTs that carry no bearer. */
	c->basic = form != NULL && bearer == NULL && h->user != NULL;
	if (!h->connected) {
		h->connected = 1;
		h->connections++;
		S.connections++;
	}
	if ((st = S.head) != NULL) {
		check_step(&st->s, c, form, bearer);
		S.requests++;
		if ((S.head = st->next) == NULL)
			S.tail = &S.head;
		r = answer(h, &st->s, resp);
		free_step(st);
	} else if (S.responder != NULL) {
		memset(&a, 0, sizeof(a));
		c->form = form != NULL ? form->b.data : NULL;
		c->form_len = form != NULL ? form->b.len : 0;
		r = S.responder(S.responder_ctx, c, &a);
		c->form = NULL;
		c->form_len = 0;
		S.requests++;
		if (r != 0) {
			fail("request %zu: %s %s refused by the responder",
			    S.requests - 1, c->method, c->url);
			return OIDC_ERR_UNAVAIL;
		}
		r = answer(h, &a, resp);
	} else {
		fail("request %zu: %s %s was not expected", S.requests,
		    c->method, c->url);
		S.requests++;
		return OIDC_ERR_UNAVAIL;
	}
	if (r != 0)
		http_resp_clear(resp);
	return r;
}

void
http_resp_clear(struct oidc_http_resp *resp)
{
	if (resp == NULL)
		return;
	oidc_freezero(resp->body, resp->len + 1);
	resp->body = NULL;
	resp->len = 0;
}
