/*
 * The provider's endpoints: discovery, device authorization, token, JWKS
 * and userinfo, with the cache in front of discovery and JWKS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "http.h"
#include "json.h"
#include "oidc.h"
#include "provider.h"
#include "safefile.h"

#define JWKS_KIND      "jwks"
#define DISCOVERY_KIND "discovery"

struct oidc_provider {
	const struct oidc_config *cfg;
	const struct oidc_log *log;
	int flags;
	struct oidc_http *http;
	struct oidc_metadata *meta;
	enum oidc_client_auth auth;
	char oauth_error[64];
	char esc[256]; /* log escaping */
	/* A fetched document whose cache entry is written later. */
	struct {
		const char *kind;
		char *url, *body;
		size_t len;
		long max_age;
		time_t fetched_at;
	} pending;
};

/* Errors that mean the client is misconfigured, with what to fix. */
static const struct {
	const char *error;
	const char *fix;
} client_fixes[] = {
	{ "invalid_client",
	    "check client_id, the client secret and "
	    "client_auth against the provider's client" },
	{ "unauthorized_client",
	    "allow the device authorization grant for "
	    "this client at the provider" },
	{ "incorrect_client_credentials",
	    "check client_id and the client "
	    "secret of the OAuth app" },
	{ "device_flow_disabled",
	    "enable the device flow in the OAuth "
	    "app's settings at the provider" },
	{ "unsupported_grant_type",
	    "the token endpoint does not take the "
	    "device grant: check token_endpoint and "
	    "that the provider enables the grant" },
};

int
provider_new(const struct oidc_config *cfg, const struct oidc_log *lg,
    int flags, struct oidc_provider **out)
{
	struct oidc_http_opts opts = {
		.timeout_s = cfg->http_timeout,
		.proxy = cfg->proxy,
		.no_proxy = cfg->no_proxy,
		.proxy_user = cfg->proxy_user,
		.proxy_password = cfg->proxy_password,
	};
	struct oidc_provider *p;
	char *pem = NULL, why[512];
	size_t len = 0;
	int r;

	*out = NULL;
	why[0] = '\0';
	/* Checked and read here, so what is checked is what is trusted. */
	if (cfg->ca_file != NULL &&
	    (r = safefile_read(cfg->ca_file, 0, PROVIDER_MAX_CA, &pem, &len,
		 NULL, why, sizeof(why))) != 0) {
		if (r == OIDC_ERR_NOMEM)
			return r;
		log_msg(lg, LOG_ERR, "ca_file: %s", why);
		return OIDC_ERR_CONFIG;
	}
	opts.ca_pem = pem;
	opts.ca_pem_len = len;
	r = OIDC_ERR_NOMEM;
	if ((p = calloc(1, sizeof(*p))) != NULL) {
		p->cfg = cfg;
		p->log = lg;
		p->flags = flags;
		if ((p->http = http_new(&opts)) == NULL) {
			free(p);
			p = NULL;
		}
	}
	free(pem);
	if (p == NULL)
		return r;
	*out = p;
	return 0;
}

static void
drop_pending(struct oidc_provider *p)
{
	free(p->pending.url);
	free(p->pending.body);
	p->pending.kind = NULL;
	p->pending.url = p->pending.body = NULL;
	p->pending.len = 0;
}

void
provider_free(struct oidc_provider *p)
{
	if (p == NULL)
		return;
	drop_pending(p);
	http_free(p->http);
	discovery_free(p->meta);
	free(p);
}

void
provider_set_deadline(struct oidc_provider *p, int64_t deadline_ms)
{
	http_set_deadline(p->http, deadline_ms);
}

const struct oidc_metadata *
provider_metadata(const struct oidc_provider *p)
{
	return p->meta;
}

long
provider_connections(const struct oidc_provider *p)
{
	return http_connections(p->http);
}

const char *
provider_oauth_error(const struct oidc_provider *p)
{
	return p->oauth_error[0] != '\0' ? p->oauth_error : NULL;
}

static const char *
esc(struct oidc_provider *p, const char *s)
{
	return log_escape(s, p->esc, sizeof(p->esc));
}

static int
transport_error(struct oidc_provider *p, int r, const char *what)
{
	char url[512];

	/* URLs may come from the provider's discovery document. */
	log_escape(what, url, sizeof(url));
	if (r == OIDC_ERR_UNAVAIL)
		log_msg(p->log, LOG_ERR, "%s: %s", url,
		    esc(p, http_last_error(p->http)));
	else if (r == OIDC_ERR_PROTOCOL)
		log_msg(p->log, LOG_ERR, "%s: answer too large", url);
	return r;
}

static void
cache_failed(struct oidc_provider *p)
{
	log_msg(p->log, LOG_WARNING, "cannot write the cache in %s",
	    esc(p, p->cfg->cache_dir));
}

/* A cache that cannot be written is not fatal; memory is. */
int
provider_store_pending(struct oidc_provider *p)
{
	int r;

	if (p->pending.kind == NULL)
		return 0;
	r = cache_store(p->cfg->cache_dir, p->pending.kind, p->pending.url,
	    p->pending.body, p->pending.len, p->pending.max_age,
	    p->pending.fetched_at);
	if (r != 0 && r != OIDC_ERR_NOMEM) {
		cache_failed(p);
		r = 0;
	}
	drop_pending(p);
	return r;
}

/* A fresh cache entry for url, parsed; OIDC_ERR_INVALID when none. */
static int
cache_hit(
    struct oidc_provider *p, const char *kind, const char *url, json_t **doc)
{
	int r;

	if (p->flags & PROVIDER_NO_CACHE)
		return OIDC_ERR_INVALID;
	r = cache_load_json(p->cfg->cache_dir, kind, url, time(NULL), doc);
	if (r != OIDC_ERR_PROTOCOL)
		return r;
	log_msg(p->log, LOG_WARNING,
	    "cached %s for %s is corrupt; fetching it again", kind,
	    esc(p, url));
	return OIDC_ERR_INVALID;
}

/* Keep the answer's body as the pending cache entry of kind for url. */
static int
keep_pending(struct oidc_provider *p, const char *kind, const char *url,
    struct oidc_http_resp *resp)
{
	drop_pending(p);
	if ((p->pending.url = strdup(url)) == NULL)
		return OIDC_ERR_NOMEM;
	p->pending.kind = kind;
	p->pending.body = resp->body;
	p->pending.len = resp->len;
	p->pending.max_age = resp->max_age;
	p->pending.fetched_at = time(NULL);
	resp->body = NULL;
	resp->len = 0;
	return 0;
}

/*
 * Fetch a document through the cache: a fresh entry is used as it is; a
 * stale or corrupt one is refetched. fetched tells whether the network
 * was used. The new entry is left pending for provider_store_pending.
 */
static int
cached_get(struct oidc_provider *p, const char *kind, const char *url,
    json_t **doc, int force, int *fetched)
{
	struct oidc_http_resp resp;
	int r;

	*fetched = 0;
	if (!force && (r = cache_hit(p, kind, url, doc)) != OIDC_ERR_INVALID)
		return r;
	*fetched = 1;
	if ((r = http_request(p->http, url, NULL, NULL, &resp)) != 0)
		return transport_error(p, r, url);
	if (resp.status != 200) {
		log_msg(
		    p->log, LOG_ERR, "%s: HTTP %ld", esc(p, url), resp.status);
		http_resp_clear(&resp);
		return OIDC_ERR_PROTOCOL;
	}
	if ((r = json_parse_object(resp.body, resp.len, doc)) != 0) {
		if (r != OIDC_ERR_NOMEM)
			log_msg(p->log, LOG_ERR, "%s: not a JSON object",
			    esc(p, url));
	} else if (!resp.no_store && !(p->flags & PROVIDER_NO_CACHE) &&
	    (r = keep_pending(p, kind, url, &resp)) != 0) {
		json_decref(*doc);
		*doc = NULL;
	}
	http_resp_clear(&resp);
	return r;
}

static int
fetch_metadata(struct oidc_provider *p)
{
	char *url = NULL, *expect = NULL, iss[256];
	json_t *doc = NULL;
	int r, fetched;

	if ((r = discovery_url(p->cfg->issuer, &url, &expect)) != 0)
		goto out;
	if ((r = cached_get(p, DISCOVERY_KIND, url, &doc, 0, &fetched)) != 0)
		goto out;
	if ((r = discovery_parse(doc, expect, p->meta)) != 0) {
		/* Never cache a document that was refused. */
		drop_pending(p);
		if (r == OIDC_ERR_NOMEM)
			goto out;
		log_msg(p->log, LOG_ERR,
		    "discovery document at %s does not name the issuer \"%s\" "
		    "(it names \"%s\"), or an endpoint is not https",
		    esc(p, url), expect,
		    log_escape(json_str(doc, "issuer"), iss, sizeof(iss)));
	}
out:
	json_decref(doc);
	free(url);
	free(expect);
	return r;
}

int
provider_discover(struct oidc_provider *p)
{
	const struct oidc_config *c = p->cfg;
	int r;

	if ((p->meta = discovery_new()) == NULL)
		return OIDC_ERR_NOMEM;
	if (c->issuer != NULL && (r = fetch_metadata(p)) != 0)
		return r;
	if ((r = discovery_override(p->meta, c->device_authorization_endpoint,
		 c->token_endpoint, c->userinfo_endpoint, c->jwks_uri)) != 0)
		return r;
	p->auth = provider_client_auth(c, p->meta);
	if (p->auth == CLIENT_AUTH_BASIC)
		return http_set_basic_auth(
		    p->http, c->client_id, c->client_secret);
	return 0;
}

enum oidc_client_auth
provider_client_auth(const struct oidc_config *c, const struct oidc_metadata *m)
{
	if (c->client_auth != CLIENT_AUTH_AUTO)
		return c->client_auth;
	if (c->client_secret == NULL)
		return CLIENT_AUTH_NONE;
	if (m->auth_methods != 0 && !(m->auth_methods & AUTH_METHOD_BASIC) &&
	    (m->auth_methods & AUTH_METHOD_POST))
		return CLIENT_AUTH_POST;
	return CLIENT_AUTH_BASIC;
}

/* POST a form with the client's authentication; parse the answer. */
static int
post_form(struct oidc_provider *p, const char *url, struct oidc_form *form,
    long *status, json_t **body)
{
	struct oidc_http_resp resp;
	const char *err;
	int r;

	*body = NULL;
	p->oauth_error[0] = '\0';
	form_add(form, "client_id", p->cfg->client_id);
	if (p->auth == CLIENT_AUTH_POST)
		form_add(form, "client_secret", p->cfg->client_secret);
	r = http_request(p->http, url, form, NULL, &resp);
	form_clear(form);
	if (r != 0)
		return transport_error(p, r, url);
	*status = resp.status;
	r = json_parse_body(resp.body, resp.len, resp.content_type, body);
	http_resp_clear(&resp);
	if (r == OIDC_ERR_NOMEM)
		return r;
	if (r != 0 && *status >= 500)
		r = OIDC_ERR_UNAVAIL;
	if (r != 0)
		log_msg(p->log, LOG_ERR,
		    "%s: HTTP %ld with a body that is neither JSON nor a form",
		    esc(p, url), *status);
	else if ((err = json_str(*body, "error")) != NULL &&
	    snprintf(p->oauth_error, sizeof(p->oauth_error), "%s", err) < 0)
		p->oauth_error[0] = '\0';
	return r;
}

const char *
provider_client_fix(const char *err)
{
	size_t i;

	for (i = 0;
	     err != NULL && i < sizeof(client_fixes) / sizeof(client_fixes[0]);
	     i++)
		if (strcmp(err, client_fixes[i].error) == 0)
			return client_fixes[i].fix;
	return NULL;
}

static int
client_error(struct oidc_provider *p, const char *where, const char *err)
{
	const char *fix = provider_client_fix(err);

	log_msg(p->log, LOG_ERR, "%s refused the client (%s): %s", where,
	    esc(p, err != NULL ? err : "(none)"),
	    fix != NULL ? fix : "check the client's settings at the provider");
	return OIDC_ERR_CLIENT;
}

int
provider_device_authorize(struct oidc_provider *p, struct oidc_device_auth **da)
{
	const char *url = p->meta->device_authorization_endpoint, *err;
	struct oidc_form form = { 0 };
	char eurl[512];
	json_t *body = NULL;
	long status = 0;
	int r;

	/* Without a token endpoint a device code is of no use. */
	if (url == NULL || p->meta->token_endpoint == NULL) {
		log_msg(p->log, LOG_ERR,
		    "the provider has no device authorization or token "
		    "endpoint; enable the device grant or set the endpoints "
		    "in %s",
		    p->cfg->path ? p->cfg->path : "config");
		return OIDC_ERR_PROTOCOL;
	}
	form_add(&form, "scope", p->cfg->scope);
	if (p->cfg->acr_values != NULL)
		form_add(&form, "acr_values", p->cfg->acr_values);
	if ((r = post_form(p, url, &form, &status, &body)) != 0)
		return r;
	if ((err = json_str(body, "error")) != NULL || status != 200) {
		if (provider_client_fix(err) != NULL)
			r = client_error(p, "device authorization", err);
		else {
			log_msg(p->log, LOG_ERR, "%s: HTTP %ld%s, error %s",
			    log_escape(url, eurl, sizeof(eurl)), status,
			    status >= 300 && status < 400
				? " (a redirect; redirects are not followed)"
				: "",
			    esc(p, err ? err : "(none)"));
			r = status >= 500 ? OIDC_ERR_UNAVAIL
					  : OIDC_ERR_PROTOCOL;
		}
		goto out;
	}
	if ((r = device_flow_parse_auth(body, da)) == OIDC_ERR_PROTOCOL)
		log_msg(p->log, LOG_ERR,
		    "device authorization answer is malformed (missing "
		    "fields, or a URI that is not plain https)");
out:
	json_wipe_decref(body);
	return r;
}

/* What a refused poll means, for the administrator reading the log. */
static const char *
poll_reason(int r)
{
	switch (r) {
	case OIDC_ERR_DENIED:
		return "the person denied the sign-in, or the provider no "
		       "longer knows the device code (already used or revoked)";
	case OIDC_ERR_EXPIRED:
		return "the code expired before it was approved; the person "
		       "can try again";
	case OIDC_ERR_UNAVAIL: return "the provider failed; try again later";
	default: return "the provider's answer is not one RFC 8628 defines";
	}
}

int
provider_poll(struct oidc_provider *p, const struct oidc_device_auth *da,
    struct oidc_poll *poll, json_t **tokens)
{
	struct oidc_form form = { 0 };
	const char *err;
	json_t *body = NULL;
	long status = 0;
	int r;

	form_add(&form, "grant_type", PROVIDER_DEVICE_GRANT);
	form_add(&form, "device_code", da->device_code);
	if ((r = post_form(
		 p, p->meta->token_endpoint, &form, &status, &body)) != 0)
		return r;
	r = device_flow_poll_step(poll, status, body, oidc_now_ms(), &err);
	if (r == POLL_DONE) {
		*tokens = body;
		return r;
	}
	if (r == OIDC_ERR_CLIENT)
		client_error(p, "token endpoint", err);
	else if (r < 0)
		log_msg(p->log, LOG_NOTICE,
		    "token endpoint: HTTP %ld, error %s: %s", status,
		    esc(p, err != NULL ? err : "(none)"), poll_reason(r));
	else if (err != NULL && strcmp(err, "slow_down") == 0)
		log_msg(p->log, LOG_DEBUG, "slow_down: interval now %ld s",
		    poll->interval_s);
	json_wipe_decref(body);
	return r;
}

int
provider_jwks(
    struct oidc_provider *p, int force, struct oidc_jwks **jwks, int *fetched)
{
	json_t *doc = NULL;
	int r;

	*fetched = 0;
	if (p->meta->jwks_uri == NULL) {
		log_msg(p->log, LOG_ERR,
		    "the provider publishes no jwks_uri; set jwks_uri");
		return OIDC_ERR_PROTOCOL;
	}
	if ((r = cached_get(
		 p, JWKS_KIND, p->meta->jwks_uri, &doc, force, fetched)) != 0)
		return r;
	r = jwks_parse(doc, jwks);
	json_decref(doc);
	/* Only a key set that was accepted goes into the cache. */
	if (r == 0 && (r = provider_store_pending(p)) != 0) {
		jwks_free(*jwks);
		*jwks = NULL;
	}
	drop_pending(p);
	if (r == OIDC_ERR_PROTOCOL)
		log_msg(p->log, LOG_ERR, "JWKS at %s is malformed",
		    esc(p, p->meta->jwks_uri));
	return r;
}

int
provider_userinfo(
    struct oidc_provider *p, const char *access_token, json_t **claims)
{
	const char *url = p->meta->userinfo_endpoint;
	struct oidc_http_resp resp;
	int r;

	*claims = NULL;
	if (url == NULL) {
		log_msg(p->log, LOG_ERR,
		    "userinfo is needed but the provider has no "
		    "userinfo_endpoint; set it");
		return OIDC_ERR_PROTOCOL;
	}
	if ((r = http_request(p->http, url, NULL, access_token, &resp)) != 0)
		return transport_error(p, r, url);
	r = OIDC_ERR_PROTOCOL;
	if (resp.status == 200)
		r = json_parse_body(
		    resp.body, resp.len, resp.content_type, claims);
	if (r != 0 && r != OIDC_ERR_NOMEM) {
		log_msg(p->log, LOG_ERR,
		    "userinfo: HTTP %ld, or not a JSON object", resp.status);
		r = resp.status >= 500 ? OIDC_ERR_UNAVAIL : OIDC_ERR_PROTOCOL;
	}
	http_resp_clear(&resp);
	return r;
}
