/*
 * Lists of strings (see strlist.h).
 */
#include <stdlib.h>
#include <string.h>

#include "oidc.h"
#include "strlist.h"

void
strlist_free(struct oidc_strlist *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int
strlist_has(const struct oidc_strlist *l, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strlen(l->v[i]) == len && memcmp(l->v[i], s, len) == 0)
			return 1;
	return 0;
}

int
strlist_add(struct oidc_strlist *l, const char *s, size_t len, size_t max)
{
	char **nv;

	if (strlist_has(l, s, len))
		return 0;
	if (l->n >= max || memchr(s, '\0', len) != NULL)
		return OIDC_ERR_INVALID;
	if ((nv = realloc(l->v, (l->n + 1) * sizeof(*nv))) == NULL)
		return OIDC_ERR_NOMEM;
	l->v = nv;
	if ((l->v[l->n] = strndup(s, len)) == NULL)
		return OIDC_ERR_NOMEM;
	l->n++;
	return 0;
}

void
kv_free(struct oidc_kv *kv)
{
	struct oidc_kv *next;

	for (; kv != NULL; kv = next) {
		next = kv->next;
		free(kv->key);
		free(kv->value);
		free(kv);
	}
}
