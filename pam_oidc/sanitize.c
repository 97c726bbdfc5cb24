/*
 * Terminal-safe text from untrusted strings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oidc.h"
#include "sanitize.h"

/* Decode one UTF-8 sequence; returns its length, or 0 when invalid. */
static size_t
utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp)
{
	size_t n, i;
	uint32_t c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n > avail)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Characters that move, hide or reorder text on a terminal. */
static int
unsafe(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0xad ||
	    c == 0x34f || c == 0x61c || c == 0x115f || c == 0x1160 ||
	    c == 0x17b4 || c == 0x17b5 || (c >= 0x180b && c <= 0x180f) ||
	    (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
	    (c >= 0x2060 && c <= 0x206f) || c == 0x3164 ||
	    (c >= 0xfe00 && c <= 0xfe0f) || c == 0xfeff || c == 0xffa0 ||
	    (c >= 0xfff0 && c <= 0xfffb) || (c >= 0x1d173 && c <= 0x1d17a) ||
	    (c >= 0xe0000 && c <= 0xe0fff) || (c & 0xfffe) == 0xfffe;
}

int
sanitize_text(const char *in, size_t max, char **out)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t len = strlen(in), i = 0, o = 0, n;
	uint32_t cp;
	char *buf;

	if ((buf = malloc((len < max ? len : max) + 1)) == NULL)
		return OIDC_ERR_NOMEM;
	while (i < len) {
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0) {
			i++;
			continue;
		}
		if (!unsafe(cp)) {
			if (o + n > max)
				break;
			memcpy(buf + o, s + i, n);
			o += n;
		}
		i += n;
	}
	buf[o] = '\0';
	*out = buf;
	return 0;
}

int
sanitize_check_url(const char *url, size_t max)
{
	size_t i, auth_end;
	const char *auth;

	if (url == NULL || strlen(url) > max ||
	    strncmp(url, "https://", 8) != 0)
		return OIDC_ERR_PROTOCOL;
	for (i = 0; url[i] != '\0'; i++)
		if ((unsigned char)url[i] <= 0x20 ||
		    (unsigned char)url[i] >= 0x7f)
			return OIDC_ERR_PROTOCOL;
	/* Browsers read a backslash as a slash: never a second meaning. */
	if (strchr(url, '\\') != NULL)
		return OIDC_ERR_PROTOCOL;
	auth = url + 8;
	auth_end = strcspn(auth, "/?#");
	if (auth_end == 0)
		return OIDC_ERR_PROTOCOL;
	/* host[:port]: letters, digits, dot, hyphen, or an [IPv6] literal. */
	for (i = 0; i < auth_end; i++) {
		unsigned char c = (unsigned char)auth[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '.' || c == '-' ||
			c == ':' || c == '[' || c == ']'))
			return OIDC_ERR_PROTOCOL;
	}
	return 0;
}
