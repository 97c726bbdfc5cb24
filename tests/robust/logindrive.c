/*
 * One login through libpam, for the allocation-failure sweep:
 * pam_start_confdir, pam_authenticate, pam_acct_mgmt, pam_end, as the
 * user given; every prompt is answered at once.
 *
 * logindrive -c CONFDIR -s SERVICE -u USER [-q]
 *   -q  do not print the conversation
 *
 * Prints the module's log lines ("SYSLOG prio text"), then
 * "RESULT auth=N acct=M" with the numeric PAM codes and their names.
 * Exit status: the code of pam_authenticate; 101 if pam_start failed.
 */
#include <security/pam_appl.h>
#include <stdio.h>
#include <unistd.h>

#include "driver.h"

int
main(int argc, char **argv)
{
	struct driver_conv dc = { 0 };
	struct pam_conv pc = { driver_conv, &dc };
	const char *confdir = NULL, *service = NULL, *user = NULL;
	pam_handle_t *pamh = NULL;
	int c, rc, ac;

	dc.out = stdout;
	while ((c = getopt(argc, argv, "c:s:u:q")) != -1) {
		switch (c) {
		case 'c': confdir = optarg; break;
		case 's': service = optarg; break;
		case 'u': user = optarg; break;
		case 'q': dc.out = NULL; break;
		default: return 100;
		}
	}
	if (confdir == NULL || service == NULL || user == NULL)
		return 100;
	driver_log_to(stdout, 0);
	if (pam_start_confdir(service, user, &pc, confdir, &pamh) !=
	    PAM_SUCCESS) {
		printf("RESULT pam_start failed\n");
		return 101;
	}
	rc = pam_authenticate(pamh, 0);
	ac = pam_acct_mgmt(pamh, 0);
	printf("RESULT auth=%d acct=%d (%s / %s) code_shown=%d qr=%d\n", rc, ac,
	    pam_strerror(pamh, rc), pam_strerror(pamh, ac), dc.code_seen,
	    dc.qr_seen);
	pam_end(pamh, rc);
	return rc;
}
