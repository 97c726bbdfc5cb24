/*
 * A small PAM application for the tests: it runs pam_authenticate and
 * pam_acct_mgmt on a service file the test wrote (pam_start_confdir), and
 * prints every conversation message and the exact return codes.
 *
 * pamdrive -c CONFDIR -s SERVICE [-u USER] [-e ENTER_FILE] [-f] [-p] [-C]
 *          [-U OTHER] [-N] [-E NAME=VALUE]
 *   -e  answer an echo-off prompt only once ENTER_FILE exists
 *   -E  put NAME=VALUE in the PAM environment first (repeatable), as a
 *       login program that passes the person's locale does
 *   -f  make the conversation fail
 *   -U  at every conversation call, set PAM_USER to OTHER and back (each
 *       time a new copy, so that libpam frees the string it replaces)
 *   -N  give libpam no conversation function
 *   -p  plain output for people: messages as they are, logs as "log:"
 *   -C  after a successful account check, pam_setcred(PAM_ESTABLISH_CRED)
 *       and print the supplementary groups
 *
 * Prints the messages and the module's log lines (driver.h), then
 *   TIMING code_ms=.. / enter_ms=.. / total_ms=..   (not with -p)
 *   RESULT auth=NAME, RESULT acct=NAME              (pam_strerror's)
 *   RESULT setcred=NAME and GROUPS g1 g2 ...        (with -C)
 *   USER NAME                                       (PAM_USER at the end)
 * Exit status: the code of pam_authenticate; 100 on a usage error, 101 if
 * pam_start failed, 102 if pam_putenv did.
 * Like sudo and login(1), it takes the environment's locale.
 */
#include <grp.h>
#include <locale.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "driver.h"

struct app {
	const char *enter_file;
	int plain;
	struct timespec start;
	pam_handle_t *pamh;
	const char *other; /* -U */
	int flips;
};

static int
on_code(struct driver_conv *dc)
{
	const struct app *app = dc->arg;

	if (!app->plain)
		printf("TIMING code_ms=%.3f\n", driver_ms_since(&app->start));
	return PAM_SUCCESS;
}

static int
on_prompt(struct driver_conv *dc, const struct pam_message *m)
{
	const struct app *app = dc->arg;

	if (m->msg_style != PAM_PROMPT_ECHO_OFF)
		return PAM_SUCCESS;
	/* Two minutes: a bound that only catches a script gone missing. */
	if (app->enter_file != NULL)
		(void)driver_wait_file(app->enter_file, 20, 120000);
	if (!app->plain)
		printf("TIMING enter_ms=%.3f\n", driver_ms_since(&app->start));
	(void)fflush(stdout);
	return PAM_SUCCESS;
}

/* The conversation, with PAM_USER changed under the module (-U). */
static int
flip_conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *appdata)
{
	struct driver_conv *dc = appdata;
	struct app *app = dc->arg;
	const void *cur = NULL;
	char name[256];

	if (app->other != NULL && app->pamh != NULL &&
	    pam_get_item(app->pamh, PAM_USER, &cur) == PAM_SUCCESS &&
	    cur != NULL &&
	    snprintf(name, sizeof(name), "%s",
		app->flips++ % 2 == 0 ? app->other : (const char *)cur) > 0)
		(void)pam_set_item(app->pamh, PAM_USER, name);
	return driver_conv(n, msg, resp, appdata);
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
	struct driver_conv dc = { 0 };
	struct pam_conv pc = { flip_conv, &dc };
	const char *confdir = NULL, *service = NULL, *user = NULL;
	const char *env[8];
	const void *item = NULL;
	pam_handle_t *pamh = NULL;
	int c, rc, ac, cred = 0, nenv = 0, i;

	dc.out = stdout;
	dc.on_code = on_code;
	dc.on_prompt = on_prompt;
	dc.arg = &app;
	(void)setlocale(LC_ALL, "");
	while ((c = getopt(argc, argv, "c:s:u:e:fpCU:NE:")) != -1) {
		switch (c) {
		case 'c': confdir = optarg; break;
		case 's': service = optarg; break;
		case 'u': user = optarg; break;
		case 'e': app.enter_file = optarg; break;
		case 'f': dc.fail = 1; break;
		case 'p': app.plain = dc.plain = 1; break;
		case 'C': cred = 1; break;
		case 'U': app.other = optarg; break;
		case 'N': pc.conv = NULL; break;
		case 'E':
			if (nenv == 8)
				return 100;
			env[nenv++] = optarg;
			break;
		default: return 100;
		}
	}
	if (confdir == NULL || service == NULL)
		return 100;
	driver_log_to(stdout, app.plain);
	if (pam_start_confdir(service, user, &pc, confdir, &pamh) !=
	    PAM_SUCCESS)
		return 101;
	for (i = 0; i < nenv; i++)
		if (pam_putenv(pamh, env[i]) != PAM_SUCCESS)
			return 102;
	app.pamh = pamh;
	(void)clock_gettime(CLOCK_MONOTONIC, &app.start);
	rc = pam_authenticate(pamh, 0);
	if (!app.plain)
		printf("TIMING total_ms=%.3f\n", driver_ms_since(&app.start));
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
