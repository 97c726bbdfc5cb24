/*
 * sanitize: terminal-safe text and verification URL checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include "fixtures.h"
#include "sanitize.h"

static char *
san(const char *in, size_t max)
{
	char *out = NULL;

	assert_int_equal(sanitize_text(in, max, &out), 0);
	assert_non_null(out);
	return out;
}

static void
expect(const char *in, size_t max, const char *want)
{
	char *out = san(in, max);

	assert_string_equal(out, want);
	free(out);
}

/* No byte below 0x20, DEL, nor a C1 control encoded as UTF-8. */
static void
assert_terminal_safe(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		assert_true(*p >= 0x20);
		assert_true(*p != 0x7f);
		if (p[0] == 0xc2)
			assert_false(p[1] >= 0x80 && p[1] <= 0x9f);
	}
}

static void
test_plain_text_kept(void **state)
{
	expect("ABCD-EFGH", 64, "ABCD-EFGH");
	expect("Sign in, please: 1234", 64, "Sign in, please: 1234");
}

static void
test_non_latin_utf8_kept(void **state)
{
	expect("Gr\xc3\xbc\xc3\x9f"
	       "e",
	    64,
	    "Gr\xc3\xbc\xc3\x9f"
	    "e");
	expect("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e", 64,
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
	expect("\xf0\x9f\x94\x91 key", 64, "\xf0\x9f\x94\x91 key");
}

static void
test_csi_escape_removed(void **state)
{
	char *out = san("AB\x1b[2J\x1b[31mCD", 64);

	assert_null(strchr(out, '\x1b'));
	assert_terminal_safe(out);
	assert_non_null(strstr(out, "AB"));
	assert_non_null(strstr(out, "CD"));
	free(out);
}

static void
test_osc52_clipboard_sequence_neutralised(void **state)
{
	char *out = san("X\x1b]52;c;ZXZpbA==\x07Y", 64);

	assert_null(strchr(out, '\x1b'));
	assert_null(strchr(out, '\x07'));
	assert_terminal_safe(out);
	assert_int_equal(out[0], 'X');
	assert_int_equal(out[strlen(out) - 1], 'Y');
	free(out);
}

static void
test_cr_lf_tab_removed(void **state)
{
	expect("AB\r\nCD\tE", 64, "ABCDE");
}

static void
test_bidi_override_removed(void **state)
{
	expect("abc\xe2\x80\xae"
	       "fed",
	    64, "abcfed");
	expect("\xe2\x81\xa6x\xe2\x81\xa9", 64, "x"); /* U+2066, U+2069 */
}

static void
test_zero_width_space_removed(void **state)
{
	expect("AB\xe2\x80\x8b"
	       "CD",
	    64, "ABCD");
}

static void
test_bom_removed(void **state)
{
	expect("\xef\xbb\xbf"
	       "ABCD",
	    64, "ABCD");
}

static void
test_c1_csi_removed(void **state)
{
	expect("A\xc2\x9b"
	       "31mB",
	    64, "A31mB");
	expect("A\xc2\x85"
	       "B",
	    64, "AB"); /* NEL */
}

static void
test_del_removed(void **state)
{
	expect("A\x7f"
	       "B",
	    64, "AB");
}

static void
test_cap_never_splits_utf8(void **state)
{
	/* "Grü": ü is two bytes at offset 2; a cap of 3 must stop before. */
	expect("Gr\xc3\xbc\xc3\x9f"
	       "e",
	    3, "Gr");
	expect("Gr\xc3\xbc\xc3\x9f"
	       "e",
	    4, "Gr\xc3\xbc");
	expect("\xe6\x97\xa5\xe6\x9c\xac", 5, "\xe6\x97\xa5");
	expect("\xf0\x9f\x94\x91", 3, "");
	expect("abcdef", 4, "abcd");
}

static void
test_cap_counts_bytes_kept_not_dropped(void **state)
{
	/* Removed characters do not use up the budget. */
	expect("\x1b\x1b\x1b\x1b"
	       "abcd",
	    4, "abcd");
}

static void
test_invalid_utf8_dropped(void **state)
{
	expect("a\xff"
	       "b",
	    64, "ab");
	expect("a\xc3"
	       "b",
	    64, "ab"); /* truncated sequence */
	expect("a\xc0\xaf"
	       "b",
	    64, "ab"); /* overlong '/' */
	expect("a\xed\xa0\x80"
	       "b",
	    64, "ab"); /* surrogate */
	expect("a\xf4\x90\x80\x80"
	       "b",
	    64, "ab"); /* > U+10FFFF */
	expect("a\x80"
	       "b",
	    64, "ab"); /* lone continuation */
}

static void
test_url_https_accepted(void **state)
{
	assert_int_equal(
	    sanitize_check_url("https://idp.test/device", 2048), 0);
	assert_int_equal(
	    sanitize_check_url(
		"https://idp.test/device?user_code=ABCD-EFGH", 2048),
	    0);
	/* An @ in the path is not userinfo. */
	assert_int_equal(sanitize_check_url("https://idp.test/u/a@b", 2048), 0);
}

static void
test_url_http_refused(void **state)
{
	assert_int_equal(sanitize_check_url("http://idp.test/device", 2048),
	    OIDC_ERR_PROTOCOL);
	assert_int_equal(
	    sanitize_check_url("HTTPS://idp.test/", 2048), OIDC_ERR_PROTOCOL);
	assert_int_equal(
	    sanitize_check_url("javascript:alert(1)", 2048), OIDC_ERR_PROTOCOL);
	assert_int_equal(sanitize_check_url(NULL, 2048), OIDC_ERR_PROTOCOL);
}

static void
test_url_userinfo_refused(void **state)
{
	assert_int_equal(sanitize_check_url("https://idp@evil.example/", 2048),
	    OIDC_ERR_PROTOCOL);
	assert_int_equal(sanitize_check_url("https://u:p@evil.example", 2048),
	    OIDC_ERR_PROTOCOL);
	assert_int_equal(
	    sanitize_check_url("https://idp.test@evil.example?x", 2048),
	    OIDC_ERR_PROTOCOL);
}

/* A browser reads \\ as /: the host would be evil.example. */
static void
test_url_backslash_and_odd_hosts_refused(void **state)
{
	static const char *const bad[] = {
		"https://evil.example\\.idp.test/device",
		"https://idp.test/dev\\ice",
		"https://idp.test%2f@evil/",
		"https://idp.test;evil/",
		"https://idp_test/",
		"https://idp.test!/",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(
		    sanitize_check_url(bad[i], 2048), OIDC_ERR_PROTOCOL);
	assert_int_equal(
	    sanitize_check_url("https://[::1]:8443/device", 2048), 0);
	assert_int_equal(
	    sanitize_check_url("https://127.0.0.1:8443/device?x=%41", 2048), 0);
}

static void
test_url_empty_host_refused(void **state)
{
	assert_int_equal(
	    sanitize_check_url("https://", 2048), OIDC_ERR_PROTOCOL);
	assert_int_equal(
	    sanitize_check_url("https:///path", 2048), OIDC_ERR_PROTOCOL);
}

static void
test_url_space_and_controls_refused(void **state)
{
	assert_int_equal(sanitize_check_url("https://idp.test/a b", 2048),
	    OIDC_ERR_PROTOCOL);
	assert_int_equal(sanitize_check_url("https://idp.test/\x1b[2J", 2048),
	    OIDC_ERR_PROTOCOL);
	assert_int_equal(
	    sanitize_check_url("https://idp.test/\n", 2048), OIDC_ERR_PROTOCOL);
	assert_int_equal(sanitize_check_url("https://idp.test/\x7f", 2048),
	    OIDC_ERR_PROTOCOL);
	assert_int_equal(sanitize_check_url("https://id\xc3\xa9.test/", 2048),
	    OIDC_ERR_PROTOCOL);
}

static void
test_url_too_long_refused(void **state)
{
	char url[128];

	memset(url, 'a', sizeof(url));
	memcpy(url, "https://idp.test/", 17);
	url[100] = '\0';
	assert_int_equal(sanitize_check_url(url, 100), 0);
	assert_int_equal(sanitize_check_url(url, 99), OIDC_ERR_PROTOCOL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text_kept),
		cmocka_unit_test(test_non_latin_utf8_kept),
		cmocka_unit_test(test_csi_escape_removed),
		cmocka_unit_test(test_osc52_clipboard_sequence_neutralised),
		cmocka_unit_test(test_cr_lf_tab_removed),
		cmocka_unit_test(test_bidi_override_removed),
		cmocka_unit_test(test_zero_width_space_removed),
		cmocka_unit_test(test_bom_removed),
		cmocka_unit_test(test_c1_csi_removed),
		cmocka_unit_test(test_del_removed),
		cmocka_unit_test(test_cap_never_splits_utf8),
		cmocka_unit_test(test_cap_counts_bytes_kept_not_dropped),
		cmocka_unit_test(test_invalid_utf8_dropped),
		cmocka_unit_test(test_url_https_accepted),
		cmocka_unit_test(test_url_http_refused),
		cmocka_unit_test(test_url_userinfo_refused),
		cmocka_unit_test(test_url_empty_host_refused),
		cmocka_unit_test(test_url_backslash_and_odd_hosts_refused),
		cmocka_unit_test(test_url_space_and_controls_refused),
		cmocka_unit_test(test_url_too_long_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
