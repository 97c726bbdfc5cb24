/*
 * The only file that knows libcurl. Every safety setting lives here:
 * HTTPS only, verification always on, no redirects, no proxies or curlrc
 * from the environment (only the configured proxy), bounded time and
 * size, no decompression.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cache.h"
#include "http.h"
#include "oidc.h"
#include "proxy.h"

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
	char lasterr[CURL_ERROR_SIZE + 256]; /* what http_last_error says */
	char *proxy;                         /* http://host:port, or NULL */
	char *no_proxy;
	int via_proxy; /* the current request goes through the proxy */
	struct oidc_http_resp *cur;
	struct oidc_buf body; /* the current answer's, at most OIDC_MAX_BODY */
};

/*
 * libcurl's TLS start-up opens the file SSLKEYLOGFILE names, even in a
 * set-user-ID program such as sudo, where the invoking user sets the
 * environment: that would have root create a file of their choosing and
 * write every session's TLS secrets into it. The variable is hidden while
 * libcurl starts and put back afterwards.
 *
 * That touches the process's environment, so it happens once, when the
 * module is loaded (pam_start), and never during a login: applications
 * may run logins in several threads. libcurl is cleaned up at unload.
 */
#define KEYLOG_ENV "SSLKEYLOGFILE"

/*
 * Set by the constructor under the loader's lock, read by every login;
 * atomic so that the ordering is also plain to thread checkers, which do
 * not see the loader's lock.
 */
static int curl_ready = OIDC_ERR_NOMEM;

/* NOLINTBEGIN(concurrency-mt-unsafe): at load, before any login */
__attribute__((constructor)) static void
http_load(void)
{
	const char *v = getenv(KEYLOG_ENV);
	char *saved = NULL;

	if (v != NULL &&
	    ((saved = strdup(v)) == NULL || unsetenv(KEYLOG_ENV) != 0)) {
		free(saved);
		return;
	}
	__atomic_store_n(&curl_ready,
	    curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0
							      : OIDC_ERR_NOMEM,
	    __ATOMIC_RELEASE);
	if (saved != NULL) {
		(void)setenv(KEYLOG_ENV, saved, 1);
		free(saved);
	}
}
/* NOLINTEND(concurrency-mt-unsafe) */

__attribute__((destructor)) static void
http_unload(void)
{
	if (__atomic_exchange_n(
		&curl_ready, OIDC_ERR_NOMEM, __ATOMIC_ACQ_REL) == 0)
		curl_global_cleanup();
}

int
http_global_init(void)
{
	return __atomic_load_n(&curl_ready, __ATOMIC_ACQUIRE);
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct oidc_http *h = arg;
	size_t n = size * nmemb;

	/* An answer past the bound, or out of memory, ends the transfer. */
	return buf_add(&h->body, data, n) == 0 ? n : 0;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct oidc_http *h = arg;
	size_t n = size * nmemb;
	static const char cc[] = "cache-control:";

	if (n > sizeof(cc) && strncasecmp(data, cc, sizeof(cc) - 1) == 0)
		cache_control(data + sizeof(cc) - 1, n - (sizeof(cc) - 1),
		    &h->cur->max_age, &h->cur->no_store);
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
	/*
	 * Named here, never taken from the environment: ca_file's text, read
	 * by the caller with the safe-open rules (no file name reaches
	 * libcurl, so nothing can swap the file after it was checked), or
	 * the system's hashed directory.
	 */
	ok &= curl_easy_setopt(c, CURLOPT_CAINFO, NULL) == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_CAPATH,
		  o->ca_pem != NULL ? NULL : SYSTEM_CA_DIR) == CURLE_OK;
	if (o->ca_pem != NULL) {
		struct curl_blob blob = { (void *)o->ca_pem, o->ca_pem_len,
			CURL_BLOB_COPY };

		ok &=
		    curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob) == CURLE_OK;
	}
	ok &= curl_easy_setopt(c, CURLOPT_SSLVERSION,
		  (long)CURL_SSLVERSION_TLSv1_2) == CURLE_OK;
	/*
	 * An empty proxy string disables proxies, even from the
	 * environment, and a no_proxy list, even an empty one, keeps the
	 * environment's no_proxy from bypassing the configured proxy.
	 * http_request names the proxy for each request it goes through.
	 */
	ok &= curl_easy_setopt(c, CURLOPT_PROXY, "") == CURLE_OK;
	ok &= curl_easy_setopt(c, CURLOPT_NOPROXY, "") == CURLE_OK;
	if (o->proxy != NULL) {
		/* https through CONNECT: TLS runs end to end to the provider. */
		ok &= curl_easy_setopt(c, CURLOPT_PROXYTYPE,
			  (long)CURLPROXY_HTTP) == CURLE_OK;
		ok &= curl_easy_setopt(c, CURLOPT_HTTPPROXYTUNNEL, 1L) ==
		    CURLE_OK;
		/* The proxy's own headers are not the provider's. */
		ok &= curl_easy_setopt(
			  c, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L) == CURLE_OK;
	}
	if (o->proxy != NULL && o->proxy_user != NULL) {
		/* libcurl keeps its own copies until the handle is freed. */
		ok &= curl_easy_setopt(
			  c, CURLOPT_PROXYUSERNAME, o->proxy_user) == CURLE_OK;
		ok &= curl_easy_setopt(c, CURLOPT_PROXYPASSWORD,
			  o->proxy_password != NULL ? o->proxy_password : "") ==
		    CURLE_OK;
		ok &= curl_easy_setopt(c, CURLOPT_PROXYAUTH,
			  (unsigned long)CURLAUTH_BASIC) == CURLE_OK;
	}
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
	if ((opts->proxy != NULL && (h->proxy = strdup(opts->proxy)) == NULL) ||
	    (opts->no_proxy != NULL &&
		(h->no_proxy = strdup(opts->no_proxy)) == NULL) ||
	    (h->curl = curl_easy_init()) == NULL || setup(h, opts) != 0) {
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
	free(h->proxy);
	free(h->no_proxy);
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
	return h->lasterr;
}

/*
 * The proxy for this request, or none when no_proxy names its host. The
 * URL is read by libcurl's own parser, so the host decided on is the one
 * libcurl connects to.
 */
static int
choose_proxy(struct oidc_http *h, const char *url)
{
	CURLU *u;
	char *host = NULL;
	int bypass = 0;

	h->via_proxy = 0;
	if (h->proxy == NULL)
		return 0;
	if (h->no_proxy != NULL) {
		if ((u = curl_url()) == NULL)
			return OIDC_ERR_NOMEM;
		if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK)
			bypass = proxy_bypass(h->no_proxy, host);
		curl_free(host);
		curl_url_cleanup(u);
	}
	h->via_proxy = !bypass;
	return curl_easy_setopt(h->curl, CURLOPT_PROXY,
		   h->via_proxy ? h->proxy : "") == CURLE_OK
	    ? 0
	    : OIDC_ERR_NOMEM;
}

/*
 * What the proxy did, when it is the cause: its answer to CONNECT, or no
 * connection, or no answer before the request's time ran out. After a
 * 2xx the tunnel stood and the failure lies beyond the proxy.
 */
static const char *
proxy_cause(struct oidc_http *h, CURLcode rc, char *buf, size_t bufsz)
{
	long code = 0;
	curl_off_t pre = 0;

	if (curl_easy_getinfo(h->curl, CURLINFO_HTTP_CONNECTCODE, &code) !=
	    CURLE_OK)
		code = 0;
	/* Some proxies answer wrong credentials with 401 rather than 407. */
	if (code == 407 || code == 401) {
		if (snprintf(buf, bufsz,
			"the proxy answered %ld to CONNECT; check "
			"proxy_credentials_file",
			code) < 0)
			return NULL;
		return buf;
	}
	if (code == 403)
		return "the proxy answered 403 to CONNECT (it refuses this "
		       "host or port)";
	if (code != 0 && (code < 200 || code > 299)) {
		if (snprintf(buf, bufsz, "the proxy answered %ld to CONNECT%s",
			code,
			code >= 500 ? " (it could not reach the provider)"
				    : "") < 0)
			return NULL;
		return buf;
	}
	if (rc == CURLE_COULDNT_RESOLVE_PROXY)
		return "the proxy's host name does not resolve";
	if (rc == CURLE_COULDNT_CONNECT)
		return "cannot connect to the proxy";
	/* Nothing was sent to the provider: the connection never stood. */
	if (code == 0 &&
	    curl_easy_getinfo(h->curl, CURLINFO_PRETRANSFER_TIME_T, &pre) ==
		CURLE_OK &&
	    pre == 0)
		return rc == CURLE_OPERATION_TIMEDOUT
		    ? "the proxy did not answer CONNECT in time"
		    : "the proxy gave no valid answer to CONNECT";
	return NULL;
}

/* http_last_error's text for a failed request. */
static void
set_last_error(struct oidc_http *h, CURLcode rc)
{
	const char *cause;
	char buf[128];
	int n;

	if (h->errbuf[0] == '\0' &&
	    snprintf(
		h->errbuf, sizeof(h->errbuf), "%s", curl_easy_strerror(rc)) < 0)
		h->errbuf[0] = '\0';
	if (!h->via_proxy)
		n = snprintf(h->lasterr, sizeof(h->lasterr), "%s", h->errbuf);
	else if ((cause = proxy_cause(h, rc, buf, sizeof(buf))) != NULL)
		n = snprintf(h->lasterr, sizeof(h->lasterr),
		    "through proxy %.200s: %s (%s)", h->proxy, cause,
		    h->errbuf);
	else
		n = snprintf(h->lasterr, sizeof(h->lasterr),
		    "through proxy %.200s: %s", h->proxy, h->errbuf);
	if (n < 0)
		h->lasterr[0] = '\0';
}

int
http_set_basic_auth(struct oidc_http *h, const char *user, const char *pass)
{
	char *u = NULL, *p = NULL, *joined = NULL, *hdr = NULL;
	size_t jlen = 0, hlen = 0;
	struct curl_slist *s;
	int r = OIDC_ERR_NOMEM, n;

	http_clear_auth(h);
	if ((u = form_encode(user)) == NULL || (p = form_encode(pass)) == NULL)
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
	if (form != NULL && form->b.err != 0)
		return form->b.err == OIDC_ERR_NOMEM ? OIDC_ERR_NOMEM
						     : OIDC_ERR_CONFIG;
	h->errbuf[0] = '\0';
	h->lasterr[0] = '\0';
	h->cur = resp;
	buf_init(&h->body, OIDC_MAX_BODY);
	if ((hdrs = build_headers(h, form != NULL, bearer, &bhdr, &blen)) ==
	    NULL)
		goto out;
	if ((r = choose_proxy(h, url)) != 0)
		goto out;
	r = OIDC_ERR_NOMEM;
	curl_easy_setopt(h->curl, CURLOPT_URL, url);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, request_timeout_ms(h));
	curl_easy_setopt(
	    h->curl, CURLOPT_CONNECTTIMEOUT_MS, request_timeout_ms(h));
	if (form != NULL) {
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS,
		    form->b.data != NULL ? form->b.data : "");
		curl_easy_setopt(
		    h->curl, CURLOPT_POSTFIELDSIZE, (long)form->b.len);
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
	if (rc != CURLE_OK)
		set_last_error(h, rc);
	if (h->body.err == OIDC_ERR_NOMEM) {
		r = OIDC_ERR_NOMEM;
		goto out;
	}
	if (h->body.err != 0 || rc == CURLE_FILESIZE_EXCEEDED) {
		r = OIDC_ERR_PROTOCOL;
		goto out;
	}
	if (rc != CURLE_OK) {
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
	if ((resp->body = buf_take(&h->body, &resp->len)) == NULL)
		goto out;
	r = 0;
out:
	buf_free(&h->body);
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
