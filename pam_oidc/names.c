/*
 * Local user and group names (see names.h).
 */
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
