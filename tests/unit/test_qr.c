/*
 * qr: terminal rendering (decoding is checked by the integration tests).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include "fixtures.h"
#include "qr.h"

#define FULL "\xe2\x96\x88"
#define URL  "https://idp.test/device?user_code=ABCD-EFGH"

/* Characters (not bytes) in the UTF-8 text [s, e). */
static size_t
utf8_chars(const char *s, const char *e)
{
	size_t n = 0;

	for (; s < e; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

static void
test_utf8_lines_have_equal_width(void **state)
{
	char *out, *p, *nl;
	size_t width = 0, lines = 0, w;

	assert_int_equal(qr_render(URL, QR_UTF8, &out), 0);
	assert_true(strlen(out) > 0);
	assert_int_equal(out[strlen(out) - 1], '\n');
	for (p = out; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		w = utf8_chars(p, nl);
		if (lines++ == 0)
			width = w;
		assert_int_equal(w, width);
	}
	assert_int_equal(*p, '\0');
	/* 21 modules at least plus 8 of quiet zone; two rows per line. */
	assert_true(width >= 29);
	assert_int_equal(lines, (width + 1) / 2);
	free(out);
}

static void
test_utf8_starts_with_quiet_zone_rows(void **state)
{
	char *out, *p;
	size_t width, i, row;

	assert_int_equal(qr_render(URL, QR_UTF8, &out), 0);
	width = utf8_chars(out, strchr(out, '\n'));
	/* Four quiet modules are two text lines of full (light) blocks. */
	for (row = 0, p = out; row < 2; row++) {
		for (i = 0; i < width; i++, p += 3)
			assert_memory_equal(p, FULL, 3);
		assert_int_equal(*p++, '\n');
	}
	/* The third line has a dark module (finder pattern) after 4 cells. */
	assert_memory_equal(p, FULL FULL FULL FULL, 12);
	assert_memory_not_equal(p + 12, FULL, 3);
	free(out);
}

static void
test_ascii_uses_only_hash_space_newline(void **state)
{
	char *out, *p, *nl;
	size_t width = 0, lines = 0;
	int dark = 0, light = 0;

	assert_int_equal(qr_render(URL, QR_ASCII, &out), 0);
	for (p = out; *p != '\0'; p++) {
		assert_true(*p == '#' || *p == ' ' || *p == '\n');
		dark += *p == ' ';
		light += *p == '#';
	}
	assert_true(dark > 0 && light > 0);
	for (p = out; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		if (lines++ == 0)
			width = (size_t)(nl - p);
		assert_int_equal((size_t)(nl - p), width);
	}
	/* Square: two characters per module, one line per module row. */
	assert_int_equal(width, lines * 2);
	/* The first line is the quiet zone: all light. */
	for (p = out; *p != '\n'; p++)
		assert_int_equal(*p, '#');
	free(out);
}

static void
test_different_text_gives_different_code(void **state)
{
	char *a, *b;

	assert_int_equal(qr_render(URL, QR_ASCII, &a), 0);
	assert_int_equal(qr_render("https://idp.test/other", QR_ASCII, &b), 0);
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

static void
test_qr_off_is_an_error(void **state)
{
	char *out = NULL;

	assert_int_equal(qr_render(URL, QR_OFF, &out), OIDC_ERR_INVALID);
	assert_null(out);
}

static void
test_overlong_text_refused(void **state)
{
	char *big = malloc(OIDC_MAX_FIELD + 2), *out = NULL;

	memset(big, 'a', OIDC_MAX_FIELD + 1);
	big[OIDC_MAX_FIELD + 1] = '\0';
	assert_int_equal(qr_render(big, QR_UTF8, &out), OIDC_ERR_INVALID);
	assert_null(out);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_lines_have_equal_width),
		cmocka_unit_test(test_utf8_starts_with_quiet_zone_rows),
		cmocka_unit_test(test_ascii_uses_only_hash_space_newline),
		cmocka_unit_test(test_different_text_gives_different_code),
		cmocka_unit_test(test_qr_off_is_an_error),
		cmocka_unit_test(test_overlong_text_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
