/*
 * Many complete logins in one process, as a long-lived PAM application
 * (a display manager, sshd's monitor) runs them: each cycle is
 * pam_start_confdir, pam_authenticate, pam_acct_mgmt and pam_end, so
 * libpam loads the module at the start of the cycle and unloads it at
 * the end.
 *
 * cycles -c CONFDIR -s SERVICE -u USER [-n CYCLES]
 *   -n  cycles (default 1000)
 *
 * Every cycle must succeed (both calls PAM_SUCCESS, the code and the QR
 * shown); pam_oidc.so must be mapped during the cycle and gone after
 * pam_end. Before the first cycle and after cycles 1, 10, 100, 500 and
 * 1000 (and the last) it prints
 *   SAMPLE cycle=N fds=F rss_kb=R heap_kb=H
 * with the open descriptors, VmRSS and the bytes malloc has handed out
 * (mallinfo2); at the end what the descriptors are (FDS), the libraries
 * still mapped (MAPPED) and
 *   CYCLES done=N failed=F not_unloaded=U auth_ms_mean=A auth_ms_max=M
 * with the time pam_authenticate took, on average and at most.
 * Exit status 0 only if every cycle passed.
 */
#include <dirent.h>
#include <malloc.h>
#include <security/pam_appl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "driver.h"

#define MODULE "pam_oidc.so"

static int
count_fds(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

/* What the descriptors are, for the log: "FDS 0=/dev/null 1=...". */
static void
print_fds(void)
{
	char path[300], target[256];
	struct dirent *de;
	ssize_t n;
	DIR *d;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return;
	printf("FDS");
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' ||
		    strtol(de->d_name, NULL, 10) == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		if ((n = readlink(path, target, sizeof(target) - 1)) < 0)
			n = 0;
		target[n] = '\0';
		printf(" %s=%s", de->d_name, target);
	}
	printf("\n");
	closedir(d);
}

static long
rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f;

	if ((f = fopen("/proc/self/status", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

static long
heap_kb(void)
{
	struct mallinfo2 mi = mallinfo2();

	return (long)((mi.uordblks + mi.hblkhd) / 1024);
}

/* Is an object whose path contains name mapped now? */
static int
mapped(const char *name)
{
	char line[1024];
	int found = 0;
	FILE *f;

	if ((f = fopen("/proc/self/maps", "r")) == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strstr(line, name) != NULL;
	fclose(f);
	return found;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
sample_point(int i, int n)
{
	return i == 1 || i == 10 || i == 100 || i == 500 || i == 1000 || i == n;
}

int
main(int argc, char **argv)
{
	static const char *const libs[] = { "libcurl", "libjansson",
		"libqrencode", "libssl", "libcrypto" };
	const char *confdir = NULL, *service = NULL, *user = NULL;
	struct driver_conv dc = { 0 };
	struct pam_conv pc = { driver_conv, &dc };
	pam_handle_t *pamh;
	int c, i, j, n = 1000, rc, ac, in, after, bad = 0, stay = 0, done;
	double t, auth_ms = 0, auth_max = 0;

	while ((c = getopt(argc, argv, "c:s:u:n:")) != -1) {
		switch (c) {
		case 'c': confdir = optarg; break;
		case 's': service = optarg; break;
		case 'u': user = optarg; break;
		case 'n': n = (int)strtol(optarg, NULL, 10); break;
		default: return 100;
		}
	}
	if (confdir == NULL || service == NULL || user == NULL || n < 1)
		return 100;
	if (mapped(MODULE) != 0) {
		printf("FAIL %s is mapped before the first cycle\n", MODULE);
		return 1;
	}
	printf("SAMPLE cycle=0 fds=%d rss_kb=%ld heap_kb=%ld\n", count_fds(),
	    rss_kb(), heap_kb());
	for (i = 1; i <= n; i++) {
		driver_conv_reset(&dc);
		driver_log_clear();
		pamh = NULL;
		if (pam_start_confdir(service, user, &pc, confdir, &pamh) !=
		    PAM_SUCCESS) {
			printf("FAIL cycle %d: pam_start_confdir\n", i);
			bad++;
			break;
		}
		t = now_ms();
		rc = pam_authenticate(pamh, 0);
		t = now_ms() - t;
		auth_ms += t;
		if (t > auth_max)
			auth_max = t;
		ac = pam_acct_mgmt(pamh, 0);
		in = mapped(MODULE);
		pam_end(pamh, rc);
		after = mapped(MODULE);
		if (rc != PAM_SUCCESS || ac != PAM_SUCCESS || !dc.code_seen ||
		    !dc.qr_seen || dc.prompts != 1) {
			bad++;
			printf("FAIL cycle %d: auth=%d acct=%d code=%d qr=%d "
			       "prompts=%d\n",
			    i, rc, ac, dc.code_seen, dc.qr_seen, dc.prompts);
			driver_log_dump(stdout, "    | ");
		}
		if (in != 1 || after != 0) {
			stay++;
			printf("FAIL cycle %d: %s mapped during=%d after "
			       "pam_end=%d\n",
			    i, MODULE, in, after);
		}
		if (sample_point(i, n)) {
			printf(
			    "SAMPLE cycle=%d fds=%d rss_kb=%ld heap_kb=%ld\n",
			    i, count_fds(), rss_kb(), heap_kb());
			fflush(stdout);
		}
		if (bad > 10)
			break;
	}
	print_fds();
	/* What stays mapped once the module is gone (libraries may pin). */
	printf("MAPPED after the last pam_end:");
	for (j = 0; j < (int)(sizeof(libs) / sizeof(libs[0])); j++)
		if (mapped(libs[j]) == 1)
			printf(" %s", libs[j]);
	printf("\n");
	done = i > n ? n : i;
	printf("CYCLES done=%d failed=%d not_unloaded=%d auth_ms_mean=%.1f "
	       "auth_ms_max=%.1f\n",
	    done, bad, stay, auth_ms / done, auth_max);
	return bad == 0 && stay == 0 ? 0 : 1;
}
