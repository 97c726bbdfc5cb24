/*
 * The login sequence of DESIGN.md: the provider's metadata, device
 * authorization, display, polling, ID token verification and identity
 * binding. The provider conversation itself is provider.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "claims.h"
#include "device_flow.h"
#include "display.h"
#include "interrupt.h"
#include "json.h"
#include "jwt.h"
#include "login.h"
#include "oidc.h"
#include "provider.h"

#define DEFAULT_TIMEOUT_S 300
/* Unknown kids refetch the JWKS at most once a minute per provider. */
#define REFETCH_KIND      "jwks-refetch"

struct login {
	const struct oidc_config *cfg;
	const struct oidc_login *login;
	const struct oidc_ui *ui;
	struct oidc_provider *prov;
	int64_t deadline_ms;
	char host[256]; /* when the caller gives none */
	char esc[256];  /* log escaping */
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

/* Poll until tokens, a refusal, the end of the code's life or a signal. */
static int
poll_tokens(struct login *f, const struct oidc_device_auth *da,
    struct oidc_poll *p, json_t **tokens)
{
	struct oidc_interrupt st;
	int r, sig = 0;

	interrupt_hold(&st);
	for (;;) {
		if (p->next_ms >= p->end_ms || p->polls >= OIDC_MAX_POLLS) {
			r = OIDC_ERR_EXPIRED;
			break;
		}
		if ((sig = interrupt_sleep_until(&st, p->next_ms)) > 0) {
			log_msg(f->login->log, LOG_NOTICE,
			    "signal %d while waiting for approval: stopped",
			    sig);
			r = OIDC_ERR_CONV;
			break;
		}
		if ((r = provider_poll(f->prov, da, p, tokens)) != POLL_AGAIN)
			break;
	}
	interrupt_release(&st, sig);
	return r == POLL_DONE ? 0 : r;
}

static int
verify_id_token(struct login *f, const char *token, json_t **claims)
{
	const struct oidc_metadata *m = provider_metadata(f->prov);
	struct oidc_jwt_policy pol;
	struct oidc_jwt_info info;
	struct oidc_jwks *jwks = NULL;
	char kid[160];
	int r, fetched = 0;

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
	    cache_rate_limit(f->cfg->cache_dir, REFETCH_KIND, m->jwks_uri,
		time(NULL)) == 0) {
		/* The provider may have rotated its keys: fetch once more. */
		log_msg(f->login->log, LOG_INFO,
		    "unknown kid %s; fetching the JWKS again",
		    log_escape(info.kid, kid, sizeof(kid)));
		jwks_free(jwks);
		jwks = NULL;
		if ((r = provider_jwks(f->prov, 1, &jwks, &fetched)) != 0)
			return r;
		r = jwt_verify(token, jwks, &pol, claims, &info);
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
	} else if (json_object_update_missing(*claims, ui) != 0) {
		r = OIDC_ERR_NOMEM;
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

static int
bind_identity(struct login *f, json_t *claims, struct oidc_identity **out)
{
	const char *want = f->login->user, *sub = json_str(claims, "sub");
	const struct oidc_username_rule rule = config_username_rule(f->cfg);
	const struct oidc_metadata *m = provider_metadata(f->prov);
	const char *iss = m->issuer != NULL ? m->issuer
	    : f->cfg->issuer != NULL        ? f->cfg->issuer
					    : m->userinfo_endpoint;
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
	    (id->iss = strdup(iss != NULL ? iss : "")) == NULL) {
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
show_code(struct login *f, const struct oidc_device_auth *da)
{
	struct oidc_display_ctx dctx;
	char *text = NULL;
	int r;

	dctx.prompt = f->cfg->prompt;
	dctx.qr = f->cfg->qr;
	dctx.host = f->login->host != NULL ? f->login->host : f->host;
	dctx.service = f->login->service;
	dctx.user = f->login->user;
	dctx.wait_enter = f->login->wait_enter;
	if ((r = display_build(&dctx, da, &text)) != 0)
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

/* The overall budget: timeout, else the code's life up to 300 s. */
static void
set_budget(struct login *f, int64_t start, const struct oidc_device_auth *da)
{
	if (f->cfg->timeout == 0)
		f->deadline_ms = start +
		    1000 *
			(int64_t)(da->expires_in < DEFAULT_TIMEOUT_S
				? da->expires_in
				: DEFAULT_TIMEOUT_S);
	provider_set_deadline(f->prov, f->deadline_ms);
}

static int
run(struct login *f, struct oidc_identity **out)
{
	struct oidc_device_auth *da = NULL;
	struct oidc_poll poll;
	json_t *tokens = NULL, *claims = NULL;
	int64_t start = oidc_now_ms();
	int r;

	if ((r = provider_discover(f->prov)) != 0 ||
	    (r = provider_device_authorize(f->prov, &da)) != 0)
		goto out;
	set_budget(f, start, da);
	device_flow_poll_init(
	    &poll, oidc_now_ms(), da->interval, da->expires_in, f->deadline_ms);
	log_msg(f->login->log, LOG_DEBUG,
	    "device code issued: expires in %ld s, interval %ld s",
	    da->expires_in, da->interval);
	if ((r = show_code(f, da)) != 0 ||
	    (r = provider_store_pending(f->prov)) != 0)
		goto out;
	/* After Enter the person has approved: no wait before asking. */
	if (f->login->wait_enter)
		device_flow_poll_now(&poll, oidc_now_ms());
	if ((r = poll_tokens(f, da, &poll, &tokens)) != 0 ||
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
login_run(const struct oidc_config *cfg, const struct oidc_login *login,
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
	if (cfg->timeout > 0)
		f.deadline_ms = oidc_now_ms() + 1000 * (int64_t)cfg->timeout;
	if ((f.prov = provider_new(cfg, login->log, 0)) == NULL)
		return OIDC_ERR_NOMEM;
	provider_set_deadline(f.prov, f.deadline_ms);
	r = run(&f, out);
	log_msg(login->log, LOG_DEBUG, "%ld TLS connection(s) for this login",
	    provider_connections(f.prov));
	provider_free(f.prov);
	return r;
}
