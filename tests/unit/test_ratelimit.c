/*
 * ratelimit: at most limit events in a sliding window, per host, across
 * processes; a file that cannot be trusted allows nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures.h"
#include "oidc.h"
#include "ratelimit.h"

#define T0 ((time_t)1700000000)

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

static void
test_limit_in_a_window(void **state)
{
	int i;

	for (i = 0; i < 3; i++)
		assert_int_equal(ratelimit_take(*state, "k", 3, 60, T0 + i), 0);
	assert_int_equal(
	    ratelimit_take(*state, "k", 3, 60, T0 + 10), OIDC_ERR_EXPIRED);
	/* Another kind counts apart. */
	assert_int_equal(ratelimit_take(*state, "other", 3, 60, T0 + 10), 0);
	/* The window slides: the first event leaves it at T0 + 60. */
	assert_int_equal(
	    ratelimit_take(*state, "k", 3, 60, T0 + 59), OIDC_ERR_EXPIRED);
	assert_int_equal(ratelimit_take(*state, "k", 3, 60, T0 + 60), 0);
	assert_int_equal(
	    ratelimit_take(*state, "k", 3, 60, T0 + 60), OIDC_ERR_EXPIRED);
	/* 0 is no limit. */
	for (i = 0; i < 10; i++)
		assert_int_equal(ratelimit_take(*state, "k", 0, 60, T0), 0);
}

/* A process that read the clock earlier but locked later still counts
 * the stamps of those that came first. */
static void
test_stamps_ahead_of_now_count(void **state)
{
	assert_int_equal(ratelimit_take(*state, "k", 2, 60, T0 + 1), 0);
	assert_int_equal(ratelimit_take(*state, "k", 2, 60, T0 + 1), 0);
	assert_int_equal(
	    ratelimit_take(*state, "k", 2, 60, T0), OIDC_ERR_EXPIRED);
}

static void
test_concurrent_processes_share_the_limit(void **state)
{
	enum { N = 24, LIMIT = 5 };
	pid_t pids[N];
	int i, st, allowed = 0, refused = 0, go[2];
	char c;

	assert_int_equal(pipe(go), 0);
	for (i = 0; i < N; i++) {
		if ((pids[i] = fork()) == 0) {
			close(go[1]);
			if (read(go[0], &c, 1) < 0)
				_exit(9);
			_exit(ratelimit_take(*state, "k", LIMIT, 60, T0) == 0
				? 0
				: 1);
		}
		assert_true(pids[i] > 0);
	}
	close(go[0]);
	close(go[1]);
	for (i = 0; i < N; i++) {
		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st));
		allowed += WEXITSTATUS(st) == 0;
		refused += WEXITSTATUS(st) == 1;
	}
	assert_int_equal(allowed, LIMIT);
	assert_int_equal(refused, N - LIMIT);
}

/* A file others could write, or a damaged one, allows nothing. */
static void
test_untrusted_file_allows_nothing(void **state)
{
	char *p = fix_strdupf("%s/k", (char *)*state);
	FILE *fp;

	assert_int_equal(ratelimit_take(*state, "k", 3, 60, T0), 0);
	assert_int_equal(chmod(p, 0666), 0);
	assert_int_equal(
	    ratelimit_take(*state, "k", 3, 60, T0), OIDC_ERR_SYSTEM);
	assert_int_equal(chmod(p, 0600), 0);
	assert_non_null(fp = fopen(p, "w"));
	fputs("1700000000\nnot a time\n", fp);
	fclose(fp);
	assert_int_equal(
	    ratelimit_take(*state, "k", 3, 60, T0), OIDC_ERR_SYSTEM);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_limit_in_a_window, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_stamps_ahead_of_now_count, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_concurrent_processes_share_the_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_untrusted_file_allows_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
