/*
 * Text laid out by display width, not bytes: a Japanese character takes
 * two terminal columns, a combining mark none. The widths are those of
 * Unicode's East Asian Width property (UAX #11), built in, so that the
 * layout does not depend on the locales a machine has.
 */
#ifndef OIDC_WRAP_H
#define OIDC_WRAP_H

#include <stddef.h>

/* Lines of text, each a NUL-terminated string without '\n'. */
struct oidc_lines {
	char **v;
	size_t n, cap;
};

/* Append a copy of the len bytes at s as one line. */
int lines_add(struct oidc_lines *l, const char *s, size_t len);
void lines_free(struct oidc_lines *l);

/* Terminal columns of the UTF-8 text s (the first len bytes). */
int wrap_width(const char *s, size_t len);

/* Columns of one code point: 0, 1 or 2. */
int wrap_cp_width(unsigned long c);

/*
 * Break text into lines of at most cols columns and append them to out:
 * at spaces, and between wide characters (Japanese uses no spaces), but
 * never before a closing or after an opening bracket or punctuation
 * mark. A word wider than cols is cut. Empty text gives one empty line.
 */
int wrap_text(const char *text, int cols, struct oidc_lines *out);

#endif
