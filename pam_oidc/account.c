/*
 * auto_register through useradd (see account.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "account.h"
#include "names.h"
#include "oidc.h"

int
account_lookup(const char *user, uid_t *uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int e;

	e = getpwnam_r(user, &pw, buf, sizeof(buf), &res);
	if (e != 0 && e != ENOENT && e != ESRCH)
		return -1;
	if (res != NULL && uid != NULL)
		*uid = res->pw_uid;
	return res != NULL;
}

int
account_exists(const char *user)
{
	return account_lookup(user, NULL);
}

uid_t
account_uid_min(void)
{
	char line[256], *p, *end;
	unsigned long v;
	uid_t min = ACCOUNT_UID_MIN;
	FILE *fp;

	if ((fp = fopen(ACCOUNT_LOGIN_DEFS, "re")) == NULL)
		return min;
	while (fgets(line, sizeof(line), fp) != NULL) {
		p = line + strspn(line, " \t");
		if (strncmp(p, "UID_MIN", 7) != 0 ||
		    (p[7] != ' ' && p[7] != '\t'))
			continue;
		p += 7 + strspn(p + 7, " \t");
		errno = 0;
		v = strtoul(p, &end, 10);
		/* A value that does not parse, or 0, keeps the default. */
		if (errno == 0 && end != p && v > 0 && v < 0x7fffffffUL)
			min = (uid_t)v;
	}
	(void)fclose(fp);
	return min;
}

/* The account's UID, when exactly one account has it and it is not 0. */
static int
check_uid(const char *user, const struct oidc_log *lg)
{
	struct passwd pw, *res = NULL, opw, *ores = NULL;
	char buf[4096], obuf[4096];

	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) != 0 || res == NULL) {
		log_msg(lg, LOG_ERR,
		    "auto_register: %s was not found after useradd", user);
		return OIDC_ERR_SYSTEM;
	}
	if (res->pw_uid == 0) {
		log_msg(lg, LOG_ERR,
		    "auto_register: useradd gave %s UID 0; check UID_MIN in "
		    "/etc/login.defs and remove the account",
		    user);
		return OIDC_ERR_SYSTEM;
	}
	if (getpwuid_r(res->pw_uid, &opw, obuf, sizeof(obuf), &ores) != 0 ||
	    ores == NULL || strcmp(ores->pw_name, user) != 0) {
		log_msg(lg, LOG_ERR,
		    "auto_register: the UID of %s belongs to another "
		    "account too; fix the password file",
		    user);
		return OIDC_ERR_SYSTEM;
	}
	return 0;
}

int
account_create(
    const struct oidc_config *cfg, const char *user, const struct oidc_log *lg)
{
	char *const envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	posix_spawn_file_actions_t fa;
	struct stat st;
	char eb[128];
	pid_t pid, w;
	int status, e;

	/* Names that could be an option, or a path, never get this far. */
	if (!names_valid(user, NAMES_GROUP_MAX)) {
		log_msg(lg, LOG_ERR, "auto_register: refusing an invalid name");
		return OIDC_ERR_INVALID;
	}
	if (cfg->shell == NULL || cfg->shell[0] != '/' ||
	    stat(cfg->shell, &st) != 0 || !S_ISREG(st.st_mode) ||
	    !(st.st_mode & S_IXOTH)) {
		log_msg(lg, LOG_ERR,
		    "auto_register: shell %s is not an executable file; set "
		    "shell to one listed in /etc/shells",
		    cfg->shell ? cfg->shell : "(none)");
		return OIDC_ERR_SYSTEM;
	}
	{
		char *const argv[] = { "useradd", "--create-home",
			"--user-group", "--skel", ACCOUNT_SKEL, "--shell",
			cfg->shell, "--comment", "pam_oidc", "--", (char *)user,
			NULL };

		if (posix_spawn_file_actions_init(&fa) != 0)
			return OIDC_ERR_SYSTEM;
		e = posix_spawn_file_actions_addopen(
		    &fa, 0, "/dev/null", O_RDONLY, 0);
		if (e == 0)
			e = posix_spawn_file_actions_addopen(
			    &fa, 1, "/dev/null", O_WRONLY, 0);
		if (e == 0)
			e = posix_spawn_file_actions_adddup2(&fa, 1, 2);
		/* No descriptor of the host (sockets, TLS) reaches useradd. */
		if (e == 0)
			e = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
		if (e == 0)
			e = posix_spawn(
			    &pid, ACCOUNT_USERADD, &fa, NULL, argv, envp);
		posix_spawn_file_actions_destroy(&fa);
	}
	if (e != 0) {
		log_msg(lg, LOG_ERR, "auto_register: cannot run %s: %s",
		    ACCOUNT_USERADD, strerror_r(e, eb, sizeof(eb)));
		return OIDC_ERR_SYSTEM;
	}
	do
		w = waitpid(pid, &status, 0);
	while (w < 0 && errno == EINTR);
	if (w != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_msg(lg, LOG_ERR,
		    "auto_register: useradd failed for %s (exit status %d)",
		    user,
		    w == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return OIDC_ERR_SYSTEM;
	}
	if (check_uid(user, lg) != 0)
		return OIDC_ERR_SYSTEM;
	log_msg(lg, LOG_NOTICE, "auto_register: created local user %s", user);
	return 0;
}
