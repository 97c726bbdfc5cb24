/*
 * Names and ids for the registry: whether a name is free of every other
 * source, and the id a new entry gets. The lowest id of
 * register_uid_min..register_uid_max that no entry of the store (retired
 * ones too, expired reservations not), no line of etc_dir/passwd or
 * etc_dir/group and no other source uses; never 65534 or 65535, and
 * never derived from the name.
 */
#ifndef OIDC_REGALLOC_H
#define OIDC_REGALLOC_H

#include <stddef.h>
#include <stdint.h>

#include "regfile.h"
#include "registry.h"

/*
 * 0 and *out, OIDC_ERR_SYSTEM when the files cannot be read or no id is
 * free (at most REGISTRY_PROBES free ids are tried against the other
 * sources), OIDC_ERR_NOMEM.
 */
int regalloc_id(const struct oidc_regsnap *s, const struct oidc_regpolicy *pol,
    const struct oidc_regprobe *pr, int64_t now, uint32_t *out, char *why,
    size_t whysz);

/*
 * 0 when no user or group of the files or another source has the name
 * (ours: the id of our own entry for it, else 0); OIDC_ERR_INVALID when
 * one has; OIDC_ERR_SYSTEM when that cannot be told.
 */
int regalloc_name_free(const struct oidc_regprobe *pr, const char *name,
    uint32_t ours, char *why, size_t whysz);

#endif
