/*
 * sshd -T, read for pam-oidc check (see sshd.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sshd.h"

#define SSHD_MAX_OUTPUT ((size_t)256 * 1024)

extern char **environ;

/* sshd -T's standard output and error, at most max bytes. */
static int
run_sshd(const char *sshd_config, char *out, size_t max, size_t *len)
{
	char *const argv[] = { SSHD_PROGRAM, "-T", "-f", (char *)sshd_config,
		NULL };
	posix_spawn_file_actions_t fa;
	int pfd[2], st = 0, r = -1;
	ssize_t n;
	pid_t pid;

	*len = 0;
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return -1;
	if (posix_spawn_file_actions_init(&fa) != 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (posix_spawn_file_actions_adddup2(&fa, pfd[1], 1) == 0 &&
	    posix_spawn_file_actions_adddup2(&fa, pfd[1], 2) == 0 &&
	    posix_spawn(&pid, SSHD_PROGRAM, &fa, NULL, argv, environ) == 0)
		r = 0;
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	while (r == 0 && *len < max &&
	    (n = read(pfd[0], out + *len, max - *len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		*len += (size_t)n;
	}
	close(pfd[0]);
	if (r != 0)
		return -1;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

static int
yes(const char *v)
{
	return strncasecmp(v, "yes", 3) == 0;
}

/* One "key value" line of sshd -T into s. */
static void
setting(struct sshd_settings *s, const char *line)
{
	const char *v = strchr(line, ' ');

	if (v == NULL)
		return;
	v++;
	if (strncasecmp(line, "usepam ", 7) == 0)
		s->usepam = yes(v);
	else if (strncasecmp(line, "kbdinteractiveauthentication ", 29) == 0)
		s->kbdint = yes(v);
	else if (strncasecmp(line, "passwordauthentication ", 23) == 0)
		s->password = yes(v);
	else if (strncasecmp(line, "logingracetime ", 15) == 0)
		s->grace = strtol(v, NULL, 10);
	else if (strncasecmp(line, "authenticationmethods ", 22) == 0 &&
	    snprintf(s->methods, sizeof(s->methods), "%s", v) < 0)
		s->methods[0] = '\0';
}

int
sshd_effective(
    const char *sshd_config, struct sshd_settings *out, char *why, size_t whysz)
{
	char *text, *line, *save = NULL;
	size_t len;
	int r;

	memset(out, 0, sizeof(*out));
	snprintf(out->methods, sizeof(out->methods), "any");
	if ((text = malloc(SSHD_MAX_OUTPUT + 1)) == NULL) {
		snprintf(why, whysz, "out of memory");
		return -1;
	}
	r = run_sshd(sshd_config, text, SSHD_MAX_OUTPUT, &len);
	text[len] = '\0';
	if (r != 0) {
		/* What sshd said, its first line, or that it did not run. */
		text[strcspn(text, "\n")] = '\0';
		snprintf(why, whysz, "%s",
		    r < 0 ? "cannot run " SSHD_PROGRAM
			  : (text[0] != '\0' ? text : "sshd -T failed"));
		free(text);
		return -1;
	}
	for (line = strtok_r(text, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save))
		setting(out, line);
	free(text);
	return 0;
}

int
sshd_methods_reach_kbdint(const char *methods)
{
	const char *p = methods;
	size_t n;

	if (strcmp(methods, "any") == 0)
		return 1;
	/* Space-separated lists of comma-separated methods. */
	for (; *p != '\0'; p += n) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n > 0 && (memmem(p, n, "keyboard-interactive", 20) != NULL))
			return 1;
	}
	return 0;
}
