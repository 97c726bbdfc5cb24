/*
 * The login sequence of DESIGN.md: the provider's metadata, device
 * authorization, display, polling, ID token verification and identity
 * binding. The provider conversation itself is provider.c's; the wait
 * for the approval (when polls go out, what the person is told
 * meanwhile) is approval.c's.
 *
 * Timing, in short: the budget ends at timeout after the start, or
 * without timeout at min(expires_in, 300 s) after the device answer
 * arrived. Polls are an interval apart (slow_down makes it longer); the
 * last one goes out OIDC_POLL_MARGIN_MS before the end (device_flow.h).
 * wait = poll polls from the start; wait = enter polls after each Enter,
 * at once and once more within one interval, then asks again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "approval.h"
#include "cache.h"
#include "claims.h"
#include "device_flow.h"
#include "display.h"
#include "json.h"
#include "jwt.h"
#include "login.h"
#include "oidc.h"
#include "provider.h"
#include "ratelimit.h"

#define DEFAULT_TIMEOUT_S 300
/* Unknown kids refetch the JWKS at most once a minute per provider. */
#define REFETCH_KIND      "jwks-refetch"
/* The device authorizations of the last minute on this host. */
#define DEVICE_RATE_KIND  "device-authorizations"

struct login {
	const struct oidc_config *cfg;
	struct oidc_login *login;
	const struct oidc_ui *ui;
	struct oidc_provider *prov;
	int64_t deadline_ms;
	const struct oidc_lang *lang;
	struct oidc_lang own_lang; /* when the caller gives none */
	char host[256];            /* when the caller gives none */
	char esc[256];             /* log escaping */
};

void
identity_free(struct oidc_identity *id)
{
	if (id == NULL)
		return;
	free(id->username);
	free(id->iss);
	free(id->sub);
	json_decref(id->claims);
	strlist_free(&id->roles);
	strlist_free(&id->groups);
	free(id);
}

static const char *
esc(struct login *f, const char *s)
{
	return log_escape(s, f->esc, sizeof(f->esc));
}

static int
verify_id_token(struct login *f, const char *token, json_t **claims)
{
	const struct oidc_metadata *m = provider_metadata(f->prov);
	struct oidc_jwt_policy pol;
	struct oidc_jwt_info info;
	struct oidc_jwks *jwks = NULL;
	char kid[160];
	int r, fetched = 0, limit = 0;

	memset(&pol, 0, sizeof(pol));
	pol.algs = f->cfg->signing_algorithms;
	pol.issuer = m->issuer != NULL ? m->issuer : f->cfg->issuer;
	pol.client_id = f->cfg->client_id;
	pol.hmac_secret = f->cfg->client_secret;
	pol.leeway = f->cfg->leeway;
	pol.now = time(NULL);
	if (pol.issuer == NULL)
		return OIDC_ERR_CONFIG;
	pol.issuer_alt = jwt_issuer_alt(pol.issuer);
	if ((r = provider_jwks(f->prov, 0, &jwks, &fetched)) != 0)
		return r;
	r = jwt_verify(token, jwks, &pol, claims, &info);
	if (r == OIDC_ERR_KID && !fetched &&
	    (limit = cache_rate_limit(f->cfg->cache_dir, REFETCH_KIND,
		 m->jwks_uri, time(NULL))) == 0) {
		/* The provider may have rotated its keys: fetch once more. */
		log_msg(f->login->log, LOG_INFO,
		    "unknown kid %s; fetching the JWKS again",
		    log_escape(info.kid, kid, sizeof(kid)));
		jwks_free(jwks);
		jwks = NULL;
		if ((r = provider_jwks(f->prov, 1, &jwks, &fetched)) != 0)
			return r;
		r = jwt_verify(token, jwks, &pol, claims, &info);
	} else if (r == OIDC_ERR_KID && limit == OIDC_ERR_NOMEM) {
		r = OIDC_ERR_NOMEM;
	}
	if (r == OIDC_ERR_KID &&
	    snprintf(info.reason, sizeof(info.reason),
		"no provider key has this kid") < 0)
		info.reason[0] = '\0';
	if (r != 0 && r != OIDC_ERR_NOMEM) {
		log_msg(f->login->log, LOG_ERR,
		    "ID token refused: %s (alg %s, kid %s)", info.reason,
		    esc(f, info.alg), log_escape(info.kid, kid, sizeof(kid)));
		r = OIDC_ERR_TOKEN;
	} else if (r == 0) {
		log_msg(f->login->log, LOG_DEBUG,
		    "ID token verified with alg %s kid %s", esc(f, info.alg),
		    log_escape(info.kid, kid, sizeof(kid)));
	}
	jwks_free(jwks);
	return r;
}

/*
 * Add the members of ui that claims lacks. Not json_object_update_missing:
 * jansson 2.14 ignores a member it cannot add for lack of memory and
 * still returns 0, which would drop a claim without a word.
 */
static int
fill_gaps(json_t *claims, json_t *ui)
{
	const char *key;
	json_t *v;

	json_object_foreach (ui, key, v)
		if (json_object_get(claims, key) == NULL &&
		    json_object_set(claims, key, v) != 0)
			return OIDC_ERR_NOMEM;
	return 0;
}

/*
 * Claims from the userinfo endpoint. When an ID token was verified too,
 * both must speak of the same sub, and the ID token's claims win:
 * userinfo only fills gaps.
 */
static int
add_userinfo(struct login *f, const char *access_token, json_t **claims)
{
	const char *sub, *want;
	json_t *ui = NULL;
	int r;

	if ((r = provider_userinfo(f->prov, access_token, &ui)) != 0)
		return r;
	if (*claims == NULL) {
		*claims = ui;
		return 0;
	}
	sub = json_str(ui, "sub");
	want = json_str(*claims, "sub");
	if (sub == NULL || want == NULL || strcmp(sub, want) != 0) {
		log_msg(f->login->log, LOG_ERR,
		    "userinfo sub differs from the ID token's sub");
		r = OIDC_ERR_TOKEN;
	} else {
		r = fill_gaps(*claims, ui);
	}
	json_decref(ui);
	return r;
}

/* Turn the token answer into verified claims. */
static int
verified_claims(struct login *f, json_t *tokens, json_t **out)
{
	const char *id_token = json_str(tokens, "id_token");
	const char *access = json_str(tokens, "access_token");
	const struct oidc_config *c = f->cfg;
	json_t *claims = NULL;
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
		    "the token answer has no id_token; add openid to scope");
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
		    "no ID token and userinfo = never: nothing to verify the "
		    "identity with");
		return OIDC_ERR_TOKEN;
	}
	if (need_ui && c->userinfo != USERINFO_NEVER &&
	    (r = add_userinfo(f, access, &claims)) != 0) {
		json_decref(claims);
		return r;
	}
	*out = claims;
	return 0;
}

/* Roles, the allowed_roles verdict and the groups role_map grants. */
static int
map_roles(struct login *f, struct oidc_identity *id)
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
check_pin(struct login *f, const char *user, const char *sub)
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

/*
 * Who vouches for the identity: the verified ID token's iss; for an
 * OAuth 2.0-only provider, whose identity comes from userinfo alone, the
 * userinfo endpoint.
 */
static const char *
issuer_of(struct login *f, const json_t *claims)
{
	const struct oidc_metadata *m = provider_metadata(f->prov);
	const char *iss = json_str(claims, "iss");

	if (f->cfg->issuer != NULL && iss != NULL)
		return iss;
	return m->userinfo_endpoint != NULL ? m->userinfo_endpoint : "";
}

static int
bind_identity(struct login *f, json_t *claims, struct oidc_identity **out)
{
	const char *want = f->login->user, *sub = json_str(claims, "sub");
	const struct oidc_username_rule rule = config_username_rule(f->cfg);
	struct oidc_identity *id = NULL;
	char why[256], e2[256], e3[256];
	char *user = NULL;
	int r;

	if ((r = claims_require(
		 claims, f->cfg->require_claims, why, sizeof(why))) != 0 ||
	    (r = claims_username(claims, &rule, &user, why, sizeof(why))) !=
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
		    "identity %s (sub %s) is not the account %s: refused",
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
	    (id->sub = strdup(sub != NULL ? sub : "")) == NULL ||
	    (id->iss = strdup(issuer_of(f, claims))) == NULL) {
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

/* Who and what the message speaks of, and in which language. */
static void
approval_init(struct login *f, struct oidc_approval *a)
{
	memset(a, 0, sizeof(*a));
	a->ui = f->ui;
	a->prov = f->prov;
	a->log = f->login->log;
	a->d.prompt = f->cfg->prompt;
	a->d.qr = f->cfg->qr;
	a->d.host = f->login->host != NULL ? f->login->host : f->host;
	a->d.service = f->login->service;
	a->d.user = f->login->user;
	a->d.wait_enter = f->login->wait_enter;
	a->d.lang = f->lang;
}

static int
show_code(struct login *f, struct oidc_approval *a,
    const struct oidc_device_auth *da, const struct oidc_poll *p)
{
	char *text = NULL;
	int r;

	approval_time_left(a, p);
	if ((r = display_build(&a->d, da, &text)) != 0)
		return r;
	if (f->ui->code_shown != NULL)
		f->ui->code_shown(f->ui->ctx);
	f->login->shown = 1;
	if (f->login->wait_enter)
		r = f->ui->enter(f->ui->ctx, text);
	else
		r = f->ui->info(f->ui->ctx, text);
	free(text);
	return r;
}

/*
 * What real providers get wrong in a device authorization answer is
 * worked around, and said once in the log.
 */
static void
tolerate(struct login *f, struct oidc_device_auth *da)
{
	if (da->expires_fixed) {
		da->expires_in =
		    f->cfg->timeout > 0 ? f->cfg->timeout : DEFAULT_TIMEOUT_S;
		log_msg(f->login->log, LOG_WARNING,
		    "device authorization answer: expires_in is missing or "
		    "not positive; the code is taken to live %ld s (timeout)",
		    da->expires_in);
	}
	if (da->interval_fixed)
		log_msg(f->login->log, LOG_WARNING,
		    "device authorization answer: interval is not a positive "
		    "number up to %d; polling every %ld s (RFC 8628 section "
		    "3.2)",
		    OIDC_MAX_INTERVAL, da->interval);
}

/*
 * The overall budget: timeout from the start, else the code's life up to
 * 300 s, counted from when its answer arrived (issued), as the code's
 * own expiry is: a code that lives 300 s is then valid, and polled,
 * until its very end, and "expired" is said only once it has.
 */
static void
set_budget(struct login *f, int64_t issued, const struct oidc_device_auth *da)
{
	if (f->cfg->timeout == 0)
		f->deadline_ms = issued +
		    1000 *
			(int64_t)(da->expires_in < DEFAULT_TIMEOUT_S
				? da->expires_in
				: DEFAULT_TIMEOUT_S);
	provider_set_deadline(f->prov, f->deadline_ms);
}

/*
 * Device authorizations are limited per host across processes, so that a
 * scanner trying names cannot make the provider issue codes without end.
 * Past the limit the provider is not asked at all.
 */
static int
device_rate(struct login *f)
{
	int r = ratelimit_take(f->cfg->cache_dir, DEVICE_RATE_KIND,
	    f->cfg->device_rate_limit, 60, time(NULL));

	if (r == OIDC_ERR_EXPIRED)
		log_msg(f->login->log, LOG_WARNING,
		    "device_rate_limit (%d per minute on this host) reached: "
		    "the provider is not asked",
		    f->cfg->device_rate_limit);
	else if (r != 0 && r != OIDC_ERR_NOMEM)
		log_msg(f->login->log, LOG_ERR,
		    "cannot keep the device authorization count in %s; check "
		    "that it is root's and mode 0700",
		    esc(f, f->cfg->cache_dir));
	return r == 0 || r == OIDC_ERR_NOMEM ? r : OIDC_ERR_UNAVAIL;
}

static int
run(struct login *f, struct oidc_identity **out)
{
	struct oidc_device_auth *da = NULL;
	struct oidc_approval a;
	struct oidc_poll poll;
	json_t *tokens = NULL, *claims = NULL;
	int64_t issued;
	int r;

	if ((r = device_rate(f)) != 0 ||
	    (r = provider_discover(f->prov)) != 0 ||
	    (r = provider_device_authorize(f->prov, &da)) != 0)
		goto out;
	tolerate(f, da);
	issued = oidc_now_ms();
	set_budget(f, issued, da);
	device_flow_poll_init(
	    &poll, issued, da->interval, da->expires_in, f->deadline_ms);
	log_msg(f->login->log, LOG_DEBUG,
	    "device code issued: expires in %ld s, interval %ld s",
	    da->expires_in, da->interval);
	approval_init(f, &a);
	if ((r = show_code(f, &a, da, &poll)) != 0 ||
	    (r = provider_store_pending(f->prov)) != 0 ||
	    (r = approval_wait(&a, da, &poll, &tokens)) != 0 ||
	    (r = verified_claims(f, tokens, &claims)) != 0)
		goto out;
	r = bind_identity(f, claims, out);
out:
	/* A valid document is kept even when the login went no further. */
	if (provider_store_pending(f->prov) == OIDC_ERR_NOMEM && r == 0)
		r = OIDC_ERR_NOMEM;
	json_decref(claims);
	json_wipe_decref(tokens);
	device_auth_free(da);
	return r;
}

int
login_run(const struct oidc_config *cfg, struct oidc_login *login,
    const struct oidc_ui *ui, struct oidc_identity **out)
{
	struct login f;
	int r;

	memset(&f, 0, sizeof(f));
	f.cfg = cfg;
	f.login = login;
	if (login->host == NULL) {
		if (gethostname(f.host, sizeof(f.host)) != 0)
			f.host[0] = '\0';
		f.host[sizeof(f.host) - 1] = '\0';
	}
	f.ui = ui;
	if ((f.lang = login->lang) == NULL) {
		/* No PAM environment: the application's locale decides. */
		lang_choose(&(struct oidc_lang_env){ 0 }, login->service,
		    cfg->language, &f.own_lang);
		if (lang_load(&f.own_lang, cfg->locale_dir) != 0)
			return OIDC_ERR_NOMEM;
		f.lang = &f.own_lang;
	}
	if (cfg->timeout > 0)
		f.deadline_ms = oidc_now_ms() + 1000 * (int64_t)cfg->timeout;
	if ((r = provider_new(cfg, login->log, 0, &f.prov)) != 0) {
		lang_unload(&f.own_lang);
		return r;
	}
	provider_set_deadline(f.prov, f.deadline_ms);
	r = run(&f, out);
	log_msg(login->log, LOG_DEBUG, "%ld TLS connection(s) for this login",
	    provider_connections(f.prov));
	provider_free(f.prov);
	lang_unload(&f.own_lang);
	return r;
}
