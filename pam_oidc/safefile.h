/*
 * Opening configuration, secret and cache files safely: no symlinks, no
 * FIFO or device (opened without blocking, then refused), a regular file
 * with exactly one link, owned by root (or by the running user, who is
 * root inside sshd, sudo and login), not writable by group or others, in
 * a directory group and others cannot write to (a sticky directory of
 * root's excepted).
 */
#ifndef OIDC_SAFEFILE_H
#define OIDC_SAFEFILE_H

#include <stddef.h>

#define SAFEFILE_SECRET  0x1 /* must not be readable by others */
#define SAFEFILE_PRIVATE 0x2 /* must not be readable by group or others */

/*
 * Read a whole file of at most max bytes into a NUL-terminated buffer.
 * On failure, why names the problem for the administrator.
 */
int safefile_read(const char *path, int flags, size_t max, char **buf,
    size_t *len, unsigned int *mode, char *why, size_t whysz);

/* Make sure dir exists, belongs to us and is mode 0700. */
int safefile_mkdir(const char *dir, char *why, size_t whysz);

/*
 * Replace path atomically with data: a temporary file in the same
 * directory, mode 0600, then rename. Readers see the old file or the new
 * one, never a part. No fsync: what goes through here is a cache entry or
 * a grant for one login; after a crash a file may be empty or gone, and
 * its reader refuses it (a cache entry is then fetched again). An fsync
 * would put a disk flush between discovery and the code on screen.
 */
int safefile_write(const char *path, const void *data, size_t len);

#endif
