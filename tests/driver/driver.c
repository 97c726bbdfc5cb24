/*
 * The PAM test driver (see driver.h): syslog capture, the scripted
 * conversation and PAM code names.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "driver.h"

#define LINE_MAX_KEPT 512

static FILE *log_out;
static int log_plain;
static char ring[DRIVER_LOG_KEEP][LINE_MAX_KEPT];
static int ring_next, ring_kept, log_total;

void
driver_log_to(FILE *f, int plain)
{
	log_out = f;
	log_plain = plain;
}

void
driver_log_clear(void)
{
	ring_next = ring_kept = log_total = 0;
}

int
driver_log_count(void)
{
	return log_total;
}

int
driver_log_has(const char *needle)
{
	int i;

	for (i = 0; i < ring_kept; i++)
		if (strstr(ring[i], needle) != NULL)
			return 1;
	return 0;
}

void
driver_log_dump(FILE *f, const char *prefix)
{
	int i,
	    start = (ring_next - ring_kept + DRIVER_LOG_KEEP) % DRIVER_LOG_KEEP;

	for (i = 0; i < ring_kept; i++)
		(void)fprintf(
		    f, "%s%s\n", prefix, ring[(start + i) % DRIVER_LOG_KEEP]);
}

static void capture(int prio, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* One line: kept (cut to LINE_MAX_KEPT), and written whole to log_out. */
static void
capture(int prio, const char *fmt, va_list ap)
{
	char *line = ring[ring_next];
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = snprintf(line, LINE_MAX_KEPT, "SYSLOG %d ", prio & 7);
	if (n < 0 || n >= LINE_MAX_KEPT)
		n = 0;
	if (vsnprintf(line + n, LINE_MAX_KEPT - (size_t)n, fmt, aq) < 0)
		line[n] = '\0';
	va_end(aq);
	ring_next = (ring_next + 1) % DRIVER_LOG_KEEP;
	if (ring_kept < DRIVER_LOG_KEEP)
		ring_kept++;
	log_total++;
	if (log_out == NULL)
		return;
	if (log_plain)
		(void)fputs("log: ", log_out);
	else
		(void)fprintf(log_out, "SYSLOG %d ", prio & 7);
	(void)vfprintf(log_out, fmt, ap);
	(void)fputc('\n', log_out);
	(void)fflush(log_out);
}

/*
 * The module logs with pam_syslog(), which ends in vsyslog() (or its
 * _FORTIFY_SOURCE twin). Defining them here captures those lines, so
 * tests can read the reasons and check that no secret is ever logged; no
 * syslog daemon is needed. <syslog.h> is not included: with
 * _FORTIFY_SOURCE it may define syslog as a macro or an inline function.
 */
void vsyslog(int prio, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* glibc's own name for the _FORTIFY_SOURCE variant: */
/* NOLINTNEXTLINE(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
void __vsyslog_chk(int prio, int flag, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
void syslog(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* glibc's own name for the _FORTIFY_SOURCE variant: */
/* NOLINTNEXTLINE(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
void __syslog_chk(int prio, int flag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void
vsyslog(int prio, const char *fmt, va_list ap)
{
	capture(prio, fmt, ap);
}

void
__vsyslog_chk(int prio, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	capture(prio, fmt, ap);
}

void
syslog(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	capture(prio, fmt, ap);
	va_end(ap);
}

void
__syslog_chk(int prio, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)flag;
	va_start(ap, fmt);
	capture(prio, fmt, ap);
	va_end(ap);
}

void
driver_conv_reset(struct driver_conv *dc)
{
	dc->calls = dc->messages = dc->prompts = 0;
	dc->code_seen = dc->qr_seen = 0;
	dc->code[0] = '\0';
}

/* The user code from the "Code:" line of a message. */
static void
find_code(struct driver_conv *dc, const char *msg)
{
	const char *p = strstr(msg, "Code:");
	size_t n;

	p += strlen("Code:");
	p += strspn(p, " \t");
	n = strcspn(p, " \t\r\n");
	if (n >= sizeof(dc->code))
		n = sizeof(dc->code) - 1;
	memcpy(dc->code, p, n);
	dc->code[n] = '\0';
}

static void
free_responses(struct pam_response *r, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(r[i].resp);
	free(r);
}

static void
print_message(const struct driver_conv *dc, const struct pam_message *m)
{
	if (dc->out == NULL)
		return;
	if (dc->plain)
		(void)fprintf(dc->out, "%s\n", m->msg);
	else
		(void)fprintf(
		    dc->out, "MSG %d\n%s\nEND\n", m->msg_style, m->msg);
	(void)fflush(dc->out);
}

/*
 * Answers are allocated with the process's own calloc and strdup, as an
 * application's are: libpam and the module free them.
 */
int
driver_conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *appdata)
{
	struct driver_conv *dc = appdata;
	struct pam_response *r;
	int i, rc, prompted = 0;

	dc->calls++;
	if (dc->fail)
		return PAM_CONV_ERR;
	if (n <= 0 || (r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		dc->messages++;
		if (!dc->code_seen && strstr(msg[i]->msg, "Code:") != NULL) {
			dc->code_seen = 1;
			find_code(dc, msg[i]->msg);
			if (dc->on_code != NULL &&
			    (rc = dc->on_code(dc)) != PAM_SUCCESS) {
				free_responses(r, n);
				return rc;
			}
		}
		if (strstr(msg[i]->msg, "\xe2\x96\x80") != NULL ||
		    strstr(msg[i]->msg, "\xe2\x96\x84") != NULL)
			dc->qr_seen = 1;
		print_message(dc, msg[i]);
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF &&
		    msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
			continue;
		dc->prompts++;
		prompted = 1;
		if (dc->on_prompt != NULL &&
		    (rc = dc->on_prompt(dc, msg[i])) != PAM_SUCCESS) {
			free_responses(r, n);
			return rc;
		}
		if (dc->answer == DRIVER_ANSWER_ENTER &&
		    (r[i].resp = strdup("")) == NULL) {
			free_responses(r, n);
			return PAM_BUF_ERR;
		}
	}
	if (prompted && dc->answer == DRIVER_ANSWER_NULL_ARRAY) {
		free_responses(r, n);
		r = NULL;
	}
	*resp = r;
	return PAM_SUCCESS;
}

const char *
driver_pam_name(int code)
{
	static const char *const names[] = { "PAM_SUCCESS", "PAM_OPEN_ERR",
		"PAM_SYMBOL_ERR", "PAM_SERVICE_ERR", "PAM_SYSTEM_ERR",
		"PAM_BUF_ERR", "PAM_PERM_DENIED", "PAM_AUTH_ERR",
		"PAM_CRED_INSUFFICIENT", "PAM_AUTHINFO_UNAVAIL",
		"PAM_USER_UNKNOWN", "PAM_MAXTRIES", "PAM_NEW_AUTHTOK_REQD",
		"PAM_ACCT_EXPIRED", "PAM_SESSION_ERR", "PAM_CRED_UNAVAIL",
		"PAM_CRED_EXPIRED", "PAM_CRED_ERR", "PAM_NO_MODULE_DATA",
		"PAM_CONV_ERR", "PAM_AUTHTOK_ERR", "PAM_AUTHTOK_RECOVERY_ERR",
		"PAM_AUTHTOK_LOCK_BUSY", "PAM_AUTHTOK_DISABLE_AGING",
		"PAM_TRY_AGAIN", "PAM_IGNORE", "PAM_ABORT",
		"PAM_AUTHTOK_EXPIRED", "PAM_MODULE_UNKNOWN", "PAM_BAD_ITEM",
		"PAM_CONV_AGAIN", "PAM_INCOMPLETE" };
	static char other[32];

	if (code >= 0 && code < (int)(sizeof(names) / sizeof(names[0])))
		return names[code];
	if (snprintf(other, sizeof(other), "PAM_(%d)", code) < 0)
		return "PAM_(?)";
	return other;
}

double
driver_clock_ms(clockid_t id)
{
	struct timespec t;

	(void)clock_gettime(id, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

double
driver_ms_since(const struct timespec *t0)
{
	struct timespec t;

	(void)clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

int
driver_wait_file(const char *path, int step_ms, int max_ms)
{
	struct timespec step;
	struct stat st;
	int waited;

	step.tv_sec = step_ms / 1000;
	step.tv_nsec = (long)(step_ms % 1000) * 1000000L;
	for (waited = 0; stat(path, &st) != 0; waited += step_ms) {
		if (waited >= max_ms)
			return -1;
		(void)nanosleep(&step, NULL);
	}
	return 0;
}
