/*
 * catalog: reading .mo files, refusing broken ones, dropping entries
 * that would not print safely, and the shipped catalogs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include "catalog.h"
#include "fixtures.h"
#include "lang.h"
#include "mo.h"

static const char *const good[] = {
	"",
	MO_UTF8_HEADER,
	"Code:",
	"Code:",
	"Open:",
	"\xc3\x96"
	"ffnen:",
	"Sign-in for %s to %s on %s.",
	"%3$s \xe3\x81\xae %2$s %1$s",
	"Valid until %s (%ld min left).",
	"G\xc3\xbcltig bis %s (noch %ld Min.).",
};

static struct oidc_catalog *
parse_ok(const char *const *pairs, size_t n)
{
	struct oidc_catalog *c = NULL;
	unsigned char *m;
	size_t len;

	m = mo_build(pairs, n, &len);
	assert_int_equal(catalog_parse(m, len, &c), 0);
	free(m);
	return c;
}

static void
test_lookup(void **state)
{
	struct oidc_catalog *c = parse_ok(good, 5);

	assert_int_equal(catalog_entries(c), 4);
	assert_string_equal(catalog_lookup(c, "Open:"),
	    "\xc3\x96"
	    "ffnen:");
	assert_string_equal(catalog_lookup(c, "Sign-in for %s to %s on %s."),
	    "%3$s \xe3\x81\xae %2$s %1$s");
	/* Not in the catalog: NULL, and the caller shows the English. */
	assert_null(catalog_lookup(c, "Link:"));
	assert_null(catalog_lookup(c, ""));
	assert_null(catalog_lookup(NULL, "Code:"));
	catalog_free(c);
	catalog_free(NULL);
}

static void
test_big_endian_file(void **state)
{
	struct oidc_catalog *c = NULL;
	unsigned char *m;
	size_t len;

	m = mo_build_n(good, NULL, 5, 1, &len);
	assert_int_equal(catalog_parse(m, len, &c), 0);
	assert_string_equal(catalog_lookup(c, "Code:"), "Code:");
	catalog_free(c);
	free(m);
}

static void
test_catalog_must_be_utf8(void **state)
{
	static const char *const latin1[] = { "",
		"Content-Type: text/plain; charset=ISO-8859-1\n", "Open:",
		"\xd6"
		"ffnen:" };
	static const char *const none[] = { "Open:", "Offnen:" };
	struct oidc_catalog *c = NULL;
	unsigned char *m;
	size_t len;

	m = mo_build(latin1, 2, &len);
	assert_int_equal(catalog_parse(m, len, &c), OIDC_ERR_INVALID);
	free(m);
	m = mo_build(none, 1, &len);
	assert_int_equal(catalog_parse(m, len, &c), OIDC_ERR_INVALID);
	free(m);
	assert_null(c);
}

/* Every offset and length is checked against the file. */
static void
test_broken_files_refused(void **state)
{
	struct oidc_catalog *c = NULL;
	unsigned char *m;
	size_t len, at;

	m = mo_build(good, 5, &len);
	/* Cut anywhere, the last string loses its end: refused. */
	for (at = 0; at < len; at++)
		assert_int_equal(catalog_parse(m, at, &c), OIDC_ERR_INVALID);
	assert_null(c);
	/* Bad magic, revision, counts and offsets. */
	m[0] ^= 1;
	assert_int_equal(catalog_parse(m, len, &c), OIDC_ERR_INVALID);
	m[0] ^= 1;
	m[6] = 2; /* major revision 2 */
	assert_int_equal(catalog_parse(m, len, &c), OIDC_ERR_INVALID);
	m[6] = 0;
	mo_put32(m + 8, 0x7fffffff, 0);
	assert_int_equal(catalog_parse(m, len, &c), OIDC_ERR_INVALID);
	mo_put32(m + 8, 5, 0);
	mo_put32(m + 16, (uint32_t)len, 0);
	assert_int_equal(catalog_parse(m, len, &c), OIDC_ERR_INVALID);
	mo_put32(m + 16, 28 + 8 * 5, 0);
	/* A string's length running past the file. */
	mo_put32(m + 28 + 8, 0xffffff00u, 0);
	assert_int_equal(catalog_parse(m, len, &c), OIDC_ERR_INVALID);
	/* Sound again. */
	mo_put32(m + 28 + 8, 5, 0);
	assert_int_equal(catalog_parse(m, len, &c), 0);
	catalog_free(c);
	free(m);
	assert_int_equal(catalog_parse("", 0, &c), OIDC_ERR_INVALID);
}

/*
 * Translations that would print wrongly or unsafely are dropped, so the
 * English shows for them: other arguments than the msgid's, %n, '*',
 * control characters, invalid UTF-8, bidi overrides, empty ones.
 */
static void
test_bad_translations_dropped(void **state)
{
	static const char *const pairs[] = {
		"",
		MO_UTF8_HEADER,
		"A %s.",
		"A %d.",
		"B %ld.",
		"B %ld %n.",
		"C %s %s.",
		"C %1$s %1$s.",
		"D %s.",
		"D %*s.",
		"E.",
		"E\x1b[2J.",
		"F.",
		"F\n.",
		"G.",
		"G \xc3.",
		"H.",
		"H \xe2\x80\xae.",
		"I.",
		"",
		"J %s and %ld.",
		"J %2$ld und %1$s.",
		"K 100%%.",
		"K 100 %%.",
	};
	struct oidc_catalog *c = parse_ok(pairs, 12);

	assert_null(catalog_lookup(c, "A %s."));
	assert_null(catalog_lookup(c, "B %ld."));
	assert_null(catalog_lookup(c, "C %s %s."));
	assert_null(catalog_lookup(c, "D %s."));
	assert_null(catalog_lookup(c, "E."));
	assert_null(catalog_lookup(c, "F."));
	assert_null(catalog_lookup(c, "G."));
	assert_null(catalog_lookup(c, "H."));
	assert_null(catalog_lookup(c, "I."));
	assert_string_equal(
	    catalog_lookup(c, "J %s and %ld."), "J %2$ld und %1$s.");
	assert_string_equal(catalog_lookup(c, "K 100%%."), "K 100 %%.");
	assert_int_equal(catalog_entries(c), 2);
	catalog_free(c);
}

/* Plural forms and contexts are not used: skipped, not refused. */
static void
test_plural_and_context_entries_skipped(void **state)
{
	static const char *const pairs[] = { "", MO_UTF8_HEADER, "file\0files",
		"Datei\0Dateien", "ctx\x04Open:", "x", "Open:",
		"\xc3\x96"
		"ffnen:" };
	static const size_t lens[] = { 0, sizeof(MO_UTF8_HEADER) - 1, 10, 14, 9,
		1, 5, 8 };
	struct oidc_catalog *c = NULL;
	unsigned char *m;
	size_t len;

	m = mo_build_n(pairs, lens, 4, 0, &len);
	assert_int_equal(catalog_parse(m, len, &c), 0);
	assert_int_equal(catalog_entries(c), 1);
	assert_null(catalog_lookup(c, "file"));
	assert_string_equal(catalog_lookup(c, "Open:"),
	    "\xc3\x96"
	    "ffnen:");
	catalog_free(c);
	free(m);
}

static void
test_format_check(void **state)
{
	assert_true(catalog_format_ok("no args", "keine"));
	assert_true(catalog_format_ok("%s %ld", "%s %ld"));
	assert_true(catalog_format_ok("%s %ld", "%2$ld %1$s"));
	assert_true(catalog_format_ok("%s %s %s", "%3$s %2$s %1$s"));
	assert_true(catalog_format_ok("%zu%%", "%zu %%"));
	assert_false(catalog_format_ok("%s %ld", "%s"));
	assert_false(catalog_format_ok("%s %ld", "%s %ld %s"));
	assert_false(catalog_format_ok("%s %ld", "%ld %s"));
	assert_false(catalog_format_ok("%s %ld", "%1$s %ld"));
	assert_false(catalog_format_ok("%s", "%17$s"));
	assert_false(catalog_format_ok("%s", "%0$s"));
	assert_false(catalog_format_ok("%s", "%p"));
	assert_false(catalog_format_ok("%s", "%n"));
	assert_false(catalog_format_ok("%s", "%.*s"));
	assert_false(catalog_format_ok("%s", "%s%"));
	assert_false(catalog_format_ok("%p", "%p"));
}

/*
 * The shipped catalogs: every message of the template is kept by the
 * checks above (a translation dropped here would show in English).
 */
static void
test_shipped_catalogs_keep_every_message(void **state)
{
	static const char *const names[] = { "de_DE.UTF-8", "ja_JP.UTF-8" };
	struct oidc_lang_env env = { 0 };
	struct oidc_lang l;
	char line[512];
	size_t i, msgs = 0;
	FILE *f;

	assert_non_null(f = fopen("pam_oidc/po/pam_oidc.pot", "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		msgs += strncmp(line, "msgstr ", 7) == 0;
	(void)fclose(f);
	assert_true(msgs > 20);
	msgs--; /* the header */
	for (i = 0; i < 2; i++) {
		env.lang = names[i];
		lang_choose(&env, "sudo", NULL, &l);
		assert_int_equal(lang_load(&l, TEST_LOCALEDIR), 0);
		assert_non_null(l.cat);
		assert_int_equal(catalog_entries(l.cat), msgs);
		lang_unload(&l);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_big_endian_file),
		cmocka_unit_test(test_catalog_must_be_utf8),
		cmocka_unit_test(test_broken_files_refused),
		cmocka_unit_test(test_bad_translations_dropped),
		cmocka_unit_test(test_plural_and_context_entries_skipped),
		cmocka_unit_test(test_format_check),
		cmocka_unit_test(test_shipped_catalogs_keep_every_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
