/*
 * Strict JSON objects and form-encoded bodies: json_parse_object,
 * json_parse_form, json_parse_body, json_str, json_int, json_wipe_decref.
 *
 * Input: a control byte, then the body. Bits 0-3 of the control byte
 * choose the Content-Type handed to json_parse_body; with bit 7 set, the
 * next byte N is taken from the body and the N-th allocation made through
 * jansson's allocator (counting from 0) during one more json_parse_body
 * fails. The harness installs that allocator with json_set_alloc_funcs;
 * the module never sets one.
 *
 * Checked: json_parse_object agrees with jansson's own loader
 * (json_loadb with JSON_REJECT_DUPLICATES, then the depth bound): the
 * same verdict and an equal object, except that a body holding a NUL
 * byte is always refused (jansson 2.14 drops a NUL that follows a number
 * or a literal). json_parse_body picks the parser the Content-Type names;
 * a parsed body is an object, a form gives only strings, and what the
 * strict parser accepted is accepted again after a round trip through
 * jansson's encoder. With a failed allocation, the parse returns
 * OIDC_ERR_NOMEM, no object, and nothing it allocated is left; one
 * during which no allocation failed gives the answer of the first parse.
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

/*
 * jansson's allocator: fails allocation fail_at once; live counts what it
 * gave and was not freed yet.
 */
static long alloc_count, fail_at = -1, live;
static int fired;

static void *
failing_malloc(size_t n)
{
	void *p;

	if (fail_at >= 0 && alloc_count++ == fail_at) {
		fired = 1;
		return NULL;
	}
	if ((p = malloc(n)) != NULL)
		live++;
	return p;
}

static void
counting_free(void *p)
{
	if (p != NULL)
		live--;
	free(p);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	json_set_alloc_funcs(failing_malloc, counting_free);
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
	counting_free(text);
}

/* Recursion: bounded by jansson's own depth limit. */
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

/* json_parse_object's verdict against jansson's loader, as the oracle. */
static void
compare_with_jansson(const char *buf, size_t len, int ro, const json_t *obj)
{
	json_error_t err;
	json_t *ref;
	int ok;

	if (memchr(buf, '\0', len) != NULL) {
		if (ro != OIDC_ERR_PROTOCOL)
			abort();
		return;
	}
	ref = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err);
	ok = ref != NULL && json_is_object(ref) && depth_ok(ref, 0) &&
	    len <= OIDC_MAX_BODY;
	if (ref == NULL && json_error_code(&err) == json_error_out_of_memory)
		return;
	if (ok != (ro == 0) || (ok && !json_equal(obj, ref)))
		abort();
	if (!ok && ro != OIDC_ERR_PROTOCOL)
		abort();
	json_decref(ref);
}

/* The same parse with allocation n failing. */
static void
parse_failing(const char *buf, size_t len, const char *ct, long n, int want,
    const json_t *ref)
{
	json_t *j = NULL;
	int r;

	alloc_count = 0;
	live = 0;
	fail_at = n;
	fired = 0;
	r = json_parse_body(buf, len, ct, &j);
	fail_at = -1;
	if (fired) {
		if (r != OIDC_ERR_NOMEM || j != NULL || live != 0)
			abort();
		return;
	}
	if (r != want || (r == 0) != (j != NULL))
		abort();
	if (j != NULL && !json_equal(j, ref))
		abort();
	json_decref(j);
	if (live != 0)
		abort();
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
	compare_with_jansson(buf, len, ro, obj);
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
