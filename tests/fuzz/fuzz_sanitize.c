/*
 * sanitize_text, sanitize_check_url and log_escape: what reaches a
 * terminal or a log line.
 *
 * Input: two bytes giving the limit (big endian, modulo 4097), then the
 * text; a NUL byte in the text ends it, as in the C string the API takes.
 *
 * Checked: the sanitised text is valid UTF-8 with no C0, DEL or C1
 * control, no bidirectional control (U+061C, U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069), no invisible character (U+200B..U+200D,
 * U+2060..U+2065, U+FEFF), no U+2028/U+2029, at most the limit in bytes,
 * and only bytes of the input in their order. An accepted URL is https,
 * printable ASCII, without userinfo and within the limit. A log-escaped
 * string is printable ASCII and fits its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "log.h"
#include "oidc.h"
#include "sanitize.h"

static void
check_text(const char *in, size_t max)
{
	char *out = NULL;

	if (sanitize_text(in, max, &out) != 0)
		abort();
	if (out == NULL || strlen(out) > max)
		abort();
	fz_assert_terminal_safe(out, -1);
	fz_assert_subsequence(out, in);
	free(out);
}

static void
check_url(const char *in, size_t max)
{
	size_t i, auth;

	if (sanitize_check_url(in, max) != 0)
		return;
	if (strlen(in) > max || strncmp(in, "https://", 8) != 0)
		abort();
	for (i = 0; in[i] != '\0'; i++)
		if ((unsigned char)in[i] <= 0x20 ||
		    (unsigned char)in[i] >= 0x7f)
			abort();
	auth = strcspn(in + 8, "/?#");
	if (auth == 0 || memchr(in + 8, '@', auth) != NULL)
		abort();
}

static void
check_escape(const char *in, size_t outsz)
{
	char buf[600], *p;

	memset(buf, 'Z', sizeof(buf));
	if (log_escape(in, buf, outsz) != buf)
		abort();
	if (outsz == 0) {
		if (buf[0] != 'Z')
			abort();
		return;
	}
	if (strnlen(buf, outsz) >= outsz)
		abort();
	for (p = buf; *p != '\0'; p++)
		if (*p < 0x20 || *p >= 0x7f)
			abort();
	/* Nothing written past the buffer the caller gave. */
	for (p = buf + outsz; p < buf + sizeof(buf); p++)
		if (*p != 'Z')
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t max;
	char *in;

	if (size < 2)
		return 0;
	max = (((size_t)data[0] << 8) | data[1]) % (OIDC_MAX_FIELD + 1);
	in = fz_strndup(data + 2, size - 2);
	check_text(in, max);
	check_text(in, OIDC_MAX_USER_CODE);
	check_url(in, max);
	check_url(in, OIDC_MAX_FIELD);
	check_escape(in, max % 513);
	check_escape(NULL, data[0] % 16);
	free(in);
	return 0;
}
