/*
 * json: strict objects and form-encoded bodies.
 */
#include <locale.h>
#include <math.h>
#include <pthread.h>
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

static int
pobjn(const char *s, size_t n)
{
	json_t *j = NULL;
	int r = json_parse_object(s, n, &j);

	if (r == 0)
		assert_non_null(j);
	else
		assert_null(j);
	json_decref(j);
	return r;
}

/* {"v":TEXT} parsed: the document (to decref), *v its member. */
static json_t *
parse_member(const char *text, json_t **v)
{
	json_t *doc = NULL;
	char *s = fix_strdupf("{\"v\":%s}", text);
	int r = json_parse_object(s, strlen(s), &doc);

	free(s);
	if (r != 0) {
		print_message("refused: %s\n", text);
		fail();
	}
	*v = json_object_get(doc, "v");
	assert_non_null(*v);
	return doc;
}

/* The string TEXT (JSON, quotes included) decodes to want[0..n). */
static void
check_string(const char *text, const char *want, size_t n)
{
	json_t *v, *doc = parse_member(text, &v);

	assert_true(json_is_string(v));
	assert_int_equal(json_string_length(v), n);
	assert_memory_equal(json_string_value(v), want, n);
	json_decref(doc);
}

/* {"v":TEXT} is refused as malformed. */
static void
check_refused(const char *text)
{
	char *s = fix_strdupf("{\"v\":%s}", text);
	int r = pobj(s);

	if (r != OIDC_ERR_PROTOCOL)
		print_message("accepted or %d: %s\n", r, text);
	assert_int_equal(r, OIDC_ERR_PROTOCOL);
	free(s);
}

static void
test_every_kind_of_value_parses(void **state)
{
	const char *s = " \t\r\n{ \"s\" : \"x\" ,\"i\":-12,\"r\":1.25e1,"
			"\"t\":true,\"f\":false,\"n\":null,\"o\":{ },\"a\":[ ],"
			"\"aa\":[1,\"two\",[3],{\"k\":null}],\"\":0} \n\t\r";
	json_t *j = NULL, *aa;

	assert_int_equal(json_parse_object(s, strlen(s), &j), 0);
	assert_int_equal(json_object_size(j), 10);
	assert_string_equal(json_str(j, "s"), "x");
	assert_int_equal(json_integer_value(json_object_get(j, "i")), -12);
	assert_true(json_is_real(json_object_get(j, "r")));
	assert_true(json_real_value(json_object_get(j, "r")) == 12.5);
	assert_true(json_is_true(json_object_get(j, "t")));
	assert_true(json_is_false(json_object_get(j, "f")));
	assert_true(json_is_null(json_object_get(j, "n")));
	assert_int_equal(json_object_size(json_object_get(j, "o")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "a")), 0);
	aa = json_object_get(j, "aa");
	assert_int_equal(json_array_size(aa), 4);
	assert_int_equal(json_integer_value(json_array_get(aa, 0)), 1);
	assert_string_equal(json_string_value(json_array_get(aa, 1)), "two");
	assert_int_equal(
	    json_integer_value(json_array_get(json_array_get(aa, 2), 0)), 3);
	assert_true(json_is_null(json_object_get(json_array_get(aa, 3), "k")));
	assert_int_equal(json_integer_value(json_object_get(j, "")), 0);
	json_decref(j);
	assert_int_equal(pobj("{}"), 0);
}

/* RFC 8259's grammar and nothing more: each of these is refused. */
static void
test_grammar_violations_refused(void **state)
{
	static const char *const docs[] = { "", " ", "{", "}", "{\"a\":1",
		"{\"a\"}", "{\"a\":}", "{\"a\" 1}", "{a:1}", "{'a':1}",
		"{\"a\":1,}", "{,\"a\":1}", "{\"a\":1 \"b\":2}", "{\"a\":1,,}",
		"{\"a\"::1}", "{1:1}", "{null:1}", "/*c*/{}", "{}//c",
		"{\"a\":1}#", "\xef\xbb\xbf{}", "\v{}", "{}\f", "\xc2\xa0{}",
		"{\"a\":1}}", "{\"a\":\"x}", "{\"a\":\"x\\\"}", "{\"a\"" };
	static const char *const values[] = { "[1,]", "[,1]", "[1 2]", "[",
		"[}", "]", "{]", "[1}", "tru", "True", "nul", "NULL", "falsey",
		"undefined", "NaN", "Infinity", "-Infinity", "01", "-01", "00",
		"-", "1.", ".5", "+1", "1e", "1e+", "1E-", "0x10", "1.5.2",
		"--1", "1e5.5", "'b'", "\"\\x41\"", "\"\\U0041\"",
		"\"\\u12G4\"", "\"\\u12\"", "\"\\u\"", "\"\\'\"", "\"\\a\"",
		"\"\t\"", "\"\n\"", "\"\x01\"", "\"\x1f\"", "\"a\\\"",
		"\xe2\x80\x9c"
		"x\xe2\x80\x9d" };
	size_t i;

	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		if (pobj(docs[i]) != OIDC_ERR_PROTOCOL)
			print_message("accepted: %s\n", docs[i]);
		assert_int_equal(pobj(docs[i]), OIDC_ERR_PROTOCOL);
	}
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++)
		check_refused(values[i]);
	/* A control character in a key, and a raw NUL inside a string. */
	assert_int_equal(pobj("{\"a\tb\":1}"), OIDC_ERR_PROTOCOL);
	assert_int_equal(pobjn("{\"a\":\"x\0y\"}", 11), OIDC_ERR_PROTOCOL);
	assert_int_equal(pobjn("{\"a\":\"\\\0\"}", 10), OIDC_ERR_PROTOCOL);
	assert_int_equal(pobjn("{\"a\":1\0}", 8), OIDC_ERR_PROTOCOL);
}

static void
test_escapes_decoded(void **state)
{
	json_t *v, *doc;

	check_string("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t", 8);
	/* Escaped controls are fine; only raw ones are refused. */
	check_string("\"\\u0001\\u001f\\u007F\x7f\"", "\x01\x1f\x7f\x7f", 4);
	check_string("\"\\u00e9\\u00C9\"", "\xc3\xa9\xc3\x89", 4);
	check_string("\"a\\u20acb\"",
	    "a\xe2\x82\xac"
	    "b",
	    5);
	check_string("\"\\uffff\"", "\xef\xbf\xbf", 3);
	check_string("\"\"", "", 0);
	/* Key and value both escaped: each keeps its own bytes. */
	doc = parse_member("{\"k\\u0065y\":\"v\\u0061l\",\"\\u0061\":"
			   "{\"\\u0062\":\"\\u0063\"},\"x\":1}",
	    &v);
	assert_string_equal(json_str(v, "key"), "val");
	assert_string_equal(json_str(json_object_get(v, "a"), "b"), "c");
	assert_int_equal(json_integer_value(json_object_get(v, "x")), 1);
	json_decref(doc);
}

/* Escapes in strings long enough that the decoding buffer must grow. */
static void
test_long_escaped_strings_decoded(void **state)
{
	size_t n, i;
	char *text, *want, *p;

	for (n = 1; n <= 20000; n = n * 3 + 1) {
		text = malloc(n * 7 + 3);
		want = malloc(n * 2 + 1);
		p = text;
		*p++ = '"';
		for (i = 0; i < n; i++) {
			memcpy(p, i % 2 ? "\\u00e9" : "z", i % 2 ? 6 : 1);
			p += i % 2 ? 6 : 1;
		}
		*p++ = '"';
		*p = '\0';
		for (p = want, i = 0; i < n; i++) {
			memcpy(p, i % 2 ? "\xc3\xa9" : "z", i % 2 ? 2 : 1);
			p += i % 2 ? 2 : 1;
		}
		check_string(text, want, (size_t)(p - want));
		free(text);
		free(want);
	}
}

static void
test_surrogate_pairs_decoded_lone_refused(void **state)
{
	check_string("\"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4);
	check_string("\"\\uD83D\\uDE00x\"", "\xf0\x9f\x98\x80x", 5);
	check_string("\"\\ud800\\udc00\"", "\xf0\x90\x80\x80", 4);
	check_string("\"\\udbff\\udfff\"", "\xf4\x8f\xbf\xbf", 4);
	check_refused("\"\\ud83d\"");
	check_refused("\"\\ud83dx\"");
	check_refused("\"\\ud83d\\n\"");
	check_refused("\"\\ud83d\\u0041\"");
	check_refused("\"\\ud83d\\ud83d\"");
	check_refused("\"\\ude00\"");
	check_refused("\"\\ude00\\ud83d\"");
	check_refused("\"\\ud83d\\ude0\"");
	assert_int_equal(pobj("{\"\\udc00\":1}"), OIDC_ERR_PROTOCOL);
}

static void
test_invalid_utf8_refused_everywhere(void **state)
{
	static const char *const bad[] = {
		"\x80",                             /* a continuation alone */
		"\xc2",                             /* cut short */
		"\xc2x",                            /* cut short */
		"\xc1\xbf",                         /* overlong */
		"\xe0\x80\xaf",                     /* overlong */
		"\xe0\x9f\xbf",                     /* overlong */
		"\xf0\x80\x80\xaf",                 /* overlong */
		"\xf0\x8f\xbf\xbf",                 /* overlong */
		"\xed\xbf\xbf",                     /* a surrogate */
		"\xf4\x90\x80\x80",                 /* past U+10FFFF */
		"\xf5\x80\x80\x80",                 /* past U+10FFFF */
		"\xf8\x88\x80\x80\x80", "\xe2\x82", /* cut short */
		"\xf0\x9f\x98",                     /* cut short */
		"\xf0\x9f\x98x",                    /* cut short */
	};
	static const char *const good[] = { "\xc2\x80", "\xdf\xbf",
		"\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf",
		"\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf" };
	char *s;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		s = fix_strdupf("\"%s\"", bad[i]);
		check_refused(s);
		free(s);
		s = fix_strdupf("{\"%s\":1}", bad[i]);
		assert_int_equal(pobj(s), OIDC_ERR_PROTOCOL);
		free(s);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		s = fix_strdupf("\"%s\"", good[i]);
		check_string(s, good[i], strlen(good[i]));
		free(s);
	}
}

static void
test_escaped_duplicate_keys_refused(void **state)
{
	assert_int_equal(pobj("{\"a\":1,\"\\u0061\":2}"), OIDC_ERR_PROTOCOL);
	assert_int_equal(pobj("{\"\":1,\"\":2}"), OIDC_ERR_PROTOCOL);
	assert_int_equal(
	    pobj("{\"x\":[{\"a\":1,\"a\":2}]}"), OIDC_ERR_PROTOCOL);
	assert_int_equal(
	    pobj("{\"a\":{},\"b\":[],\"a\":null}"), OIDC_ERR_PROTOCOL);
	/* The same key in two objects, or two keys alike up to a byte. */
	assert_int_equal(pobj("{\"x\":{\"a\":1},\"y\":{\"a\":1}}"), 0);
	assert_int_equal(pobj("{\"a\\u00e9\":1,\"a\\u00e8\":2,\"a\":3}"), 0);
}

/* {"a": then d arrays around INNER, closed. */
static char *
nested_arrays(int d, const char *inner)
{
	size_t n = strlen(inner);
	char *s = malloc((size_t)d * 2 + n + 8), *p = s;

	p += snprintf(p, 8, "{\"a\":");
	memset(p, '[', (size_t)d);
	p += d;
	memcpy(p, inner, n);
	p += n;
	memset(p, ']', (size_t)d);
	p += d;
	*p++ = '}';
	*p = '\0';
	return s;
}

/*
 * The root is at depth 0 and each container adds one: a value deeper
 * than OIDC_MAX_JSON_DEPTH is refused, empty container or scalar.
 */
static void
test_array_depth_bound(void **state)
{
	static const struct {
		int arrays;
		const char *inner;
		int want;
	} t[] = {
		{ OIDC_MAX_JSON_DEPTH, "", 0 },
		{ OIDC_MAX_JSON_DEPTH + 1, "", OIDC_ERR_PROTOCOL },
		{ OIDC_MAX_JSON_DEPTH - 1, "1", 0 },
		{ OIDC_MAX_JSON_DEPTH, "1", OIDC_ERR_PROTOCOL },
		{ OIDC_MAX_JSON_DEPTH - 1, "{}", 0 },
		{ OIDC_MAX_JSON_DEPTH - 1, "{\"b\":2}", OIDC_ERR_PROTOCOL },
		{ OIDC_MAX_JSON_DEPTH - 1, "\"s\",[],{}", 0 },
		{ 100000, "", OIDC_ERR_PROTOCOL },
	};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		s = nested_arrays(t[i].arrays, t[i].inner);
		assert_int_equal(pobj(s), t[i].want);
		free(s);
	}
	/* Only opening brackets, as deep as the body bound allows. */
	s = malloc(OIDC_MAX_BODY);
	memset(s, '[', OIDC_MAX_BODY);
	s[0] = '{';
	assert_int_equal(pobjn(s, OIDC_MAX_BODY), OIDC_ERR_PROTOCOL);
	free(s);
}

static void
test_body_bound(void **state)
{
	char *s = malloc(OIDC_MAX_BODY + 2);

	memcpy(s, "{\"a\":\"", 6);
	memset(s + 6, 'x', OIDC_MAX_BODY - 8);
	memcpy(s + OIDC_MAX_BODY - 2, "\"}", 2);
	assert_int_equal(pobjn(s, OIDC_MAX_BODY), 0);
	s[OIDC_MAX_BODY] = ' ';
	assert_int_equal(pobjn(s, OIDC_MAX_BODY + 1), OIDC_ERR_PROTOCOL);
	free(s);
}

static void
test_integers_must_fit_long_long(void **state)
{
	json_t *v, *doc;

	doc = parse_member("9223372036854775807", &v);
	assert_true(json_is_integer(v));
	assert_true(json_integer_value(v) == LLONG_MAX);
	json_decref(doc);
	doc = parse_member("-9223372036854775808", &v);
	assert_true(json_integer_value(v) == LLONG_MIN);
	json_decref(doc);
	/* -0 is an integer, as jansson reads it: 0. */
	doc = parse_member("-0", &v);
	assert_true(json_is_integer(v));
	assert_int_equal(json_integer_value(v), 0);
	json_decref(doc);
	doc = parse_member("[0,-7,120]", &v);
	assert_int_equal(json_integer_value(json_array_get(v, 2)), 120);
	json_decref(doc);
	check_refused("9223372036854775808");
	check_refused("-9223372036854775809");
	check_refused("18446744073709551616");
	check_refused("99999999999999999999999");
}

static double
real_of(const char *text)
{
	json_t *v, *doc = parse_member(text, &v);
	double d;

	assert_true(json_is_real(v));
	d = json_real_value(v);
	json_decref(doc);
	return d;
}

static void
test_reals_finite_and_exact(void **state)
{
	double d;

	assert_true(real_of("1.5") == 1.5);
	assert_true(real_of("-2.25") == -2.25);
	assert_true(real_of("1E2") == 100.0);
	assert_true(real_of("1e+2") == 100.0);
	assert_true(real_of("25e-2") == 0.25);
	assert_true(real_of("0.1") == 0.1);
	assert_true(
	    real_of("1.7976931348623157e308") == 1.7976931348623157e308);
	assert_true(real_of("4.9e-324") == 4.9e-324);
	assert_true(real_of("100000000000000000000000000000.5") == 1e29);
	d = real_of("-0.0");
	assert_true(d == 0.0 && signbit(d));
	/* Underflow gives zero, as with jansson; overflow is refused. */
	assert_true(real_of("1e-400") == 0.0);
	check_refused("1e400");
	check_refused("-1e400");
	check_refused("1.8e308");
	check_refused("[1,1e999]");
}

/*
 * A host whose LC_NUMERIC writes 1,5: reals still read with a point, and
 * the parse leaves the host's locale alone.
 */
static void
test_reals_ignore_the_host_numeric_locale(void **state)
{
	static const char *const names[] = { "de_DE.UTF-8", "de_DE.utf8",
		"fr_FR.UTF-8", "de_DE" };
	const char *got = NULL;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]) && got == NULL; i++)
		got = setlocale(LC_NUMERIC, names[i]);
	if (got == NULL) {
		print_message("skipped: no de_DE.UTF-8 (or other decimal-comma)"
			      " locale is installed\n");
		skip();
	}
	assert_string_equal(localeconv()->decimal_point, ",");
	assert_true(real_of("1.5") == 1.5);
	assert_true(real_of("2.5e-1") == 0.25);
	assert_true(real_of("-0.125") == -0.125);
	check_refused("1,5");
	assert_string_equal(localeconv()->decimal_point, ",");
}

/* Back to "C" for the tests after, even when an assertion failed. */
static int
numeric_locale_c(void **state)
{
	return setlocale(LC_NUMERIC, "C") == NULL ? -1 : 0;
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

/*
 * A JWKS-like document with every kind of value, escapes in keys and
 * values (the decoding buffers), reals (the "C" locale) and nesting: each
 * of its allocations fails in turn, then the parse succeeds.
 */
static void
test_medium_document_every_allocation_fails_in_turn(void **state)
{
	char body[16384], *p = body;
	json_t *j = NULL;
	long n;
	int i;

	p += sprintf(p, "{\"keys\":[");
	for (i = 0; i < 12; i++)
		p += sprintf(p,
		    "%s{\"kty\":\"RSA\",\"kid\":\"k\\u00e9y-%d\",\"use\":"
		    "\"sig\",\"n\":\"%0*d\",\"e\":\"AQAB\",\"x5c\":"
		    "[\"MIIC\\/%d\"],\"exp\":%d,\"w\":%d.5e-1,\"ok\":%s,"
		    "\"nu\":null,\"o\":{\"d\\u0065ep\":[[{}],[]]}}",
		    i ? "," : "", i, 40 + i * 20, i, i, 1700000000 + i, i,
		    i % 2 ? "true" : "false");
	p += sprintf(p, "],\"\\ud83d\\ude00\":\"\\\"q\\\"\"}");
	assert_int_equal(json_parse_object(body, (size_t)(p - body), &j), 0);
	assert_int_equal(json_array_size(json_object_get(j, "keys")), 12);
	json_decref(j);
	n = sweep(json_parse_object, body, (size_t)(p - body));
	assert_true(n > 300);
}

/* The form parser's jansson allocations fail in turn, too. */
static void
test_form_every_allocation_failure_is_nomem(void **state)
{
	char body[4096], *p = body;
	int i;

	p += sprintf(p, "access_token=x%%2By");
	for (i = 0; i < 40; i++)
		p += sprintf(p, "&k%02d=v+%d%%C3%%A9", i, i);
	assert_true(sweep(json_parse_form, body, (size_t)(p - body)) > 80);
}

/* Two threads parse at once; each counts its failures. */
struct worker {
	const char *doc;
	const json_t *want;
	int failures;
};

#define PARSES_PER_THREAD 10000

static void *
parse_many(void *arg)
{
	struct worker *w = arg;
	json_t *j;
	int i;

	for (i = 0; i < PARSES_PER_THREAD; i++) {
		j = NULL;
		if (json_parse_object(w->doc, strlen(w->doc), &j) != 0 ||
		    !json_equal(j, w->want))
			w->failures++;
		json_decref(j);
	}
	return NULL;
}

static void
test_two_threads_parse_at_once(void **state)
{
	static const char *const docs[2] = {
		"{\"issuer\":\"https://idp.test\",\"n\":[1,2.5,-3e2],"
		"\"s\":\"caf\\u00e9 \\ud83d\\ude00\",\"t\":true,\"o\":"
		"{\"a\":{\"b\":null}}}",
		"{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":"
		"\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\",\"r\":0.125,"
		"\"i\":-9223372036854775808}],\"k\\u00e9\":[[],{}]}",
	};
	struct worker w[2];
	pthread_t t[2];
	json_t *want[2];
	int i;

	want[0] = json_pack("{s:s, s:[i, f, f], s:s, s:b, s:{s:{s:n}}}",
	    "issuer", "https://idp.test", "n", 1, 2.5, -300.0, "s",
	    "caf\xc3\xa9 \xf0\x9f\x98\x80", "t", 1, "o", "a", "b");
	want[1] = json_pack("{s:[{s:s, s:s, s:s, s:f, s:I}], s:[[], {}]}",
	    "keys", "kty", "EC", "crv", "P-256", "x",
	    "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "r", 0.125, "i",
	    (json_int_t)LLONG_MIN, "k\xc3\xa9");
	for (i = 0; i < 2; i++) {
		assert_non_null(want[i]);
		w[i] = (struct worker){ docs[i], want[i], 0 };
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(
		    pthread_create(&t[i], NULL, parse_many, &w[i]), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(w[i].failures, 0);
		json_decref(want[i]);
	}
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
		cmocka_unit_test(test_every_kind_of_value_parses),
		cmocka_unit_test(test_grammar_violations_refused),
		cmocka_unit_test(test_escapes_decoded),
		cmocka_unit_test(test_long_escaped_strings_decoded),
		cmocka_unit_test(test_surrogate_pairs_decoded_lone_refused),
		cmocka_unit_test(test_invalid_utf8_refused_everywhere),
		cmocka_unit_test(test_escaped_duplicate_keys_refused),
		cmocka_unit_test(test_array_depth_bound),
		cmocka_unit_test(test_body_bound),
		cmocka_unit_test(test_integers_must_fit_long_long),
		cmocka_unit_test(test_reals_finite_and_exact),
		cmocka_unit_test_teardown(
		    test_reals_ignore_the_host_numeric_locale,
		    numeric_locale_c),
		cmocka_unit_test(test_every_allocation_failure_is_nomem),
		cmocka_unit_test(
		    test_medium_document_every_allocation_fails_in_turn),
		cmocka_unit_test(test_form_every_allocation_failure_is_nomem),
		cmocka_unit_test(test_two_threads_parse_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
