/*
 * Host policy (see host.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "etcgroup.h"
#include "host.h"
#include "oidc.h"
#include "pins.h"
#include "roles.h"

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

	/* The gate holds even in a stack without the account line. */
	if (!allowed) {
		log_msg(lg, LOG_NOTICE,
		    "user %s holds none of allowed_roles: access denied", user);
		/* With persist, a person turned away keeps no managed group. */
		if (cfg->group_mode == GROUP_PERSIST &&
		    account_exists(user) == 1)
			(void)host_persist_groups(cfg, user, groups, 0, lg);
		return OIDC_ERR_PERM;
	}
	if ((r = host_account(cfg, user, lg)) != 0)
		return r;
	if (cfg->group_mode == GROUP_PERSIST)
		return host_persist_groups(cfg, user, groups, 1, lg);
	return 0;
}

int
host_check_user(const struct oidc_config *cfg, const char *user,
    const struct oidc_log *lg, int *known)
{
	char esc[256];
	int r;

	if ((r = host_reachable(cfg, user, lg)) != 0)
		return r;
	/* A lookup that fails is no answer: fail closed. */
	if ((*known = account_exists(user)) < 0) {
		log_msg(lg, LOG_ERR, "cannot look up local user %s",
		    log_escape(user, esc, sizeof(esc)));
		return OIDC_ERR_SYSTEM;
	}
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

/* Is user one of the space-separated names in list? */
static int
listed(const char *list, const char *user)
{
	size_t n, len = strlen(user);

	for (; list != NULL && *list != '\0'; list += n) {
		list += strspn(list, " \t");
		n = strcspn(list, " \t");
		if (n == len && n > 0 && memcmp(list, user, n) == 0)
			return 1;
	}
	return 0;
}

int
host_reachable(
    const struct oidc_config *cfg, const char *user, const struct oidc_log *lg)
{
	char esc[256];
	uid_t uid = 0;
	int e = account_lookup(user, &uid);

	if (e < 0) {
		log_msg(lg, LOG_ERR, "cannot look up local user %s",
		    log_escape(user, esc, sizeof(esc)));
		return OIDC_ERR_SYSTEM;
	}
	if (e == 0 || (uid != 0 && uid >= account_uid_min()) ||
	    listed(cfg->system_accounts, user))
		return 0;
	log_msg(lg, LOG_NOTICE,
	    "%s is a system account (UID %lu%s): left to the rest of the "
	    "stack; name it in system_accounts to sign it in through the "
	    "provider",
	    log_escape(user, esc, sizeof(esc)), (unsigned long)uid,
	    uid == 0 ? "" : ", below UID_MIN");
	return OIDC_ERR_USER_UNKNOWN;
}

int
host_pin(const struct oidc_config *cfg, const char *user, const char *iss,
    const char *sub, const struct oidc_log *lg)
{
	const struct oidc_kv *kv;
	char why[512], pinned[256], e1[256], e2[256];
	int created = 0, r;

	if (!cfg->pin_identity)
		return 0;
	/* pin_sub lines were checked with the claims (login.c). */
	for (kv = cfg->pin_subs; kv != NULL; kv = kv->next)
		if (strcmp(kv->key, user) == 0)
			return 0;
	why[0] = pinned[0] = '\0';
	r = pins_bind(cfg->state_dir, user, iss, sub, time(NULL), &created,
	    pinned, sizeof(pinned), why, sizeof(why));
	if (r == 0 && created)
		log_msg(lg, LOG_NOTICE, "user %s is now bound to iss %s sub %s",
		    user, log_escape(iss, e1, sizeof(e1)),
		    log_escape(sub, e2, sizeof(e2)));
	else if (r == OIDC_ERR_MISMATCH)
		log_msg(lg, LOG_NOTICE,
		    "user %s is bound to sub %s, but sub %s (iss %s) signed "
		    "in: refused (pam-oidc pins forget %s, if the person's "
		    "account was re-created at the provider)",
		    user, pinned, log_escape(sub, e2, sizeof(e2)),
		    log_escape(iss, e1, sizeof(e1)), user);
	else if (r == OIDC_ERR_INVALID)
		log_msg(lg, LOG_ERR,
		    "the identity of %s (sub %s) cannot be pinned: an iss or "
		    "sub that is empty or too long",
		    user, log_escape(sub, e2, sizeof(e2)));
	else if (r != 0 && r != OIDC_ERR_NOMEM)
		log_msg(lg, LOG_ERR, "%s", why);
	if (r == OIDC_ERR_INVALID)
		r = OIDC_ERR_TOKEN;
	return r;
}
