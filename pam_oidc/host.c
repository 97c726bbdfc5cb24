/*
 * Host policy (see host.h).
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "etcgroup.h"
#include "home.h"
#include "host.h"
#include "oidc.h"
#include "pins.h"
#include "registry.h"
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

/* A getpwnam_r-style result: 1 found, 0 not, -1 error. */
static int
found(int e, const void *res)
{
	if (res != NULL || e == ERANGE)
		return 1;
	return e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM
	    ? 0
	    : -1;
}

/* registry probe: a user or group of that name with an id not ours. */
static int
probe_name(void *ctx, const char *name, uint32_t ours)
{
	struct passwd pw, *pres = NULL;
	struct group gr, *gres = NULL;
	char buf[4096];
	int e, k;

	(void)ctx;
	e = getpwnam_r(name, &pw, buf, sizeof(buf), &pres);
	k = found(e, pres);
	if (k == 1 && pres != NULL && ours != 0 && pres->pw_uid == ours)
		k = 0;
	if (k == 0) {
		e = getgrnam_r(name, &gr, buf, sizeof(buf), &gres);
		k = found(e, gres);
		if (k == 1 && gres != NULL && ours != 0 && gres->gr_gid == ours)
			k = 0;
	}
	return k;
}

/* registry probe: a user or group with this id. */
static int
probe_id(void *ctx, uint32_t id)
{
	struct passwd pw, *pres = NULL;
	struct group gr, *gres = NULL;
	char buf[4096];
	int e, k;

	(void)ctx;
	e = getpwuid_r(id, &pw, buf, sizeof(buf), &pres);
	k = found(e, pres);
	if (k == 0) {
		e = getgrgid_r(id, &gr, buf, sizeof(buf), &gres);
		k = found(e, gres);
	}
	return k;
}

/* What NSS says of user: its UID in *uid and 1, 0 unknown, -1 error. */
static int
nss_uid(const char *user, uint32_t *uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int e, k;

	e = getpwnam_r(user, &pw, buf, sizeof(buf), &res);
	k = found(e, res);
	if (k == 1 && res == NULL)
		return -1;
	if (k == 1)
		*uid = res->pw_uid;
	return k;
}

/*
 * Register id (from its reservation, or directly), or check that it is
 * the identity the registered name is bound to; then its home.
 */
static int
registry_account(const struct oidc_config *cfg, const struct oidc_identity *id,
    int direct, const struct oidc_log *lg)
{
	struct oidc_regprobe pr = { ETC_DIR, probe_name, probe_id, NULL,
		REGISTRY_WAIT_MS };
	struct oidc_regperson who = { id->username, id->iss, id->sub,
		cfg->shell };
	struct oidc_regentry e;
	char why[512], e1[256], e2[256], e3[256], e4[256];
	uint32_t uid = 0;
	int r, created = 0;

	r = registry_register(REGISTRY_DIR, &cfg->reg, &who, direct,
	    (int64_t)time(NULL), &pr, &e, &created, why, sizeof(why));
	if (r == OIDC_ERR_MISMATCH) {
		log_msg(lg, LOG_NOTICE,
		    "%s is registered to iss %s sub %s, not to iss %s sub %s: "
		    "refused",
		    id->username, log_escape(e.iss, e1, sizeof(e1)),
		    log_escape(e.sub, e2, sizeof(e2)),
		    log_escape(id->iss, e3, sizeof(e3)),
		    log_escape(id->sub, e4, sizeof(e4)));
		return r;
	}
	if (r != 0) {
		log_msg(lg, LOG_ERR, "auto_register: %s not registered: %s",
		    id->username, log_escape(why, e1, sizeof(e1)));
		return r == OIDC_ERR_NOMEM || r == OIDC_ERR_USER_UNKNOWN
		    ? r
		    : OIDC_ERR_SYSTEM;
	}
	if (created)
		log_msg(lg, LOG_NOTICE,
		    "auto_register: registered %s with uid %u, home %s, shell "
		    "%s (iss %s, sub %s)",
		    e.name, (unsigned int)e.uid, e.home, e.shell,
		    log_escape(e.iss, e1, sizeof(e1)),
		    log_escape(e.sub, e2, sizeof(e2)));
	/* The rest of the login, and the session, find the user by NSS. */
	if (nss_uid(id->username, &uid) != 1 || uid != e.uid) {
		log_msg(lg, LOG_ERR,
		    "%s is registered with uid %u, but the name service does "
		    "not answer so; add oidc to the passwd and group lines of "
		    "/etc/nsswitch.conf (see libnss_oidc(8))",
		    id->username, (unsigned int)e.uid);
		return OIDC_ERR_SYSTEM;
	}
	/* Made when missing, kept when it is already the person's. */
	if (home_create(e.home, ACCOUNT_SKEL, e.uid, e.gid, lg) != 0)
		return OIDC_ERR_SYSTEM;
	return 0;
}

/* The local account of a verified identity (see host_admit). */
static int
admit_account(const struct oidc_config *cfg, const struct oidc_identity *id,
    const char *service, const struct oidc_log *lg)
{
	struct oidc_regentry e;
	uint32_t uid = 0;
	int r, k;

	r = regfile_find(REGISTRY_DIR, (int64_t)time(NULL), REG_BY_NAME,
	    id->username, 0, &e);
	if (r < 0) {
		log_msg(lg, LOG_ERR,
		    "cannot read the registry %s/%s; pam-oidc users says why",
		    REGISTRY_DIR, REGFILE_NAME);
		return r == OIDC_ERR_NOMEM ? r : OIDC_ERR_SYSTEM;
	}
	if ((k = nss_uid(id->username, &uid)) < 0)
		return host_account(cfg, id->username, lg);
	/* Another source's account of that name is that source's. */
	if (r == 1 && k == 1 && uid != e.uid) {
		log_msg(lg, LOG_WARNING,
		    "%s is in the registry with uid %u and in another source "
		    "with uid %u; the other source's account is used",
		    id->username, (unsigned int)e.uid, (unsigned int)uid);
		return 0;
	}
	if (r == 1 && e.state == REG_PENDING &&
	    (!cfg->auto_register || cfg->reg.with != REGISTER_NSS)) {
		log_msg(lg, LOG_NOTICE,
		    "%s is held for a first sign-in, but this configuration "
		    "does not register (auto_register, register_with = nss)",
		    id->username);
		return OIDC_ERR_USER_UNKNOWN;
	}
	if (r == 1)
		return registry_account(cfg, id, 0, lg);
	if (k == 1 || !cfg->auto_register || cfg->reg.with != REGISTER_NSS)
		return host_account(cfg, id->username, lg);
	/* sshd refused a name it did not find before authentication. */
	if (service != NULL && strcmp(service, "sshd") == 0) {
		log_msg(lg, LOG_NOTICE,
		    "%s holds no reservation: sshd did not find the name "
		    "before authentication, or it expired "
		    "(register_pending_ttl)",
		    id->username);
		return OIDC_ERR_USER_UNKNOWN;
	}
	return registry_account(cfg, id, 1, lg);
}

int
host_admit(const struct oidc_config *cfg, const struct oidc_identity *id,
    const char *service, const struct oidc_log *lg)
{
	int r;

	/* The gate holds even in a stack without the account line. */
	if (!id->allowed) {
		log_msg(lg, LOG_NOTICE,
		    "user %s holds none of allowed_roles: access denied",
		    id->username);
		/* With persist, a person turned away keeps no managed group. */
		if (cfg->group_mode == GROUP_PERSIST &&
		    account_exists(id->username) == 1)
			(void)host_persist_groups(
			    cfg, id->username, &id->groups, 0, lg);
		return OIDC_ERR_PERM;
	}
	if ((r = admit_account(cfg, id, service, lg)) != 0)
		return r;
	if (cfg->group_mode == GROUP_PERSIST)
		return host_persist_groups(
		    cfg, id->username, &id->groups, 1, lg);
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
host_held(const char *user)
{
	struct oidc_regentry e;

	return user != NULL &&
	    regfile_find(REGISTRY_DIR, (int64_t)time(NULL), REG_BY_NAME, user,
		0, &e) == 1 &&
	    e.state == REG_PENDING;
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
