/*
 * Error strings, reasons and secret-wiping frees (see oidc.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oidc.h"

const char *
oidc_strerror(int err)
{
	switch (err) {
	case OIDC_OK: return "success";
	case OIDC_ERR_NOMEM: return "out of memory";
	case OIDC_ERR_CONFIG: return "bad or unsafe configuration";
	case OIDC_ERR_UNAVAIL: return "identity provider unreachable";
	case OIDC_ERR_PROTOCOL:
		return "malformed answer from the identity provider";
	case OIDC_ERR_DENIED: return "the sign-in was denied";
	case OIDC_ERR_EXPIRED: return "the code expired before it was used";
	case OIDC_ERR_TOKEN: return "the ID token failed verification";
	case OIDC_ERR_KID: return "no provider key matches the token";
	case OIDC_ERR_MISMATCH:
		return "the identity does not match the account";
	case OIDC_ERR_CLAIM: return "a required claim is missing or wrong";
	case OIDC_ERR_CONV: return "the conversation failed";
	case OIDC_ERR_CONV_AGAIN:
		return "the conversation asked to resume later";
	case OIDC_ERR_USER_UNKNOWN: return "unknown local user";
	case OIDC_ERR_INVALID: return "invalid input";
	case OIDC_ERR_SYSTEM: return "a system call failed";
	case OIDC_ERR_CLIENT: return "the provider rejected the client";
	case OIDC_ERR_PERM: return "the role does not allow access";
	}
	return "unknown error";
}

void
oidc_freezero(void *p, size_t len)
{
	if (p == NULL)
		return;
	explicit_bzero(p, len);
	free(p);
}

void
oidc_strfree(char *s)
{
	if (s != NULL)
		oidc_freezero(s, strlen(s));
}

int
oidc_why(char *why, size_t whysz, int err, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whysz > 0) {
		va_start(ap, fmt);
		if (vsnprintf(why, whysz, fmt, ap) < 0)
			why[0] = '\0';
		va_end(ap);
	}
	return err;
}

char *
oidc_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}
