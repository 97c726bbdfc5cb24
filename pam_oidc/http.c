/*
 * The only file that knows libcurl. Every safety setting lives here:
 * HTTPS only, verification always on, no redirects, no proxies or curlrc
 * from the environment, bounded time and size, no decompression.
 */
#include <curl/curl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"
#include "oidc.h"

/*
 * The system store as OpenSSL's hashed directory (update-ca-certificates
 * keeps it): only the issuer a server needs is read. Loading the bundle
 * file instead parses all of its 140-odd certificates at every login,
 * about 240 M instructions.
 */
#define SYSTEM_CA_DIR "/etc/ssl/certs"

struct oidc_http {
	CURL *curl;
	struct curl_slist *auth; /* holds a secret */
	int64_t deadline_ms;
	int timeout_s;
	long connections;
	char errbuf[CURL_ERROR_SIZE];
	struct oidc_http_resp *cur;
	int too_big;
	int oom; /* the body could not be stored */
};

/*
 * libcurl's TLS start-up opens the file SSLKEYLOGFILE names, even in a
 * set-user-ID program such as sudo, where the invoking user sets the
 * environment: that would have root create a file of their choosing and
 * write every session's TLS secrets into it. The variable is hidden while
 * libcurl starts and put back afterwards.
 */
#define KEYLOG_ENV "SSLKEYLOGFILE"

int
http_global_init(void)
{
	const char *v = getenv(KEYLOG_ENV);
	char *saved = NULL;
	int r;

	if (v != NULL) {
		if ((saved = strdup(v)) == NULL)
			return OIDC_ERR_NOMEM;
		/*
		 * The environment is the process's; curl_global_init is no
		 * more thread-safe than this, and libcurl reads it nowhere
		 * else.
		 */
		/* NOLINTNEXTLINE(concurrency-mt-unsafe) */
		if (unsetenv(KEYLOG_ENV) != 0) {
			free(saved);
			return OIDC_ERR_SYSTEM;
		}
	}
	r = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0
							      : OIDC_ERR_NOMEM;
	if (saved != NULL) {
		/* NOLINTNEXTLINE(concurrency-mt-unsafe) */
		(void)setenv(KEYLOG_ENV, saved, 1);
		free(saved);
	}
	return r;
}

void
http_global_cleanup(void)
{
	curl_global_cleanup();
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct oidc_http *h = arg;
	struct oidc_http_resp *r = h->cur;
	size_t n = size * nmemb;
	char *nb;

	if (n > OIDC_MAX_BODY - r->len) {
		h->too_big = 1;
		return 0;
	}
	/* Grow by copying so that no stale copy of a token is left behind. */
	if ((nb = malloc(r->len + n + 1)) == NULL) {
		h->oom = 1;
		return 0;
	}
	if (r->body != NULL)
		memcpy(nb, r->body, r->len);
	memcpy(nb + r->len, data, n);
	oidc_freezero(r->body, r->len + 1);
	r->body = nb;
	r->len += n;
	r->body[r->len] = '\0';
	return n;
}

static void
parse_cache_control(struct oidc_http_resp *r, const char *v, size_t n)
{
	char buf[256], *p, *end;
	long age;

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, v, n);
	buf[n] = '\0';
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

static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct oidc_http *h = arg;
	size_t n = size * nmemb;
	static const char cc[] = "cache-control:";

	if (n > sizeof(cc) && strncasecmp(data, cc, sizeof(cc) - 1) == 0)
		parse_cache_control(
		    h->cur, data + sizeof(cc) - 1, n - (sizeof(cc) - 1));
	return n;
}

static int
setup(struct oidc_http *h, const struct oidc_http_opts *o)
{
	CURL *c = h->curl;
	int ok = 1;

	ok &= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https") == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK;
	/* Named here, never taken from the environment. */
	ok &= curl_easy_setopt(c, CURLOPT_CAINFO, o->ca_file) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_CAPATH,
		  o->ca_file != NULL ? NULL : SYSTEM_CA_DIR) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_SSLVERSION,
		  (long)CURL_SSLVERSION_TLSv1_2) == CURLE_OK;
	/* An empty proxy string disables proxies, even from the environment. */
	ok &= curl_easy_setopt(c, CURLOPT_PROXY, "") == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
		  (curl_off_t)OIDC_MAX_BODY) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_WRITEDATA, h) == CURLE_OK;
	ok &=
	    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_HEADERDATA, h) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf) == CURLE_OK;
	ok &= curl_easy_setopt(
		  c, CURLOPT_USERAGENT, "pam_oidc/" OIDC_VERSION) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_MAXCONNECTS, 1L) == CURLE_OK;
	return ok ? 0 : OIDC_ERR_NOMEM;
}

struct oidc_http *
http_new(const struct oidc_http_opts *opts)
{
	struct oidc_http *h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->timeout_s = opts->timeout_s > 0 ? opts->timeout_s : 10;
	if ((h->curl = curl_easy_init()) == NULL || setup(h, opts) != 0) {
		http_free(h);
		return NULL;
	}
	return h;
}

void
http_clear_auth(struct oidc_http *h)
{
	struct curl_slist *s;

	for (s = h->auth; s != NULL; s = s->next)
		explicit_bzero(s->data, strlen(s->data));
	curl_slist_free_all(h->auth);
	h->auth = NULL;
}

void
http_free(struct oidc_http *h)
{
	if (h == NULL)
		return;
	http_clear_auth(h);
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	free(h);
}

void
http_set_deadline(struct oidc_http *h, int64_t deadline_ms)
{
	h->deadline_ms = deadline_ms;
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

static char *
form_escape(const char *s)
{
	char *e, *copy;

	if ((e = curl_easy_escape(NULL, s, 0)) == NULL)
		return NULL;
	copy = strdup(e);
	explicit_bzero(e, strlen(e));
	curl_free(e);
	return copy;
}

int
http_set_basic_auth(struct oidc_http *h, const char *user, const char *pass)
{
	char *u = NULL, *p = NULL, *joined = NULL, *hdr = NULL;
	size_t jlen = 0, hlen = 0;
	struct curl_slist *s;
	int r = OIDC_ERR_NOMEM, n;

	http_clear_auth(h);
	if ((u = form_escape(user)) == NULL || (p = form_escape(pass)) == NULL)
		goto out;
	jlen = strlen(u) + strlen(p) + 2;
	if ((joined = malloc(jlen)) == NULL)
		goto out;
	n = snprintf(joined, jlen, "%s:%s", u, p);
	if (n < 0 || (size_t)n >= jlen)
		goto out;
	hlen = 4 * ((size_t)n + 2) / 3 + 32;
	if ((hdr = malloc(hlen)) == NULL)
		goto out;
	memcpy(hdr, "Authorization: Basic ", 21);
	EVP_EncodeBlock((unsigned char *)hdr + 21, (unsigned char *)joined, n);
	if ((s = curl_slist_append(NULL, hdr)) == NULL)
		goto out;
	h->auth = s;
	r = 0;
out:
	oidc_strfree(u);
	oidc_strfree(p);
	oidc_freezero(joined, jlen);
	oidc_freezero(hdr, hlen);
	return r;
}

static long
request_timeout_ms(const struct oidc_http *h)
{
	int64_t ms = (int64_t)h->timeout_s * 1000, left;

	if (h->deadline_ms > 0) {
		left = h->deadline_ms - oidc_now_ms();
		if (left < ms)
			ms = left;
	}
	return ms < 1 ? 1 : (long)ms;
}

static struct curl_slist *
build_headers(const struct oidc_http *h, int post, const char *bearer,
    char **bhdr, size_t *blen)
{
	struct curl_slist *list = NULL, *s;
	const struct curl_slist *a;

	*bhdr = NULL;
	if ((list = curl_slist_append(NULL, "Accept: application/json")) ==
	    NULL)
		return NULL;
	if (bearer != NULL) {
		*blen = strlen(bearer) + 32;
		if ((*bhdr = malloc(*blen)) == NULL ||
		    snprintf(*bhdr, *blen, "Authorization: Bearer %s", bearer) <
			0 ||
		    (s = curl_slist_append(list, *bhdr)) == NULL)
			goto fail;
		list = s;
	} else if (post) {
		/*
		 * Client credentials go only with POSTs to the device and
		 * token endpoints, never to discovery or the JWKS host.
		 */
		for (a = h->auth; a != NULL; a = a->next) {
			if ((s = curl_slist_append(list, a->data)) == NULL)
				goto fail;
			list = s;
		}
	}
	return list;
fail:
	for (s = list; s != NULL; s = s->next)
		explicit_bzero(s->data, strlen(s->data));
	curl_slist_free_all(list);
	return NULL;
}

int
http_request(struct oidc_http *h, const char *url, const struct oidc_form *form,
    const char *bearer, struct oidc_http_resp *resp)
{
	struct curl_slist *hdrs, *s;
	char *bhdr = NULL, *ct = NULL;
	size_t blen = 0;
	long conns = 0;
	CURLcode rc;
	int r = OIDC_ERR_NOMEM;

	memset(resp, 0, sizeof(*resp));
	resp->max_age = -1;
	if (form != NULL && form->err != 0)
		return form->err;
	h->errbuf[0] = '\0';
	h->cur = resp;
	h->too_big = 0;
	h->oom = 0;
	if ((hdrs = build_headers(h, form != NULL, bearer, &bhdr, &blen)) ==
	    NULL)
		goto out;
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, request_timeout_ms(h));
	curl_easy_setopt(
	    h->curl, CURLOPT_CONNECTTIMEOUT_MS, request_timeout_ms(h));
	if (form != NULL) {
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS,
		    form->buf != NULL ? form->buf : "");
		curl_easy_setopt(
		    h->curl, CURLOPT_POSTFIELDSIZE, (long)form->len);
	} else {
		curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
	}
	rc = curl_easy_perform(h->curl);
	/* Never leave a pointer to the caller's form or our headers. */
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, NULL);
	if (curl_easy_getinfo(h->curl, CURLINFO_NUM_CONNECTS, &conns) ==
	    CURLE_OK)
		h->connections += conns;
	if (h->oom) {
		r = OIDC_ERR_NOMEM;
		goto out;
	}
	if (h->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		r = OIDC_ERR_PROTOCOL;
		goto out;
	}
	if (rc != CURLE_OK) {
		if (h->errbuf[0] == '\0' &&
		    snprintf(h->errbuf, sizeof(h->errbuf), "%s",
			curl_easy_strerror(rc)) < 0)
			h->errbuf[0] = '\0';
		r = rc == CURLE_OUT_OF_MEMORY ? OIDC_ERR_NOMEM
					      : OIDC_ERR_UNAVAIL;
		goto out;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	if (curl_easy_getinfo(h->curl, CURLINFO_CONTENT_TYPE, &ct) ==
		CURLE_OK &&
	    ct != NULL &&
	    snprintf(resp->content_type, sizeof(resp->content_type), "%s", ct) <
		0)
		resp->content_type[0] = '\0';
	if (resp->body == NULL && (resp->body = calloc(1, 1)) == NULL)
		goto out;
	r = 0;
out:
	for (s = hdrs; s != NULL; s = s->next)
		explicit_bzero(s->data, strlen(s->data));
	curl_slist_free_all(hdrs);
	oidc_freezero(bhdr, blen);
	h->cur = NULL;
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

void
form_add(struct oidc_form *f, const char *key, const char *value)
{
	char *k = NULL, *v = NULL, *nb;
	size_t need;
	int n;

	if (f->err != 0)
		return;
	if ((k = form_escape(key)) == NULL || (v = form_escape(value)) == NULL)
		goto nomem;
	need = f->len + strlen(k) + strlen(v) + 3;
	if (need > f->cap) {
		/* Copy rather than realloc so no secret is left in the heap. */
		if ((nb = malloc(need * 2)) == NULL)
			goto nomem;
		if (f->buf != NULL)
			memcpy(nb, f->buf, f->len + 1);
		oidc_freezero(f->buf, f->cap);
		f->buf = nb;
		f->cap = need * 2;
	}
	n = snprintf(f->buf + f->len, f->cap - f->len, "%s%s=%s",
	    f->len > 0 ? "&" : "", k, v);
	if (n < 0 || (size_t)n >= f->cap - f->len)
		goto nomem;
	f->len += (size_t)n;
	oidc_strfree(k);
	oidc_strfree(v);
	return;
nomem:
	oidc_strfree(k);
	oidc_strfree(v);
	f->err = OIDC_ERR_NOMEM;
}

void
form_clear(struct oidc_form *f)
{
	oidc_freezero(f->buf, f->cap);
	memset(f, 0, sizeof(*f));
}
