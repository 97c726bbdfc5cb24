/*
 * Form-encoded answers, the choice of parser for a body, and reading
 * members of a parsed answer. The JSON parser is json_parse.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "json.h"
#include "oidc.h"

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
form_decode(const char *s, size_t n, char **res, size_t *len)
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
	*len = o;
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
	size_t kn, n;
	int r = OIDC_ERR_PROTOCOL;

	if (len > OIDC_MAX_BODY || memchr(buf, '\0', len) != NULL)
		return OIDC_ERR_PROTOCOL;
	if ((obj = json_object()) == NULL)
		return OIDC_ERR_NOMEM;
	while (p < end) {
		r = OIDC_ERR_PROTOCOL;
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) == NULL)
			goto out;
		if ((r = form_decode(p, (size_t)(eq - p), &k, &kn)) != 0 ||
		    (r = form_decode(
			 eq + 1, (size_t)(amp - eq - 1), &val, &n)) != 0)
			goto out;
		r = OIDC_ERR_PROTOCOL;
		if (kn == 0 || !json_utf8_valid(k, kn) ||
		    !json_utf8_valid(val, n) || json_object_get(obj, k) != NULL)
			goto out;
		/* Both checked: a failure now can only be memory. */
		r = OIDC_ERR_NOMEM;
		if ((v = json_stringn_nocheck(val, n)) == NULL ||
		    json_object_set_new_nocheck(obj, k, v) != 0)
			goto out;
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
	json_wipe_decref(obj);
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
