/*
 * Supplementary groups for the session.
 */
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "groups.h"
#include "oidc.h"

static int
lookup_gid(const char *name, gid_t *gid)
{
	struct group gr, *res = NULL;
	char buf[8192];

	if (getgrnam_r(name, &gr, buf, sizeof(buf), &res) != 0 || res == NULL)
		return -1;
	*gid = res->gr_gid;
	return 0;
}

int
groups_add_supplementary(
    const struct oidc_strlist *groups, const struct oidc_log *lg)
{
	gid_t *list = NULL, gid;
	int n, cur, i, r = OIDC_ERR_SYSTEM;
	size_t g;

	if (groups->n == 0)
		return 0;
	if ((cur = getgroups(0, NULL)) < 0)
		return r;
	if ((list = calloc((size_t)cur + groups->n, sizeof(*list))) == NULL)
		return OIDC_ERR_NOMEM;
	if ((n = getgroups(cur, list)) < 0)
		goto out;
	for (g = 0; g < groups->n; g++) {
		if (lookup_gid(groups->v[g], &gid) != 0) {
			log_msg(lg, LOG_WARNING,
			    "group %s from role_map does "
			    "not exist locally; skipped (create it, or fix "
			    "role_map)",
			    groups->v[g]);
			continue;
		}
		for (i = 0; i < n && list[i] != gid; i++)
			;
		if (i == n)
			list[n++] = gid;
	}
	if (setgroups((size_t)n, list) != 0) {
		log_msg(lg, LOG_ERR, "cannot set the supplementary groups");
		goto out;
	}
	r = 0;
out:
	free(list);
	return r;
}
