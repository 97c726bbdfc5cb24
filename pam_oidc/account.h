/*
 * auto_register: the local account for a user who signs in for the
 * first time, made by the system's own useradd so that login.defs, the
 * UID ranges and the skeleton directory are honoured.
 */
#ifndef OIDC_ACCOUNT_H
#define OIDC_ACCOUNT_H

#include <sys/types.h>

#include "config.h"
#include "log.h"

#define ACCOUNT_USERADD "/usr/sbin/useradd"
#define ACCOUNT_SKEL    "/etc/skel"

#define ACCOUNT_LOGIN_DEFS "/etc/login.defs"
#define ACCOUNT_UID_MIN    1000 /* when login.defs does not say */

/* Does user have a local account? 1 yes, 0 no, -1 the lookup failed. */
int account_exists(const char *user);

/* As account_exists, and *uid receives the account's UID. */
int account_lookup(const char *user, uid_t *uid);

/* UID_MIN from /etc/login.defs: below it are the system's accounts. */
uid_t account_uid_min(void);

/*
 * Create user with its own group, a home from the skeleton directory and
 * cfg->shell. The name is checked first. The new account must have a
 * UID other than 0 that no other account has; otherwise it is an error
 * (the account is left for the administrator to inspect, and the login
 * fails). Returns 0, OIDC_ERR_INVALID or OIDC_ERR_SYSTEM (logged).
 */
int account_create(
    const struct oidc_config *cfg, const char *user, const struct oidc_log *lg);

#endif
