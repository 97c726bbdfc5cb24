/*
 * etcgroup: group_mode = persist keeps the managed memberships in a copy
 * of the group file and gshadow in a private directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "etcgroup.h"
#include "fixtures.h"
#include "oidc.h"

#define GROUP                                                                  \
	"root:x:0:\n"                                                          \
	"adm:x:4:syslog,alice\n"                                               \
	"sudo:x:27:bob\n"                                                      \
	"video:x:44:alice\n"                                                   \
	"users:x:100:alicex,alice,carol\n"                                     \
	"# a comment line, kept as it is\n"                                    \
	"docker:x:999:\n"
#define GSHADOW                                                                \
	"root:*::\n"                                                           \
	"adm:*::syslog,alice\n"                                                \
	"sudo:*:bob:bob\n"                                                     \
	"video:*::alice\n"                                                     \
	"users:*::alicex,alice,carol\n"                                        \
	"docker:!::\n"

static char *m_names[] = { "sudo", "adm", "users", "docker" };
static const struct oidc_strlist MANAGED = { m_names, 4 };

struct ctx {
	char *dir;
	char log[4096];
};

static void
sink(void *arg, int prio, const char *line)
{
	struct ctx *c = arg;
	size_t n = strlen(c->log);

	(void)prio;
	snprintf(c->log + n, sizeof(c->log) - n, "%s\n", line);
}

static int
setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	c->dir = fix_tmpdir();
	free(fix_write_file(c->dir, "group", GROUP, 0644));
	free(fix_write_file(c->dir, "gshadow", GSHADOW, 0640));
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	fix_rmtree(c->dir);
	free(c->dir);
	free(c);
	return 0;
}

static char *
slurp(const char *dir, const char *name)
{
	char *path = fix_strdupf("%s/%s", dir, name), *buf;
	FILE *f = fopen(path, "r");
	long n;

	free(path);
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		abort();
	fclose(f);
	return buf;
}

static int
sync_as(struct ctx *c, const char *user, char **granted, size_t n)
{
	struct oidc_log lg = { sink, c, 0 };
	struct oidc_strlist g = { granted, n };

	return etcgroup_sync(c->dir, user, &MANAGED, &g, &lg);
}

static void
assert_file(struct ctx *c, const char *name, const char *want)
{
	char *got = slurp(c->dir, name);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

/* Does file name in the test directory contain needle? */
static int
file_has(struct ctx *c, const char *name, const char *needle)
{
	char *got = slurp(c->dir, name);
	int r = got != NULL && strstr(got, needle) != NULL;

	free(got);
	return r;
}

static void
test_adds_and_removes_managed_only(void **state)
{
	struct ctx *c = *state;
	char *granted[] = { "sudo", "users" };
	struct stat st;
	char *p;

	assert_int_equal(sync_as(c, "alice", granted, 2), 0);
	/* adm dropped alice, sudo gained her; video (unmanaged) kept her. */
	assert_file(c, "group",
	    "root:x:0:\n"
	    "adm:x:4:syslog\n"
	    "sudo:x:27:bob,alice\n"
	    "video:x:44:alice\n"
	    "users:x:100:alicex,alice,carol\n"
	    "# a comment line, kept as it is\n"
	    "docker:x:999:\n");
	assert_file(c, "gshadow",
	    "root:*::\n"
	    "adm:*::syslog\n"
	    "sudo:*:bob:bob,alice\n"
	    "video:*::alice\n"
	    "users:*::alicex,alice,carol\n"
	    "docker:!::\n");
	/* The previous versions are kept, owner and mode are unchanged. */
	assert_file(c, "group-", GROUP);
	assert_file(c, "gshadow-", GSHADOW);
	p = fix_strdupf("%s/group", c->dir);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	free(p);
	p = fix_strdupf("%s/gshadow", c->dir);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	free(p);
	p = fix_strdupf("%s/group+", c->dir);
	assert_int_not_equal(stat(p, &st), 0);
	free(p);
}

static void
test_no_roles_removes_every_managed_membership(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(sync_as(c, "alice", NULL, 0), 0);
	assert_file(c, "group",
	    "root:x:0:\n"
	    "adm:x:4:syslog\n"
	    "sudo:x:27:bob\n"
	    "video:x:44:alice\n"
	    "users:x:100:alicex,carol\n"
	    "# a comment line, kept as it is\n"
	    "docker:x:999:\n");
}

static void
test_nothing_changes_nothing_written(void **state)
{
	struct ctx *c = *state;
	char *granted[] = { "adm", "users" };
	struct stat a, b;
	char *p = fix_strdupf("%s/group", c->dir);

	assert_int_equal(stat(p, &a), 0);
	assert_int_equal(sync_as(c, "alice", granted, 2), 0);
	assert_int_equal(stat(p, &b), 0);
	assert_int_equal(a.st_ino, b.st_ino);
	assert_false(file_has(c, "group-", ""));
	free(p);
}

static void
test_missing_group_skipped_not_created(void **state)
{
	struct ctx *c = *state;
	char *granted[] = { "adm", "users", "wheel" };
	char *m[] = { "adm", "users", "wheel" };
	const struct oidc_strlist managed = { m, 3 };
	struct oidc_log lg = { sink, c, 0 };
	const struct oidc_strlist g = { granted, 3 };

	assert_int_equal(etcgroup_sync(c->dir, "alice", &managed, &g, &lg), 0);
	assert_file(c, "group", GROUP);
	assert_non_null(strstr(c->log, "group wheel from role_map does not"));
}

static void
test_without_gshadow(void **state)
{
	struct ctx *c = *state;
	char *granted[] = { "docker" };
	char *p = fix_strdupf("%s/gshadow", c->dir);

	unlink(p);
	free(p);
	assert_int_equal(sync_as(c, "carol", granted, 1), 0);
	assert_false(file_has(c, "gshadow", ""));
	assert_true(file_has(c, "group", "docker:x:999:carol\n"));
}

static void
test_malformed_managed_line_refused(void **state)
{
	struct ctx *c = *state;
	char *granted[] = { "sudo" };
	const char *bad = "root:x:0:\nsudo:x:27\n";
	char *p = fix_write_file(c->dir, "group", bad, 0644);

	assert_int_equal(sync_as(c, "alice", granted, 1), OIDC_ERR_INVALID);
	assert_file(c, "group", bad);
	assert_non_null(strstr(c->log, "does not have 4 fields"));
	free(p);
}

static void
test_unsafe_files_refused(void **state)
{
	struct ctx *c = *state;
	char *granted[] = { "sudo" };
	char *p = fix_strdupf("%s/group", c->dir);
	char *q = fix_write_file(c->dir, "real", GROUP, 0644);

	/* A symlink in place of the file. */
	unlink(p);
	assert_int_equal(symlink(q, p), 0);
	assert_int_equal(sync_as(c, "alice", granted, 1), OIDC_ERR_SYSTEM);
	assert_file(c, "real", GROUP);
	/* Writable by others. */
	unlink(p);
	free(fix_write_file(c->dir, "group", GROUP, 0666));
	assert_int_equal(sync_as(c, "alice", granted, 1), OIDC_ERR_SYSTEM);
	assert_file(c, "group", GROUP);
	free(p);
	free(q);
}

static void
test_injection_refused(void **state)
{
	struct ctx *c = *state;
	char *granted[] = { "sudo" };
	char *evil[] = { "sudo\nroot:x:0:" };
	const struct oidc_strlist bad = { evil, 1 };
	struct oidc_log lg = { sink, c, 0 };
	const struct oidc_strlist g = { granted, 1 };

	assert_int_equal(
	    sync_as(c, "alice\nroot:x:0:", granted, 1), OIDC_ERR_INVALID);
	assert_int_equal(sync_as(c, "al,ice", granted, 1), OIDC_ERR_INVALID);
	assert_int_equal(sync_as(c, "-alice", granted, 1), OIDC_ERR_INVALID);
	assert_int_equal(
	    etcgroup_sync(c->dir, "alice", &bad, &g, &lg), OIDC_ERR_INVALID);
	assert_file(c, "group", GROUP);
}

/* A full disk (here: a file size limit) leaves the files as they were. */
static void
test_write_failure_leaves_files_intact(void **state)
{
	struct ctx *c = *state;
	char *granted[] = { "sudo" };
	struct rlimit rl, old;
	struct stat st;
	char *p = fix_strdupf("%s/group+", c->dir);
	int r;

	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	/* Only the soft limit, so that it can be lifted again. */
	rl.rlim_cur = 16;
	rl.rlim_max = old.rlim_max;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
	r = sync_as(c, "alice", granted, 1);
	setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	assert_int_equal(r, OIDC_ERR_SYSTEM);
	assert_file(c, "group", GROUP);
	assert_file(c, "gshadow", GSHADOW);
	assert_int_not_equal(stat(p, &st), 0);
	assert_non_null(strstr(c->log, "cannot write"));
	free(p);
}

/*
 * A writer killed in the middle of writing the new group file (SIGXFSZ's
 * default action) leaves no partial file; the next login completes it.
 */
static void
test_killed_mid_write_then_recovers(void **state)
{
	struct ctx *c = *state;
	char *granted[] = { "sudo", "docker", "users" };
	const char *gshadow_new = "root:*::\n"
				  "adm:*::syslog\n"
				  "sudo:*:bob:bob,alice\n"
				  "video:*::alice\n"
				  "users:*::alicex,alice,carol\n"
				  "docker:!::alice\n";
	char *gs;
	int status;
	pid_t pid;

	assert_int_equal(strlen(GROUP), 139);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/*
		 * The backups (139 and 98 bytes) and the new gshadow (103)
		 * fit; the new group file (144) does not.
		 */
		struct rlimit rl;

		getrlimit(RLIMIT_FSIZE, &rl);
		rl.rlim_cur = 141;
		setrlimit(RLIMIT_FSIZE, &rl);
		sync_as(c, "alice", granted, 3);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGXFSZ);
	/* group is whole and old; gshadow is whole, old or new. */
	assert_file(c, "group", GROUP);
	gs = slurp(c->dir, "gshadow");
	assert_true(strcmp(gs, GSHADOW) == 0 || strcmp(gs, gshadow_new) == 0);
	free(gs);
	assert_int_equal(sync_as(c, "alice", granted, 3), 0);
	assert_true(file_has(c, "group", "sudo:x:27:bob,alice\n"));
	assert_true(file_has(c, "group", "docker:x:999:alice\n"));
	assert_file(c, "gshadow", gshadow_new);
}

/* Another holder of the lock delays the sync; it does not break it. */
static void
test_waits_for_the_lock(void **state)
{
	struct ctx *c = *state;
	char *granted[] = { "sudo" };
	char *lock = fix_strdupf("%s/.pwd.lock", c->dir);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int pipefd[2], status;
	char b;
	pid_t pid;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(lock, O_WRONLY | O_CREAT, 0600);

		if (fd < 0 || fcntl(fd, F_SETLK, &fl) != 0)
			_exit(1);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		usleep(300000);
		_exit(0);
	}
	assert_int_equal(read(pipefd[0], &b, 1), 1);
	assert_int_equal(sync_as(c, "alice", granted, 1), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(file_has(c, "group", "sudo:x:27:bob,alice\n"));
	close(pipefd[0]);
	close(pipefd[1]);
	free(lock);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_adds_and_removes_managed_only),
		T(test_no_roles_removes_every_managed_membership),
		T(test_nothing_changes_nothing_written),
		T(test_missing_group_skipped_not_created),
		T(test_without_gshadow),
		T(test_malformed_managed_line_refused),
		T(test_unsafe_files_refused),
		T(test_injection_refused),
		T(test_write_failure_leaves_files_intact),
		T(test_killed_mid_write_then_recovers),
		T(test_waits_for_the_lock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
