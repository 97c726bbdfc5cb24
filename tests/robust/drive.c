/*
 * What the robustness drivers share (see drive.h). The drivers are
 * linked with -rdynamic so that the dlopened module binds to the syslog
 * functions defined here.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drive.h"

#define RING 32

static int log_print;
static char ring[RING][512];
static int ring_next, ring_count;

void
drive_log_print(int on)
{
	log_print = on;
}

void
drive_log_clear(void)
{
	ring_next = ring_count = 0;
}

void
drive_log_dump(FILE *f, const char *prefix)
{
	int i, start = (ring_next - ring_count + RING) % RING;

	for (i = 0; i < ring_count; i++)
		fprintf(f, "%s%s\n", prefix, ring[(start + i) % RING]);
}

/*
 * The module logs with pam_syslog(), which ends in syslog(). Defining it
 * here captures those lines, so no syslog daemon is needed.
 */
void
vsyslog(int prio, const char *fmt, va_list ap)
{
	char *line = ring[ring_next];
	int n;

	n = snprintf(line, sizeof(ring[0]), "SYSLOG %d ", prio & 7);
	if (n < 0)
		n = 0;
	vsnprintf(line + n, sizeof(ring[0]) - (size_t)n, fmt, ap);
	ring_next = (ring_next + 1) % RING;
	if (ring_count < RING)
		ring_count++;
	if (log_print) {
		printf("%s\n", line);
		fflush(stdout);
	}
}

void
__vsyslog_chk(int prio, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	vsyslog(prio, fmt, ap);
}

void
syslog(int prio, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}

void
__syslog_chk(int prio, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)flag;
	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
}

int
drive_conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *appdata)
{
	struct drive_conv *c = appdata;
	struct pam_response *r;
	int i;

	if (n <= 0 || (r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		c->messages++;
		if (strstr(msg[i]->msg, "Code:") != NULL)
			c->code_seen = 1;
		if (strstr(msg[i]->msg, "\xe2\x96\x80") != NULL ||
		    strstr(msg[i]->msg, "\xe2\x96\x84") != NULL)
			c->qr_seen = 1;
		if (c->print) {
			printf("MSG %d\n%s\nEND\n", msg[i]->msg_style,
			    msg[i]->msg);
			fflush(stdout);
		}
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF ||
		    msg[i]->msg_style == PAM_PROMPT_ECHO_ON) {
			c->prompts++;
			if ((r[i].resp = strdup("")) == NULL) {
				while (i-- > 0)
					free(r[i].resp);
				free(r);
				return PAM_BUF_ERR;
			}
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}
