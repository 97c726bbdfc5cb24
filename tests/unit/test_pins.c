/*
 * pins: the first sign-in binds a local account to the provider's iss +
 * sub, later sign-ins must present the same pair.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fixtures.h"
#include "oidc.h"
#include "pins.h"

#define T0  ((time_t)1700000000)
#define ISS "https://idp.test"

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

static int
bind(const char *dir, const char *user, const char *iss, const char *sub,
    int *created, char *pinned, size_t pinned_sz)
{
	char why[256] = "";

	return pins_bind(dir, user, iss, sub, T0, created, pinned, pinned_sz,
	    why, sizeof(why));
}

static void
test_first_sign_in_pins_and_later_ones_match(void **state)
{
	char pinned[256] = "";
	int created = -1;

	assert_int_equal(bind(*state, "alice", ISS, "sub-1", &created, pinned,
			     sizeof(pinned)),
	    0);
	assert_int_equal(created, 1);
	assert_int_equal(bind(*state, "alice", ISS, "sub-1", &created, pinned,
			     sizeof(pinned)),
	    0);
	assert_int_equal(created, 0);
}

/* Another provider account that took alice's name is refused. */
static void
test_rename_attack_refused(void **state)
{
	char pinned[256] = "";
	int created;

	assert_int_equal(bind(*state, "alice", ISS, "sub-1", &created, pinned,
			     sizeof(pinned)),
	    0);
	assert_int_equal(bind(*state, "alice", ISS, "sub-2", &created, pinned,
			     sizeof(pinned)),
	    OIDC_ERR_MISMATCH);
	assert_string_equal(pinned, "sub-1");
	assert_int_equal(created, 0);
	/* The same sub from another issuer is another identity. */
	assert_int_equal(bind(*state, "alice", "https://other.test", "sub-1",
			     &created, pinned, sizeof(pinned)),
	    OIDC_ERR_MISMATCH);
	/* A prefix or an extension of the sub is not the sub. */
	assert_int_equal(bind(*state, "alice", ISS, "sub-", &created, pinned,
			     sizeof(pinned)),
	    OIDC_ERR_MISMATCH);
	assert_int_equal(bind(*state, "alice", ISS, "sub-11", &created, pinned,
			     sizeof(pinned)),
	    OIDC_ERR_MISMATCH);
}

/* The escape keeps distinct subs distinct, and a pin on its lines. */
static void
test_escaping_is_injective(void **state)
{
	char pinned[256] = "";
	int created;

	assert_int_equal(bind(*state, "alice", ISS, "a\nuser root", &created,
			     pinned, sizeof(pinned)),
	    0);
	assert_int_equal(bind(*state, "alice", ISS, "a%0Auser root", &created,
			     pinned, sizeof(pinned)),
	    OIDC_ERR_MISMATCH);
	assert_int_equal(
	    bind(*state, "bob", ISS, "b%41", &created, pinned, sizeof(pinned)),
	    0);
	assert_int_equal(
	    bind(*state, "bob", ISS, "bA", &created, pinned, sizeof(pinned)),
	    OIDC_ERR_MISMATCH);
	assert_int_equal(
	    bind(*state, "bob", ISS, "b%41", &created, pinned, sizeof(pinned)),
	    0);
}

static void
test_forgotten_pin_re_pins(void **state)
{
	char pinned[256] = "";
	int created;

	assert_int_equal(bind(*state, "alice", ISS, "sub-1", &created, pinned,
			     sizeof(pinned)),
	    0);
	assert_int_equal(pins_forget(*state, "alice"), 0);
	assert_int_equal(pins_forget(*state, "alice"), OIDC_ERR_INVALID);
	assert_int_equal(bind(*state, "alice", ISS, "sub-2", &created, pinned,
			     sizeof(pinned)),
	    0);
	assert_int_equal(created, 1);
	assert_int_equal(bind(*state, "alice", ISS, "sub-1", &created, pinned,
			     sizeof(pinned)),
	    OIDC_ERR_MISMATCH);
}

static void
test_bad_input_refused(void **state)
{
	char pinned[256] = "", big[PINS_MAX_FIELD + 2];
	int created;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(bind(*state, "../alice", ISS, "s", &created, pinned,
			     sizeof(pinned)),
	    OIDC_ERR_INVALID);
	assert_int_equal(
	    bind(*state, "alice", ISS, "", &created, pinned, sizeof(pinned)),
	    OIDC_ERR_INVALID);
	assert_int_equal(
	    bind(*state, "alice", ISS, big, &created, pinned, sizeof(pinned)),
	    OIDC_ERR_INVALID);
	assert_int_equal(
	    bind(*state, "alice", "", "s", &created, pinned, sizeof(pinned)),
	    OIDC_ERR_INVALID);
}

/* A pin someone edited, or a second name for it, decides nothing. */
static void
test_damaged_or_linked_pin_fails_closed(void **state)
{
	char pinned[256] = "", *path, *other;
	int created;
	FILE *fp;

	assert_int_equal(bind(*state, "alice", ISS, "sub-1", &created, pinned,
			     sizeof(pinned)),
	    0);
	path = fix_strdupf("%s/pins/alice", (char *)*state);
	other = fix_strdupf("%s/alice-copy", (char *)*state);
	assert_int_equal(link(path, other), 0);
	assert_int_equal(bind(*state, "alice", ISS, "sub-1", &created, pinned,
			     sizeof(pinned)),
	    OIDC_ERR_SYSTEM);
	assert_int_equal(unlink(other), 0);
	assert_non_null(fp = fopen(path, "w"));
	fputs("pam_oidc pin 1\nuser bob\niss x\nsub y\ncreated 1\n", fp);
	fclose(fp);
	assert_int_equal(bind(*state, "alice", ISS, "sub-1", &created, pinned,
			     sizeof(pinned)),
	    OIDC_ERR_SYSTEM);
	assert_int_equal(
	    bind(*state, "alice", ISS, "y", &created, pinned, sizeof(pinned)),
	    OIDC_ERR_SYSTEM);
	free(path);
	free(other);
}

/* Of many first sign-ins at once, each with its own sub, one wins. */
static void
test_concurrent_first_sign_ins_record_one_pair(void **state)
{
	enum { N = 8 };
	pid_t pids[N];
	char sub[16], pinned[256];
	int i, st, wins = 0, refused = 0, created, r;
	int go[2];

	assert_int_equal(pipe(go), 0);
	for (i = 0; i < N; i++) {
		if ((pids[i] = fork()) == 0) {
			char c;

			close(go[1]);
			/* Wait until every child is ready. */
			if (read(go[0], &c, 1) < 0)
				_exit(9);
			snprintf(sub, sizeof(sub), "sub-%d", i);
			r = bind(*state, "carol", ISS, sub, &created, pinned,
			    sizeof(pinned));
			_exit(r == 0 && created          ? 0
				: r == OIDC_ERR_MISMATCH ? 1
							 : 2);
		}
		assert_true(pids[i] > 0);
	}
	close(go[0]);
	close(go[1]);
	for (i = 0; i < N; i++) {
		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st));
		wins += WEXITSTATUS(st) == 0;
		refused += WEXITSTATUS(st) == 1;
	}
	assert_int_equal(wins, 1);
	assert_int_equal(refused, N - 1);
}

struct seen {
	int n;
	char user[64], sub[64];
};

static void
on_pin(void *ctx, const char *user, const char *iss, const char *sub,
    long long created)
{
	struct seen *s = ctx;

	s->n++;
	assert_non_null(iss);
	assert_int_equal(created, (long long)T0);
	snprintf(s->user, sizeof(s->user), "%s", user);
	snprintf(s->sub, sizeof(s->sub), "%s", sub);
}

static void
test_list_shows_each_pin(void **state)
{
	struct seen s = { 0 };
	char pinned[256];
	int created;

	assert_int_equal(pins_list(*state, on_pin, &s), 0);
	assert_int_equal(bind(*state, "dave", ISS, "d\x01", &created, pinned,
			     sizeof(pinned)),
	    0);
	assert_int_equal(pins_list(*state, on_pin, &s), 1);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.user, "dave");
	assert_string_equal(s.sub, "d%01");
}

/* The store is root's alone. */
static void
test_store_is_private(void **state)
{
	char pinned[256], *p;
	struct stat st;
	int created;

	assert_int_equal(
	    bind(*state, "erin", ISS, "e", &created, pinned, sizeof(pinned)),
	    0);
	p = fix_strdupf("%s/pins", (char *)*state);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	free(p);
	p = fix_strdupf("%s/pins/erin", (char *)*state);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_nlink, 1);
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_first_sign_in_pins_and_later_ones_match, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_rename_attack_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_escaping_is_injective, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_forgotten_pin_re_pins, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bad_input_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_damaged_or_linked_pin_fails_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_concurrent_first_sign_ins_record_one_pair, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_list_shows_each_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_store_is_private, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
