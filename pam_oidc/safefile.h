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

#define SAFEFILE_SYNC      0x4 /* safefile_write: fsync before it counts */
#define SAFEFILE_NOREPLACE 0x8 /* safefile_write: only where none is */

/*
 * Put data at path atomically: a hidden temporary file in the same
 * directory, mode 0600, then renamed into place. Readers see the old file
 * or the new one, never a part. With SAFEFILE_NOREPLACE an existing file
 * is kept and OIDC_ERR_INVALID returned, so that of two writers exactly
 * one wins. Without SAFEFILE_SYNC no fsync: what goes through here that
 * way is a cache entry or a hand-off for one login; after a crash it may
 * be empty or gone, and its reader refuses it. An fsync there would put a
 * disk flush between discovery and the code on screen.
 */
int safefile_write(const char *path, const void *data, size_t len, int flags);

/* Write all of data to fd: 0, or OIDC_ERR_SYSTEM. */
int safefile_write_all(int fd, const void *data, size_t len);

#endif
