/*
 * The proxy keys: what a valid proxy URL and no_proxy list are, and
 * whether no_proxy names a host (see proxy.h). No curl, no network.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oidc.h"
#include "proxy.h"

/*
 * proxy: http://host:port and nothing else. Credentials never stand in
 * the URL, which module arguments and a world-readable file may carry:
 * they come from proxy_credentials_file. The messages do not repeat the
 * value, which may hold a password.
 */
int
proxy_check_url(const char *where, const char *url, char *why, size_t whysz)
{
	const char *p;
	char *end;
	size_t n;
	long port;

	if (strncmp(url, "https://", 8) == 0)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: proxy: an https:// proxy is not supported; give "
		    "http://host:port (the provider's TLS still runs end to "
		    "end through CONNECT)",
		    where);
	if (strncmp(url, "http://", 7) != 0)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: proxy: expected http://host:port (no other scheme)",
		    where);
	if (strchr(url, '@') != NULL)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: proxy: no user name or password in the URL; put "
		    "user:password in proxy_credentials_file",
		    where);
	p = url + 7;
	if (*p == '[') {
		n = strspn(p + 1, "0123456789abcdefABCDEF:.");
		if (n == 0 || p[n + 1] != ']')
			return oidc_why(why, whysz, OIDC_ERR_CONFIG,
			    "%s: proxy: bad IPv6 address", where);
		p += n + 2;
	} else {
		n = strspn(p,
		    "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-");
		p += n;
		if (n == 0 || (*p != ':' && *p != '/' && *p != '\0'))
			return oidc_why(why, whysz, OIDC_ERR_CONFIG,
			    "%s: proxy: the host is missing or holds a "
			    "character outside letters, digits, '.' and '-'",
			    where);
	}
	if (*p != ':' || !isdigit((unsigned char)p[1]))
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: proxy: the port is missing (http://host:port)", where);
	errno = 0;
	port = strtol(p + 1, &end, 10);
	if (errno != 0 || port < 1 || port > 65535 || end - p > 6)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: proxy: the port must be from 1 to 65535", where);
	if (*end != '\0' && strcmp(end, "/") != 0)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: proxy: nothing may follow http://host:port", where);
	return 0;
}

/*
 * no_proxy: comma-separated entries, each "*", a host or domain name, or
 * an IP address (IPv6 without brackets); a leading '.' is allowed.
 */
int
proxy_check_list(const char *where, const char *list, char *why, size_t whysz)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.:-";
	const char *p = list;
	size_t n;

	for (;;) {
		p += strspn(p, " \t");
		n = strcspn(p, ", \t");
		if (n == 0 || n > 253 ||
		    (!(n == 1 && *p == '*') && strspn(p, ok) < n))
			return oidc_why(why, whysz, OIDC_ERR_CONFIG,
			    "%s: no_proxy: expected host names, domains or "
			    "IP addresses separated by commas, or *",
			    where);
		p += n;
		p += strspn(p, " \t");
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			return oidc_why(why, whysz, OIDC_ERR_CONFIG,
			    "%s: no_proxy: separate entries with commas",
			    where);
	}
}

/* A host name or address without brackets and a final dot, into buf. */
static int
host_key(const char *s, size_t n, char *buf, size_t bufsz)
{
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n >= bufsz)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return 0;
}

static int
same_address(const char *a, const char *b)
{
	unsigned char x[16], y[16];

	if (inet_pton(AF_INET, a, x) == 1)
		return inet_pton(AF_INET, b, y) == 1 && memcmp(x, y, 4) == 0;
	if (inet_pton(AF_INET6, a, x) == 1)
		return inet_pton(AF_INET6, b, y) == 1 && memcmp(x, y, 16) == 0;
	return 0;
}

int
proxy_bypass(const char *no_proxy, const char *host)
{
	char h[256], e[256];
	unsigned char addr[16];
	const char *p, *s;
	size_t n, hl, el;
	int ip;

	if (no_proxy == NULL || host == NULL ||
	    host_key(host, strlen(host), h, sizeof(h)) != 0)
		return 0;
	ip = inet_pton(AF_INET, h, addr) == 1 ||
	    inet_pton(AF_INET6, h, addr) == 1;
	hl = strlen(h);
	for (p = no_proxy; *(p += strspn(p, ", \t")) != '\0'; p += n) {
		n = strcspn(p, ", \t");
		if (n == 1 && *p == '*')
			return 1;
		s = *p == '.' ? p + 1 : p;
		if (host_key(s, n - (size_t)(s - p), e, sizeof(e)) != 0)
			continue;
		if (ip) {
			if (same_address(h, e))
				return 1;
			continue;
		}
		el = strlen(e);
		if (hl >= el && strcasecmp(h + hl - el, e) == 0 &&
		    (hl == el || h[hl - el - 1] == '.'))
			return 1;
	}
	return 0;
}
