/*
 * The home directory of a person registered with register_with = nss:
 * made from the skeleton directory and given to the person's ids, as
 * useradd --create-home does, and removed on request (pam-oidc users
 * remove --home). Every step goes through directory descriptors and
 * never follows a symbolic link.
 */
#ifndef OIDC_HOME_H
#define OIDC_HOME_H

#include <sys/types.h>

#include "log.h"

#define HOME_MODE      0700
#define HOME_MAX_DEPTH 16
#define HOME_MAX_BYTES ((off_t)64 * 1024 * 1024) /* copied from skel */

/*
 * Make home (mode 0700) and copy skel into it: regular files, directories
 * and symbolic links, with their permission bits less set-id bits; then
 * give everything to uid and gid. The parent must be root's and not
 * writable by group or others. A home that exists already is kept when
 * it is a directory owned by uid, and refused otherwise (it may be an
 * earlier person's). Returns 0, OIDC_ERR_SYSTEM (logged) or
 * OIDC_ERR_INVALID (an unsafe parent or a home that is someone else's).
 */
int home_create(const char *home, const char *skel, uid_t uid, gid_t gid,
    const struct oidc_log *lg);

/*
 * Remove home and everything in it, when it is a directory owned by uid
 * (0: it was removed, 1: there was none, or an error, logged).
 */
int home_remove(const char *home, uid_t uid, const struct oidc_log *lg);

#endif
