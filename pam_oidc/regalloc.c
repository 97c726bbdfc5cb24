/*
 * Names and ids for the registry (see regalloc.h).
 */
#include <stdlib.h>
#include <string.h>

#include "localids.h"
#include "oidc.h"
#include "regalloc.h"

/* Mark id as used when it lies in the range. */
static void
set_bit(unsigned char *used, const struct oidc_regpolicy *pol, uint32_t id)
{
	if (id >= pol->uid_min && id <= pol->uid_max)
		used[(id - pol->uid_min) / 8] |=
		    (unsigned char)(1u << ((id - pol->uid_min) % 8));
}

int
regalloc_id(const struct oidc_regsnap *s, const struct oidc_regpolicy *pol,
    const struct oidc_regprobe *pr, int64_t now, uint32_t *out, char *why,
    size_t whysz)
{
	uint32_t n = pol->uid_max - pol->uid_min + 1, i, id;
	struct oidc_regentry e;
	unsigned char *used;
	size_t pos = 0;
	int tries = 0, r;

	if ((used = calloc(n / 8 + 1, 1)) == NULL)
		return OIDC_ERR_NOMEM;
	while ((r = regfile_next(s, &pos, &e)) == 1)
		if (e.state != REG_PENDING || e.expires > now)
			set_bit(used, pol, e.uid);
	if (r == 0 &&
	    localids_mark(pr->etc_dir, pol->uid_min, pol->uid_max, used) != 0)
		r = oidc_why(why, whysz, OIDC_ERR_SYSTEM,
		    "cannot read %s/passwd and %s/group", pr->etc_dir,
		    pr->etc_dir);
	for (i = 0; r == 0 && i < n; i++) {
		if (used[i / 8] & (1u << (i % 8)))
			continue;
		id = pol->uid_min + i;
		/* nobody and the 16-bit "no id" are never handed out. */
		if (id == 65534 || id == 65535)
			continue;
		if (tries++ == REGISTRY_PROBES)
			break;
		if (pr->id_used != NULL && pr->id_used(pr->ctx, id) != 0)
			continue;
		*out = id;
		free(used);
		return 0;
	}
	free(used);
	if (r != 0)
		return r;
	(void)oidc_why(why, whysz, r,
	    "no free id in register_uid_min..register_uid_max (%u..%u)",
	    pol->uid_min, pol->uid_max);
	return OIDC_ERR_SYSTEM;
}

int
regalloc_name_free(const struct oidc_regprobe *pr, const char *name,
    uint32_t ours, char *why, size_t whysz)
{
	int k = localids_name_known(pr->etc_dir, name);

	if (k == 0 && pr->name_known != NULL)
		k = pr->name_known(pr->ctx, name, ours);
	if (k == 0)
		return 0;
	if (k > 0)
		return oidc_why(why, whysz, OIDC_ERR_INVALID,
		    "%s is a user or group of another source", name);
	return oidc_why(why, whysz, OIDC_ERR_SYSTEM,
	    "cannot tell whether another source knows %s", name);
}
