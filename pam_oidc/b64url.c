/*
 * Strict base64url; anything that is not the canonical encoding fails.
 */
#include <stdlib.h>

#include "b64url.h"
#include "oidc.h"

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
value_of(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

int
b64url_decode(const char *in, size_t len, unsigned char **out, size_t *outlen)
{
	unsigned char *buf;
	unsigned int acc = 0;
	size_t i, o = 0;
	int bits = 0, v;

	if (len % 4 == 1 || len > OIDC_MAX_TOKEN)
		return OIDC_ERR_INVALID;
	if ((buf = malloc(len / 4 * 3 + 3)) == NULL)
		return OIDC_ERR_NOMEM;
	for (i = 0; i < len; i++) {
		if ((v = value_of((unsigned char)in[i])) < 0)
			goto bad;
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Leftover bits must be zero, or two encodings would decode alike. */
	if (acc != 0)
		goto bad;
	buf[o] = '\0';
	*out = buf;
	*outlen = o;
	return 0;
bad:
	free(buf);
	return OIDC_ERR_INVALID;
}

int
b64url_encode(const unsigned char *in, size_t len, char **out)
{
	char *buf;
	size_t i, o = 0;
	unsigned int acc = 0;
	int bits = 0;

	if (len > OIDC_MAX_TOKEN)
		return OIDC_ERR_INVALID;
	if ((buf = malloc(len / 3 * 4 + 5)) == NULL)
		return OIDC_ERR_NOMEM;
	for (i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			buf[o++] = alphabet[(acc >> bits) & 0x3f];
		}
		acc &= (1u << bits) - 1;
	}
	if (bits > 0)
		buf[o++] = alphabet[(acc << (6 - bits)) & 0x3f];
	buf[o] = '\0';
	*out = buf;
	return 0;
}
