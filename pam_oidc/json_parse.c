/*
 * The strict JSON parser (json_parse_object). It is our own: it builds
 * jansson values with jansson's constructors and checks each of their
 * results, so an allocation that fails is seen where it happens, without
 * allocator hooks or any other process-wide state.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "oidc.h"

_Static_assert(sizeof(json_int_t) == sizeof(long long),
    "integers are parsed into long long");

/* A buffer of the parse: decoded strings, a number's text. */
struct scratch {
	char *buf;
	size_t cap;
};

/* One parse: the bytes left, two buffers, the "C" numeric locale. */
struct lexer {
	const unsigned char *p, *end;
	struct scratch key, val;
	json_malloc_t alloc;
	json_free_t release;
	locale_t c_numeric;
};

/* The buffer may have held a token: wiped before it goes. */
static void
scratch_free(struct lexer *lx, struct scratch *s)
{
	if (s->buf != NULL) {
		explicit_bzero(s->buf, s->cap);
		lx->release(s->buf);
	}
	s->buf = NULL;
	s->cap = 0;
}

/* Room for n bytes; the contents are not kept. */
static int
scratch_fit(struct lexer *lx, struct scratch *s, size_t n)
{
	size_t cap = s->cap < 64 ? 64 : s->cap;
	char *b;

	if (n <= s->cap)
		return 0;
	while (cap < n)
		cap *= 2;
	if ((b = lx->alloc(cap)) == NULL)
		return OIDC_ERR_NOMEM;
	scratch_free(lx, s);
	s->buf = b;
	s->cap = cap;
	return 0;
}

/*
 * The length of the well-formed UTF-8 sequence at p (RFC 3629 table 4:
 * no overlong forms, no surrogates, nothing past U+10FFFF), or 0.
 */
static size_t
utf8_seq(const unsigned char *p, size_t avail)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		lo = p[0] == 0xe0 ? 0xa0 : 0x80;
		hi = p[0] == 0xed ? 0x9f : 0xbf;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		lo = p[0] == 0xf0 ? 0x90 : 0x80;
		hi = p[0] == 0xf4 ? 0x8f : 0xbf;
	} else {
		return 0;
	}
	if (avail < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

int
json_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k;

	while (n > 0) {
		if ((k = utf8_seq(p, n)) == 0)
			return 0;
		p += k;
		n -= k;
	}
	return 1;
}

static void
skip_ws(struct lexer *lx)
{
	unsigned char c;

	while (lx->p < lx->end &&
	    ((c = *lx->p) == ' ' || c == '\t' || c == '\n' || c == '\r'))
		lx->p++;
}

static long
hex4(const unsigned char *p)
{
	long v = 0;
	int i, d;

	for (i = 0; i < 4; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')
			d = (p[i] | 0x20) - 'a' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/* Encode a code point that is no surrogate; 1 to 4 bytes. */
static size_t
utf8_put(long cp, char *d)
{
	static const unsigned char lead[] = { 0, 0, 0xc0, 0xe0, 0xf0 };
	size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4, i;

	for (i = n - 1; i > 0; i--, cp >>= 6)
		d[i] = (char)(0x80 | (cp & 0x3f));
	d[0] = (char)(lead[n] | cp);
	return n;
}

/*
 * A \u escape at p (before end): its code point, a surrogate pair taken
 * together; U+0000 and lone surrogates are refused. *used: bytes read.
 */
static long
unicode_escape(const unsigned char *p, const unsigned char *end, size_t *used)
{
	long cp, lo;

	if (end - p < 6 || (cp = hex4(p + 2)) <= 0 ||
	    (cp >= 0xdc00 && cp <= 0xdfff))
		return -1;
	*used = 6;
	if (cp < 0xd800 || cp > 0xdbff)
		return cp;
	if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
	    (lo = hex4(p + 8)) < 0xdc00 || lo > 0xdfff)
		return -1;
	*used = 12;
	return 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
}

/*
 * Decode the escapes of [p, end), whose other bytes were checked; the
 * result is never longer than the input.
 */
static int
unescape(const unsigned char *p, const unsigned char *end, char *d, size_t *n)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;
	size_t o = 0, used;
	long cp;

	while (p < end) {
		if (*p != '\\') {
			d[o++] = (char)*p++;
		} else if (p[1] == 'u') {
			if ((cp = unicode_escape(p, end, &used)) < 0)
				return OIDC_ERR_PROTOCOL;
			o += utf8_put(cp, d + o);
			p += used;
		} else if (p[1] != '\0' && (e = strchr(from, p[1])) != NULL) {
			d[o++] = to[e - from];
			p += 2;
		} else {
			return OIDC_ERR_PROTOCOL;
		}
	}
	*n = o;
	return 0;
}

/*
 * The string at lx->p (its opening quote), decoded: *s points into the
 * input when it has no escapes, else into the scratch buffer sc.
 */
static int
lex_string(struct lexer *lx, struct scratch *sc, const char **s, size_t *n)
{
	const unsigned char *start = lx->p + 1, *q = start;
	size_t k;
	int esc = 0, r;

	while (q < lx->end && *q != '"') {
		if (*q == '\\') {
			/* The escape itself is checked by unescape. */
			esc = 1;
			q += lx->end - q > 1 ? 2 : 1;
		} else if (*q < 0x20 ||
		    (k = utf8_seq(q, (size_t)(lx->end - q))) == 0) {
			return OIDC_ERR_PROTOCOL;
		} else {
			q += k;
		}
	}
	if (q >= lx->end)
		return OIDC_ERR_PROTOCOL;
	lx->p = q + 1;
	if (!esc) {
		*s = (const char *)start;
		*n = (size_t)(q - start);
		return 0;
	}
	if ((r = scratch_fit(lx, sc, (size_t)(q - start))) != 0 ||
	    (r = unescape(start, q, sc->buf, n)) != 0)
		return r;
	*s = sc->buf;
	return 0;
}

static const unsigned char *
digits(const unsigned char *p, const unsigned char *end)
{
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	return p;
}

/* As jansson does: an integer that long long cannot hold is an error. */
static int
make_integer(const unsigned char *p, const unsigned char *end, json_t **v)
{
	unsigned long long u = 0, max = LLONG_MAX;
	unsigned d;
	int neg = *p == '-';

	if (neg) {
		max += 1;
		p++;
	}
	for (; p < end; p++) {
		d = (unsigned)(*p - '0');
		if (u > (max - d) / 10)
			return OIDC_ERR_PROTOCOL;
		u = u * 10 + d;
	}
	if (neg)
		*v = json_integer(u == max ? LLONG_MIN : -(long long)u);
	else
		*v = json_integer((long long)u);
	return *v == NULL ? OIDC_ERR_NOMEM : 0;
}

/*
 * strtod in the "C" locale of this parse: the host's LC_NUMERIC (a comma,
 * say) must not matter, and the process locale is not ours to change.
 */
static int
make_real(struct lexer *lx, const unsigned char *p, size_t n, json_t **v)
{
	double d;
	char *end;
	int r;

	if ((r = scratch_fit(lx, &lx->val, n + 1)) != 0)
		return r;
	memcpy(lx->val.buf, p, n);
	lx->val.buf[n] = '\0';
	if (lx->c_numeric == (locale_t)0 &&
	    (lx->c_numeric = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0)) ==
		(locale_t)0)
		return OIDC_ERR_NOMEM;
	d = strtod_l(lx->val.buf, &end, lx->c_numeric);
	if (end != lx->val.buf + n || !isfinite(d))
		return OIDC_ERR_PROTOCOL;
	if ((*v = json_real(d)) == NULL)
		return OIDC_ERR_NOMEM;
	return 0;
}

/* RFC 8259 section 6: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)? */
static int
lex_number(struct lexer *lx, json_t **v)
{
	const unsigned char *start = lx->p, *p = lx->p, *end = lx->end, *q;
	int real = 0;

	if (*p == '-')
		p++;
	if (p == end || *p < '0' || *p > '9')
		return OIDC_ERR_PROTOCOL;
	p = *p == '0' ? p + 1 : digits(p, end);
	if (p < end && *p == '.') {
		real = 1;
		if ((q = digits(p + 1, end)) == p + 1)
			return OIDC_ERR_PROTOCOL;
		p = q;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		real = 1;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if ((q = digits(p, end)) == p)
			return OIDC_ERR_PROTOCOL;
		p = q;
	}
	lx->p = p;
	if (real)
		return make_real(lx, start, (size_t)(p - start), v);
	return make_integer(start, p, v);
}

static int
lex_word(struct lexer *lx, const char *w, json_t *(*make)(void), json_t **v)
{
	size_t n = strlen(w);

	if ((size_t)(lx->end - lx->p) < n || memcmp(lx->p, w, n) != 0)
		return OIDC_ERR_PROTOCOL;
	lx->p += n;
	return (*v = make()) == NULL ? OIDC_ERR_NOMEM : 0;
}

/* A string, number or literal at lx->p (not at the end). */
static int
lex_scalar(struct lexer *lx, json_t **v)
{
	const char *s;
	size_t n;
	int r;

	switch (*lx->p) {
	case '"':
		if ((r = lex_string(lx, &lx->val, &s, &n)) != 0)
			return r;
		return (*v = json_stringn_nocheck(s, n)) == NULL
		    ? OIDC_ERR_NOMEM
		    : 0;
	case 't': return lex_word(lx, "true", json_true, v);
	case 'f': return lex_word(lx, "false", json_false, v);
	case 'n': return lex_word(lx, "null", json_null, v);
	default: return lex_number(lx, v);
	}
}

/*
 * `"key" :` of an object member, the key decoded into the key buffer; a
 * key the object already has is refused.
 */
static int
lex_key(struct lexer *lx, const json_t *obj, const char **k, size_t *n)
{
	int r;

	if (lx->p == lx->end || *lx->p != '"')
		return OIDC_ERR_PROTOCOL;
	if ((r = lex_string(lx, &lx->key, k, n)) != 0)
		return r;
	if (json_object_getn(obj, *k, *n) != NULL)
		return OIDC_ERR_PROTOCOL;
	skip_ws(lx);
	if (lx->p == lx->end || *lx->p != ':')
		return OIDC_ERR_PROTOCOL;
	lx->p++;
	skip_ws(lx);
	return 0;
}

/* Give v to its container; jansson drops v when that fails. */
static int
attach(json_t *parent, const char *k, size_t n, json_t *v)
{
	int r;

	if (json_is_object(parent))
		r = json_object_setn_new_nocheck(parent, k, n, v);
	else
		r = json_array_append_new(parent, v);
	return r != 0 ? OIDC_ERR_NOMEM : 0;
}

/*
 * One value inside the innermost open container, stack[*depth]: a scalar
 * is attached; a new container is attached at once, then opened (pushed),
 * so the key buffer is free again and every value has one owner, root.
 */
static int
parse_value(
    struct lexer *lx, json_t **stack, int *depth, const char *k, size_t n)
{
	json_t *v = NULL;
	int r;

	if (lx->p == lx->end || *depth + 1 > OIDC_MAX_JSON_DEPTH)
		return OIDC_ERR_PROTOCOL;
	if (*lx->p == '{' || *lx->p == '[') {
		v = *lx->p == '{' ? json_object() : json_array();
		if (v == NULL)
			return OIDC_ERR_NOMEM;
		lx->p++;
		if ((r = attach(stack[*depth], k, n, v)) == 0)
			stack[++*depth] = v;
		return r;
	}
	if ((r = lex_scalar(lx, &v)) != 0)
		return r;
	return attach(stack[*depth], k, n, v);
}

/*
 * The members and elements after the root's '{', iteratively: stack holds
 * the open containers, at most OIDC_MAX_JSON_DEPTH + 1 of them.
 */
static int
parse_tree(struct lexer *lx, json_t *root)
{
	json_t *stack[OIDC_MAX_JSON_DEPTH + 1];
	const char *k = NULL;
	size_t n = 0;
	int depth = 0, first = 1, r, d;

	stack[0] = root;
	for (;;) {
		skip_ws(lx);
		if (lx->p == lx->end)
			return OIDC_ERR_PROTOCOL;
		if (*lx->p == (json_is_object(stack[depth]) ? '}' : ']')) {
			lx->p++;
			if (depth-- == 0)
				return 0;
			first = 0;
			continue;
		}
		if (!first) {
			if (*lx->p != ',')
				return OIDC_ERR_PROTOCOL;
			lx->p++;
			skip_ws(lx);
		}
		if (json_is_object(stack[depth]) &&
		    (r = lex_key(lx, stack[depth], &k, &n)) != 0)
			return r;
		d = depth;
		if ((r = parse_value(lx, stack, &depth, k, n)) != 0)
			return r;
		first = depth != d;
	}
}

int
json_parse_object(const char *buf, size_t len, json_t **out)
{
	struct lexer lx = { 0 };
	json_t *root = NULL;
	int r = OIDC_ERR_PROTOCOL;

	if (buf == NULL || len == 0 || len > OIDC_MAX_BODY)
		return OIDC_ERR_PROTOCOL;
	lx.p = (const unsigned char *)buf;
	lx.end = lx.p + len;
	/* Our buffers come from jansson's allocator too (read, never set). */
	json_get_alloc_funcs(&lx.alloc, &lx.release);
	skip_ws(&lx);
	if (lx.p == lx.end || *lx.p != '{')
		goto out;
	lx.p++;
	if ((root = json_object()) == NULL) {
		r = OIDC_ERR_NOMEM;
		goto out;
	}
	if ((r = parse_tree(&lx, root)) != 0)
		goto out;
	skip_ws(&lx);
	if (lx.p != lx.end) {
		r = OIDC_ERR_PROTOCOL;
		goto out;
	}
	*out = root;
	root = NULL;
out:
	scratch_free(&lx, &lx.key);
	scratch_free(&lx, &lx.val);
	if (lx.c_numeric != (locale_t)0)
		freelocale(lx.c_numeric);
	/* A refused answer may still hold a token. */
	json_wipe_decref(root);
	return r;
}
