/*
 * pam_oidc: the PAM entry points, and the one mapping from OIDC_ERR_* to
 * PAM return codes. The login itself is login.c's, what the host does
 * with it host.c's, and what it leaves for later phases session.c's.
 */
#include <security/pam_appl.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "config.h"
#include "groups.h"
#include "handle.h"
#include "host.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "login.h"
#include "message.h"
#include "oidc.h"
#include "session.h"

/* Every log line of the module goes to syslog (authpriv) through here. */
static void
sink(void *ctx, int prio, const char *line)
{
	pam_syslog((pam_handle_t *)ctx, prio, "%s", line);
}

/* The single error mapping of DESIGN.md "PAM return codes". */
static int
pam_code(int err, int cred)
{
	static const int codes[][2] = { { OIDC_OK, PAM_SUCCESS },
		{ OIDC_ERR_NOMEM, PAM_BUF_ERR },
		{ OIDC_ERR_CONFIG, PAM_SERVICE_ERR },
		{ OIDC_ERR_UNAVAIL, PAM_AUTHINFO_UNAVAIL },
		{ OIDC_ERR_PROTOCOL, PAM_AUTHINFO_UNAVAIL },
		{ OIDC_ERR_CLIENT, PAM_AUTHINFO_UNAVAIL },
		{ OIDC_ERR_CONV, PAM_CONV_ERR },
		{ OIDC_ERR_CONV_AGAIN, PAM_INCOMPLETE },
		{ OIDC_ERR_USER_UNKNOWN, PAM_USER_UNKNOWN },
		{ OIDC_ERR_SYSTEM, PAM_SYSTEM_ERR } };
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i][0] == err)
			return cred && i > 1 ? PAM_CRED_ERR : codes[i][1];
	return cred ? PAM_CRED_ERR : PAM_AUTH_ERR;
}

/* The configuration for this call: module arguments, then the file. */
static int
load_config(
    int argc, const char **argv, struct oidc_log *lg, struct oidc_config **out)
{
	struct oidc_config *cfg;
	char why[512];
	int r;

	if ((cfg = config_new()) == NULL)
		return OIDC_ERR_NOMEM;
	why[0] = '\0';
	if ((r = config_load(cfg, argc, argv, why, sizeof(why))) != 0) {
		if (r != OIDC_ERR_NOMEM)
			log_msg(lg, LOG_ERR, "%s", why);
		config_free(cfg);
		return r == OIDC_ERR_NOMEM ? r : OIDC_ERR_CONFIG;
	}
	lg->debug = cfg->debug;
	*out = cfg;
	return 0;
}

static int
authenticate(pam_handle_t *pamh, const struct oidc_config *cfg,
    const struct oidc_log *lg)
{
	struct oidc_ui ui = { pamh, handle_info, handle_enter, NULL };
	struct oidc_login login = { .log = lg };
	struct oidc_identity *id = NULL;
	char esc[256];
	int r;

	if ((r = handle_user(pamh, cfg, &login.user)) != 0)
		return r;
	/* Unknown users are turned away before the provider is asked. */
	if (login.user != NULL && !cfg->auto_register &&
	    (r = host_account(cfg, login.user, lg)) != 0)
		return r;
	(void)pam_get_item(pamh, PAM_SERVICE, (const void **)&login.service);
	login.wait_enter = host_wait_enter(cfg, login.service);
	if ((r = login_run(cfg, &login, &ui, &id)) != 0)
		return r;
	if ((r = host_admit(cfg, id, login.service, lg)) != 0)
		goto out;
	if (login.user == NULL &&
	    pam_set_item(pamh, PAM_USER, id->username) != PAM_SUCCESS) {
		r = OIDC_ERR_SYSTEM;
		goto out;
	}
	if ((r = handle_keep_session(pamh, cfg, lg, id)) != 0)
		goto out;
	log_msg(lg, LOG_INFO, "user %s authenticated (sub %s)", id->username,
	    log_escape(id->sub, esc, sizeof(esc)));
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
	int r;

	/* Nothing from an earlier attempt on this handle may count. */
	handle_forget(pamh);
	if (http_global_init() != 0)
		return PAM_BUF_ERR;
	if ((r = load_config(argc, argv, &lg, &cfg)) != 0)
		goto out;
	json_guard_begin();
	r = authenticate(pamh, cfg, &lg);
	/* Any allocation jansson could not make fails the sign-in. */
	if (json_guard_end() == OIDC_ERR_NOMEM && r != OIDC_ERR_NOMEM) {
		if (r == 0)
			handle_forget(pamh);
		r = OIDC_ERR_NOMEM;
	}
	if (r != 0) {
		log_msg(&lg, LOG_NOTICE, "authentication failed: %s",
		    oidc_strerror(r));
		/* PAM_SILENT mutes the verdict; the code itself must show. */
		if (!(flags & PAM_SILENT) && (msg = message_verdict(r)) != NULL)
			handle_error(pamh, msg);
	}
out:
	config_free(cfg);
	http_global_cleanup();
	return pam_code(r, 0);
}

/*
 * Nothing to establish is success, as for pam_unix: setcred runs only
 * after the auth stack succeeded, and a stack where every module ignored
 * it would fail the whole login.
 */
PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct oidc_session *s = handle_session(pamh);
	struct oidc_config *cfg = NULL;
	struct oidc_log lg = { sink, pamh, 0 };
	int r = 0, a;

	if (s == NULL && handle_handoff(pamh) != NULL) {
		r = load_config(argc, argv, &lg, &cfg);
		a = handle_adopt(pamh, cfg, &lg, &s);
		r = r != 0 ? r : a;
	}
	config_free(cfg);
	if (s == NULL)
		return pam_code(r, 1);
	handle_spend_handoff(pamh, s);
	if (!(flags & (PAM_ESTABLISH_CRED | PAM_REINITIALIZE_CRED)) ||
	    s->group_mode != GROUP_SESSION)
		return PAM_SUCCESS;
	return pam_code(groups_add_supplementary(&s->groups, &lg), 1);
}

PAM_EXTERN int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	const struct oidc_session *s = handle_session(pamh);
	struct oidc_log lg = { sink, pamh, 0 };
	const char *user = NULL;

	(void)argc;
	(void)argv;
	/* A name held for a sign-in through this module opens nothing else. */
	if (s == NULL &&
	    pam_get_item(pamh, PAM_USER, (const void **)&user) == PAM_SUCCESS &&
	    host_held(user)) {
		log_msg(&lg, LOG_NOTICE,
		    "%s is held for a first sign-in through pam_oidc: refused",
		    user);
		return PAM_PERM_DENIED;
	}
	if (s == NULL)
		return PAM_IGNORE;
	if (s->allowed)
		return PAM_SUCCESS;
	log_msg(&lg, LOG_NOTICE,
	    "user %s holds none of allowed_roles: access denied", s->user);
	if (!(flags & PAM_SILENT))
		handle_error(pamh, message_verdict(OIDC_ERR_PERM));
	return PAM_PERM_DENIED;
}
