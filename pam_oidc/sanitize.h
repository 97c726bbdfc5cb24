/*
 * Making provider strings safe for a terminal.
 */
#ifndef OIDC_SANITIZE_H
#define OIDC_SANITIZE_H

#include <stddef.h>

/*
 * Copy in, dropping invalid UTF-8, control characters (C0, DEL, C1),
 * bidirectional overrides and invisible characters, and cutting the
 * result at max bytes on a character boundary. Never fails but for memory.
 */
int sanitize_text(const char *in, size_t max, char **out);

/*
 * Check a verification URI before it is shown: https, printable ASCII, no
 * userinfo part (https://idp@evil.example/ reads as "idp" to a person),
 * a host[:port] of letters, digits, dots, hyphens or an [IPv6] literal,
 * no backslash anywhere (browsers read it as a slash), at most max bytes. Returns 0 or OIDC_ERR_PROTOCOL.
 */
int sanitize_check_url(const char *url, size_t max);

#endif
