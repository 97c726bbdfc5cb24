/*
 * qr: symbol size, error correction and terminal rendering (decoding is
 * checked by the end-to-end tests with zbarimg).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include <qrencode.h>

#include "fixtures.h"
#include "qr.h"

#define FULL "\xe2\x96\x88"
#define URL  "https://idp.test/device?user_code=ABCD-EFGH"
/* 80 characters: the longest verification_uri_complete of issue 14. */
#define URL80                                                                  \
	"https://login.example-corporation.com/oauth2/device?user_code=WDJB-MJHT&tenant=a"

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

/* With a two-module quiet zone the finder pattern starts at cell 2. */
static void
test_utf8_two_module_quiet_zone(void **state)
{
	struct oidc_qrcode *q = NULL;
	char *out, *p;
	int cols, lines;
	size_t i;

	assert_int_equal(qr_encode(URL, &q), 0);
	qr_size(q, QR_UTF8, QR_QUIET_MIN, &cols, &lines);
	assert_int_equal(cols, qr_modules(q) + 4);
	assert_int_equal(lines, (qr_modules(q) + 5) / 2);
	assert_int_equal(qr_draw(q, QR_UTF8, QR_QUIET_MIN, &out), 0);
	/* First line: both quiet rows, all light. */
	for (i = 0, p = out; i < (size_t)cols; i++, p += 3)
		assert_memory_equal(p, FULL, 3);
	assert_int_equal(*p++, '\n');
	assert_memory_equal(p, FULL FULL, 6);
	assert_memory_not_equal(p + 6, FULL, 3);
	for (i = 0, p = out; (p = strchr(p, '\n')) != NULL; p++)
		i++;
	assert_int_equal(i, (size_t)lines);
	free(out);
	qr_free(q);
}

/*
 * An 80-character link: version 5 (37 modules), so that with a two-module
 * quiet zone it takes 21 lines of 41 columns, which leaves room on an
 * 80x24 screen for the text.
 */
static void
test_80_character_link_is_version_5(void **state)
{
	struct oidc_qrcode *q = NULL;
	int cols, lines;

	assert_int_equal(strlen(URL80), 80);
	assert_int_equal(qr_encode(URL80, &q), 0);
	assert_int_equal(qr_modules(q), 37);
	qr_size(q, QR_UTF8, QR_QUIET_MIN, &cols, &lines);
	assert_int_equal(cols, 41);
	assert_int_equal(lines, 21);
	qr_size(q, QR_UTF8, QR_QUIET_SPEC, &cols, &lines);
	assert_int_equal(cols, 45);
	assert_int_equal(lines, 23);
	qr_size(q, QR_ASCII, QR_QUIET_SPEC, &cols, &lines);
	assert_int_equal(cols, 90);
	assert_int_equal(lines, 45);
	qr_free(q);
}

/* The error correction level goes up as long as the size stays. */
static void
test_highest_level_of_the_smallest_version(void **state)
{
	struct oidc_qrcode *q = NULL;
	QRcode *l, *m;

	/* 80 bytes: version 5 at L, and M (84 bytes) still fits in it. */
	l = QRcode_encodeString8bit(URL80, 0, QR_ECLEVEL_L);
	m = QRcode_encodeString8bit(URL80, 0, QR_ECLEVEL_M);
	assert_non_null(l);
	assert_non_null(m);
	assert_int_equal(l->version, m->version);
	assert_int_equal(qr_encode(URL80, &q), 0);
	assert_int_equal(qr_modules(q), l->width);
	assert_int_equal(qr_level(q), 1);
	QRcode_free(l);
	QRcode_free(m);
	qr_free(q);
	/* 16 bytes fill version 1 at L: no better level fits it. */
	assert_int_equal(qr_encode("https://a.test/d", &q), 0);
	assert_int_equal(qr_modules(q), 21);
	assert_int_equal(qr_level(q), 0);
	qr_free(q);
	/* 7 bytes: version 1 at H. */
	assert_int_equal(qr_encode("https:x", &q), 0);
	assert_int_equal(qr_modules(q), 21);
	assert_int_equal(qr_level(q), 3);
	qr_free(q);
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
test_qr_off_and_auto_are_not_styles(void **state)
{
	struct oidc_qrcode *q = NULL;
	char *out = NULL;

	assert_int_equal(qr_render(URL, QR_OFF, &out), OIDC_ERR_INVALID);
	assert_int_equal(qr_render(URL, QR_AUTO, &out), OIDC_ERR_INVALID);
	assert_null(out);
	assert_int_equal(qr_encode(URL, &q), 0);
	assert_int_equal(qr_draw(q, QR_OFF, 2, &out), OIDC_ERR_INVALID);
	assert_int_equal(qr_draw(q, QR_UTF8, -1, &out), OIDC_ERR_INVALID);
	assert_int_equal(qr_draw(q, QR_UTF8, 5, &out), OIDC_ERR_INVALID);
	assert_null(out);
	qr_free(q);
	qr_free(NULL);
}

static void
test_overlong_text_refused(void **state)
{
	char *big = malloc(OIDC_MAX_FIELD + 2), *out = NULL;

	memset(big, 'a', OIDC_MAX_FIELD + 1);
	big[OIDC_MAX_FIELD + 1] = '\0';
	assert_int_equal(qr_render(big, QR_UTF8, &out), OIDC_ERR_INVALID);
	assert_null(out);
	assert_int_equal(qr_render("", QR_UTF8, &out), OIDC_ERR_INVALID);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_lines_have_equal_width),
		cmocka_unit_test(test_utf8_starts_with_quiet_zone_rows),
		cmocka_unit_test(test_utf8_two_module_quiet_zone),
		cmocka_unit_test(test_80_character_link_is_version_5),
		cmocka_unit_test(test_highest_level_of_the_smallest_version),
		cmocka_unit_test(test_ascii_uses_only_hash_space_newline),
		cmocka_unit_test(test_different_text_gives_different_code),
		cmocka_unit_test(test_qr_off_and_auto_are_not_styles),
		cmocka_unit_test(test_overlong_text_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
