/*
 * A small PAM application for the tests: it runs pam_authenticate and
 * pam_acct_mgmt on a service file the test wrote (pam_start_confdir), and
 * prints every conversation message and the exact return codes.
 *
 * pamdrive -c CONFDIR -s SERVICE [-u USER] [-e ENTER_FILE] [-f]
 *   -e  answer an echo-off prompt only once ENTER_FILE exists
 *   -f  make the conversation fail
 *   -p  plain output for people: messages as they are, logs as "log:"
 *   -C  after a successful account check, pam_setcred(PAM_ESTABLISH_CRED)
 *       and print the supplementary groups
 */
#include <grp.h>
#include <security/pam_appl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/*
 * The module logs with pam_syslog(), which ends in vsyslog(). Defining it
 * here captures those lines on stdout, so tests can read the reasons and
 * check that no secret is ever logged; no syslog daemon is needed.
 */
static int plain;

static void capture(int prio, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
capture(int prio, const char *fmt, va_list ap)
{
	if (plain)
		printf("log: ");
	else
		printf("SYSLOG %d ", prio & 7);
	vprintf(fmt, ap);
	printf("\n");
	(void)fflush(stdout);
}

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

/* glibc's _FORTIFY_SOURCE makes syslog a macro for clang. */
#undef syslog

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

struct app {
	const char *enter_file;
	int fail;
	struct timespec start;
	int code_seen;
};

static double
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void
wait_for(const char *path)
{
	const struct timespec step = { 0, 20000000L }; /* 20 ms */
	struct stat st;
	int i;

	for (i = 0; i < 6000 && stat(path, &st) != 0; i++)
		(void)nanosleep(&step, NULL);
}

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *arg)
{
	struct app *app = arg;
	struct pam_response *r;
	int i;

	if (app->fail)
		return PAM_CONV_ERR;
	if ((r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		if (!app->code_seen && strstr(msg[i]->msg, "Code:") != NULL) {
			app->code_seen = 1;
			if (!plain)
				printf("TIMING code_ms=%.3f\n",
				    ms_since(&app->start));
		}
		if (plain)
			printf("%s\n", msg[i]->msg);
		else
			printf("MSG %d\n%s\nEND\n", msg[i]->msg_style,
			    msg[i]->msg);
		(void)fflush(stdout);
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF) {
			if (app->enter_file != NULL)
				wait_for(app->enter_file);
			if (!plain)
				printf("TIMING enter_ms=%.3f\n",
				    ms_since(&app->start));
			(void)fflush(stdout);
			r[i].resp = strdup("");
		} else if (msg[i]->msg_style == PAM_PROMPT_ECHO_ON) {
			r[i].resp = strdup("");
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

static void
print_groups(void)
{
	gid_t list[256];
	struct group *gr;
	int i, n;

	n = getgroups(256, list);
	printf("GROUPS");
	for (i = 0; i < n; i++) {
		gr = getgrgid(list[i]);
		if (gr != NULL)
			printf(" %s", gr->gr_name);
		else
			printf(" %u", (unsigned)list[i]);
	}
	printf("\n");
}

int
main(int argc, char **argv)
{
	struct app app = { 0 };
	struct pam_conv pc = { conv, &app };
	const char *confdir = NULL, *service = NULL, *user = NULL;
	const void *item = NULL;
	pam_handle_t *pamh = NULL;
	int c, rc, ac, cred = 0;

	while ((c = getopt(argc, argv, "c:s:u:e:fpC")) != -1) {
		switch (c) {
		case 'c': confdir = optarg; break;
		case 's': service = optarg; break;
		case 'u': user = optarg; break;
		case 'e': app.enter_file = optarg; break;
		case 'f': app.fail = 1; break;
		case 'p': plain = 1; break;
		case 'C': cred = 1; break;
		default: return 100;
		}
	}
	if (confdir == NULL || service == NULL)
		return 100;
	if (pam_start_confdir(service, user, &pc, confdir, &pamh) !=
	    PAM_SUCCESS)
		return 101;
	clock_gettime(CLOCK_MONOTONIC, &app.start);
	rc = pam_authenticate(pamh, 0);
	if (!plain)
		printf("TIMING total_ms=%.3f\n", ms_since(&app.start));
	printf("RESULT auth=%s\n", pam_strerror(pamh, rc));
	ac = pam_acct_mgmt(pamh, 0);
	printf("RESULT acct=%s\n", pam_strerror(pamh, ac));
	if (cred && rc == PAM_SUCCESS && ac == PAM_SUCCESS) {
		c = pam_setcred(pamh, PAM_ESTABLISH_CRED);
		printf("RESULT setcred=%s\n", pam_strerror(pamh, c));
		print_groups();
	}
	if (pam_get_item(pamh, PAM_USER, &item) == PAM_SUCCESS && item != NULL)
		printf("USER %s\n", (const char *)item);
	pam_end(pamh, rc);
	return rc;
}
