/*
 * Local user and group names (see names.h).
 */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

int
names_valid(const char *name, size_t max)
{
	size_t i, len = strlen(name);

	if (len == 0 || len > max)
		return 0;
	if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
		return 0;
	for (i = 1; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			c == '_' || c == '.' || c == '-'))
			return 0;
	}
	return 1;
}

int
names_group_is_root(const char *name)
{
	struct group gr, *res = NULL;
	size_t sz = 4096;
	char *buf = NULL, *nb;
	int e = ERANGE, root = 1;

	if (strcmp(name, "root") == 0)
		return 1;
	/* Large groups need a larger buffer; give up at 1 MiB. */
	while (e == ERANGE && sz <= (size_t)1024 * 1024) {
		if ((nb = realloc(buf, sz)) == NULL)
			break;
		buf = nb;
		e = getgrnam_r(name, &gr, buf, sz, &res);
		sz *= 2;
	}
	/* A failed lookup cannot prove the group harmless. */
	if (e == 0 || e == ENOENT || e == ESRCH)
		root = res != NULL && res->gr_gid == 0;
	free(buf);
	return root;
}
