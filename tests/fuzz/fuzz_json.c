/*
 * Strict JSON objects and form-encoded bodies: json_parse_object,
 * json_parse_form, json_parse_body, json_str, json_int, json_wipe_decref.
 *
 * Input: a control byte, then the body. Bits 0-3 of the control byte
 * choose the Content-Type handed to json_parse_body; with bit 7 set, the
 * next byte N is taken from the body and the N-th allocation jansson makes
 * (counting from 0) inside json_guard_begin/json_guard_end fails.
 *
 * jansson 2.14's lexer does not survive a failed allocation inside
 * json_loadb (akheron/jansson#362); json_parse_object serves such a failure
 * from a reserve and throws the parse away.
 * tests/fuzz/regress/json/jansson-oom-string crashed before that.
 *
 * Checked: json_parse_body picks the parser the Content-Type names; a
 * parsed body is an object, a form gives only strings, and what the
 * strict parser accepted is accepted again after a round trip through
 * jansson's encoder. With a failed allocation, the parse returns
 * OIDC_ERR_NOMEM and json_guard_end reports it; a parse during which no
 * allocation failed gives the same answer as without the guard.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "json.h"
#include "oidc.h"

static const char *const types[] = {
	NULL,
	"application/json",
	"application/json; charset=utf-8",
	"application/x-www-form-urlencoded",
	"application/x-www-form-urlencoded; charset=UTF-8",
	"APPLICATION/X-WWW-FORM-URLENCODED",
	"application/x-www-form-urlencode",
	"text/plain",
	"",
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

/* jansson's allocator below the guard: fails allocation fail_at once. */
static long alloc_count, fail_at = -1;
static int fired;

static void *
failing_malloc(size_t n)
{
	if (fail_at >= 0 && alloc_count++ == fail_at) {
		fired = 1;
		return NULL;
	}
	return malloc(n);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_set_alloc_funcs(failing_malloc, free);
	return 0;
}

static int
is_form(const char *ct)
{
	static const char form[] = "application/x-www-form-urlencoded";

	return ct != NULL && strncasecmp(ct, form, sizeof(form) - 1) == 0;
}

/* Every member through the accessors; a round trip must parse again. */
static void
inspect(json_t *obj, int form)
{
	const char *key, *s;
	long long n;
	json_t *v, *again = NULL;
	char *text;
	int r;

	if (!json_is_object(obj))
		abort();
	json_object_foreach (obj, key, v) {
		if (form && !json_is_string(v))
			abort();
		s = json_str(obj, key);
		if ((s != NULL) != json_is_string(v))
			abort();
		r = json_int(obj, key, 1, 86400, &n);
		if (r == 0 && (n < 1 || n > 86400))
			abort();
		if (r != 0 && r != OIDC_ERR_PROTOCOL)
			abort();
		(void)json_int(obj, key, -0x7fffffffffffffffLL - 1,
		    0x7fffffffffffffffLL, &n);
	}
	if (json_int(obj, "\x01missing", 0, 1, &n) != -1)
		abort();
	if ((text = json_dumps(obj, JSON_COMPACT | JSON_ENCODE_ANY)) == NULL)
		abort();
	if (json_parse_object(text, strlen(text), &again) != 0)
		abort();
	if (!json_equal(obj, again))
		abort();
	json_decref(again);
	free(text);
}

/* The same parse with one allocation failing, under the guard. */
static void
parse_failing(const char *buf, size_t len, const char *ct, long n, int want,
    const json_t *ref)
{
	json_t *j = NULL;
	int r, g;

	alloc_count = 0;
	fail_at = n;
	fired = 0;
	json_guard_begin();
	r = json_parse_body(buf, len, ct, &j);
	g = json_guard_end();
	fail_at = -1;
	if (fired) {
		if (r != OIDC_ERR_NOMEM || j != NULL || g != OIDC_ERR_NOMEM)
			abort();
		return;
	}
	if (r != want || g != 0 || (r == 0) != (j != NULL))
		abort();
	if (j != NULL && !json_equal(j, ref))
		abort();
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf, *ct;
	json_t *obj = NULL, *form = NULL, *body = NULL;
	size_t len;
	long fail = -1;
	int ro, rf, rb;

	if (size < 1)
		return 0;
	ct = types[(data[0] & 0x0f) % NTYPES];
	buf = (const char *)data + 1;
	len = size - 1;
	if ((data[0] & 0x80) && len > 0) {
		fail = (unsigned char)buf[0];
		buf++;
		len--;
	}

	ro = json_parse_object(buf, len, &obj);
	rf = json_parse_form(buf, len, &form);
	rb = json_parse_body(buf, len, ct, &body);
	if (rb != (is_form(ct) ? rf : ro))
		abort();
	if ((ro == 0) != (obj != NULL) || (rf == 0) != (form != NULL) ||
	    (rb == 0) != (body != NULL))
		abort();
	if (obj != NULL)
		inspect(obj, 0);
	if (form != NULL)
		inspect(form, 1);
	if (body != NULL && !json_equal(body, is_form(ct) ? form : obj))
		abort();
	if (fail >= 0)
		parse_failing(buf, len, ct, fail, rb, body);
	json_wipe_decref(obj);
	json_decref(form);
	json_wipe_decref(body);
	return 0;
}
