/*
 * Sign-ins in several threads of one process at once, as a threaded PAM
 * application runs them: each thread runs complete logins (pam_start,
 * pam_authenticate, pam_acct_mgmt, pam_end) on handles of its own. Built
 * with ThreadSanitizer by threads.sh, which fails on any report.
 *
 * threads CONFDIR SERVICE USER THREADS LOGINS
 *
 * The conversation answers every prompt with Enter at once; the provider
 * approves by itself. Prints
 *   THREADS threads=T logins=N failed=F
 * and exits 0 only if every login succeeded.
 */
#include <pthread.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct job {
	const char *confdir, *service, *user;
	int logins, failed;
	int first_error; /* the first PAM code that was not success */
	pthread_t tid;
};

/* Every prompt answered with "" (Enter), with this process's malloc. */
static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *appdata)
{
	struct pam_response *r;
	int i;

	(void)msg;
	(void)appdata;
	if (n <= 0 || (r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF &&
		    msg[i]->msg_style != PAM_PROMPT_ECHO_ON)
			continue;
		if ((r[i].resp = strdup("")) == NULL) {
			while (i-- > 0)
				free(r[i].resp);
			free(r);
			return PAM_BUF_ERR;
		}
	}
	*resp = r;
	return PAM_SUCCESS;
}

static void *
run(void *arg)
{
	struct job *j = arg;
	struct pam_conv c = { conv, NULL };
	pam_handle_t *h;
	int i, r;

	for (i = 0; i < j->logins; i++) {
		h = NULL;
		r = pam_start_confdir(j->service, j->user, &c, j->confdir, &h);
		if (r == PAM_SUCCESS)
			r = pam_authenticate(h, 0);
		if (r == PAM_SUCCESS)
			r = pam_acct_mgmt(h, 0);
		if (h != NULL)
			pam_end(h, r);
		if (r != PAM_SUCCESS) {
			if (j->failed++ == 0)
				j->first_error = r;
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct job *jobs;
	int i, n, logins, failed = 0;

	if (argc != 6 || (n = atoi(argv[4])) <= 0 || n > 64 ||
	    (logins = atoi(argv[5])) <= 0) {
		fprintf(stderr,
		    "usage: threads CONFDIR SERVICE USER THREADS LOGINS\n");
		return 2;
	}
	if ((jobs = calloc((size_t)n, sizeof(*jobs))) == NULL)
		return 2;
	for (i = 0; i < n; i++) {
		jobs[i].confdir = argv[1];
		jobs[i].service = argv[2];
		jobs[i].user = argv[3];
		jobs[i].logins = logins;
		if (pthread_create(&jobs[i].tid, NULL, run, &jobs[i]) != 0) {
			fprintf(stderr, "threads: cannot start a thread\n");
			return 2;
		}
	}
	for (i = 0; i < n; i++) {
		pthread_join(jobs[i].tid, NULL);
		failed += jobs[i].failed;
		if (jobs[i].failed > 0)
			fprintf(stderr, "thread %d: %d failed, first: %s\n", i,
			    jobs[i].failed,
			    pam_strerror(NULL, jobs[i].first_error));
	}
	printf(
	    "THREADS threads=%d logins=%d failed=%d\n", n, n * logins, failed);
	free(jobs);
	return failed == 0 ? 0 : 1;
}
