/*
 * Strict base64url: b64url_decode and b64url_encode.
 *
 * Input: any bytes, decoded as base64url text and encoded as data.
 *
 * Checked: a decoded buffer is NUL-terminated, and encoding it again
 * gives back exactly the input (one encoding per value: no padding, no
 * whitespace, no stray bits); encoding any data and decoding the result
 * gives back the data.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "fuzz.h"
#include "oidc.h"

static void
decode_encode(const uint8_t *data, size_t size)
{
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	char *enc = NULL;
	int r;

	r = b64url_decode((const char *)data, size, &raw, &rawlen);
	if (r == OIDC_ERR_INVALID)
		return;
	if (r != 0 || raw == NULL || raw[rawlen] != '\0')
		abort();
	if (rawlen != size * 3 / 4)
		abort();
	if (b64url_encode(raw, rawlen, &enc) != 0)
		abort();
	if (strlen(enc) != size || memcmp(enc, data, size) != 0)
		abort();
	free(enc);
	free(raw);
}

static void
encode_decode(const uint8_t *data, size_t size)
{
	unsigned char *raw = NULL;
	size_t rawlen = 0, enclen;
	char *enc = NULL;

	if (b64url_encode(data, size, &enc) != 0) {
		if (size <= OIDC_MAX_TOKEN)
			abort();
		return;
	}
	enclen = strlen(enc);
	if (enclen != (size * 4 + 2) / 3 ||
	    strspn(enc,
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		"0123456789-_") != enclen)
		abort();
	if (enclen <= OIDC_MAX_TOKEN) {
		if (b64url_decode(enc, enclen, &raw, &rawlen) != 0)
			abort();
		if (rawlen != size || memcmp(raw, data, size) != 0)
			abort();
		free(raw);
	}
	free(enc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decode_encode(data, size);
	encode_decode(data, size);
	return 0;
}
