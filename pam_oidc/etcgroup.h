/*
 * group_mode = persist: the user's membership in the groups role_map
 * manages, kept in the group file (and gshadow where it exists).
 */
#ifndef OIDC_ETCGROUP_H
#define OIDC_ETCGROUP_H

#include <sys/types.h>

#include "log.h"
#include "roles.h"

#define ETCGROUP_MAX_FILE     ((off_t)16 * 1024 * 1024)
#define ETCGROUP_LOCK_WAIT_MS 15000

/*
 * Make user a member of each managed group that granted names and of no
 * other managed group, in etc_dir/group and etc_dir/gshadow ("/etc" in
 * the module). Lines of groups that are not managed are copied byte for
 * byte. A granted group missing from the file is skipped with a warning,
 * never created.
 *
 * Under the password-file lock (lckpwdf's file, etc_dir/.pwd.lock), each changed file is
 * written to FILE+ with the old owner and mode, synced and renamed over
 * FILE; the previous version is kept as FILE-. Nothing is written when
 * nothing changes. After any failure the files are as they were.
 *
 * Returns 0, OIDC_ERR_SYSTEM (lock, read or write failed: logged),
 * OIDC_ERR_INVALID (a managed group's line is malformed, or a name is
 * not a valid name) or OIDC_ERR_NOMEM.
 */
int etcgroup_sync(const char *etc_dir, const char *user,
    const struct oidc_strlist *managed, const struct oidc_strlist *granted,
    const struct oidc_log *lg);

#endif
