/*
 * pam_oidc: the PAM entry points, and the one mapping from OIDC_ERR_* to
 * PAM return codes. The login itself is login.c's, what the host does
 * with it host.c's, and what it leaves for later phases session.c's.
 */
#include <security/pam_appl.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "config.h"
#include "groups.h"
#include "handle.h"
#include "host.h"
#include "http.h"
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

/*
 * After a verified login: who the account is, whether this host lets it
 * in, and what authentication leaves for the later phases.
 */
static int
admit(pam_handle_t *pamh, const struct oidc_config *cfg,
    const struct oidc_log *lg, const struct oidc_login *login,
    struct oidc_identity *id)
{
	const char *user = login->user;
	char esc[256];
	int r;

	if (!handle_user_kept(pamh, user)) {
		log_msg(lg, LOG_NOTICE,
		    "PAM_USER changed while the sign-in ran: refused");
		return OIDC_ERR_MISMATCH;
	}
	if ((r = host_reachable(cfg, id->username, lg)) != 0)
		return r;
	if ((r = host_admit(cfg, id, login->service, lg)) != 0 ||
	    (r = host_pin(cfg, id->username, id->iss, id->sub, lg)) != 0)
		return r;
	if (user == NULL &&
	    pam_set_item(pamh, PAM_USER, id->username) != PAM_SUCCESS)
		return OIDC_ERR_SYSTEM;
	if ((r = handle_keep_session(pamh, cfg, lg, id)) != 0)
		return r;
	log_msg(lg, LOG_INFO, "user %s authenticated (sub %s)", id->username,
	    log_escape(id->sub, esc, sizeof(esc)));
	return 0;
}

/*
 * An unknown user goes through the same sign-in as a known one: what the
 * client sees, and how long it takes, tells them apart in no way. It
 * ends as a mismatch does, or as an unknown user once the provider's
 * identity bears the name.
 */
static int
authenticate(pam_handle_t *pamh, const struct oidc_config *cfg,
    const struct oidc_log *lg, int *shown)
{
	struct oidc_ui ui = { pamh, handle_info, handle_enter, NULL };
	struct oidc_login login = { .log = lg };
	struct oidc_identity *id = NULL;
	char *user = NULL;
	int r, known = 1;

	if ((r = handle_conv(pamh)) != 0 ||
	    (r = handle_user(pamh, cfg, &user)) != 0)
		goto out;
	if (user != NULL && (r = host_check_user(cfg, user, lg, &known)) != 0)
		goto out;
	(void)pam_get_item(pamh, PAM_SERVICE, (const void **)&login.service);
	login.user = user;
	login.wait_enter = host_wait_enter(cfg, login.service);
	if ((r = handle_lang(pamh, cfg, login.service, lg, &login.lang)) != 0)
		goto out;
	r = login_run(cfg, &login, &ui, &id);
	*shown = login.shown;
	if (r == 0 && !known && !cfg->auto_register)
		r = host_account(cfg, user, lg);
	if (r == 0)
		r = admit(pamh, cfg, lg, &login, id);
out:
	identity_free(id);
	free(user);
	return r;
}

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct oidc_config *cfg = NULL;
	struct oidc_log lg = { sink, pamh, 0 };
	const char *msg;
	int r, shown = 0;

	/* Nothing from an earlier attempt on this handle may count. */
	handle_forget(pamh);
	if (http_global_init() != 0)
		return PAM_BUF_ERR;
	if ((r = load_config(argc, argv, &lg, &cfg)) != 0)
		goto out;
	r = authenticate(pamh, cfg, &lg, &shown);
	if (r != 0) {
		log_msg(&lg, LOG_NOTICE, "authentication failed: %s",
		    oidc_strerror(r));
		/*
		 * PAM_SILENT mutes the verdict; the code itself must show. An
		 * account left to the rest of the stack before any code was
		 * shown gets no word from this module.
		 */
		if (!(flags & PAM_SILENT) &&
		    (r != OIDC_ERR_USER_UNKNOWN || shown) &&
		    (msg = message_verdict(r)) != NULL)
			handle_error(pamh, msg);
	}
out:
	config_free(cfg);
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

	(void)argc;
	(void)argv;
	if (s == NULL)
		return handle_held(pamh, &lg) ? PAM_PERM_DENIED : PAM_IGNORE;
	if (s->allowed)
		return PAM_SUCCESS;
	log_msg(&lg, LOG_NOTICE,
	    "user %s holds none of allowed_roles: access denied", s->user);
	if (!(flags & PAM_SILENT))
		handle_error(pamh, message_verdict(OIDC_ERR_PERM));
	return PAM_PERM_DENIED;
}
