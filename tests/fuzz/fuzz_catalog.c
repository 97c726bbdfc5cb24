/*
 * catalog_parse, catalog_lookup, catalog_entry and catalog_format_ok:
 * message catalogs (.mo files) and the printf formats in them.
 *
 * Input: the file's bytes.
 *
 * Checked: a refused file gives OIDC_ERR_INVALID (or NOMEM) and no
 * catalog; an accepted one holds at most CATALOG_MAX_ENTRIES entries, and
 * every translation kept is terminal-safe text that takes exactly its
 * msgid's printf arguments; a lookup returns a kept entry or NULL. The
 * input split at its first NUL also goes through catalog_format_ok:
 * taking the same arguments is symmetric, and holds only between formats
 * that each take their own arguments.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "fuzz.h"
#include "oidc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oidc_catalog *c = NULL;
	const char *id, *str, *t;
	const uint8_t *part;
	size_t i, plen;
	char *a, *b;
	int r;

	r = catalog_parse(data, size, &c);
	if (r != 0) {
		if (c != NULL || (r != OIDC_ERR_INVALID && r != OIDC_ERR_NOMEM))
			abort();
	} else {
		if (catalog_entries(c) > CATALOG_MAX_ENTRIES)
			abort();
		for (i = 0; i < catalog_entries(c); i++) {
			if (catalog_entry(c, i, &id, &str) != 0)
				abort();
			fz_assert_terminal_safe(str, -1);
			if (str[0] == '\0' || !catalog_format_ok(id, str))
				abort();
			if ((t = catalog_lookup(c, id)) == NULL)
				abort();
			fz_assert_terminal_safe(t, -1);
		}
		if (catalog_entry(c, i, &id, &str) != OIDC_ERR_INVALID)
			abort();
		catalog_free(c);
	}
	/* Two formats: before and after the first NUL. */
	if (fz_next(&data, &size, 0, &part, &plen)) {
		a = fz_strndup(part, plen);
		b = size > 0 ? fz_strndup(data, size) : fz_strndup(part, 0);
		r = catalog_format_ok(a, b);
		if (r != catalog_format_ok(b, a))
			abort();
		if (r && (!catalog_format_ok(a, a) || !catalog_format_ok(b, b)))
			abort();
		free(a);
		free(b);
	}
	return 0;
}
