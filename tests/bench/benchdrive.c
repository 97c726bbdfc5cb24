/*
 * The benchmark's PAM application: one login through pam_start_confdir,
 * pam_authenticate, pam_acct_mgmt and pam_end, and one result line on
 * stdout when it is over. It writes nothing else there and polls nothing,
 * so that hundreds of them can run at once without the tooling taking the
 * CPU the logins need.
 *
 * benchdrive -c CONFDIR -s SERVICE [-u USER] [-t TAG] [-a FIFO] [-x|-X]
 *            [-e DIR] [-M FILE]
 *   -t  a word copied into the result line (and into the FIFO line)
 *   -a  when the code is shown, write "TAG USER_CODE T_CODE" to FIFO,
 *       where an approver reads it
 *   -x  time-to-code only: print the result line when the code is shown,
 *       then fail that conversation, so that the module ends the login the
 *       way it does for a person who cannot see the code (and still
 *       keeps the documents it fetched and accepted)
 *   -X  as -x, but _exit at once when the code is shown: an instruction
 *       count up to the code and no further
 *   -e  answer an echo-off prompt once DIR/USER_CODE exists (the approver
 *       makes it when the provider has taken the approval)
 *   -M  copy /proc/self/smaps to FILE when pam_authenticate returns, while
 *       the module and its libraries are still loaded
 *
 * The result line: "RESULT tag=TAG rc=N code=USER_CODE t_start=...
 * t_code=... t_enter=... t_done=... code_ms=... maxrss_kb=...", with
 * t_* in ms since the epoch (CLOCK_REALTIME, the clock the provider's
 * Date.now() reads), code_ms the time from pam_authenticate to the code
 * on CLOCK_MONOTONIC, t_done taken when pam_authenticate returned, rc its
 * PAM code, maxrss_kb the peak RSS (getrusage) after pam_end. Absent
 * values are 0; code is "-" when no code was seen.
 *
 * The module's log lines ("SYSLOG prio text", driver.h) go to stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "driver.h"

struct app {
	const char *tag;
	const char *fifo;
	const char *smaps;
	int exit_at_code;
	const char *approved_dir;
	struct timespec mono_start;
	double t_start, t_code, t_enter, t_done, code_ms;
	const char *code; /* the conversation's, once shown */
};

static void
print_result(const struct app *app, int rc)
{
	struct rusage ru;

	memset(&ru, 0, sizeof(ru));
	getrusage(RUSAGE_SELF, &ru);
	printf("RESULT tag=%s rc=%d code=%s t_start=%.3f t_code=%.3f "
	       "t_enter=%.3f t_done=%.3f code_ms=%.3f maxrss_kb=%ld\n",
	    app->tag, rc,
	    app->code != NULL && app->code[0] != '\0' ? app->code : "-",
	    app->t_start, app->t_code, app->t_enter, app->t_done, app->code_ms,
	    ru.ru_maxrss);
	fflush(stdout);
}

static void
copy_smaps(const char *to)
{
	char buf[8192];
	FILE *in, *out;
	size_t n;

	if ((in = fopen("/proc/self/smaps", "r")) == NULL)
		return;
	if ((out = fopen(to, "w")) != NULL) {
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, n, out);
		fclose(out);
	}
	fclose(in);
}

/*
 * One line to the approver; a line this short is written atomically.
 * Without an approver the login could only time out: fail it instead.
 */
static int
tell_approver(const struct app *app)
{
	char line[256];
	int fd, n, i;

	n = snprintf(line, sizeof(line), "%s %s %.3f\n", app->tag, app->code,
	    app->t_code);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	/* ENXIO: nobody has the FIFO open for reading (yet). */
	for (i = 0;
	     (fd = open(app->fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)) < 0 &&
	     errno == ENXIO && i < 100;
	     i++)
		usleep(50000);
	if (fd < 0) {
		fprintf(
		    stderr, "benchdrive: %s: %s\n", app->fifo, strerror(errno));
		return -1;
	}
	if (write(fd, line, (size_t)n) != n) {
		fprintf(stderr, "benchdrive: short write to %s\n", app->fifo);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int
on_code(struct driver_conv *dc)
{
	struct app *app = dc->arg;

	app->t_code = driver_clock_ms(CLOCK_REALTIME);
	app->code_ms = driver_ms_since(&app->mono_start);
	app->code = dc->code;
	if (app->exit_at_code) {
		print_result(app, -1);
		if (app->exit_at_code > 1)
			_exit(0);
		return PAM_CONV_ERR;
	}
	if (app->fifo != NULL && tell_approver(app) != 0)
		return PAM_CONV_ERR;
	return PAM_SUCCESS;
}

/* Wait up to 20 s for DIR/USER_CODE, looking every millisecond. */
static int
on_prompt(struct driver_conv *dc, const struct pam_message *m)
{
	struct app *app = dc->arg;
	char path[4096];
	int n;

	(void)m;
	if (app->approved_dir != NULL) {
		n = snprintf(
		    path, sizeof(path), "%s/%s", app->approved_dir, dc->code);
		if (n < 0 || (size_t)n >= sizeof(path))
			return PAM_CONV_ERR;
		if (driver_wait_file(path, 1, 20000) != 0) {
			fprintf(
			    stderr, "benchdrive: %s never appeared\n", path);
			return PAM_CONV_ERR;
		}
	}
	app->t_enter = driver_clock_ms(CLOCK_REALTIME);
	return PAM_SUCCESS;
}

int
main(int argc, char **argv)
{
	struct app app;
	struct driver_conv dc = { 0 };
	struct pam_conv pc = { driver_conv, &dc };
	const char *confdir = NULL, *service = NULL, *user = NULL;
	pam_handle_t *pamh = NULL;
	int c, rc;

	memset(&app, 0, sizeof(app));
	app.tag = "-";
	dc.on_code = on_code;
	dc.on_prompt = on_prompt;
	dc.arg = &app;
	while ((c = getopt(argc, argv, "c:s:u:t:a:xXe:M:")) != -1) {
		switch (c) {
		case 'c': confdir = optarg; break;
		case 's': service = optarg; break;
		case 'u': user = optarg; break;
		case 't': app.tag = optarg; break;
		case 'a': app.fifo = optarg; break;
		case 'x': app.exit_at_code = 1; break;
		case 'X': app.exit_at_code = 2; break;
		case 'e': app.approved_dir = optarg; break;
		case 'M': app.smaps = optarg; break;
		default: return 100;
		}
	}
	if (confdir == NULL || service == NULL)
		return 100;
	driver_log_to(stderr, 0);
	if (pam_start_confdir(service, user, &pc, confdir, &pamh) !=
	    PAM_SUCCESS)
		return 101;
	app.t_start = driver_clock_ms(CLOCK_REALTIME);
	clock_gettime(CLOCK_MONOTONIC, &app.mono_start);
	rc = pam_authenticate(pamh, 0);
	app.t_done = driver_clock_ms(CLOCK_REALTIME);
	if (app.smaps != NULL)
		copy_smaps(app.smaps);
	if (rc == PAM_SUCCESS && pam_acct_mgmt(pamh, 0) != PAM_SUCCESS)
		rc = PAM_PERM_DENIED;
	pam_end(pamh, rc);
	if (app.exit_at_code)
		return app.t_code != 0 && rc == PAM_CONV_ERR ? 0 : 1;
	print_result(&app, rc);
	return rc == PAM_SUCCESS ? 0 : 1;
}
