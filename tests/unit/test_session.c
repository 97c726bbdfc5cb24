/*
 * session: the one-shot hand-off of a login's groups from authenticate to
 * setcred in another process.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fixtures.h"
#include "oidc.h"
#include "session.h"

#define T0 ((time_t)1700000000)

static char *g_names[] = { "sudo", "adm" };
static const struct oidc_strlist GROUPS = { g_names, 2 };

static int
setup(void **state)
{
	*state = fix_tmpdir();
	return 0;
}

static int
teardown(void **state)
{
	fix_rmtree(*state);
	free(*state);
	return 0;
}

static char *
path_of(const char *dir, const char *id)
{
	return fix_strdupf("%s/grants/%s", dir, id);
}

static void
test_write_then_take_once(void **state)
{
	const char *dir = *state;
	char id[HANDOFF_ID_LEN + 1];
	struct oidc_strlist g;
	struct stat st;
	char *p;

	assert_int_equal(
	    session_handoff_write(dir, "alice", &GROUPS, T0, id), 0);
	assert_int_equal(strlen(id), HANDOFF_ID_LEN);
	p = path_of(dir, id);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(session_handoff_take(dir, id, "alice", T0 + 5, &g), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.v[0], "sudo");
	assert_string_equal(g.v[1], "adm");
	strlist_free(&g);
	/* Taken: gone, and a second use gets nothing. */
	assert_int_not_equal(stat(p, &st), 0);
	assert_int_equal(session_handoff_take(dir, id, "alice", T0 + 5, &g),
	    OIDC_ERR_INVALID);
	assert_int_equal(g.n, 0);
	free(p);
}

static void
test_ids_differ(void **state)
{
	char a[HANDOFF_ID_LEN + 1], b[HANDOFF_ID_LEN + 1];

	assert_int_equal(
	    session_handoff_write(*state, "alice", &GROUPS, T0, a), 0);
	assert_int_equal(
	    session_handoff_write(*state, "alice", &GROUPS, T0, b), 0);
	assert_string_not_equal(a, b);
}

static void
test_other_user_gets_nothing_and_spends_it(void **state)
{
	const char *dir = *state;
	char id[HANDOFF_ID_LEN + 1];
	struct oidc_strlist g;

	assert_int_equal(
	    session_handoff_write(dir, "alice", &GROUPS, T0, id), 0);
	assert_int_equal(
	    session_handoff_take(dir, id, "bob", T0 + 1, &g), OIDC_ERR_INVALID);
	assert_int_equal(g.n, 0);
	/* Trying with the wrong user used it up. */
	assert_int_equal(session_handoff_take(dir, id, "alice", T0 + 1, &g),
	    OIDC_ERR_INVALID);
}

static void
test_expired(void **state)
{
	const char *dir = *state;
	char id[HANDOFF_ID_LEN + 1];
	struct oidc_strlist g;

	assert_int_equal(
	    session_handoff_write(dir, "alice", &GROUPS, T0, id), 0);
	assert_int_equal(
	    session_handoff_take(dir, id, "alice", T0 + HANDOFF_TTL + 1, &g),
	    OIDC_ERR_INVALID);
}

static void
test_bad_ids_refused(void **state)
{
	const char *dir = *state;
	struct oidc_strlist g;
	const char *bad[] = { "", "../../etc/passwd",
		"0123456789abcdef0123456789abcde",   /* 31 */
		"0123456789abcdef0123456789abcdef0", /* 33 */
		"0123456789ABCDEF0123456789abcdef",
		"0123456789abcdef/123456789abcdef" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(
		    session_handoff_take(dir, bad[i], "alice", T0, &g),
		    OIDC_ERR_INVALID);
}

/* A forged or damaged file grants nothing. */
static void
test_tampered_content_refused(void **state)
{
	const char *dir = *state;
#define HEAD "pam_oidc grant 1\nuser alice\nexpires 1700000600\n"
	const char *bodies[] = {
		(HEAD "group root:x:0:\n"),
		"pam_oidc grant 1\nuser alice\nexpires 1700000600\ngroup\n",
		"pam_oidc grant 2\nuser alice\nexpires 1700000600\n",
		"pam_oidc grant 1\nexpires 1700000600\nuser alice\n",
		"pam_oidc grant 1\nuser alice\nexpires 9999999999\ngroup sudo\n",
		"pam_oidc grant 1\nuser alice\nexpires 17000006x0\n",
		"pam_oidc grant 1\nuser alice\n",
	};
#undef HEAD
	char id[HANDOFF_ID_LEN + 1], *p, *x;
	struct oidc_strlist g;
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		assert_int_equal(
		    session_handoff_write(dir, "alice", &GROUPS, T0, id), 0);
		p = path_of(dir, id);
		x = fix_write_file(dir, "x", bodies[i], 0600);
		assert_int_equal(rename(x, p), 0);
		assert_int_equal(
		    session_handoff_take(dir, id, "alice", T0 + 1, &g),
		    OIDC_ERR_INVALID);
		free(x);
		free(p);
	}
}

static void
test_unsafe_file_refused(void **state)
{
	const char *dir = *state;
	char id[HANDOFF_ID_LEN + 1], *p, *target;
	struct oidc_strlist g;

	/* Readable by others. */
	assert_int_equal(
	    session_handoff_write(dir, "alice", &GROUPS, T0, id), 0);
	p = path_of(dir, id);
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(session_handoff_take(dir, id, "alice", T0 + 1, &g),
	    OIDC_ERR_INVALID);
	free(p);
	/* A symlink to a real grant. */
	assert_int_equal(
	    session_handoff_write(dir, "alice", &GROUPS, T0, id), 0);
	target = path_of(dir, id);
	assert_int_equal(
	    session_handoff_write(dir, "alice", &GROUPS, T0, id), 0);
	p = path_of(dir, id);
	unlink(p);
	assert_int_equal(symlink(target, p), 0);
	assert_int_equal(session_handoff_take(dir, id, "alice", T0 + 1, &g),
	    OIDC_ERR_INVALID);
	free(p);
	free(target);
	/* A second hard link to a real hand-off. */
	assert_int_equal(
	    session_handoff_write(dir, "alice", &GROUPS, T0, id), 0);
	p = path_of(dir, id);
	target = fix_strdupf("%s/second-name", dir);
	assert_int_equal(link(p, target), 0);
	assert_int_equal(session_handoff_take(dir, id, "alice", T0 + 1, &g),
	    OIDC_ERR_INVALID);
	unlink(target);
	free(p);
	free(target);
}

static void
test_invalid_names_not_written(void **state)
{
	static char *evil[] = { "sudo\nroot" };
	const struct oidc_strlist bad = { evil, 1 };
	char id[HANDOFF_ID_LEN + 1];

	assert_int_equal(session_handoff_write(*state, "alice", &bad, T0, id),
	    OIDC_ERR_INVALID);
	assert_int_equal(
	    session_handoff_write(*state, "al\nice", &GROUPS, T0, id),
	    OIDC_ERR_INVALID);
}

static void
test_sweep_removes_only_expired(void **state)
{
	const char *dir = *state;
	char old[HANDOFF_ID_LEN + 1], fresh[HANDOFF_ID_LEN + 1], *p, *q;
	struct stat st;

	assert_int_equal(
	    session_handoff_write(dir, "alice", &GROUPS, T0, old), 0);
	assert_int_equal(
	    session_handoff_write(dir, "bob", &GROUPS, T0, fresh), 0);
	p = path_of(dir, old);
	q = path_of(dir, fresh);
	/* old was written long ago. */
	{
		struct timespec ts[2] = { { time(NULL) - HANDOFF_TTL - 10, 0 },
			{ time(NULL) - HANDOFF_TTL - 10, 0 } };
		assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	}
	session_handoff_sweep(dir, time(NULL));
	assert_int_not_equal(stat(p, &st), 0);
	assert_int_equal(stat(q, &st), 0);
	free(p);
	free(q);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_write_then_take_once),
		T(test_ids_differ),
		T(test_other_user_gets_nothing_and_spends_it),
		T(test_expired),
		T(test_bad_ids_refused),
		T(test_tampered_content_refused),
		T(test_unsafe_file_refused),
		T(test_invalid_names_not_written),
		T(test_sweep_removes_only_expired),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
