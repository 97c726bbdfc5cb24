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

#define REGISTRY_PROBES 64 /* free ids tried against other sources */

/*
 * What other sources know. The files of etc_dir are read directly; the
 * callbacks (may be NULL) ask the rest, NSS without this module.
 * name_known: 1 when a user or group of that name exists with an id other
 * than ours (0: there is no entry of ours), 0 when none does, < 0 on
 * error. id_used: 1 when a user or group has the id, 0 when none has,
 * < 0 on error. Errors refuse the name, or skip the id.
 */
struct oidc_regprobe {
	const char *etc_dir;
	int (*name_known)(void *ctx, const char *name, uint32_t ours);
	int (*id_used)(void *ctx, uint32_t id);
	void *ctx;
	int wait_ms;
};

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
