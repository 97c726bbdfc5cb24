/*
 * GNU .mo catalogs made at test time, byte for byte as msgfmt lays them
 * out: header, the msgid table, the translation table, then the strings.
 */
#ifndef OIDC_TEST_MO_H
#define OIDC_TEST_MO_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MO_UTF8_HEADER "Content-Type: text/plain; charset=UTF-8\n"

static inline void
mo_put32(unsigned char *p, uint32_t v, int big)
{
	int i;

	for (i = 0; i < 4; i++)
		p[big ? 3 - i : i] = (unsigned char)(v >> (8 * i));
}

/*
 * pairs: msgid, translation, ... (n pairs), the first usually "" and a
 * header. Lengths may hold NULs (plural forms): idlen/strlen arrays give
 * them when not NULL. big: big-endian file.
 */
static inline unsigned char *
mo_build_n(const char *const *pairs, const size_t *lens, size_t n, int big,
    size_t *len)
{
	size_t total = 28 + 16 * n, i, off;
	unsigned char *m;

	for (i = 0; i < 2 * n; i++)
		total += (lens != NULL ? lens[i] : strlen(pairs[i])) + 1;
	if ((m = calloc(1, total)) == NULL)
		abort();
	mo_put32(m, 0x950412de, big);
	mo_put32(m + 8, (uint32_t)n, big);
	mo_put32(m + 12, 28, big);
	mo_put32(m + 16, (uint32_t)(28 + 8 * n), big);
	off = 28 + 16 * n;
	for (i = 0; i < 2 * n; i++) {
		size_t l = lens != NULL ? lens[i] : strlen(pairs[i]);
		size_t slot = (i % 2 == 0 ? 28 : 28 + 8 * n) + (i / 2) * 8;

		mo_put32(m + slot, (uint32_t)l, big);
		mo_put32(m + slot + 4, (uint32_t)off, big);
		memcpy(m + off, pairs[i], l);
		off += l + 1;
	}
	*len = total;
	return m;
}

static inline unsigned char *
mo_build(const char *const *pairs, size_t n, size_t *len)
{
	return mo_build_n(pairs, NULL, n, 0, len);
}

#endif
