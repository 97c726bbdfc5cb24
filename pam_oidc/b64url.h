/*
 * Strict base64url (RFC 7515 section 2): the URL-safe alphabet, no
 * padding, no whitespace, and unused trailing bits zero.
 */
#ifndef OIDC_B64URL_H
#define OIDC_B64URL_H

#include <stddef.h>

/* Decode len bytes of in; *out is NUL-terminated for convenience. */
int b64url_decode(
    const char *in, size_t len, unsigned char **out, size_t *outlen);

/* Encode into a new NUL-terminated string. */
int b64url_encode(const unsigned char *in, size_t len, char **out);

#endif
