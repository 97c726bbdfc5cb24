/*
 * Shared by the libFuzzer targets: splitting an input into parts and
 * checks that call abort() so that the fuzzer reports a broken promise.
 */
#ifndef OIDC_FUZZ_H
#define OIDC_FUZZ_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc.h"
#include "roles.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of n bytes (a NUL inside cuts the C string). */
static inline char *
fz_strndup(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/*
 * The next part of *data up to sep: sets *part and *plen, and moves
 * *data and *size past the separator. Returns 0 when nothing is left.
 */
static inline int
fz_next(const uint8_t **data, size_t *size, uint8_t sep, const uint8_t **part,
    size_t *plen)
{
	const uint8_t *end;

	if (*data == NULL)
		return 0;
	*part = *data;
	if ((end = memchr(*data, sep, *size)) == NULL) {
		*plen = *size;
		*data = NULL;
		*size = 0;
		return 1;
	}
	*plen = (size_t)(end - *data);
	*size -= *plen + 1;
	*data = end + 1;
	return 1;
}

/*
 * Decode one UTF-8 character strictly (no overlong forms, no
 * surrogates, at most U+10FFFF). Returns its length, or 0 if invalid.
 */
static inline size_t
fz_utf8(const unsigned char *s, size_t avail, uint32_t *cp)
{
	size_t n, i;
	uint32_t c, min;

	if (avail == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n > avail)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * Code points that must never reach a terminal: C0 controls, DEL, C1
 * controls, bidirectional marks, embeddings, overrides and isolates,
 * zero-width and other invisible characters, line and paragraph
 * separators, and the byte order mark.
 */
static inline int
fz_unsafe_cp(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x61c ||
	    (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
	    (c >= 0x2060 && c <= 0x2069) || c == 0xfeff;
}

/*
 * Abort unless s is valid UTF-8 without an unsafe code point; allow
 * names one control character that may appear (such as '\n'), or -1.
 */
static inline void
fz_assert_terminal_safe(const char *s, int allow)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, n;
	uint32_t c;

	while (i < len) {
		if ((n = fz_utf8(p + i, len - i, &c)) == 0)
			abort();
		if (fz_unsafe_cp(c) && (allow < 0 || c != (uint32_t)allow))
			abort();
		i += n;
	}
}

/* Abort unless small is a subsequence of big (bytes deleted, none added). */
static inline void
fz_assert_subsequence(const char *small, const char *big)
{
	while (*small != '\0') {
		if (*big == '\0')
			abort();
		if (*small == *big)
			small++;
		big++;
	}
}

/*
 * roles_from_claims(doc, path, roles) and its promises, whatever the
 * claims: a refusal is OIDC_ERR_CLAIM with an empty list; otherwise at
 * most ROLES_MAX roles, each of 1 to ROLE_MAX_LEN bytes, none twice.
 * Returns 1 when roles holds a list for the caller to free, else 0.
 */
static inline int
fz_roles(const json_t *doc, const char *path, struct oidc_strlist *roles)
{
	size_t i, j;
	int r;

	r = roles_from_claims(doc, path, roles);
	if (r != 0) {
		if (r != OIDC_ERR_CLAIM || roles->n != 0 || roles->v != NULL)
			abort();
		return 0;
	}
	if (roles->n > ROLES_MAX)
		abort();
	for (i = 0; i < roles->n; i++) {
		if (roles->v[i][0] == '\0' ||
		    strlen(roles->v[i]) > ROLE_MAX_LEN)
			abort();
		for (j = 0; j < i; j++)
			if (strcmp(roles->v[i], roles->v[j]) == 0)
				abort();
	}
	return 1;
}

#endif
