/*
 * Mapped groups in the session: added to the process's supplementary
 * groups, the way pam_group does, so that the login and what it starts
 * (sudo's default group_source reads these) carry them.
 */
#ifndef OIDC_GROUPS_H
#define OIDC_GROUPS_H

#include "log.h"
#include "roles.h"

/*
 * Add each group that exists locally to the supplementary groups; a group
 * that does not exist is skipped with a warning, never created. Returns 0,
 * or OIDC_ERR_SYSTEM when the groups cannot be set.
 */
int groups_add_supplementary(
    const struct oidc_strlist *groups, const struct oidc_log *lg);

#endif
