/*
 * pam_oidc: the PAM entry points, the orchestration around flow_login(),
 * and the one mapping from OIDC_ERR_* to PAM return codes.
 */
#include <security/pam_appl.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "account.h"
#include "claims.h"
#include "config.h"
#include "conv.h"
#include "etcgroup.h"
#include "flow.h"
#include "grant.h"
#include "groups.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "oidc.h"

#define DATA_USER "pam_oidc_user"
#define ETC_DIR   "/etc"

/* What authentication leaves for acct_mgmt and setcred on this handle. */
struct session {
	char *user;
	struct oidc_strlist groups;
	int allowed;
	enum oidc_group_mode group_mode;
	char *cache_dir;
	char grant[GRANT_ID_LEN + 1]; /* empty: none written */
};

static void
sink(void *ctx, int prio, const char *line)
{
	pam_syslog((pam_handle_t *)ctx, prio, "%s", line);
}

/* The single error mapping of DESIGN.md "PAM return codes". */
static int
pam_code(int err)
{
	switch (err) {
	case OIDC_OK: return PAM_SUCCESS;
	case OIDC_ERR_NOMEM: return PAM_BUF_ERR;
	case OIDC_ERR_CONFIG: return PAM_SERVICE_ERR;
	case OIDC_ERR_UNAVAIL:
	case OIDC_ERR_PROTOCOL:
	case OIDC_ERR_CLIENT: return PAM_AUTHINFO_UNAVAIL;
	case OIDC_ERR_CONV: return PAM_CONV_ERR;
	case OIDC_ERR_CONV_AGAIN: return PAM_INCOMPLETE;
	case OIDC_ERR_USER_UNKNOWN: return PAM_USER_UNKNOWN;
	case OIDC_ERR_SYSTEM: return PAM_SYSTEM_ERR;
	default: return PAM_AUTH_ERR;
	}
}

/* What the person is told; the log has the details. */
static const char *
person_message(int err)
{
	switch (err) {
	case OIDC_ERR_DENIED: return "The sign-in was denied.";
	case OIDC_ERR_EXPIRED: return "The code expired before it was used.";
	case OIDC_ERR_MISMATCH:
		return "The identity you approved is not "
		       "this account.";
	case OIDC_ERR_CLAIM:
		return "Your identity does not meet this "
		       "system's requirements.";
	case OIDC_ERR_TOKEN:
		return "The identity provider's answer could "
		       "not be verified.";
	case OIDC_ERR_UNAVAIL:
	case OIDC_ERR_PROTOCOL:
	case OIDC_ERR_CLIENT:
		return "The identity provider is not "
		       "available; try again later.";
	default: return NULL;
	}
}

static int
ui_info(void *ctx, const char *text)
{
	return conv_info(ctx, text);
}

static int
ui_enter(void *ctx, const char *text)
{
	return conv_enter(ctx, text);
}

static void
free_session(pam_handle_t *pamh, void *data, int status)
{
	struct session *s = data;

	(void)pamh;
	(void)status;
	if (s == NULL)
		return;
	free(s->user);
	free(s->cache_dir);
	strlist_free(&s->groups);
	free(s);
}

/* Hand the identity's user and groups to acct_mgmt and setcred. */
static int
keep_session(pam_handle_t *pamh, const struct oidc_config *cfg,
    const struct oidc_log *lg, struct oidc_identity *id)
{
	struct session *s;

	char env[sizeof(GRANT_ENV) + GRANT_ID_LEN + 1];
	int r;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return OIDC_ERR_NOMEM;
	if ((s->user = strdup(id->username)) == NULL ||
	    (s->cache_dir = strdup(cfg->cache_dir)) == NULL) {
		free_session(pamh, s, 0);
		return OIDC_ERR_NOMEM;
	}
	s->groups = id->groups;
	memset(&id->groups, 0, sizeof(id->groups));
	s->allowed = id->allowed;
	s->group_mode = cfg->group_mode;
	/* For applications that run setcred in another process (sshd). */
	if (s->allowed && s->group_mode == GROUP_SESSION && s->groups.n > 0) {
		grant_sweep(cfg->cache_dir, time(NULL));
		r = grant_write(
		    cfg->cache_dir, s->user, &s->groups, time(NULL), s->grant);
		if (r == 0 &&
		    snprintf(env, sizeof(env), "%s=%s", GRANT_ENV, s->grant) >
			0 &&
		    pam_putenv(pamh, env) == PAM_SUCCESS) {
			log_msg(lg, LOG_DEBUG, "groups handed to setcred");
		} else {
			s->grant[0] = '\0';
			log_msg(lg, LOG_WARNING,
			    "cannot write a group grant in %s/grants; "
			    "applications that establish credentials in "
			    "another process will not see the mapped groups",
			    cfg->cache_dir);
		}
	}
	if (pam_set_data(pamh, DATA_USER, s, free_session) != PAM_SUCCESS) {
		free_session(pamh, s, 0);
		return OIDC_ERR_SYSTEM;
	}
	return 0;
}

/*
 * The verified user must have a local account: made now when
 * auto_register is on, otherwise PAM_USER_UNKNOWN.
 */
static int
local_account(
    const struct oidc_config *cfg, const char *user, const struct oidc_log *lg)
{
	char esc[256];
	int e = account_exists(user);

	if (e == 1)
		return 0;
	if (e < 0) {
		log_msg(lg, LOG_ERR, "cannot look up local user %s",
		    log_escape(user, esc, sizeof(esc)));
		return OIDC_ERR_SYSTEM;
	}
	if (!cfg->auto_register) {
		log_msg(lg, LOG_NOTICE, "no local user %s",
		    log_escape(user, esc, sizeof(esc)));
		return OIDC_ERR_USER_UNKNOWN;
	}
	return account_create(cfg, user, lg) == 0 ? 0 : OIDC_ERR_SYSTEM;
}

/*
 * group_mode = persist: the managed groups in /etc/group follow the
 * roles; a user allowed_roles turns away keeps none of them.
 */
static int
persist_groups(const struct oidc_config *cfg, const struct oidc_identity *id,
    const struct oidc_log *lg)
{
	struct oidc_strlist managed = { 0 }, none = { 0 };
	int r;

	if ((r = roles_managed_groups(cfg->role_map, &managed)) != 0)
		return r;
	r = etcgroup_sync(ETC_DIR, id->username, &managed,
	    id->allowed ? &id->groups : &none, lg);
	strlist_free(&managed);
	if (r != 0 && r != OIDC_ERR_NOMEM)
		r = OIDC_ERR_SYSTEM;
	return r;
}

static int
wait_enter(const struct oidc_config *cfg, const char *service)
{
	if (cfg->wait == WAIT_ENTER)
		return 1;
	if (cfg->wait == WAIT_POLL)
		return 0;
	/* sshd shows PAM_TEXT_INFO only with the next prompt. */
	return service != NULL && strcmp(service, "sshd") == 0;
}

static int
authenticate(pam_handle_t *pamh, const struct oidc_config *cfg,
    const struct oidc_log *lg)
{
	struct oidc_ui ui = { pamh, ui_info, ui_enter, NULL };
	struct oidc_login login;
	struct oidc_identity *id = NULL;
	const char *user = NULL, *service = NULL;
	char host[256], esc[256];
	int r;

	memset(&login, 0, sizeof(login));
	if (pam_get_item(pamh, PAM_USER, (const void **)&user) != PAM_SUCCESS)
		user = NULL;
	if ((user == NULL || *user == '\0') && !cfg->kiosk &&
	    pam_get_user(pamh, &user, NULL) != PAM_SUCCESS)
		return OIDC_ERR_CONV;
	if (user != NULL && *user == '\0')
		user = NULL;
	/* Unknown users are turned away before the provider is asked. */
	if (user != NULL && !cfg->auto_register &&
	    (r = local_account(cfg, user, lg)) != 0)
		return r;
	(void)pam_get_item(pamh, PAM_SERVICE, (const void **)&service);
	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	login.host = host;
	login.service = service;
	login.user = user;
	login.wait_enter = wait_enter(cfg, service);
	login.log = lg;
	if ((r = flow_login(cfg, &login, &ui, &id)) != 0)
		return r;
	if ((r = local_account(cfg, id->username, lg)) != 0)
		goto out;
	if (user == NULL &&
	    pam_set_item(pamh, PAM_USER, id->username) != PAM_SUCCESS) {
		r = OIDC_ERR_SYSTEM;
		goto out;
	}
	if (cfg->group_mode == GROUP_PERSIST &&
	    (r = persist_groups(cfg, id, lg)) != 0)
		goto out;
	if ((r = keep_session(pamh, cfg, lg, id)) != 0)
		goto out;
	log_msg(lg, LOG_INFO, "user %s authenticated (sub %s)", id->username,
	    log_escape(id->sub, esc, sizeof(esc)));
	r = 0;
out:
	identity_free(id);
	return r;
}

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct oidc_config *cfg = NULL;
	struct oidc_log lg = { sink, pamh, 0 };
	const char *msg;
	char why[512];
	int r, curl_ok;

	/* Nothing from an earlier attempt on this handle may count. */
	(void)pam_set_data(pamh, DATA_USER, NULL, NULL);
	curl_ok = http_global_init() == 0;
	if (!curl_ok) {
		r = OIDC_ERR_NOMEM;
		goto out;
	}
	if ((cfg = config_new()) == NULL) {
		r = OIDC_ERR_NOMEM;
		goto out;
	}
	why[0] = '\0';
	if ((r = config_load(cfg, argc, argv, why, sizeof(why))) != 0) {
		if (r != OIDC_ERR_NOMEM)
			pam_syslog(pamh, LOG_ERR, "%s", why);
		r = r == OIDC_ERR_NOMEM ? r : OIDC_ERR_CONFIG;
		goto out;
	}
	lg.debug = cfg->debug;
	r = authenticate(pamh, cfg, &lg);
	if (r != 0) {
		log_msg(&lg, LOG_NOTICE, "authentication failed: %s",
		    oidc_strerror(r));
		/* PAM_SILENT mutes the verdict; the code itself must show. */
		if (!(flags & PAM_SILENT) && (msg = person_message(r)) != NULL)
			conv_error(pamh, msg);
	}
out:
	config_free(cfg);
	if (curl_ok)
		http_global_cleanup();
	return pam_code(r);
}

/* The session of the user this module authenticated on this handle. */
static const struct session *
ours(pam_handle_t *pamh)
{
	const char *user = NULL;
	const void *data = NULL;
	const struct session *s;

	if (pam_get_data(pamh, DATA_USER, &data) != PAM_SUCCESS ||
	    data == NULL ||
	    pam_get_item(pamh, PAM_USER, (const void **)&user) != PAM_SUCCESS ||
	    user == NULL)
		return NULL;
	s = data;
	return strcmp(user, s->user) == 0 ? s : NULL;
}

/*
 * setcred in a process other than the one that authenticated (sshd): the
 * groups come from the grant named in the PAM environment. It is taken
 * once; what it held stays with this handle, as if authentication had
 * happened here, so that later setcred calls on it, and on its copies in
 * forked children, find it. sshd calls setcred in its monitor and again
 * in the session's child after initgroups(), which is the call that
 * counts. Returns 0 with *s set, or 0 with *s NULL when there is none.
 */
static int
session_from_grant(
    pam_handle_t *pamh, int argc, const char **argv, const struct session **out)
{
	struct oidc_config *cfg = NULL;
	struct oidc_log lg = { sink, pamh, 0 };
	struct session *s = NULL;
	const char *id, *user = NULL;
	char why[512];
	int r = 0;

	*out = NULL;
	if ((id = pam_getenv(pamh, GRANT_ENV)) == NULL)
		return 0;
	if (pam_get_item(pamh, PAM_USER, (const void **)&user) != PAM_SUCCESS ||
	    user == NULL)
		goto out;
	if ((cfg = config_new()) == NULL) {
		r = OIDC_ERR_NOMEM;
		goto out;
	}
	why[0] = '\0';
	if ((r = config_load(cfg, argc, argv, why, sizeof(why))) != 0) {
		if (r != OIDC_ERR_NOMEM)
			pam_syslog(pamh, LOG_ERR, "%s", why);
		r = r == OIDC_ERR_NOMEM ? r : OIDC_ERR_CONFIG;
		goto out;
	}
	lg.debug = cfg->debug;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->user = strdup(user)) == NULL ||
	    (s->cache_dir = strdup(cfg->cache_dir)) == NULL) {
		r = OIDC_ERR_NOMEM;
		goto out;
	}
	r = grant_take(cfg->cache_dir, id, user, time(NULL), &s->groups);
	if (r == OIDC_ERR_NOMEM)
		goto out;
	if (r != 0) {
		log_msg(&lg, LOG_NOTICE,
		    "the group grant for %s is missing, used, expired or "
		    "not this user's; no groups added",
		    user);
		r = 0;
		goto out;
	}
	/* Only allowed users get a grant (see keep_session). */
	s->allowed = 1;
	s->group_mode = cfg->group_mode;
	if (pam_set_data(pamh, DATA_USER, s, free_session) != PAM_SUCCESS) {
		r = OIDC_ERR_SYSTEM;
		goto out;
	}
	*out = s;
	s = NULL;
out:
	/* The name is spent; keep it out of the session's environment. */
	(void)pam_putenv(pamh, GRANT_ENV);
	free_session(pamh, s, 0);
	config_free(cfg);
	return r;
}

/*
 * Nothing to establish is success, as for pam_unix: setcred runs only
 * after the auth stack succeeded, and a stack where every module ignored
 * it would fail the whole login.
 */
PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const struct session *s = ours(pamh);
	struct oidc_log lg = { sink, pamh, 0 };
	struct oidc_strlist spent = { 0 };
	int r;

	if (s == NULL) {
		if ((r = session_from_grant(pamh, argc, argv, &s)) != 0)
			return r == OIDC_ERR_NOMEM ? PAM_BUF_ERR : PAM_CRED_ERR;
		if (s == NULL)
			return PAM_SUCCESS;
	} else if (s->grant[0] != '\0' && pam_getenv(pamh, GRANT_ENV) != NULL) {
		/* Same process: the grant for another one is not needed. */
		(void)grant_take(
		    s->cache_dir, s->grant, s->user, time(NULL), &spent);
		strlist_free(&spent);
		(void)pam_putenv(pamh, GRANT_ENV);
	}
	if (!(flags & (PAM_ESTABLISH_CRED | PAM_REINITIALIZE_CRED)) ||
	    s->group_mode != GROUP_SESSION)
		return PAM_SUCCESS;
	if ((r = groups_add_supplementary(&s->groups, &lg)) != 0)
		return r == OIDC_ERR_NOMEM ? PAM_BUF_ERR : PAM_CRED_ERR;
	return PAM_SUCCESS;
}

PAM_EXTERN int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const struct session *s = ours(pamh);

	(void)argc;
	(void)argv;
	if (s == NULL)
		return PAM_IGNORE;
	if (!s->allowed) {
		pam_syslog(pamh, LOG_NOTICE,
		    "user %s holds none of "
		    "allowed_roles: access denied",
		    s->user);
		if (!(flags & PAM_SILENT))
			conv_error(pamh,
			    "Your role at the identity provider "
			    "does not allow access to this system.");
		return PAM_PERM_DENIED;
	}
	return PAM_SUCCESS;
}
