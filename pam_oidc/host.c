/*
 * Host policy (see host.h).
 */
#include <string.h>

#include "account.h"
#include "etcgroup.h"
#include "host.h"
#include "oidc.h"

#define ETC_DIR "/etc"

int
host_account(
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

int
host_persist_groups(const struct oidc_config *cfg, const char *user,
    const struct oidc_strlist *groups, int allowed, const struct oidc_log *lg)
{
	struct oidc_strlist managed = { 0 }, none = { 0 };
	int r;

	if ((r = roles_managed_groups(cfg->role_map, &managed)) != 0)
		return r;
	r = etcgroup_sync(
	    ETC_DIR, user, &managed, allowed ? groups : &none, lg);
	strlist_free(&managed);
	if (r != 0 && r != OIDC_ERR_NOMEM)
		r = OIDC_ERR_SYSTEM;
	return r;
}

int
host_admit(const struct oidc_config *cfg, const char *user,
    const struct oidc_strlist *groups, int allowed, const struct oidc_log *lg)
{
	int r;

	if ((r = host_account(cfg, user, lg)) != 0)
		return r;
	if (cfg->group_mode == GROUP_PERSIST)
		return host_persist_groups(cfg, user, groups, allowed, lg);
	return 0;
}

int
host_wait_enter(const struct oidc_config *cfg, const char *service)
{
	if (cfg->wait == WAIT_ENTER)
		return 1;
	if (cfg->wait == WAIT_POLL)
		return 0;
	/* sshd shows PAM_TEXT_INFO only with the next prompt. */
	return service != NULL && strcmp(service, "sshd") == 0;
}
