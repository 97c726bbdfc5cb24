/*
 * The login sequence of DESIGN.md: discovery, device authorization,
 * display, polling, ID token verification, identity binding.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "claims.h"
#include "device_flow.h"
#include "discovery.h"
#include "display.h"
#include "flow.h"
#include "http.h"
#include "json.h"
#include "jwks.h"
#include "jwt.h"
#include "oidc.h"

#define DEFAULT_TIMEOUT_S 300
#define JWKS_KIND         "jwks"
#define DISCOVERY_KIND    "discovery"
/* Unknown kids refetch the JWKS at most once a minute per provider. */
#define REFETCH_KIND      "jwks-refetch"

struct flow {
	const struct oidc_config *cfg;
	const struct oidc_login *login;
	const struct oidc_ui *ui;
	struct oidc_http *http;
	struct oidc_provider *prov;
	enum oidc_client_auth auth;
	int64_t deadline_ms;
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

void
identity_free(struct oidc_identity *id)
{
	if (id == NULL)
		return;
	free(id->username);
	free(id->sub);
	json_decref(id->claims);
	strlist_free(&id->roles);
	strlist_free(&id->groups);
	free(id);
}

static const char *
esc(struct flow *f, const char *s)
{
	return log_escape(s, f->esc, sizeof(f->esc));
}

static int
transport_error(struct flow *f, int r, const char *what)
{
	char url[512];

	/* URLs may come from the provider's discovery document. */
	log_escape(what, url, sizeof(url));
	if (r == OIDC_ERR_UNAVAIL)
		log_msg(f->login->log, LOG_ERR, "%s: %s", url,
		    esc(f, http_last_error(f->http)));
	else if (r == OIDC_ERR_PROTOCOL)
		log_msg(f->login->log, LOG_ERR, "%s: answer too large", url);
	return r;
}

static void
drop_pending(struct flow *f)
{
	free(f->pending.url);
	free(f->pending.body);
	f->pending.kind = NULL;
	f->pending.url = f->pending.body = NULL;
	f->pending.len = 0;
}

/*
 * Write the cache entry cached_get left pending, if any. A cache that
 * cannot be written is not fatal; memory is.
 */
static int
store_pending(struct flow *f)
{
	int r;

	if (f->pending.kind == NULL)
		return 0;
	r = cache_store(f->cfg->cache_dir, f->pending.kind, f->pending.url,
	    f->pending.body, f->pending.len, f->pending.max_age,
	    f->pending.fetched_at);
	if (r != 0 && r != OIDC_ERR_NOMEM) {
		log_msg(f->login->log, LOG_WARNING,
		    "cannot write the cache in %s", esc(f, f->cfg->cache_dir));
		r = 0;
	}
	drop_pending(f);
	return r;
}

/*
 * Fetch a document through the cache: a fresh entry is used as it is; a
 * stale or corrupt one is refetched. fetched tells whether the network
 * was used. With defer, the new cache entry is written by store_pending
 * instead, once the code is on screen: the write is not on the way to it.
 */
static int
cached_get(struct flow *f, const char *kind, const char *url, json_t **doc,
    int force, int defer, int *fetched)
{
	struct oidc_http_resp resp;
	char *body = NULL;
	size_t len = 0;
	int r;

	*fetched = 0;
	r = force
	    ? OIDC_ERR_INVALID
	    : cache_load(f->cfg->cache_dir, kind, url, time(NULL), &body, &len);
	if (r == OIDC_ERR_NOMEM)
		return r;
	if (r == 0) {
		r = json_parse_object(body, len, doc);
		free(body);
		if (r == 0 || r == OIDC_ERR_NOMEM)
			return r;
		log_msg(f->login->log, LOG_WARNING,
		    "cached %s for %s is "
		    "corrupt; fetching it again",
		    kind, esc(f, url));
	} else {
		free(body);
	}
	*fetched = 1;
	if ((r = http_request(f->http, url, NULL, NULL, &resp)) != 0)
		return transport_error(f, r, url);
	if (resp.status != 200) {
		log_msg(f->login->log, LOG_ERR, "%s: HTTP %ld", esc(f, url),
		    resp.status);
		http_resp_clear(&resp);
		return OIDC_ERR_PROTOCOL;
	}
	if ((r = json_parse_object(resp.body, resp.len, doc)) != 0) {
		if (r != OIDC_ERR_NOMEM)
			log_msg(f->login->log, LOG_ERR, "%s: not a JSON object",
			    esc(f, url));
	} else if (!resp.no_store && defer) {
		drop_pending(f);
		f->pending.kind = kind;
		f->pending.url = strdup(url);
		f->pending.body = resp.body;
		f->pending.len = resp.len;
		f->pending.max_age = resp.max_age;
		f->pending.fetched_at = time(NULL);
		resp.body = NULL;
		resp.len = 0;
		if (f->pending.url == NULL) {
			drop_pending(f);
			json_decref(*doc);
			*doc = NULL;
			r = OIDC_ERR_NOMEM;
		}
	} else if (!resp.no_store &&
	    (r = cache_store(f->cfg->cache_dir, kind, url, resp.body, resp.len,
		 resp.max_age, time(NULL))) != 0) {
		/* A cache that cannot be written is not fatal; memory is. */
		if (r == OIDC_ERR_NOMEM) {
			json_decref(*doc);
			*doc = NULL;
		} else {
			log_msg(f->login->log, LOG_WARNING,
			    "cannot write the cache in %s",
			    esc(f, f->cfg->cache_dir));
			r = 0;
		}
	}
	http_resp_clear(&resp);
	return r;
}

static int
load_provider(struct flow *f)
{
	const struct oidc_config *c = f->cfg;
	char *url = NULL, *expect = NULL;
	json_t *doc = NULL;
	int r, fetched;

	if ((f->prov = provider_new()) == NULL)
		return OIDC_ERR_NOMEM;
	if (c->issuer != NULL) {
		if ((r = discovery_url(c->issuer, &url, &expect)) != 0)
			goto out;
		if ((r = cached_get(
			 f, DISCOVERY_KIND, url, &doc, 0, 1, &fetched)) != 0)
			goto out;
		if ((r = discovery_parse(doc, expect, f->prov)) != 0) {
			/* Never cache a document that was refused. */
			drop_pending(f);
			if (r == OIDC_ERR_NOMEM)
				goto out;
			log_msg(f->login->log, LOG_ERR,
			    "discovery document at "
			    "%s: issuer is not exactly \"%s\", or an endpoint "
			    "is not https",
			    esc(f, url), expect);
			goto out;
		}
	}
	if ((r = discovery_apply_config(f->prov, c)) != 0)
		goto out;
	r = OIDC_ERR_PROTOCOL;
	if (f->prov->device_authorization_endpoint == NULL ||
	    f->prov->token_endpoint == NULL) {
		log_msg(f->login->log, LOG_ERR,
		    "the provider has no device "
		    "authorization or token endpoint; enable the device grant "
		    "or set the endpoints in %s",
		    c->path ? c->path : "config");
		goto out;
	}
	r = 0;
out:
	json_decref(doc);
	free(url);
	free(expect);
	return r;
}

enum oidc_client_auth
flow_client_auth(const struct oidc_config *c, const struct oidc_provider *p)
{
	if (c->client_auth != CLIENT_AUTH_AUTO)
		return c->client_auth;
	if (c->client_secret == NULL)
		return CLIENT_AUTH_NONE;
	if (p->auth_methods != 0 && !(p->auth_methods & AUTH_METHOD_BASIC) &&
	    (p->auth_methods & AUTH_METHOD_POST))
		return CLIENT_AUTH_POST;
	return CLIENT_AUTH_BASIC;
}

/* POST a form with the client's authentication; parse the answer. */
static int
post_form(struct flow *f, const char *url, struct oidc_form *form, long *status,
    json_t **body)
{
	struct oidc_http_resp resp;
	int r;

	*body = NULL;
	form_add(form, "client_id", f->cfg->client_id);
	if (f->auth == CLIENT_AUTH_POST)
		form_add(form, "client_secret", f->cfg->client_secret);
	r = http_request(f->http, url, form, NULL, &resp);
	form_clear(form);
	if (r != 0)
		return transport_error(f, r, url);
	*status = resp.status;
	r = json_parse_body(resp.body, resp.len, resp.content_type, body);
	http_resp_clear(&resp);
	if (r == OIDC_ERR_NOMEM)
		return r;
	if (r != 0 && *status >= 500)
		r = OIDC_ERR_UNAVAIL;
	if (r != 0)
		log_msg(f->login->log, LOG_ERR,
		    "%s: HTTP %ld with a body "
		    "that is neither JSON nor a form",
		    esc(f, url), *status);
	return r;
}

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

static const char *
client_fix(const char *err)
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
client_error(struct flow *f, const char *where, const char *err)
{
	const char *fix = client_fix(err);

	log_msg(f->login->log, LOG_ERR, "%s refused the client (%s): %s", where,
	    esc(f, err != NULL ? err : "(none)"),
	    fix != NULL ? fix : "check the client's settings at the provider");
	return OIDC_ERR_CLIENT;
}

static int
device_authorize(struct flow *f, struct oidc_device_auth **da)
{
	char url[512];
	struct oidc_form form = { 0 };
	const char *err;
	json_t *body = NULL;
	long status = 0;
	int r;

	form_add(&form, "scope", f->cfg->scope);
	if ((r = post_form(f, f->prov->device_authorization_endpoint, &form,
		 &status, &body)) != 0)
		return r;
	if ((err = json_str(body, "error")) != NULL || status != 200) {
		if (client_fix(err) != NULL)
			r = client_error(f, "device authorization", err);
		else {
			log_msg(f->login->log, LOG_ERR,
			    "%s: HTTP %ld%s, error %s",
			    log_escape(f->prov->device_authorization_endpoint,
				url, sizeof(url)),
			    status,
			    status >= 300 && status < 400
				? " (a redirect; redirects are not followed)"
				: "",
			    esc(f, err ? err : "(none)"));
			r = status >= 500 ? OIDC_ERR_UNAVAIL
					  : OIDC_ERR_PROTOCOL;
		}
		goto out;
	}
	if ((r = device_flow_parse_auth(body, da)) == OIDC_ERR_PROTOCOL)
		log_msg(f->login->log, LOG_ERR,
		    "device authorization answer "
		    "is malformed (missing fields, or a URI that is not plain "
		    "https)");
out:
	json_wipe_decref(body);
	return r;
}

/*
 * While polling, the signals that mean "stop" (Ctrl-C in sudo, a hang-up,
 * a kill) are held and waited for, so that one ends the polling at once:
 * no request is sent after it. Signals the application ignores stay
 * ignored. What was caught is raised again once the mask is back, so the
 * application's own handling still happens.
 */
struct stop_signals {
	sigset_t set, old;
	int active;
};

static void
stop_signals_hold(struct stop_signals *st)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa;
	size_t i;

	sigemptyset(&st->set);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], NULL, &sa) == 0 &&
		    sa.sa_handler != SIG_IGN)
			sigaddset(&st->set, sigs[i]);
	st->active = pthread_sigmask(SIG_BLOCK, &st->set, &st->old) == 0;
	/* Signals the application holds itself are left to it. */
	for (i = 0; st->active && i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigismember(&st->old, sigs[i]) == 1)
			sigdelset(&st->set, sigs[i]);
}

static void
stop_signals_release(struct stop_signals *st, int caught)
{
	if (st->active)
		(void)pthread_sigmask(SIG_SETMASK, &st->old, NULL);
	st->active = 0;
	if (caught > 0)
		(void)raise(caught);
}

/* Wait until target_ms; a stop signal ends the wait and is returned. */
static int
sleep_until(const struct stop_signals *st, int64_t target_ms)
{
	struct timespec ts;
	int64_t left;
	int sig;

	for (;;) {
		left = target_ms - oidc_now_ms();
		if (left < 0)
			left = 0;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		if (!st->active) {
			if (left == 0)
				return 0;
			(void)nanosleep(&ts, NULL);
			continue;
		}
		sig = sigtimedwait(&st->set, NULL, &ts);
		if (sig > 0)
			return sig;
		if (left == 0 || (sig < 0 && errno != EINTR && errno != EAGAIN))
			return 0;
	}
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

static int poll_loop(struct flow *f, const struct oidc_device_auth *da,
    struct oidc_poll *p, const struct stop_signals *st, int *sig,
    json_t **tokens);

static int
poll_tokens(struct flow *f, const struct oidc_device_auth *da,
    struct oidc_poll *p, json_t **tokens)
{
	struct stop_signals st;
	int r, sig = 0;

	stop_signals_hold(&st);
	r = poll_loop(f, da, p, &st, &sig, tokens);
	stop_signals_release(&st, sig);
	return r;
}

static int
poll_loop(struct flow *f, const struct oidc_device_auth *da,
    struct oidc_poll *p, const struct stop_signals *st, int *sig,
    json_t **tokens)
{
	struct oidc_form form = { 0 };
	const char *err;
	json_t *body = NULL;
	long status = 0;
	int r;

	for (;;) {
		if (p->next_ms >= p->end_ms || p->polls >= OIDC_MAX_POLLS)
			return OIDC_ERR_EXPIRED;
		if ((*sig = sleep_until(st, p->next_ms)) > 0) {
			log_msg(f->login->log, LOG_NOTICE,
			    "signal %d while waiting for approval: stopped",
			    *sig);
			return OIDC_ERR_CONV;
		}
		form_add(&form, "grant_type",
		    "urn:ietf:params:oauth:grant-type:device_code");
		form_add(&form, "device_code", da->device_code);
		if ((r = post_form(f, f->prov->token_endpoint, &form, &status,
			 &body)) != 0)
			return r;
		r = device_flow_poll_step(p, status, body, oidc_now_ms(), &err);
		if (r == POLL_DONE) {
			*tokens = body;
			return 0;
		}
		if (r < 0) {
			if (r == OIDC_ERR_CLIENT)
				client_error(f, "token endpoint", err);
			else
				log_msg(f->login->log, LOG_NOTICE,
				    "token endpoint: HTTP %ld, error %s: %s",
				    status,
				    esc(f, err != NULL ? err : "(none)"),
				    poll_reason(r));
			json_wipe_decref(body);
			return r;
		}
		if (err != NULL && strcmp(err, "slow_down") == 0)
			log_msg(f->login->log, LOG_DEBUG,
			    "slow_down: interval "
			    "now %ld s",
			    p->interval_s);
		json_wipe_decref(body);
		body = NULL;
	}
}

static int
load_jwks(struct flow *f, int force, struct oidc_jwks **jwks, int *fetched)
{
	json_t *doc = NULL;
	int r;

	if (f->prov->jwks_uri == NULL) {
		log_msg(f->login->log, LOG_ERR,
		    "the provider publishes no "
		    "jwks_uri; set jwks_uri");
		return OIDC_ERR_PROTOCOL;
	}
	if ((r = cached_get(f, JWKS_KIND, f->prov->jwks_uri, &doc, force, 1,
		 fetched)) != 0)
		return r;
	r = jwks_parse(doc, jwks);
	json_decref(doc);
	/* Only a key set that was accepted goes into the cache. */
	if (r == 0 && (r = store_pending(f)) != 0) {
		jwks_free(*jwks);
		*jwks = NULL;
	}
	drop_pending(f);
	if (r == OIDC_ERR_PROTOCOL)
		log_msg(f->login->log, LOG_ERR, "JWKS at %s is malformed",
		    esc(f, f->prov->jwks_uri));
	return r;
}

static int
verify_id_token(struct flow *f, const char *token, json_t **claims)
{
	struct oidc_jwt_policy pol;
	struct oidc_jwt_info info;
	struct oidc_jwks *jwks = NULL;
	char kid[160];
	int r, fetched = 0;

	memset(&pol, 0, sizeof(pol));
	pol.algs = f->cfg->signing_algorithms;
	pol.issuer = f->prov->issuer != NULL ? f->prov->issuer : f->cfg->issuer;
	pol.client_id = f->cfg->client_id;
	pol.hmac_secret = f->cfg->client_secret;
	pol.leeway = f->cfg->leeway;
	pol.now = time(NULL);
	if (pol.issuer == NULL)
		return OIDC_ERR_CONFIG;
	pol.issuer_alt = jwt_issuer_alt(pol.issuer);
	if ((r = load_jwks(f, 0, &jwks, &fetched)) != 0)
		return r;
	r = jwt_verify(token, jwks, &pol, claims, &info);
	if (r == OIDC_ERR_KID && !fetched &&
	    cache_rate_limit(f->cfg->cache_dir, REFETCH_KIND, f->prov->jwks_uri,
		time(NULL)) == 0) {
		/* The provider may have rotated its keys: fetch once more. */
		log_msg(f->login->log, LOG_INFO,
		    "unknown kid %s; fetching the JWKS again",
		    log_escape(info.kid, kid, sizeof(kid)));
		jwks_free(jwks);
		jwks = NULL;
		if ((r = load_jwks(f, 1, &jwks, &fetched)) != 0)
			return r;
		r = jwt_verify(token, jwks, &pol, claims, &info);
	}
	if (r == OIDC_ERR_KID &&
	    snprintf(info.reason, sizeof(info.reason),
		"no provider key has this kid") < 0)
		info.reason[0] = '\0';
	if (r != 0 && r != OIDC_ERR_NOMEM) {
		log_msg(f->login->log, LOG_ERR,
		    "ID token refused: %s "
		    "(alg %s, kid %s)",
		    info.reason, esc(f, info.alg),
		    log_escape(info.kid, kid, sizeof(kid)));
		r = OIDC_ERR_TOKEN;
	} else if (r == 0) {
		log_msg(f->login->log, LOG_DEBUG,
		    "ID token verified with "
		    "alg %s kid %s",
		    esc(f, info.alg), log_escape(info.kid, kid, sizeof(kid)));
	}
	jwks_free(jwks);
	return r;
}

/*
 * Claims from the userinfo endpoint, called with the access token. When
 * an ID token was verified too, both must speak of the same sub.
 */
static int
fetch_userinfo(
    struct flow *f, const char *access_token, json_t *claims, json_t **out)
{
	struct oidc_http_resp resp;
	const char *sub, *want;
	json_t *ui = NULL;
	int r;

	if (f->prov->userinfo_endpoint == NULL) {
		log_msg(f->login->log, LOG_ERR,
		    "userinfo is needed but the "
		    "provider has no userinfo_endpoint; set it");
		return OIDC_ERR_PROTOCOL;
	}
	if ((r = http_request(f->http, f->prov->userinfo_endpoint, NULL,
		 access_token, &resp)) != 0)
		return transport_error(f, r, f->prov->userinfo_endpoint);
	if (resp.status == 200 &&
	    (r = json_parse_body(resp.body, resp.len, resp.content_type,
		 &ui)) == OIDC_ERR_NOMEM) {
		http_resp_clear(&resp);
		return r;
	}
	if (resp.status != 200 || r != 0) {
		log_msg(f->login->log, LOG_ERR,
		    "userinfo: HTTP %ld, or not "
		    "a JSON object",
		    resp.status);
		http_resp_clear(&resp);
		return resp.status >= 500 ? OIDC_ERR_UNAVAIL
					  : OIDC_ERR_PROTOCOL;
	}
	http_resp_clear(&resp);
	if (claims != NULL) {
		sub = json_str(ui, "sub");
		want = json_str(claims, "sub");
		if (sub == NULL || want == NULL || strcmp(sub, want) != 0) {
			log_msg(f->login->log, LOG_ERR,
			    "userinfo sub differs "
			    "from the ID token's sub");
			json_decref(ui);
			return OIDC_ERR_TOKEN;
		}
	}
	*out = ui;
	return 0;
}

/* Turn the token answer into verified claims. */
static int
verified_claims(struct flow *f, json_t *tokens, json_t **out)
{
	const char *id_token = json_str(tokens, "id_token");
	const char *access = json_str(tokens, "access_token");
	const struct oidc_config *c = f->cfg;
	json_t *claims = NULL, *ui = NULL;
	int r, need_ui;

	/*
	 * A provider configured without issuer (OAuth 2.0 only, as GitHub)
	 * offers no way to verify an ID token: the identity comes from
	 * userinfo, and an id_token in the answer is not trusted.
	 */
	if (c->issuer == NULL)
		id_token = NULL;
	else if (id_token == NULL) {
		log_msg(f->login->log, LOG_ERR,
		    "the token answer has no "
		    "id_token; add openid to scope");
		return OIDC_ERR_TOKEN;
	}
	if (id_token != NULL &&
	    (r = verify_id_token(f, id_token, &claims)) != 0)
		return r;
	need_ui = c->userinfo == USERINFO_ALWAYS || claims == NULL ||
	    (c->userinfo == USERINFO_AUTO &&
		claims_get(claims, c->username_claim) == NULL);
	if (need_ui && c->userinfo == USERINFO_NEVER && claims == NULL) {
		log_msg(f->login->log, LOG_ERR,
		    "no ID token and userinfo = "
		    "never: nothing to verify the identity with");
		return OIDC_ERR_TOKEN;
	}
	if (need_ui && c->userinfo != USERINFO_NEVER) {
		if ((r = fetch_userinfo(f, access, claims, &ui)) != 0) {
			json_decref(claims);
			return r;
		}
		if (claims == NULL) {
			claims = ui;
		} else {
			/* ID token claims win; userinfo only fills gaps. */
			json_object_update_missing(claims, ui);
			json_decref(ui);
		}
	}
	*out = claims;
	return 0;
}

/* Roles, the allowed_roles verdict and the groups role_map grants. */
static int
map_roles(struct flow *f, struct oidc_identity *id)
{
	int r;

	if ((r = roles_from_claims(
		 id->claims, f->cfg->role_claim, &id->roles)) != 0) {
		log_msg(f->login->log, LOG_NOTICE,
		    "user %s: the role claim %s is not a string or an array "
		    "of strings within bounds",
		    id->username, f->cfg->role_claim);
		return r;
	}
	id->allowed = roles_allowed(&id->roles, f->cfg->allowed_roles);
	if ((r = roles_groups(&id->roles, f->cfg->role_map, &id->groups)) != 0)
		return r;
	log_msg(f->login->log, LOG_DEBUG,
	    "user %s: %zu role(s), %zu group(s) mapped, allowed_roles %s",
	    id->username, id->roles.n, id->groups.n,
	    id->allowed ? "met" : "not met");
	return 0;
}

/*
 * pin_sub: a user pinned to a sub accepts only that sub, so a username
 * reassigned at the provider to another person does not open the account.
 */
static int
check_pin(struct flow *f, const char *user, const char *sub)
{
	const struct oidc_kv *p;
	char e2[256];

	for (p = f->cfg->pin_subs; p != NULL; p = p->next) {
		if (strcmp(p->key, user) != 0)
			continue;
		if (sub != NULL && strcmp(p->value, sub) == 0)
			return 0;
		log_msg(f->login->log, LOG_NOTICE,
		    "identity %s arrived with sub %s, not the sub pinned for "
		    "it: refused",
		    user, log_escape(sub, e2, sizeof(e2)));
		return OIDC_ERR_MISMATCH;
	}
	return 0;
}

static int
bind_identity(struct flow *f, json_t *claims, struct oidc_identity **out)
{
	const char *want = f->login->user, *sub = json_str(claims, "sub");
	struct oidc_identity *id = NULL;
	char why[256], e2[256], e3[256];
	char *user = NULL;
	int r;

	if ((r = claims_require(
		 claims, f->cfg->require_claims, why, sizeof(why))) != 0 ||
	    (r = claims_username(claims, f->cfg, &user, why, sizeof(why))) !=
		0) {
		if (r != OIDC_ERR_NOMEM)
			log_msg(f->login->log, LOG_NOTICE, "sub %s: %s",
			    log_escape(sub, e2, sizeof(e2)), esc(f, why));
		return r;
	}
	/* Byte for byte, lengths included. */
	if (want != NULL &&
	    (strlen(want) != strlen(user) ||
		memcmp(want, user, strlen(user)) != 0)) {
		log_msg(f->login->log, LOG_NOTICE,
		    "identity %s (sub %s) is "
		    "not the account %s: refused",
		    esc(f, user), log_escape(sub, e2, sizeof(e2)),
		    log_escape(want, e3, sizeof(e3)));
		free(user);
		return OIDC_ERR_MISMATCH;
	}
	if ((r = check_pin(f, user, sub)) != 0) {
		free(user);
		return r;
	}
	if ((id = calloc(1, sizeof(*id))) == NULL ||
	    (id->sub = strdup(sub != NULL ? sub : "")) == NULL) {
		free(user);
		identity_free(id);
		return OIDC_ERR_NOMEM;
	}
	id->username = user;
	id->claims = claims;
	json_incref(claims);
	if ((r = map_roles(f, id)) != 0) {
		identity_free(id);
		return r;
	}
	*out = id;
	return 0;
}

static int
show_code(struct flow *f, const struct oidc_device_auth *da)
{
	struct oidc_display_ctx dctx;
	char *text = NULL;
	int r;

	dctx.host = f->login->host;
	dctx.service = f->login->service;
	dctx.user = f->login->user;
	dctx.wait_enter = f->login->wait_enter;
	if ((r = display_build(f->cfg, &dctx, da, &text)) != 0)
		return r;
	if (f->ui->code_shown != NULL)
		f->ui->code_shown(f->ui->ctx);
	if (f->login->wait_enter)
		r = f->ui->enter(f->ui->ctx, text);
	else
		r = f->ui->info(f->ui->ctx, text);
	free(text);
	return r;
}

static int
run(struct flow *f, struct oidc_identity **out)
{
	struct oidc_device_auth *da = NULL;
	struct oidc_poll poll;
	json_t *tokens = NULL, *claims = NULL;
	int64_t start = oidc_now_ms();
	int r;

	if ((r = load_provider(f)) != 0)
		goto out;
	f->auth = flow_client_auth(f->cfg, f->prov);
	if (f->auth == CLIENT_AUTH_BASIC &&
	    (r = http_set_basic_auth(
		 f->http, f->cfg->client_id, f->cfg->client_secret)) != 0)
		goto out;
	if ((r = device_authorize(f, &da)) != 0)
		goto out;
	/* The overall budget: timeout, else the code's life up to 300 s. */
	if (f->cfg->timeout == 0)
		f->deadline_ms = start +
		    1000 *
			(int64_t)(da->expires_in < DEFAULT_TIMEOUT_S
				? da->expires_in
				: DEFAULT_TIMEOUT_S);
	http_set_deadline(f->http, f->deadline_ms);
	device_flow_poll_init(
	    &poll, oidc_now_ms(), da->interval, da->expires_in, f->deadline_ms);
	log_msg(f->login->log, LOG_DEBUG,
	    "device code issued: expires in "
	    "%ld s, interval %ld s",
	    da->expires_in, da->interval);
	if ((r = show_code(f, da)) != 0 || (r = store_pending(f)) != 0)
		goto out;
	/* After Enter the person has approved: no wait before asking. */
	if (f->login->wait_enter)
		device_flow_poll_now(&poll, oidc_now_ms());
	if ((r = poll_tokens(f, da, &poll, &tokens)) != 0)
		goto out;
	if ((r = verified_claims(f, tokens, &claims)) != 0)
		goto out;
	r = bind_identity(f, claims, out);
out:
	/* A valid document is kept even when the login went no further. */
	if (store_pending(f) == OIDC_ERR_NOMEM && r == 0)
		r = OIDC_ERR_NOMEM;
	json_decref(claims);
	json_wipe_decref(tokens);
	device_auth_free(da);
	return r;
}

int
flow_login(const struct oidc_config *cfg, const struct oidc_login *login,
    const struct oidc_ui *ui, struct oidc_identity **out)
{
	struct oidc_http_opts opts = { .ca_file = cfg->ca_file,
		.timeout_s = cfg->http_timeout,
		.proxy = cfg->proxy,
		.no_proxy = cfg->no_proxy,
		.proxy_user = cfg->proxy_user,
		.proxy_password = cfg->proxy_password };
	struct flow f;
	int r;

	memset(&f, 0, sizeof(f));
	f.cfg = cfg;
	f.login = login;
	f.ui = ui;
	if (cfg->timeout > 0)
		f.deadline_ms = oidc_now_ms() + 1000 * (int64_t)cfg->timeout;
	if ((f.http = http_new(&opts)) == NULL)
		return OIDC_ERR_NOMEM;
	http_set_deadline(f.http, f.deadline_ms);
	r = run(&f, out);
	log_msg(login->log, LOG_DEBUG, "%ld TLS connection(s) for this login",
	    http_connections(f.http));
	http_free(f.http);
	provider_free(f.prov);
	return r;
}
