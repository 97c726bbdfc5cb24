/*
 * Role claims to local group names.
 */
#include <stdlib.h>
#include <string.h>

#include "claims.h"
#include "names.h"
#include "oidc.h"
#include "roles.h"

static int
push(struct oidc_strlist *l, const char *s, size_t len, size_t max)
{
	int r = strlist_add(l, s, len, max);

	return r == OIDC_ERR_INVALID ? OIDC_ERR_CLAIM : r;
}

static int
push_role(struct oidc_strlist *roles, const json_t *v)
{
	size_t len;

	if (!json_is_string(v))
		return OIDC_ERR_CLAIM;
	len = json_string_length(v);
	if (len == 0 || len > ROLE_MAX_LEN ||
	    memchr(json_string_value(v), '\0', len) != NULL)
		return OIDC_ERR_CLAIM;
	return push(roles, json_string_value(v), len, ROLES_MAX);
}

int
roles_from_claims(
    const json_t *claims, const char *path, struct oidc_strlist *roles)
{
	const json_t *v, *item;
	size_t i;
	int r = 0;

	memset(roles, 0, sizeof(*roles));
	if (path == NULL || (v = claims_get(claims, path)) == NULL)
		return 0;
	if (json_is_array(v)) {
		json_array_foreach (v, i, item)
			if ((r = push_role(roles, item)) != 0)
				break;
	} else {
		r = push_role(roles, v);
	}
	if (r != 0)
		strlist_free(roles);
	return r;
}

/* Calls fn for each space-separated word of s until fn returns non-zero. */
static int
each_word(const char *s, int (*fn)(void *, const char *, size_t), void *arg)
{
	size_t n;
	int r;

	for (;;) {
		s += strspn(s, " \t");
		if ((n = strcspn(s, " \t")) == 0)
			return 0;
		if ((r = fn(arg, s, n)) != 0)
			return r;
		s += n;
	}
}

static int
held(void *arg, const char *w, size_t n)
{
	return strlist_has(arg, w, n);
}

int
roles_allowed(const struct oidc_strlist *roles, const char *allowed)
{
	if (allowed == NULL)
		return 1;
	return each_word(allowed, held, (void *)roles) == 1;
}

/* Where role_map words go, and how many may. */
struct group_sink {
	struct oidc_strlist *list;
	size_t max;
};

static int
add_group(void *arg, const char *w, size_t n)
{
	struct group_sink *sink = arg;
	char name[64];

	/* config.c keeps the words; check each before it reaches /etc. */
	if (n >= sizeof(name))
		return OIDC_ERR_CONFIG;
	memcpy(name, w, n);
	name[n] = '\0';
	if (!names_valid(name, NAMES_GROUP_MAX))
		return OIDC_ERR_CONFIG;
	return push(sink->list, w, n, sink->max);
}

int
roles_groups(const struct oidc_strlist *roles, const struct oidc_kv *map,
    struct oidc_strlist *groups)
{
	struct group_sink sink = { groups, GROUPS_MAX };
	int r;

	memset(groups, 0, sizeof(*groups));
	for (; map != NULL; map = map->next) {
		if (!strlist_has(roles, map->key, strlen(map->key)))
			continue;
		if ((r = each_word(map->value, add_group, &sink)) != 0) {
			strlist_free(groups);
			return r == OIDC_ERR_CLAIM ? OIDC_ERR_CONFIG : r;
		}
	}
	return 0;
}

int
roles_managed_groups(const struct oidc_kv *map, struct oidc_strlist *groups)
{
	struct group_sink sink = { groups, MANAGED_MAX };
	int r;

	memset(groups, 0, sizeof(*groups));
	for (; map != NULL; map = map->next) {
		if ((r = each_word(map->value, add_group, &sink)) != 0) {
			strlist_free(groups);
			return r == OIDC_ERR_CLAIM ? OIDC_ERR_CONFIG : r;
		}
	}
	return 0;
}
