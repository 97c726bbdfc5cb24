/*
 * The names and ids of the local files, read directly: etc_dir/passwd,
 * etc_dir/group and etc_dir/login.defs ("/etc" outside the tests). The
 * NSS module must not ask NSS what the files hold (it would ask itself),
 * and must never shadow a name or reuse an id the files already have.
 */
#ifndef OIDC_LOCALIDS_H
#define OIDC_LOCALIDS_H

#include <stdint.h>

#define LOCALIDS_MAX_FILE ((size_t)16 * 1024 * 1024)

/*
 * Is name a user in etc_dir/passwd or a group in etc_dir/group? 1 yes,
 * 0 no, OIDC_ERR_SYSTEM when a file cannot be read (a missing group file
 * is empty; a missing passwd file is an error).
 */
int localids_name_known(const char *etc_dir, const char *name);

/*
 * Mark every UID of etc_dir/passwd and every GID of etc_dir/group that
 * lies in [min, max]: bit (id - min) of used. 0 or OIDC_ERR_SYSTEM.
 */
int localids_mark(
    const char *etc_dir, uint32_t min, uint32_t max, unsigned char *used);

/* UID_MIN of etc_dir/login.defs, 1000 when it is not set there. */
uint32_t localids_uid_min(const char *etc_dir);

#endif
