/*
 * json: strict objects and form-encoded bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include "fixtures.h"
#include "json.h"

static int
pobj(const char *s)
{
	json_t *j = NULL;
	int r = json_parse_object(s, strlen(s), &j);

	if (r == 0)
		assert_non_null(j);
	json_decref(j);
	return r;
}

static int
pform(const char *s, size_t len)
{
	json_t *j = NULL;
	int r = json_parse_form(s, len, &j);

	json_decref(j);
	return r;
}

static char *
nested(int depth)
{
	char *s = malloc((size_t)depth * 6 + 2), *p = s;
	int i;

	for (i = 0; i < depth; i++)
		p += sprintf(p, "{\"a\":");
	*p++ = '1';
	for (i = 0; i < depth; i++)
		*p++ = '}';
	*p = '\0';
	return s;
}

static void
test_object_parses(void **state)
{
	json_t *j;

	assert_int_equal(json_parse_object("{\"a\":\"b\",\"n\":3}", 15, &j), 0);
	assert_string_equal(json_str(j, "a"), "b");
	assert_null(json_str(j, "n"));
	assert_null(json_str(j, "missing"));
	json_decref(j);
}

static void
test_duplicate_keys_refused(void **state)
{
	assert_int_equal(pobj("{\"a\":1,\"a\":2}"), OIDC_ERR_PROTOCOL);
	assert_int_equal(pobj("{\"x\":{\"a\":1,\"a\":1}}"), OIDC_ERR_PROTOCOL);
}

static void
test_top_level_array_refused(void **state)
{
	assert_int_equal(pobj("[{\"a\":1}]"), OIDC_ERR_PROTOCOL);
	assert_int_equal(pobj("\"str\""), OIDC_ERR_PROTOCOL);
	assert_int_equal(pobj("3"), OIDC_ERR_PROTOCOL);
}

static void
test_escaped_nul_refused(void **state)
{
	assert_int_equal(pobj("{\"a\":\"x\\u0000y\"}"), OIDC_ERR_PROTOCOL);
}

static void
test_raw_nul_byte_refused(void **state)
{
	json_t *j = NULL;

	assert_int_equal(
	    json_parse_object("{\"a\":\"x\"}\0", 10, &j), OIDC_ERR_PROTOCOL);
	assert_null(j);
}

static void
test_invalid_utf8_refused(void **state)
{
	assert_int_equal(pobj("{\"a\":\"\xff\xfe\"}"), OIDC_ERR_PROTOCOL);
	assert_int_equal(pobj("{\"a\":\"\xc0\xaf\"}"), OIDC_ERR_PROTOCOL);
	assert_int_equal(pobj("{\"a\":\"\xed\xa0\x80\"}"), OIDC_ERR_PROTOCOL);
	assert_int_equal(pobj("{\"a\":\"Gr\xc3\xbc\xc3\x9f"
			      "e\"}"),
	    0);
}

static void
test_trailing_garbage_refused(void **state)
{
	assert_int_equal(pobj("{\"a\":1} x"), OIDC_ERR_PROTOCOL);
	assert_int_equal(pobj("{\"a\":1}{}"), OIDC_ERR_PROTOCOL);
}

static void
test_depth_32_accepted_deeper_refused(void **state)
{
	char *s;

	s = nested(32);
	assert_int_equal(pobj(s), 0);
	free(s);
	s = nested(33);
	assert_int_equal(pobj(s), OIDC_ERR_PROTOCOL);
	free(s);
	s = nested(100);
	assert_int_equal(pobj(s), OIDC_ERR_PROTOCOL);
	free(s);
}

static void
test_form_decodes_plus_and_percent(void **state)
{
	const char *s = "a=1&b=x+y%21";
	json_t *j;

	assert_int_equal(json_parse_form(s, strlen(s), &j), 0);
	assert_int_equal(json_object_size(j), 2);
	assert_string_equal(json_str(j, "a"), "1");
	assert_string_equal(json_str(j, "b"), "x y!");
	json_decref(j);
}

static void
test_form_values_are_strings(void **state)
{
	const char *s = "expires_in=900&interval=5";
	long long n = 0;
	json_t *j;

	assert_int_equal(json_parse_form(s, strlen(s), &j), 0);
	assert_true(json_is_string(json_object_get(j, "interval")));
	assert_int_equal(json_int(j, "interval", 1, 60, &n), 0);
	assert_int_equal(n, 5);
	json_decref(j);
}

static void
test_form_percent_00_refused(void **state)
{
	assert_int_equal(pform("a=x%00y", 7), OIDC_ERR_PROTOCOL);
	assert_int_equal(pform("a%00=1", 6), OIDC_ERR_PROTOCOL);
}

static void
test_form_raw_nul_refused(void **state)
{
	assert_int_equal(pform("a=x\0y", 5), OIDC_ERR_PROTOCOL);
}

static void
test_form_bad_percent_refused(void **state)
{
	assert_int_equal(pform("a=%2", 4), OIDC_ERR_PROTOCOL);
	assert_int_equal(pform("a=%zz", 5), OIDC_ERR_PROTOCOL);
	assert_int_equal(pform("a=%", 3), OIDC_ERR_PROTOCOL);
}

static void
test_form_duplicate_key_refused(void **state)
{
	assert_int_equal(pform("a=1&a=2", 7), OIDC_ERR_PROTOCOL);
	/* The same key once encoded is still the same key. */
	assert_int_equal(pform("a=1&%61=2", 9), OIDC_ERR_PROTOCOL);
}

static void
test_form_pair_without_equals_refused(void **state)
{
	assert_int_equal(pform("a=1&b", 5), OIDC_ERR_PROTOCOL);
	assert_int_equal(pform("=1", 2), OIDC_ERR_PROTOCOL);
}

static void
test_form_invalid_utf8_refused(void **state)
{
	assert_int_equal(pform("a=%ff%fe", 8), OIDC_ERR_PROTOCOL);
}

static void
test_body_form_content_type_with_charset(void **state)
{
	const char *s = "access_token=abc&token_type=bearer";
	json_t *j;

	assert_int_equal(
	    json_parse_body(s, strlen(s),
		"application/x-www-form-urlencoded; charset=utf-8", &j),
	    0);
	assert_string_equal(json_str(j, "access_token"), "abc");
	json_decref(j);
	/* The same bytes as JSON do not parse. */
	assert_int_equal(json_parse_body(s, strlen(s), "application/json", &j),
	    OIDC_ERR_PROTOCOL);
}

static void
test_body_defaults_to_json(void **state)
{
	const char *s = "{\"a\":\"b\"}";
	json_t *j;

	assert_int_equal(json_parse_body(s, strlen(s), NULL, &j), 0);
	assert_string_equal(json_str(j, "a"), "b");
	json_decref(j);
	assert_int_equal(json_parse_body(s, strlen(s), "text/plain", &j), 0);
	json_decref(j);
}

static void
test_int_accepts_digit_strings(void **state)
{
	json_t *j = json_pack("{s:s, s:i}", "s", "5", "i", 7);
	long long n = 0;

	assert_int_equal(json_int(j, "s", 1, 10, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(json_int(j, "i", 1, 10, &n), 0);
	assert_int_equal(n, 7);
	json_decref(j);
}

static void
test_int_range_checked(void **state)
{
	json_t *j = json_pack("{s:s, s:i, s:i}", "s", "50", "i", 0, "neg", -1);
	long long n = 42;

	assert_int_equal(json_int(j, "s", 1, 10, &n), OIDC_ERR_PROTOCOL);
	assert_int_equal(json_int(j, "i", 1, 10, &n), OIDC_ERR_PROTOCOL);
	assert_int_equal(json_int(j, "neg", 0, 10, &n), OIDC_ERR_PROTOCOL);
	assert_int_equal(n, 42);
	json_decref(j);
}

static void
test_int_malformed_and_absent(void **state)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:f, s:b, s:s}", "neg", "-5",
	    "sp", " 5", "tail", "5x", "real", 5.0, "bool", 1, "huge",
	    "99999999999999999999999");
	long long n;

	assert_int_equal(json_int(j, "neg", -10, 10, &n), OIDC_ERR_PROTOCOL);
	assert_int_equal(json_int(j, "sp", 0, 10, &n), OIDC_ERR_PROTOCOL);
	assert_int_equal(json_int(j, "tail", 0, 10, &n), OIDC_ERR_PROTOCOL);
	assert_int_equal(json_int(j, "real", 0, 10, &n), OIDC_ERR_PROTOCOL);
	assert_int_equal(json_int(j, "bool", 0, 10, &n), OIDC_ERR_PROTOCOL);
	assert_int_equal(json_int(j, "huge", 0, 10, &n), OIDC_ERR_PROTOCOL);
	assert_int_equal(json_int(j, "absent", 0, 10, &n), -1);
	json_decref(j);
}

static void
test_wipe_decref_zeroes_strings(void **state)
{
	json_t *j = json_pack("{s:s}", "t", "secret"), *v;
	char *p;

	v = json_object_get(j, "t");
	json_incref(v);
	p = (char *)json_string_value(v);
	json_wipe_decref(j);
	/* v still alive through our reference: its bytes were wiped. */
	assert_int_equal(p[0], '\0');
	assert_int_equal(p[5], '\0');
	json_decref(v);
}

/*
 * jansson's allocator in the test (the module never sets one): allocation
 * fail_at fails, once; live counts what is allocated and not yet freed.
 */
static long alloc_seen, fail_at = -1, live;

static void *
failing_malloc(size_t n)
{
	void *p;

	if (fail_at >= 0 && alloc_seen++ == fail_at)
		return NULL;
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

typedef int (*parse_fn)(const char *, size_t, json_t **);

/*
 * One parse with allocation n failing: 1 if one failed, else 0. A failed
 * parse gives OIDC_ERR_NOMEM, no object and nothing left allocated.
 */
static int
parse_failing_at(parse_fn parse, const char *body, size_t len, long n)
{
	json_t *j = NULL;
	int r;

	alloc_seen = 0;
	live = 0;
	fail_at = n;
	r = parse(body, len, &j);
	fail_at = -1;
	if (alloc_seen <= n) {
		/* Nothing failed: the whole parse ran. */
		assert_int_equal(r, 0);
		assert_non_null(j);
		json_decref(j);
		assert_int_equal(live, 0);
		return 0;
	}
	if (r != OIDC_ERR_NOMEM)
		print_message("allocation %ld failed: %d\n", n, r);
	assert_int_equal(r, OIDC_ERR_NOMEM);
	assert_null(j);
	assert_int_equal(live, 0);
	return 1;
}

/* Allocations 0, 1, ... of one parse fail in turn: how many there were. */
static long
sweep(parse_fn parse, const char *body, size_t len)
{
	long n;

	json_set_alloc_funcs(failing_malloc, counting_free);
	for (n = 0; parse_failing_at(parse, body, len, n); n++)
		;
	json_set_alloc_funcs(malloc, free);
	return n;
}

/*
 * Strings of every length from 1 to 80, and an object large enough that
 * its hash table grows several times: every allocation fails in turn.
 */
static void
test_every_allocation_failure_is_nomem(void **state)
{
	char body[8192], *p;
	long failed = 0;
	int len, i;

	for (len = 1; len <= 80; len++) {
		p = body + sprintf(body, "{\"");
		for (i = 0; i < len; i++)
			*p++ = (char)('0' + i % 10);
		p += sprintf(p, "\":\"");
		for (i = 0; i < len; i++)
			*p++ = (char)('a' + i % 26);
		p += sprintf(p, "\"}");
		failed += sweep(json_parse_object, body, (size_t)(p - body));
	}
	p = body + sprintf(body, "{\"a\":0");
	for (i = 0; i < 200; i++)
		p += sprintf(p, ",\"k%03d\":{\"v\":[%d]}", i, i);
	p += sprintf(p, "}");
	failed += sweep(json_parse_object, body, (size_t)(p - body));
	/* Hundreds of allocations, each of which failed once. */
	assert_true(failed > 1000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_object_parses),
		cmocka_unit_test(test_duplicate_keys_refused),
		cmocka_unit_test(test_top_level_array_refused),
		cmocka_unit_test(test_escaped_nul_refused),
		cmocka_unit_test(test_raw_nul_byte_refused),
		cmocka_unit_test(test_invalid_utf8_refused),
		cmocka_unit_test(test_trailing_garbage_refused),
		cmocka_unit_test(test_depth_32_accepted_deeper_refused),
		cmocka_unit_test(test_form_decodes_plus_and_percent),
		cmocka_unit_test(test_form_values_are_strings),
		cmocka_unit_test(test_form_percent_00_refused),
		cmocka_unit_test(test_form_raw_nul_refused),
		cmocka_unit_test(test_form_bad_percent_refused),
		cmocka_unit_test(test_form_duplicate_key_refused),
		cmocka_unit_test(test_form_pair_without_equals_refused),
		cmocka_unit_test(test_form_invalid_utf8_refused),
		cmocka_unit_test(test_body_form_content_type_with_charset),
		cmocka_unit_test(test_body_defaults_to_json),
		cmocka_unit_test(test_int_accepts_digit_strings),
		cmocka_unit_test(test_int_range_checked),
		cmocka_unit_test(test_int_malformed_and_absent),
		cmocka_unit_test(test_wipe_decref_zeroes_strings),
		cmocka_unit_test(test_every_allocation_failure_is_nomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
