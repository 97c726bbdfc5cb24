/*
 * Message catalogs: the GNU .mo files msgfmt makes from pam_oidc/po, read
 * here directly instead of through gettext(3). The module runs inside
 * other programs, possibly threaded; gettext would take the language
 * from the process's locale (or LANGUAGE) and bind the text domain for
 * the whole process. An explicit lookup changes nothing in the process.
 * Bytes in, entries out: no file or locale access here.
 */
#ifndef OIDC_CATALOG_H
#define OIDC_CATALOG_H

#include <stddef.h>

/* The largest catalog read, and the most entries it may hold. */
#define CATALOG_MAX_SIZE    ((size_t)256 * 1024)
#define CATALOG_MAX_ENTRIES 4096

struct oidc_catalog;

/*
 * Parse a .mo file of either byte order. The catalog must declare UTF-8
 * (charset=UTF-8 in its header entry), else OIDC_ERR_INVALID. Entries
 * whose translation sanitize_text would change (invalid UTF-8, control,
 * bidirectional or invisible characters) or that do not take the same
 * printf arguments as its msgid are dropped, so that the English text is
 * shown for them.
 */
int catalog_parse(const void *data, size_t len, struct oidc_catalog **out);

/* The translation of msgid, or NULL when the catalog has none. */
const char *catalog_lookup(const struct oidc_catalog *c, const char *msgid);

/* Entries kept (the header entry not counted). */
size_t catalog_entries(const struct oidc_catalog *c);

/* Entry i of those kept: its msgid and translation. */
int catalog_entry(
    const struct oidc_catalog *c, size_t i, const char **id, const char **str);

void catalog_free(struct oidc_catalog *c);

/*
 * Does fmt (a translation) take exactly the arguments of ref (its msgid):
 * the same conversions (%s, %d, %ld, %zu …), in order or numbered as
 * %1$s, every argument used? Conversions that take an argument from '*'
 * or write through a pointer (%n) are never accepted.
 */
int catalog_format_ok(const char *ref, const char *fmt);

#endif
