/*
 * Display width and line breaking (see wrap.h).
 */
#include <stdlib.h>
#include <string.h>

#include "oidc.h"
#include "wrap.h"

#define LINES_MAX 4096

int
lines_add(struct oidc_lines *l, const char *s, size_t len)
{
	char **v, *copy;
	size_t cap;

	if (l->n >= LINES_MAX || memchr(s, '\0', len) != NULL)
		return OIDC_ERR_INVALID;
	if (l->n == l->cap) {
		cap = l->cap == 0 ? 16 : l->cap * 2;
		if ((v = realloc(l->v, cap * sizeof(*v))) == NULL)
			return OIDC_ERR_NOMEM;
		l->v = v;
		l->cap = cap;
	}
	if ((copy = malloc(len + 1)) == NULL)
		return OIDC_ERR_NOMEM;
	memcpy(copy, s, len);
	copy[len] = '\0';
	l->v[l->n++] = copy;
	return 0;
}

void
lines_free(struct oidc_lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * One code point of UTF-8. The text here is already sanitised; a stray
 * byte counts as one character of width one.
 */
static size_t
decode(const unsigned char *s, size_t avail, unsigned long *cp)
{
	size_t n, i;
	unsigned long c;

	if (s[0] < 0x80 || avail == 0) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	if (n > avail) {
		*cp = 0xfffd;
		return 1;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	*cp = c;
	return n;
}

struct range {
	unsigned long lo, hi;
};

static int
in(const struct range *r, size_t n, unsigned long c)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (c >= r[i].lo && c <= r[i].hi)
			return 1;
	return 0;
}

int
wrap_cp_width(unsigned long c)
{
	/* Combining marks: drawn on the character before. */
	static const struct range zero[] = { { 0x0300, 0x036f },
		{ 0x0483, 0x0489 }, { 0x0591, 0x05bd }, { 0x0610, 0x061a },
		{ 0x064b, 0x065f }, { 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff },
		{ 0x200b, 0x200f }, { 0x20d0, 0x20ff }, { 0x302a, 0x302f },
		{ 0x3099, 0x309a }, { 0xfe00, 0xfe0f }, { 0xfe20, 0xfe2f } };
	/* East Asian Wide (W) and Fullwidth (F). */
	static const struct range wide[] = { { 0x1100, 0x115f },
		{ 0x231a, 0x231b }, { 0x2329, 0x232a }, { 0x23e9, 0x23ec },
		{ 0x25fd, 0x25fe }, { 0x2614, 0x2615 }, { 0x2e80, 0x303e },
		{ 0x3041, 0x33ff }, { 0x3400, 0x4dbf }, { 0x4e00, 0x9fff },
		{ 0xa000, 0xa4cf }, { 0xa960, 0xa97f }, { 0xac00, 0xd7a3 },
		{ 0xf900, 0xfaff }, { 0xfe10, 0xfe19 }, { 0xfe30, 0xfe6f },
		{ 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f },
		{ 0x1f900, 0x1f9ff }, { 0x20000, 0x2fffd },
		{ 0x30000, 0x3fffd } };

	if (c == 0)
		return 0;
	if (in(zero, sizeof(zero) / sizeof(zero[0]), c))
		return 0;
	return in(wide, sizeof(wide) / sizeof(wide[0]), c) ? 2 : 1;
}

int
wrap_width(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned long cp;
	size_t i = 0, n;
	int w = 0;

	while (i < len && p[i] != '\0') {
		n = decode(p + i, len - i, &cp);
		w += wrap_cp_width(cp);
		i += n;
	}
	return w;
}

/* Japanese line breaking (kinsoku): what may not start a line. */
static int
closing(unsigned long c)
{
	static const char ascii[] = ")]},.:;!?%";
	static const unsigned long cjk[] = { 0x3001, 0x3002, 0x3009, 0x300b,
		0x300d, 0x300f, 0x3011, 0x3015, 0x30fb, 0x30fc, 0xff01, 0xff09,
		0xff0c, 0xff0e, 0xff1a, 0xff1b, 0xff1f, 0xff3d, 0xff5d, 0x3041,
		0x3043, 0x3045, 0x3047, 0x3049, 0x3063, 0x3083, 0x3085, 0x3087,
		0x30a1, 0x30a3, 0x30a5, 0x30a7, 0x30a9, 0x30c3, 0x30e3, 0x30e5,
		0x30e7 };
	size_t i;

	if (c < 0x80)
		return c != 0 && strchr(ascii, (int)c) != NULL;
	for (i = 0; i < sizeof(cjk) / sizeof(cjk[0]); i++)
		if (cjk[i] == c)
			return 1;
	return 0;
}

/* What may not end a line. */
static int
opening(unsigned long c)
{
	return c == '(' || c == '[' || c == '{' || c == 0x3008 || c == 0x300a ||
	    c == 0x300c || c == 0x300e || c == 0x3010 || c == 0x3014 ||
	    c == 0xff08 || c == 0xff3b || c == 0xff5b;
}

/* May a line end between a and b (neither a space)? */
static int
breakable(unsigned long a, unsigned long b)
{
	if (wrap_cp_width(a) != 2 && wrap_cp_width(b) != 2)
		return 0;
	return !opening(a) && !closing(b);
}

/* Where the line that starts at s ends (*cut) and the next starts. */
static const char *
one_line(const char *s, int cols, const char **cut)
{
	const unsigned char *p = (const unsigned char *)s;
	const char *brk_end = NULL, *brk_next = NULL, *here;
	unsigned long cp, prev = ' ';
	size_t avail = strlen(s), i = 0, n;
	int w = 0, cw;

	while (i < avail) {
		here = s + i;
		n = decode(p + i, avail - i, &cp);
		cw = wrap_cp_width(cp);
		if (cp == ' ') {
			brk_end = here;
			brk_next = here + 1;
		} else if (i > 0 && prev != ' ' && breakable(prev, cp)) {
			brk_end = here;
			brk_next = here;
		}
		if (cp != ' ' && w + cw > cols) {
			if (brk_end != NULL && brk_end > s) {
				*cut = brk_end;
				return brk_next;
			}
			/* No place to break: cut the word (at least one). */
			*cut = i > 0 ? here : here + n;
			return *cut;
		}
		w += cw;
		prev = cp;
		i += n;
	}
	*cut = s + avail;
	return *cut;
}

int
wrap_text(const char *text, int cols, struct oidc_lines *out)
{
	const char *s = text, *cut, *next;
	size_t len;
	int r;

	if (cols < 1)
		return OIDC_ERR_INVALID;
	do {
		next = one_line(s, cols, &cut);
		len = (size_t)(cut - s);
		while (len > 0 && s[len - 1] == ' ')
			len--;
		if ((r = lines_add(out, s, len)) != 0)
			return r;
		s = next;
		while (*s == ' ')
			s++;
	} while (*s != '\0');
	return 0;
}
