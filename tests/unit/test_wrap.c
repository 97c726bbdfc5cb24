/*
 * wrap: display width and line breaking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include <locale.h>
#include <wchar.h>

#include "catalog.h"
#include "fixtures.h"
#include "lang.h"
#include "wrap.h"

static int
width(const char *s)
{
	return wrap_width(s, strlen(s));
}

static void
test_width_counts_columns_not_bytes(void **state)
{
	assert_int_equal(width("Code:"), 5);
	assert_int_equal(width(""), 0);
	/* 日本語: three wide characters, nine bytes. */
	assert_int_equal(width("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"), 6);
	/* （残り 5 分）: fullwidth brackets too. */
	assert_int_equal(width("\xef\xbc\x88\xe6\xae\x8b\xe3\x82\x8a 5 "
			       "\xe5\x88\x86\xef\xbc\x89"),
	    13);
	/* ü and a combining diaeresis: one column each way. */
	assert_int_equal(width("\xc3\xbc"), 1);
	assert_int_equal(width("u\xcc\x88"), 1);
	/* Halfwidth katakana ｱ: one column; block elements: one. */
	assert_int_equal(width("\xef\xbd\xb1"), 1);
	assert_int_equal(width("\xe2\x96\x88\xe2\x96\x80"), 2);
	/* Only the first len bytes. */
	assert_int_equal(wrap_width("abcdef", 3), 3);
}

/*
 * The built-in widths agree with the C library's for every character of
 * the shipped translations, where a UTF-8 locale is there to ask.
 */
static void
test_width_agrees_with_wcwidth_for_the_catalogs(void **state)
{
	static const char *const po[] = { "pam_oidc/po/de.po",
		"pam_oidc/po/ja.po" };
	locale_t loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0), old;
	const char *p, *end;
	char *buf;
	size_t i, n, len;
	wchar_t wc;
	mbstate_t mb;
	FILE *f;
	int checked = 0, wide = 0;

	if (loc == (locale_t)0)
		skip();
	old = uselocale(loc);
	for (i = 0; i < sizeof(po) / sizeof(po[0]); i++) {
		assert_non_null(f = fopen(po[i], "rb"));
		assert_non_null(buf = malloc(CATALOG_MAX_SIZE));
		len = fread(buf, 1, CATALOG_MAX_SIZE, f);
		(void)fclose(f);
		memset(&mb, 0, sizeof(mb));
		for (p = buf, end = buf + len; p < end; p += n) {
			n = mbrtowc(&wc, p, (size_t)(end - p), &mb);
			assert_true(n != (size_t)-1 && n != (size_t)-2);
			if (n == 0)
				n = 1;
			if (wc < 0x20)
				continue;
			assert_int_equal(
			    wrap_cp_width((unsigned long)wc), wcwidth(wc));
			checked++;
			wide += wcwidth(wc) == 2;
		}
		free(buf);
	}
	uselocale(old);
	freelocale(loc);
	assert_true(checked > 1000);
	assert_true(wide > 100);
}

static void
test_wrap_at_spaces(void **state)
{
	struct oidc_lines l = { 0 };

	assert_int_equal(
	    wrap_text("Scan the QR code, or open the page and enter the code.",
		20, &l),
	    0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0], "Scan the QR code, or");
	assert_string_equal(l.v[1], "open the page and");
	assert_string_equal(l.v[2], "enter the code.");
	lines_free(&l);
	/* Fits: one line, as it is. */
	assert_int_equal(wrap_text("Code:  WDJB-MJHT", 80, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "Code:  WDJB-MJHT");
	lines_free(&l);
	/* Empty text: one empty line. */
	assert_int_equal(wrap_text("", 80, &l), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "");
	lines_free(&l);
	assert_int_equal(wrap_text("x", 0, &l), OIDC_ERR_INVALID);
}

static void
test_wrap_cuts_a_word_wider_than_the_line(void **state)
{
	struct oidc_lines l = { 0 };

	assert_int_equal(wrap_text("ab https://idp.test/x", 8, &l), 0);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0], "ab");
	assert_string_equal(l.v[1], "https://");
	assert_string_equal(l.v[2], "idp.test");
	assert_string_equal(l.v[3], "/x");
	lines_free(&l);
}

/*
 * Japanese: lines break between characters, by width, never before
 * 。 or ） and never after （.
 */
static void
test_wrap_japanese_by_width(void **state)
{
	/* まだ承認されていません。コードの有効期限は 17:52 です（残り 5 分）。 */
	const char *t = "\xe3\x81\xbe\xe3\x81\xa0\xe6\x89\xbf\xe8\xaa\x8d"
			"\xe3\x81\x95\xe3\x82\x8c\xe3\x81\xa6\xe3\x81\x84"
			"\xe3\x81\xbe\xe3\x81\x9b\xe3\x82\x93\xe3\x80\x82"
			"\xe3\x82\xb3\xe3\x83\xbc\xe3\x83\x89\xe3\x81\xae"
			"\xe6\x9c\x89\xe5\x8a\xb9\xe6\x9c\x9f\xe9\x99\x90"
			"\xe3\x81\xaf 17:52 \xe3\x81\xa7\xe3\x81\x99"
			"\xef\xbc\x88\xe6\xae\x8b\xe3\x82\x8a 5 \xe5\x88\x86"
			"\xef\xbc\x89\xe3\x80\x82";
	struct oidc_lines l = { 0 };
	size_t i;
	int cols;

	for (cols = 10; cols <= 40; cols++) {
		assert_int_equal(wrap_text(t, cols, &l), 0);
		assert_true(l.n >= 2);
		for (i = 0; i < l.n; i++) {
			assert_true(width(l.v[i]) <= cols);
			/* No line starts with 。 、 ） or ends with （. */
			assert_true(strncmp(l.v[i], "\xe3\x80\x82", 3) != 0);
			assert_true(strncmp(l.v[i], "\xef\xbc\x89", 3) != 0);
			assert_true(strlen(l.v[i]) < 3 ||
			    strcmp(l.v[i] + strlen(l.v[i]) - 3,
				"\xef\xbc\x88") != 0);
		}
		lines_free(&l);
	}
	/* Twenty columns: ten characters, not twenty bytes' worth. */
	assert_int_equal(wrap_text(t, 20, &l), 0);
	assert_int_equal(width(l.v[0]), 20);
	lines_free(&l);
}

static void
test_lines_bounded(void **state)
{
	struct oidc_lines l = { 0 };

	assert_int_equal(lines_add(&l, "a\0b", 3), OIDC_ERR_INVALID);
	assert_int_equal(lines_add(&l, "ab", 2), 0);
	assert_int_equal(l.n, 1);
	lines_free(&l);
	lines_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width_counts_columns_not_bytes),
		cmocka_unit_test(
		    test_width_agrees_with_wcwidth_for_the_catalogs),
		cmocka_unit_test(test_wrap_at_spaces),
		cmocka_unit_test(test_wrap_cuts_a_word_wider_than_the_line),
		cmocka_unit_test(test_wrap_japanese_by_width),
		cmocka_unit_test(test_lines_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
