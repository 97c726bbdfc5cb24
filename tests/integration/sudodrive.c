/*
 * A PAM application as sudo is during authentication: SIGINT, SIGHUP and
 * SIGTERM are caught (SA_RESTART), not fatal, and the echo-off prompt is
 * answered as the test says.
 *
 * sudodrive -c CONFDIR -s SERVICE -u USER [-a enter|null-array|null-string]
 *   -a  the answer to a prompt: "" (enter, the default), no response
 *       array (null-array) or a NULL string (null-string)
 *
 * Prints the messages and the module's log lines (driver.h), then
 *   RESULT auth=N         the code of pam_authenticate
 *   RESULT signals=N ...  the signals caught, in order
 * Exit status: the code of pam_authenticate; 100 on a usage error, 101 if
 * pam_start failed.
 */
#include <security/pam_appl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "driver.h"

#define MAX_CAUGHT 16

static volatile sig_atomic_t caught[MAX_CAUGHT];
static volatile sig_atomic_t ncaught;

static void catch (int sig)
{
	if (ncaught < MAX_CAUGHT)
		caught[ncaught++] = sig;
}

static int
catch_signals(void)
{
	static const int sigs[] = { SIGINT, SIGHUP, SIGTERM };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = catch;
	sa.sa_flags = SA_RESTART;
	if (sigemptyset(&sa.sa_mask) != 0)
		return -1;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) != 0)
			return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct driver_conv dc = { 0 };
	struct pam_conv pc = { driver_conv, &dc };
	const char *confdir = NULL, *service = NULL, *user = NULL;
	pam_handle_t *pamh = NULL;
	int c, i, rc;

	dc.out = stdout;
	while ((c = getopt(argc, argv, "c:s:u:a:")) != -1) {
		switch (c) {
		case 'c': confdir = optarg; break;
		case 's': service = optarg; break;
		case 'u': user = optarg; break;
		case 'a':
			if (strcmp(optarg, "enter") == 0)
				dc.answer = DRIVER_ANSWER_ENTER;
			else if (strcmp(optarg, "null-array") == 0)
				dc.answer = DRIVER_ANSWER_NULL_ARRAY;
			else if (strcmp(optarg, "null-string") == 0)
				dc.answer = DRIVER_ANSWER_NULL_STRING;
			else
				return 100;
			break;
		default: return 100;
		}
	}
	if (confdir == NULL || service == NULL || user == NULL)
		return 100;
	driver_log_to(stdout, 0);
	if (catch_signals() != 0)
		return 100;
	if (pam_start_confdir(service, user, &pc, confdir, &pamh) !=
	    PAM_SUCCESS)
		return 101;
	rc = pam_authenticate(pamh, 0);
	printf("RESULT auth=%d\n", rc);
	printf("RESULT signals=");
	for (i = 0; i < ncaught && i < MAX_CAUGHT; i++)
		printf("%s%d", i > 0 ? " " : "", (int)caught[i]);
	printf("\n");
	(void)fflush(stdout);
	pam_end(pamh, rc);
	return rc;
}
