/*
 * GNU .mo catalogs (see catalog.h). The layout: a magic number that also
 * gives the byte order, a revision, the number of strings N, and the
 * offsets of two tables of N (length, offset) pairs, the msgids and
 * their translations. Every length and offset is checked against the
 * file; strings must end in a NUL where their length says.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "oidc.h"
#include "sanitize.h"

#define MO_MAGIC         0x950412deU
#define MO_MAGIC_SWAPPED 0xde120495U
#define MO_HEADER        28
#define MAX_CONVS        16

struct entry {
	const char *id;
	const char *str;
};

struct oidc_catalog {
	char *data;
	struct entry *e;
	size_t n;
};

static uint32_t
rd32(const unsigned char *p, int swap)
{
	if (swap)
		return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		    (uint32_t)p[2] << 8 | (uint32_t)p[3];
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | (uint32_t)p[0];
}

/*
 * Text a terminal shows as it is: what sanitize_text (the rule for every
 * string the module shows) would leave unchanged. No control character,
 * no bidirectional or invisible one, valid UTF-8. 1 yes, 0 no, or
 * OIDC_ERR_NOMEM.
 */
static int
text_ok(const char *s, size_t len)
{
	char *clean = NULL;
	int ok;

	if (sanitize_text(s, len, &clean) != 0)
		return OIDC_ERR_NOMEM;
	ok = strcmp(clean, s) == 0;
	free(clean);
	return ok;
}

struct conv {
	int pos;
	char type[4];
};

static int
digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The conversions of a printf format, each with the argument it takes
 * (1-based). Returns their number, or -1 for a format not accepted.
 */
static int
conversions(const char *s, struct conv *v)
{
	const char *q;
	int n = 0, seq = 0, numbered = -1, is_num, pos;
	size_t t;

	for (; *s != '\0'; s++) {
		if (*s != '%')
			continue;
		if (*++s == '%')
			continue;
		pos = 0;
		for (q = s; digit(*q) && q - s < 2; q++)
			pos = pos * 10 + (*q - '0');
		is_num = *q == '$' && q > s;
		if (is_num && (pos < 1 || pos > MAX_CONVS))
			return -1;
		if (is_num)
			s = q + 1;
		if (numbered == -1)
			numbered = is_num;
		else if (numbered != is_num)
			return -1;
		while (*s != '\0' && strchr("-+ #0", *s) != NULL)
			s++;
		while (digit(*s))
			s++;
		if (*s == '.')
			for (s++; digit(*s); s++)
				;
		t = 0;
		if (n >= MAX_CONVS)
			return -1;
		while ((*s == 'l' || *s == 'z' || *s == 'h') && t < 2)
			v[n].type[t++] = *s++;
		if (*s == '\0' || strchr("sdiuxc", *s) == NULL)
			return -1;
		v[n].type[t++] = *s;
		v[n].type[t] = '\0';
		v[n].pos = is_num ? pos : ++seq;
		n++;
	}
	return n;
}

int
catalog_format_ok(const char *ref, const char *fmt)
{
	struct conv r[MAX_CONVS], f[MAX_CONVS];
	const char *want[MAX_CONVS + 1] = { NULL };
	int used[MAX_CONVS + 1] = { 0 };
	int nr, nf, i, max = 0;

	if ((nr = conversions(ref, r)) < 0 || (nf = conversions(fmt, f)) < 0)
		return 0;
	for (i = 0; i < nr; i++) {
		if (want[r[i].pos] != NULL &&
		    strcmp(want[r[i].pos], r[i].type) != 0)
			return 0;
		want[r[i].pos] = r[i].type;
		if (r[i].pos > max)
			max = r[i].pos;
	}
	for (i = 0; i < nf; i++) {
		if (f[i].pos > max || want[f[i].pos] == NULL ||
		    strcmp(want[f[i].pos], f[i].type) != 0)
			return 0;
		used[f[i].pos] = 1;
	}
	for (i = 1; i <= max; i++)
		if (want[i] == NULL || !used[i])
			return 0;
	return 1;
}

/* The string at table slot i: in bounds and NUL-terminated. */
static const char *
string_at(const char *data, size_t len, size_t table, uint32_t i, int swap,
    size_t *slen)
{
	const unsigned char *d = (const unsigned char *)data;
	uint32_t l = rd32(d + table + (size_t)i * 8, swap);
	uint32_t off = rd32(d + table + (size_t)i * 8 + 4, swap);

	if (off > len || l >= len - off || data[off + l] != '\0')
		return NULL;
	*slen = l;
	return data + off;
}

static int
charset_utf8(const char *header)
{
	const char *p = strstr(header, "charset=");

	return p != NULL &&
	    (strncmp(p + 8, "UTF-8", 5) == 0 ||
		strncmp(p + 8, "utf-8", 5) == 0);
}

static int
fill(struct oidc_catalog *c, size_t len, size_t n, size_t ids, size_t strs,
    int swap)
{
	const char *id, *str;
	size_t i, il, sl;
	int header = 0, ok;

	for (i = 0; i < n; i++) {
		if ((id = string_at(
			 c->data, len, ids, (uint32_t)i, swap, &il)) == NULL ||
		    (str = string_at(
			 c->data, len, strs, (uint32_t)i, swap, &sl)) == NULL)
			return OIDC_ERR_INVALID;
		if (il == 0) {
			header = charset_utf8(str);
			continue;
		}
		/* Plural forms and contexts are not used here: skipped. */
		if (strlen(id) != il || strchr(id, '\x04') != NULL ||
		    strlen(str) != sl || sl == 0)
			continue;
		if ((ok = text_ok(str, sl)) < 0)
			return ok;
		if (!ok || !catalog_format_ok(id, str))
			continue;
		c->e[c->n].id = id;
		c->e[c->n].str = str;
		c->n++;
	}
	return header ? 0 : OIDC_ERR_INVALID;
}

int
catalog_parse(const void *data, size_t len, struct oidc_catalog **out)
{
	const unsigned char *d = data;
	struct oidc_catalog *c = NULL;
	uint32_t magic, n, ids, strs;
	int swap, r = OIDC_ERR_INVALID;

	if (len < MO_HEADER || len > CATALOG_MAX_SIZE)
		return r;
	magic = rd32(d, 0);
	if (magic != MO_MAGIC && magic != MO_MAGIC_SWAPPED)
		return r;
	swap = magic == MO_MAGIC_SWAPPED;
	n = rd32(d + 8, swap);
	ids = rd32(d + 12, swap);
	strs = rd32(d + 16, swap);
	/* Major revision 0 or 1; both tables inside the file. */
	if ((rd32(d + 4, swap) >> 16) > 1 || n > CATALOG_MAX_ENTRIES ||
	    ids > len || strs > len || (size_t)n * 8 > len - ids ||
	    (size_t)n * 8 > len - strs)
		return r;
	r = OIDC_ERR_NOMEM;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->data = malloc(len + 1)) == NULL ||
	    (c->e = calloc((size_t)n + 1, sizeof(*c->e))) == NULL)
		goto out;
	memcpy(c->data, data, len);
	c->data[len] = '\0';
	if ((r = fill(c, len, n, ids, strs, swap)) != 0)
		goto out;
	*out = c;
	c = NULL;
out:
	catalog_free(c);
	return r;
}

const char *
catalog_lookup(const struct oidc_catalog *c, const char *msgid)
{
	size_t i;

	if (c == NULL || msgid == NULL)
		return NULL;
	for (i = 0; i < c->n; i++)
		if (strcmp(c->e[i].id, msgid) == 0)
			return c->e[i].str;
	return NULL;
}

size_t
catalog_entries(const struct oidc_catalog *c)
{
	return c != NULL ? c->n : 0;
}

int
catalog_entry(
    const struct oidc_catalog *c, size_t i, const char **id, const char **str)
{
	if (c == NULL || i >= c->n)
		return OIDC_ERR_INVALID;
	*id = c->e[i].id;
	*str = c->e[i].str;
	return 0;
}

void
catalog_free(struct oidc_catalog *c)
{
	if (c == NULL)
		return;
	free(c->data);
	free(c->e);
	free(c);
}
