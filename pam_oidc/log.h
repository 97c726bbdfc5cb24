/*
 * One log module. The module sends lines to syslog through a sink that
 * pam_oidc.c installs; the helper sends them to stderr.
 */
#ifndef OIDC_LOG_H
#define OIDC_LOG_H

#include <stddef.h>
#include <syslog.h>

typedef void (*oidc_log_fn)(void *ctx, int prio, const char *line);

struct oidc_log {
	oidc_log_fn fn;
	void *ctx;
	int debug;
};

void log_msg(const struct oidc_log *lg, int prio, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Escape an attacker-controlled string for a log line: printable ASCII
 * stays, everything else becomes \xNN, and the result is cut to fit.
 * Returns out.
 */
char *log_escape(const char *in, char *out, size_t outsz);

#endif
