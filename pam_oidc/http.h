/*
 * HTTPS requests to the provider. Only http.c knows libcurl. One handle
 * serves a whole login so one TLS connection carries every request.
 */
#ifndef OIDC_HTTP_H
#define OIDC_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "form.h"

struct oidc_http;

struct oidc_http_opts {
	/* The trusted authorities as PEM text; NULL: the system store. */
	const char *ca_pem;
	size_t ca_pem_len;
	int timeout_s; /* per request */
	/*
	 * An HTTP proxy, http://host:port, that https requests go through
	 * with CONNECT; NULL: none, and never one from the environment.
	 */
	const char *proxy;
	const char *no_proxy;       /* hosts reached directly; NULL: none */
	const char *proxy_user;     /* NULL: no proxy authentication */
	const char *proxy_password; /* Basic, with proxy_user */
};

struct oidc_http_resp {
	long status;
	char *body; /* NUL-terminated, may hold secrets */
	size_t len;
	char content_type[128];
	long max_age; /* Cache-Control max-age, -1 if none */
	int no_store; /* Cache-Control no-store/no-cache */
};

/*
 * Is libcurl ready? It is set up once, when the module is loaded, and
 * cleaned up when it is unloaded: 0, or OIDC_ERR_NOMEM.
 */
int http_global_init(void);
struct oidc_http *http_new(const struct oidc_http_opts *opts);
void http_free(struct oidc_http *h);

/* Requests end at this monotonic time (ms) at the latest; 0: none. */
void http_set_deadline(struct oidc_http *h, int64_t deadline_ms);

/*
 * Basic credentials per RFC 6749 section 2.3.1 (form-encoded, base64),
 * sent with every POST of this handle and with no GET.
 */
int http_set_basic_auth(
    struct oidc_http *h, const char *user, const char *pass);
void http_clear_auth(struct oidc_http *h);

/*
 * GET (form == NULL) or POST a form. bearer, when set, goes in an
 * Authorization header. Returns 0 with resp filled for any HTTP status,
 * OIDC_ERR_UNAVAIL for transport and TLS failures, OIDC_ERR_PROTOCOL
 * for an oversized answer.
 */
int http_request(struct oidc_http *h, const char *url,
    const struct oidc_form *form, const char *bearer,
    struct oidc_http_resp *resp);
void http_resp_clear(struct oidc_http_resp *resp);

/* Number of TLS connections this handle has opened so far. */
long http_connections(const struct oidc_http *h);

/*
 * The last transport error, for the log. When the request went through
 * the proxy it names the proxy (never its credentials) and, where the
 * proxy is the cause, what it did.
 */
const char *http_last_error(const struct oidc_http *h);

#endif
