/*
 * Lists of strings: roles, groups, and the repeatable "name = value"
 * keys of the configuration.
 */
#ifndef OIDC_STRLIST_H
#define OIDC_STRLIST_H

#include <stddef.h>

struct oidc_strlist {
	char **v;
	size_t n;
};

/* One "name = value" pair of a repeatable key. */
struct oidc_kv {
	char *key;
	char *value;
	struct oidc_kv *next;
};

void strlist_free(struct oidc_strlist *l);

/* Does l hold the len bytes at s, byte for byte? */
int strlist_has(const struct oidc_strlist *l, const char *s, size_t len);

/*
 * Add the len bytes at s unless l holds them already. OIDC_ERR_INVALID
 * when l has max entries, or s holds a NUL; OIDC_ERR_NOMEM.
 */
int strlist_add(struct oidc_strlist *l, const char *s, size_t len, size_t max);

/* Free a whole kv list; kv_free(NULL) does nothing. */
void kv_free(struct oidc_kv *kv);

#endif
