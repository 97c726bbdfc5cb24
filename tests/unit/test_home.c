/*
 * home: a registered person's home from a skeleton directory, and its
 * removal, in a private directory. Giving files away needs root: as
 * another user the tests say so and skip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "fixtures.h"
#include "home.h"
#include "oidc.h"

#define UID 4242
#define GID 4243

struct ctx {
	char *dir;
	char *skel;
	char *home;
	char log[4096];
	struct oidc_log lg;
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
	char *p;

	c->dir = fix_tmpdir();
	c->skel = fix_strdupf("%s/skel", c->dir);
	c->home = fix_strdupf("%s/homes/ann", c->dir);
	p = fix_strdupf("%s/homes", c->dir);
	if (mkdir(c->skel, 0755) != 0 || mkdir(p, 0755) != 0)
		abort();
	free(p);
	free(fix_write_file(c->skel, ".bashrc", "# rc\n", 0644));
	free(fix_write_file(c->skel, "tool", "#!/bin/sh\n", 04755));
	p = fix_strdupf("%s/.config", c->skel);
	if (mkdir(p, 0750) != 0)
		abort();
	free(fix_write_file(p, "app.conf", "x = 1\n", 0600));
	free(p);
	p = fix_strdupf("%s/link", c->skel);
	if (symlink(".bashrc", p) != 0)
		abort();
	free(p);
	c->lg.fn = sink;
	c->lg.ctx = c;
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	fix_rmtree(c->dir);
	free(c->dir);
	free(c->skel);
	free(c->home);
	free(c);
	return 0;
}

static void
check(const char *home, const char *name, mode_t type, mode_t mode)
{
	char *p = fix_strdupf("%s/%s", home, name);
	struct stat st;

	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_mode & S_IFMT, type);
	if (type != S_IFLNK)
		assert_int_equal(st.st_mode & 07777, mode);
	assert_int_equal(st.st_uid, UID);
	assert_int_equal(st.st_gid, GID);
	free(p);
}

static void
test_home_made_from_skel_for_the_person(void **state)
{
	struct ctx *c = *state;
	struct stat st;

	if (geteuid() != 0)
		skip();
	assert_int_equal(home_create(c->home, c->skel, UID, GID, &c->lg), 0);
	assert_int_equal(stat(c->home, &st), 0);
	assert_int_equal(st.st_mode & 07777, HOME_MODE);
	assert_int_equal(st.st_uid, UID);
	assert_int_equal(st.st_gid, GID);
	check(c->home, ".bashrc", S_IFREG, 0644);
	/* Set-id bits never reach a home. */
	check(c->home, "tool", S_IFREG, 0755);
	check(c->home, ".config", S_IFDIR, 0750);
	check(c->home, ".config/app.conf", S_IFREG, 0600);
	check(c->home, "link", S_IFLNK, 0);
}

static void
test_existing_home_kept_only_when_it_is_the_persons(void **state)
{
	struct ctx *c = *state;

	if (geteuid() != 0)
		skip();
	assert_int_equal(home_create(c->home, c->skel, UID, GID, &c->lg), 0);
	assert_int_equal(home_create(c->home, c->skel, UID, GID, &c->lg), 0);
	/* An earlier person's home is not handed to someone else. */
	assert_int_equal(home_create(c->home, c->skel, UID + 1, GID, &c->lg),
	    OIDC_ERR_INVALID);
	assert_non_null(strstr(c->log, "is not the home of uid 4243"));
}

static void
test_a_link_in_place_of_the_home_is_refused(void **state)
{
	struct ctx *c = *state;
	struct stat st;

	if (geteuid() != 0)
		skip();
	assert_int_equal(symlink(c->skel, c->home), 0);
	assert_int_equal(
	    home_create(c->home, c->skel, UID, GID, &c->lg), OIDC_ERR_INVALID);
	assert_int_equal(home_remove(c->home, UID, &c->lg), OIDC_ERR_INVALID);
	/* The skeleton it points to was not given away. */
	assert_int_equal(stat(c->skel, &st), 0);
	assert_int_equal(st.st_uid, 0);
}

static void
test_parent_others_can_write_is_refused(void **state)
{
	struct ctx *c = *state;
	char *p = fix_strdupf("%s/homes", c->dir);

	if (geteuid() != 0)
		skip();
	assert_int_equal(chmod(p, 01777), 0);
	assert_int_equal(
	    home_create(c->home, c->skel, UID, GID, &c->lg), OIDC_ERR_INVALID);
	assert_int_equal(access(c->home, F_OK), -1);
	free(p);
}

static void
test_removal_only_of_the_persons_home(void **state)
{
	struct ctx *c = *state;

	if (geteuid() != 0)
		skip();
	assert_int_equal(home_create(c->home, c->skel, UID, GID, &c->lg), 0);
	assert_int_equal(
	    home_remove(c->home, UID + 1, &c->lg), OIDC_ERR_INVALID);
	assert_int_equal(access(c->home, F_OK), 0);
	assert_int_equal(home_remove(c->home, UID, &c->lg), 0);
	assert_int_equal(access(c->home, F_OK), -1);
	assert_int_equal(home_remove(c->home, UID, &c->lg), 1);
	/* The skeleton is untouched. */
	assert_int_equal(access(c->skel, F_OK), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_home_made_from_skel_for_the_person),
		T(test_existing_home_kept_only_when_it_is_the_persons),
		T(test_a_link_in_place_of_the_home_is_refused),
		T(test_parent_others_can_write_is_refused),
		T(test_removal_only_of_the_persons_home),
	};

	if (geteuid() != 0)
		fprintf(stderr,
		    "test_home: not root; files cannot be given "
		    "away, the cases are skipped\n");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
