/*
 * b64url: strict base64url, no padding or whitespace, zero trailing bits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include "fixtures.h"

static int
dec(const char *s)
{
	unsigned char *out = NULL;
	size_t n = 0;
	int r = b64url_decode(s, strlen(s), &out, &n);

	free(out);
	return r;
}

static void
test_round_trip_every_length(void **state)
{
	unsigned char in[64], *out;
	size_t i, len, n;
	char *enc;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 250);
	for (len = 0; len <= sizeof(in); len++) {
		assert_int_equal(b64url_encode(in, len, &enc), 0);
		assert_null(strchr(enc, '='));
		assert_int_equal(b64url_decode(enc, strlen(enc), &out, &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(out, in, len);
		assert_int_equal(out[n], '\0');
		free(out);
		free(enc);
	}
}

static void
test_encode_uses_url_safe_alphabet(void **state)
{
	static const unsigned char in[] = { 0xfb, 0xff, 0xbf };
	char *enc;

	assert_int_equal(b64url_encode(in, sizeof(in), &enc), 0);
	assert_string_equal(enc, "-_-_");
	free(enc);
}

static void
test_known_vector_decodes(void **state)
{
	unsigned char *out;
	size_t n;

	assert_int_equal(b64url_decode("aGVsbG8", 7, &out, &n), 0);
	assert_int_equal(n, 5);
	assert_memory_equal(out, "hello", 5);
	free(out);
}

static void
test_padding_refused(void **state)
{
	assert_int_equal(dec("aGVsbG8="), OIDC_ERR_INVALID);
	assert_int_equal(dec("aGk="), OIDC_ERR_INVALID);
	assert_int_equal(dec("aGk=="), OIDC_ERR_INVALID);
}

static void
test_standard_alphabet_plus_slash_refused(void **state)
{
	assert_int_equal(dec("-_-_"), 0);
	assert_int_equal(dec("+_-_"), OIDC_ERR_INVALID);
	assert_int_equal(dec("-/-_"), OIDC_ERR_INVALID);
}

static void
test_whitespace_refused(void **state)
{
	assert_int_equal(dec("aGVs bG8"), OIDC_ERR_INVALID);
	assert_int_equal(dec("aGVsbG8\n"), OIDC_ERR_INVALID);
	assert_int_equal(dec(" aGVsbG8"), OIDC_ERR_INVALID);
	assert_int_equal(dec("aGVs\tbG8"), OIDC_ERR_INVALID);
}

static void
test_length_mod4_is_1_refused(void **state)
{
	assert_int_equal(dec("a"), OIDC_ERR_INVALID);
	assert_int_equal(dec("aGVsb"), OIDC_ERR_INVALID);
}

static void
test_nonzero_trailing_bits_refused(void **state)
{
	/* "aGk" is "hi"; "aGl" has the same bytes and stray low bits. */
	assert_int_equal(dec("aGk"), 0);
	assert_int_equal(dec("aGl"), OIDC_ERR_INVALID);
	/* "QQ" is "A"; "QR" sets unused bits. */
	assert_int_equal(dec("QQ"), 0);
	assert_int_equal(dec("QR"), OIDC_ERR_INVALID);
}

static void
test_empty_input_decodes_to_nothing(void **state)
{
	unsigned char *out;
	size_t n = 99;

	assert_int_equal(b64url_decode("", 0, &out, &n), 0);
	assert_int_equal(n, 0);
	free(out);
}

static void
test_embedded_nul_refused(void **state)
{
	unsigned char *out = NULL;
	size_t n;

	assert_int_equal(b64url_decode("aG\0s", 4, &out, &n), OIDC_ERR_INVALID);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_length),
		cmocka_unit_test(test_encode_uses_url_safe_alphabet),
		cmocka_unit_test(test_known_vector_decodes),
		cmocka_unit_test(test_padding_refused),
		cmocka_unit_test(test_standard_alphabet_plus_slash_refused),
		cmocka_unit_test(test_whitespace_refused),
		cmocka_unit_test(test_length_mod4_is_1_refused),
		cmocka_unit_test(test_nonzero_trailing_bits_refused),
		cmocka_unit_test(test_empty_input_decodes_to_nothing),
		cmocka_unit_test(test_embedded_nul_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
