/*
 * Local user and group names: what may reach /etc, a syscall or a file
 * name. The portable POSIX pattern only.
 */
#ifndef OIDC_NAMES_H
#define OIDC_NAMES_H

#include <stddef.h>

#define NAMES_GROUP_MAX 32  /* a group name, as groupadd allows */
#define NAMES_USER_MAX  256 /* a user name in a file the module writes */

/* A portable user or group name: ^[a-z_][a-z0-9_.-]*$, 1..max bytes. */
int names_valid(const char *name, size_t max);

/* Is name root's group (GID 0), or unknowable? */
int names_group_is_root(const char *name);

#endif
