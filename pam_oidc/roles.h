/*
 * Roles from the verified claims, the allowed_roles gate, and the local
 * groups role_map grants. No network, no PAM, no /etc.
 */
#ifndef OIDC_ROLES_H
#define OIDC_ROLES_H

#include <jansson.h>
#include <stddef.h>

#include "strlist.h"

#define ROLES_MAX    256 /* roles read from one token */
#define ROLE_MAX_LEN 256
#define GROUPS_MAX   64   /* groups one login may be granted */
#define MANAGED_MAX  1024 /* groups all role_map lines name */

/*
 * The roles at path: a string or an array of strings. A missing claim is
 * no roles; any other shape, an over-long role or too many roles is
 * OIDC_ERR_CLAIM (a provider answer we do not understand is refused).
 */
int roles_from_claims(
    const json_t *claims, const char *path, struct oidc_strlist *roles);

/* Does a role appear in the space-separated allowed list (NULL: any)? */
int roles_allowed(const struct oidc_strlist *roles, const char *allowed);

/*
 * The groups of every role_map line whose role equals one of roles,
 * byte for byte, without duplicates. Only names a line spells out are
 * granted: no patterns, and a role named like a group grants nothing.
 */
int roles_groups(const struct oidc_strlist *roles, const struct oidc_kv *map,
    struct oidc_strlist *groups);

/*
 * Every group any role_map line names: the groups group_mode = persist
 * manages. Membership in any other group is never touched.
 */
int roles_managed_groups(
    const struct oidc_kv *map, struct oidc_strlist *groups);

#endif
