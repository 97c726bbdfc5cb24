/*
 * lang: choosing the person's language and terminal, loading catalogs,
 * and falling back to English.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include <locale.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "fixtures.h"
#include "lang.h"
#include "mo.h"

static void
choose(const char *lc_all, const char *lc_messages, const char *lc_ctype,
    const char *lang, const char *service, const char *def,
    struct oidc_lang *out)
{
	struct oidc_lang_env env = { lc_all, lc_messages, lc_ctype, lang };

	lang_choose(&env, service, def, out);
}

static void
test_names(void **state)
{
	assert_true(lang_name_ok("de"));
	assert_true(lang_name_ok("ja_JP.UTF-8"));
	assert_true(lang_name_ok("de_DE.ISO-8859-15@euro"));
	assert_true(lang_name_ok("C"));
	assert_false(lang_name_ok(NULL));
	assert_false(lang_name_ok(""));
	assert_false(lang_name_ok("../../etc"));
	assert_false(lang_name_ok("de/LC_MESSAGES"));
	assert_false(lang_name_ok(".."));
	assert_false(lang_name_ok("-de"));
	assert_false(lang_name_ok("de DE"));
	assert_false(lang_name_ok("de\n"));
	assert_false(lang_name_ok("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
				  "aaaaaaaaaaaaaaaaaaaaa"));
	assert_true(lang_name_utf8("ja_JP.UTF-8"));
	assert_true(lang_name_utf8("ja_JP.utf8"));
	assert_true(lang_name_utf8("C.UTF-8@x"));
	assert_false(lang_name_utf8("de_DE"));
	assert_false(lang_name_utf8("de_DE.ISO-8859-1"));
	assert_false(lang_name_utf8("C"));
}

/* LC_ALL, then LC_MESSAGES, then LANG; set and valid ones only. */
static void
test_pam_environment_precedence(void **state)
{
	struct oidc_lang l;

	choose("ja_JP.UTF-8", "de_DE.UTF-8", NULL, "fr_FR.UTF-8", "sudo", "en",
	    &l);
	assert_string_equal(l.name, "ja_JP.UTF-8");
	choose(NULL, "de_DE.UTF-8", NULL, "fr_FR.UTF-8", "sudo", "en", &l);
	assert_string_equal(l.name, "de_DE.UTF-8");
	choose("", "", NULL, "fr_FR.UTF-8", "sudo", "en", &l);
	assert_string_equal(l.name, "fr_FR.UTF-8");
	/* An invalid name is passed over, never used. */
	choose("../../tmp/x", NULL, NULL, "de_DE.UTF-8", "sudo", "en", &l);
	assert_string_equal(l.name, "de_DE.UTF-8");
	/* C in the environment is a choice: English, not the default. */
	choose(NULL, NULL, NULL, "C", "sudo", "de", &l);
	assert_string_equal(l.name, "C");
	/* Nothing at all (the test program never set a locale): default. */
	choose(NULL, NULL, NULL, NULL, "sshd", "ja", &l);
	assert_string_equal(l.name, "ja");
	choose(NULL, NULL, NULL, NULL, "sshd", NULL, &l);
	assert_string_equal(l.name, "C");
	choose(NULL, NULL, NULL, NULL, "sshd", "../x", &l);
	assert_string_equal(l.name, "C");
}

/* The terminal: LC_ALL, then LC_CTYPE, then LANG, by codeset. */
static void
test_terminal_codeset(void **state)
{
	struct oidc_lang l;

	choose(NULL, NULL, NULL, "de_DE.UTF-8", "sudo", NULL, &l);
	assert_int_equal(l.utf8, 1);
	choose(NULL, NULL, "C", "de_DE.UTF-8", "sudo", NULL, &l);
	assert_int_equal(l.utf8, 0);
	choose("C.UTF-8", NULL, "C", NULL, "sudo", NULL, &l);
	assert_int_equal(l.utf8, 1);
	choose(NULL, NULL, NULL, "de_DE.ISO-8859-1", "sshd", NULL, &l);
	assert_int_equal(l.utf8, 0);
	/* Unknown (plain C application, no environment): sshd only. */
	choose(NULL, NULL, NULL, NULL, "sudo", NULL, &l);
	assert_int_equal(l.utf8, 0);
	choose(NULL, NULL, NULL, NULL, "sshd", NULL, &l);
	assert_int_equal(l.utf8, 1);
	choose(NULL, NULL, NULL, NULL, NULL, NULL, &l);
	assert_int_equal(l.utf8, 0);
}

/*
 * The application's locale is read for the calling thread (uselocale),
 * and choosing changes neither it nor the process's.
 */
static void
test_application_locale_read_not_changed(void **state)
{
	locale_t utf8 = newlocale(LC_ALL_MASK, "C.UTF-8", (locale_t)0), old;
	char before[256];
	struct oidc_lang l;

	if (utf8 == (locale_t)0)
		skip();
	assert_true(snprintf(before, sizeof(before), "%s",
			setlocale(LC_ALL, NULL)) > 0);
	old = uselocale(utf8);
	choose(NULL, NULL, NULL, NULL, "sudo", "de", &l);
	assert_int_equal(l.utf8, 1);
	/* C.UTF-8 names no language: the default. */
	assert_string_equal(l.name, "de");
	assert_true(uselocale((locale_t)0) == utf8);
	assert_string_equal(setlocale(LC_ALL, NULL), before);
	uselocale(old);
	freelocale(utf8);
	choose(NULL, NULL, NULL, NULL, "sudo", NULL, &l);
	assert_int_equal(l.utf8, 0);
}

struct dir {
	char *root;
};

static int
setup_dir(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	d->root = fix_tmpdir();
	*state = d;
	return 0;
}

static int
teardown_dir(void **state)
{
	struct dir *d = *state;

	fix_rmtree(d->root);
	free(d->root);
	free(d);
	return 0;
}

/* DIR/NAME/LC_MESSAGES/pam_oidc.mo with the given pairs. */
static void
put_catalog(const char *root, const char *name, const char *const *pairs,
    size_t n, mode_t mode)
{
	char *dir = fix_strdupf("%s/%s", root, name), *path;
	unsigned char *m;
	size_t len;
	FILE *f;

	assert_int_equal(mkdir(dir, 0755), 0);
	free(dir);
	dir = fix_strdupf("%s/%s/LC_MESSAGES", root, name);
	assert_int_equal(mkdir(dir, 0755), 0);
	path = fix_strdupf("%s/pam_oidc.mo", dir);
	m = mo_build(pairs, n, &len);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(m, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	free(m);
	free(path);
	free(dir);
}

static const char *const xx[] = { "", MO_UTF8_HEADER, "Code:", "XX-Code:" };

/* ll_CC@mod, ll_CC, ll@mod, ll: the first catalog there is. */
static void
test_load_finds_catalog_by_language(void **state)
{
	struct dir *d = *state;
	struct oidc_lang l;

	put_catalog(d->root, "xx", xx, 2, 0644);
	choose(NULL, NULL, NULL, "xx_YY.UTF-8@mod", "sudo", NULL, &l);
	assert_int_equal(lang_load(&l, d->root), 0);
	assert_non_null(l.cat);
	assert_non_null(strstr(l.path, "/xx/LC_MESSAGES/pam_oidc.mo"));
	assert_string_equal(lang_get(&l, "Code:"), "XX-Code:");
	lang_unload(&l);
	/* A nearer one wins. */
	put_catalog(d->root, "xx_YY", xx, 2, 0644);
	assert_int_equal(lang_load(&l, d->root), 0);
	assert_non_null(strstr(l.path, "/xx_YY/LC_MESSAGES/pam_oidc.mo"));
	lang_unload(&l);
}

/* A catalog that lacks a message: that one message in English. */
static void
test_missing_message_falls_back_to_english(void **state)
{
	struct dir *d = *state;
	struct oidc_lang l;

	put_catalog(d->root, "xx", xx, 2, 0644);
	choose(NULL, NULL, NULL, "xx.UTF-8", "sudo", NULL, &l);
	assert_int_equal(lang_load(&l, d->root), 0);
	assert_string_equal(lang_get(&l, "Code:"), "XX-Code:");
	assert_string_equal(lang_get(&l, "Open:"), "Open:");
	assert_string_equal(lang_get(NULL, "Open:"), "Open:");
	lang_unload(&l);
}

static void
test_no_catalog_means_english(void **state)
{
	struct dir *d = *state;
	struct oidc_lang l;

	put_catalog(d->root, "xx", xx, 2, 0644);
	/* No such language. */
	choose(NULL, NULL, NULL, "zz_ZZ.UTF-8", "sudo", NULL, &l);
	assert_int_equal(lang_load(&l, d->root), 0);
	assert_null(l.cat);
	assert_string_equal(l.path, "");
	assert_string_equal(lang_get(&l, "Code:"), "Code:");
	/* C and POSIX are English. */
	choose(NULL, NULL, NULL, "C.UTF-8", "sudo", NULL, &l);
	assert_int_equal(lang_load(&l, d->root), 0);
	assert_null(l.cat);
	/* A terminal without UTF-8 reads English (the catalogs are UTF-8). */
	choose(NULL, NULL, NULL, "xx_YY.ISO-8859-1", "sudo", NULL, &l);
	assert_int_equal(lang_load(&l, d->root), 0);
	assert_null(l.cat);
	assert_string_equal(lang_get(&l, "Code:"), "Code:");
}

/* A catalog others could rewrite could put words in the module's mouth. */
static void
test_unsafe_catalog_ignored(void **state)
{
	struct dir *d = *state;
	struct oidc_lang l;
	char *path;

	put_catalog(d->root, "xx", xx, 2, 0666);
	path = fix_strdupf("%s/xx/LC_MESSAGES/pam_oidc.mo", d->root);
	assert_int_equal(chmod(path, 0666), 0);
	choose(NULL, NULL, NULL, "xx.UTF-8", "sudo", NULL, &l);
	assert_int_equal(lang_load(&l, d->root), 0);
	assert_null(l.cat);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_pam_environment_precedence),
		cmocka_unit_test(test_terminal_codeset),
		cmocka_unit_test(test_application_locale_read_not_changed),
		cmocka_unit_test_setup_teardown(
		    test_load_finds_catalog_by_language, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_missing_message_falls_back_to_english, setup_dir,
		    teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_no_catalog_means_english, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(
		    test_unsafe_catalog_ignored, setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
