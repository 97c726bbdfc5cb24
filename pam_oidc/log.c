/*
 * Formatting of log lines; where they go is the sink's business.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

void
log_msg(const struct oidc_log *lg, int prio, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	if (lg == NULL || lg->fn == NULL)
		return;
	if (prio == LOG_DEBUG && !lg->debug)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* A truncated line is still worth logging; it ends in a NUL. */
	lg->fn(lg->ctx, prio, line);
}

char *
log_escape(const char *in, char *out, size_t outsz)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	const unsigned char *p;

	if (outsz == 0)
		return out;
	if (in == NULL)
		in = "(null)";
	for (p = (const unsigned char *)in; *p != '\0'; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '\\') {
			if (o + 1 >= outsz)
				break;
			out[o++] = (char)*p;
			continue;
		}
		if (o + 4 >= outsz)
			break;
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[*p >> 4];
		out[o++] = hex[*p & 0xf];
	}
	out[o] = '\0';
	return out;
}
