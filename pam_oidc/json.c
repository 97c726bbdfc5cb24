/*
 * Strict parsing of JSON and form-encoded answers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "oidc.h"

/*
 * jansson's own allocations, watched: a parse during which any jansson
 * allocation failed is never trusted, and a sign-in during which one
 * failed does not succeed.
 */
static json_malloc_t prev_malloc;
static json_free_t prev_free;
static unsigned long alloc_failures;
static int guard_depth;

static void *
guard_malloc(size_t n)
{
	void *p = prev_malloc(n);

	if (p == NULL)
		alloc_failures++;
	return p;
}

static void
guard_free(void *p)
{
	prev_free(p);
}

void
json_guard_begin(void)
{
	if (guard_depth++ > 0)
		return;
	json_get_alloc_funcs(&prev_malloc, &prev_free);
	json_set_alloc_funcs(guard_malloc, guard_free);
	alloc_failures = 0;
}

int
json_guard_end(void)
{
	if (guard_depth == 0 || --guard_depth > 0)
		return 0;
	json_set_alloc_funcs(prev_malloc, prev_free);
	return alloc_failures > 0 ? OIDC_ERR_NOMEM : 0;
}

/* Recursion: bounded by OIDC_MAX_JSON_DEPTH. */
static int
depth_ok(const json_t *j, int depth) /* NOLINT(misc-no-recursion) */
{
	const char *key;
	json_t *v;
	size_t i;

	if (depth > OIDC_MAX_JSON_DEPTH)
		return 0;
	if (json_is_object(j)) {
		json_object_foreach ((json_t *)j, key, v)
			if (!depth_ok(v, depth + 1))
				return 0;
	} else if (json_is_array(j)) {
		json_array_foreach (j, i, v)
			if (!depth_ok(v, depth + 1))
				return 0;
	}
	return 1;
}

/*
 * jansson 2.14's lexer does not survive a failed allocation: it ignores a
 * failed growth of its token buffer, then reads and writes past the end of
 * that buffer (akheron/jansson#362). So while json_load_callback runs, an
 * allocation the system refuses is served from a static reserve instead,
 * the input ends at the next read, and the parse is thrown away as
 * OIDC_ERR_NOMEM. After a failure the lexer sees at most one more read
 * (LOAD_CHUNK bytes); the largest single allocation a body of
 * OIDC_MAX_BODY bytes can cause is a token buffer or a hash table of 2 MiB,
 * so the reserve cannot run out. Should it ever, the process aborts rather
 * than let the lexer write out of bounds.
 */
#define LOAD_CHUNK   1024
#define RESERVE_SIZE (4 * OIDC_MAX_BODY + (size_t)64 * 1024)

static _Alignas(16) unsigned char reserve[RESERVE_SIZE];
static size_t reserve_used;
static json_malloc_t load_malloc_next;
static json_free_t load_free_next;
static int load_failed;

static void *
load_malloc(size_t n)
{
	void *p = load_malloc_next(n);
	size_t need;

	if (p != NULL || n == 0)
		return p;
	load_failed = 1;
	need = (n + 15) & ~(size_t)15;
	if (need < n || need > RESERVE_SIZE - reserve_used)
		abort();
	p = reserve + reserve_used;
	reserve_used += need;
	return p;
}

static void
load_free(void *p)
{
	const unsigned char *c = p;

	if (c >= reserve && c < reserve + RESERVE_SIZE)
		return;
	load_free_next(p);
}

struct load_src {
	const char *buf;
	size_t len, off;
};

static size_t
load_read(void *dst, size_t size, void *arg)
{
	struct load_src *src = arg;
	size_t n = src->len - src->off;

	if (load_failed)
		return (size_t)-1;
	if (n > size)
		n = size;
	if (n > LOAD_CHUNK)
		n = LOAD_CHUNK;
	memcpy(dst, src->buf + src->off, n);
	src->off += n;
	return n;
}

int
json_parse_object(const char *buf, size_t len, json_t **out)
{
	struct load_src src = { buf, len, 0 };
	unsigned long failures = alloc_failures;
	json_error_t err;
	json_t *j;
	int failed;

	if (len > OIDC_MAX_BODY)
		return OIDC_ERR_PROTOCOL;
	json_get_alloc_funcs(&load_malloc_next, &load_free_next);
	json_set_alloc_funcs(load_malloc, load_free);
	load_failed = 0;
	reserve_used = 0;
	j = json_load_callback(load_read, &src, JSON_REJECT_DUPLICATES, &err);
	failed = load_failed;
	if (failed) {
		/* Whatever came back may hold memory from the reserve. */
		json_decref(j);
		j = NULL;
	}
	json_set_alloc_funcs(load_malloc_next, load_free_next);
	reserve_used = 0;
	if (failed || alloc_failures != failures) {
		json_decref(j);
		return OIDC_ERR_NOMEM;
	}
	if (j == NULL)
		return json_error_code(&err) == json_error_out_of_memory
		    ? OIDC_ERR_NOMEM
		    : OIDC_ERR_PROTOCOL;
	if (!json_is_object(j) || !depth_ok(j, 0)) {
		json_decref(j);
		return OIDC_ERR_PROTOCOL;
	}
	*out = j;
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent- and plus-decode; NUL bytes are refused. */
static int
form_decode(const char *s, size_t n, char **res)
{
	char *out;
	size_t i, o = 0;
	int hi, lo;

	if ((*res = out = malloc(n + 1)) == NULL)
		return OIDC_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= n || (hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0 || (hi | lo) == 0)
				goto bad;
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	return 0;
bad:
	free(out);
	*res = NULL;
	return OIDC_ERR_PROTOCOL;
}

int
json_parse_form(const char *buf, size_t len, json_t **out)
{
	json_t *obj, *v;
	const char *p = buf, *end = buf + len, *amp, *eq;
	char *k = NULL, *val = NULL;
	unsigned long failures = alloc_failures;
	int r = OIDC_ERR_PROTOCOL;

	if (len > OIDC_MAX_BODY || memchr(buf, '\0', len) != NULL)
		return OIDC_ERR_PROTOCOL;
	if ((obj = json_object()) == NULL)
		return OIDC_ERR_NOMEM;
	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			goto out;
		if ((r = form_decode(p, (size_t)(eq - p), &k)) != 0 ||
		    (r = form_decode(eq + 1, (size_t)(amp - eq - 1), &val)) !=
			0)
			goto out;
		r = OIDC_ERR_PROTOCOL;
		if (*k == '\0' || json_object_get(obj, k) != NULL)
			goto out;
		/* jansson checks the UTF-8 and refuses what is invalid. */
		if ((v = json_string(val)) == NULL ||
		    json_object_set_new(obj, k, v) != 0) {
			if (alloc_failures != failures)
				r = OIDC_ERR_NOMEM;
			goto out;
		}
		oidc_strfree(k);
		oidc_strfree(val);
		k = val = NULL;
		p = amp + 1;
	}
	*out = obj;
	obj = NULL;
	r = 0;
out:
	oidc_strfree(k);
	oidc_strfree(val);
	json_decref(obj);
	return r;
}

int
json_parse_body(
    const char *buf, size_t len, const char *content_type, json_t **out)
{
	static const char form[] = "application/x-www-form-urlencoded";

	if (content_type != NULL &&
	    strncasecmp(content_type, form, sizeof(form) - 1) == 0)
		return json_parse_form(buf, len, out);
	return json_parse_object(buf, len, out);
}

const char *
json_str(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

int
json_int(const json_t *obj, const char *key, long long min, long long max,
    long long *out)
{
	const json_t *v = json_object_get(obj, key);
	const char *s;
	char *end;
	long long n;

	if (v == NULL)
		return -1;
	if (json_is_integer(v)) {
		n = json_integer_value(v);
	} else if (json_is_string(v)) {
		s = json_string_value(v);
		if (*s < '0' || *s > '9')
			return OIDC_ERR_PROTOCOL;
		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno != 0 || *end != '\0')
			return OIDC_ERR_PROTOCOL;
	} else {
		return OIDC_ERR_PROTOCOL;
	}
	if (n < min || n > max)
		return OIDC_ERR_PROTOCOL;
	*out = n;
	return 0;
}

/* Recursion: bounded by OIDC_MAX_JSON_DEPTH. */
static void
wipe(json_t *j, int depth) /* NOLINT(misc-no-recursion) */
{
	const char *key;
	json_t *v;
	size_t i;

	if (depth > OIDC_MAX_JSON_DEPTH + 1)
		return;
	if (json_is_string(j)) {
		explicit_bzero(
		    (char *)json_string_value(j), json_string_length(j));
	} else if (json_is_object(j)) {
		json_object_foreach (j, key, v)
			wipe(v, depth + 1);
	} else if (json_is_array(j)) {
		json_array_foreach (j, i, v)
			wipe(v, depth + 1);
	}
}

void
json_wipe_decref(json_t *j)
{
	if (j == NULL)
		return;
	/* Only the last reference may wipe; others still read the strings. */
	if (j->refcount == 1)
		wipe(j, 0);
	json_decref(j);
}
