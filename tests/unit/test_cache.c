/*
 * cache: root-only entries for discovery documents and JWKS.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "fixtures.h"

#define URL  "https://idp.test/.well-known/openid-configuration"
#define BODY "{\"issuer\":\"https://idp.test\"}"
#define T0   ((time_t)1700000000)

struct ctx {
	char *tmp;
	char *dir; /* tmp/cache, created by cache_store */
};

static int
setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	c->tmp = fix_tmpdir();
	c->dir = fix_strdupf("%s/cache", c->tmp);
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	fix_rmtree(c->tmp);
	free(c->tmp);
	free(c->dir);
	free(c);
	return 0;
}

/* The path of the only entry file in dir. */
static char *
only_entry(const char *dir)
{
	struct dirent *de;
	char *path = NULL;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		n++;
		free(path);
		path = fix_strdupf("%s/%s", dir, de->d_name);
	}
	closedir(d);
	assert_int_equal(n, 1);
	return path;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = calloc(1, 65536);

	assert_non_null(f);
	*len = fread(buf, 1, 65535, f);
	fclose(f);
	return buf;
}

static void
spit(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0);
}

static void
test_store_then_load_fresh(void **state)
{
	struct ctx *c = *state;
	char *body = NULL;
	size_t len = 0;

	assert_int_equal(
	    cache_store(c->dir, "discovery", URL, BODY, strlen(BODY), 300, T0),
	    0);
	assert_int_equal(
	    cache_load(c->dir, "discovery", URL, T0 + 299, &body, &len), 0);
	assert_int_equal(len, strlen(BODY));
	assert_string_equal(body, BODY);
	free(body);
}

static void
test_stale_entry_is_expired_with_body(void **state)
{
	struct ctx *c = *state;
	char *body = NULL;
	size_t len = 0;

	assert_int_equal(
	    cache_store(c->dir, "jwks", URL, BODY, strlen(BODY), 300, T0), 0);
	assert_int_equal(cache_load(c->dir, "jwks", URL, T0 + 300, &body, &len),
	    OIDC_ERR_EXPIRED);
	assert_non_null(body);
	assert_string_equal(body, BODY);
	free(body);
}

static void
test_missing_entry_is_invalid(void **state)
{
	struct ctx *c = *state;
	char *body = NULL;
	size_t len;

	assert_int_equal(
	    cache_load(c->dir, "jwks", URL, T0, &body, &len), OIDC_ERR_INVALID);
	assert_null(body);
}

static void
test_kinds_are_separate(void **state)
{
	struct ctx *c = *state;
	char *body = NULL;
	size_t len;

	assert_int_equal(
	    cache_store(c->dir, "jwks", URL, BODY, strlen(BODY), 300, T0), 0);
	assert_int_equal(cache_load(c->dir, "discovery", URL, T0, &body, &len),
	    OIDC_ERR_INVALID);
	assert_null(body);
}

static void
test_corrupt_header_is_invalid(void **state)
{
	struct ctx *c = *state;
	char *path, *data, *body = NULL;
	size_t len, blen;

	assert_int_equal(
	    cache_store(c->dir, "jwks", URL, BODY, strlen(BODY), 300, T0), 0);
	path = only_entry(c->dir);
	data = slurp(path, &len);
	data[0] = 'X'; /* the magic */
	spit(path, data, len);
	assert_int_equal(cache_load(c->dir, "jwks", URL, T0, &body, &blen),
	    OIDC_ERR_INVALID);
	assert_null(body);
	/* A non-numeric expiry. */
	data[0] = 'p';
	data[strlen("pam_oidc-cache-1\n")] = 'z';
	spit(path, data, len);
	assert_int_equal(cache_load(c->dir, "jwks", URL, T0, &body, &blen),
	    OIDC_ERR_INVALID);
	assert_null(body);
	free(data);
	free(path);
}

static void
test_truncated_entry_is_invalid(void **state)
{
	struct ctx *c = *state;
	char *path, *body = NULL;
	size_t len;

	assert_int_equal(
	    cache_store(c->dir, "jwks", URL, BODY, strlen(BODY), 300, T0), 0);
	path = only_entry(c->dir);
	spit(path, "pam_oidc-cache-1\n", 17);
	assert_int_equal(
	    cache_load(c->dir, "jwks", URL, T0, &body, &len), OIDC_ERR_INVALID);
	assert_null(body);
	free(path);
}

static void
test_entry_for_other_url_is_invalid(void **state)
{
	struct ctx *c = *state;
	char *path, *data, *body = NULL, *u;
	size_t len, blen;

	assert_int_equal(
	    cache_store(c->dir, "jwks", URL, BODY, strlen(BODY), 300, T0), 0);
	path = only_entry(c->dir);
	data = slurp(path, &len);
	/* Change one byte of the URL line: idp.test -> idq.test. */
	u = strstr(data, "idp.test");
	assert_non_null(u);
	u[2] = 'q';
	spit(path, data, len);
	assert_int_equal(cache_load(c->dir, "jwks", URL, T0, &body, &blen),
	    OIDC_ERR_INVALID);
	assert_null(body);
	free(data);
	free(path);
}

static void
test_file_mode_0600_and_dir_0700(void **state)
{
	struct ctx *c = *state;
	struct stat st;
	char *path;

	assert_int_equal(
	    cache_store(c->dir, "jwks", URL, BODY, strlen(BODY), 300, T0), 0);
	assert_int_equal(lstat(c->dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	path = only_entry(c->dir);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	free(path);
}

static void
test_existing_open_dir_is_tightened_to_0700(void **state)
{
	struct ctx *c = *state;
	struct stat st;

	assert_int_equal(mkdir(c->dir, 0755), 0);
	assert_int_equal(chmod(c->dir, 0755), 0);
	assert_int_equal(
	    cache_store(c->dir, "jwks", URL, BODY, strlen(BODY), 300, T0), 0);
	assert_int_equal(lstat(c->dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
}

static void
test_group_readable_entry_refused(void **state)
{
	struct ctx *c = *state;
	char *path, *body = NULL;
	size_t len;

	assert_int_equal(
	    cache_store(c->dir, "jwks", URL, BODY, strlen(BODY), 300, T0), 0);
	path = only_entry(c->dir);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(
	    cache_load(c->dir, "jwks", URL, T0, &body, &len), OIDC_ERR_INVALID);
	assert_null(body);
	free(path);
}

static void
test_symlinked_entry_refused(void **state)
{
	struct ctx *c = *state;
	char *path, *target, *body = NULL;
	size_t len;

	assert_int_equal(
	    cache_store(c->dir, "jwks", URL, BODY, strlen(BODY), 300, T0), 0);
	path = only_entry(c->dir);
	target = fix_strdupf("%s/target", c->tmp);
	assert_int_equal(rename(path, target), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(
	    cache_load(c->dir, "jwks", URL, T0, &body, &len), OIDC_ERR_INVALID);
	assert_null(body);
	free(target);
	free(path);
}

static void
test_store_replaces_entry(void **state)
{
	struct ctx *c = *state;
	char *body = NULL;
	size_t len;

	assert_int_equal(
	    cache_store(c->dir, "jwks", URL, "old", 3, 300, T0), 0);
	assert_int_equal(
	    cache_store(c->dir, "jwks", URL, "new!", 4, 300, T0), 0);
	assert_int_equal(cache_load(c->dir, "jwks", URL, T0, &body, &len), 0);
	assert_string_equal(body, "new!");
	free(body);
}

static void
test_lifetime_bounds(void **state)
{
	assert_int_equal(cache_lifetime(-1), 3600);
	assert_int_equal(cache_lifetime(5), 60);
	assert_int_equal(cache_lifetime(0), 60);
	assert_int_equal(cache_lifetime(600), 600);
	assert_int_equal(cache_lifetime(10000000), 86400);
}

static void
test_store_without_max_age_lives_an_hour(void **state)
{
	struct ctx *c = *state;
	char *body = NULL;
	size_t len;

	assert_int_equal(
	    cache_store(c->dir, "jwks", URL, BODY, strlen(BODY), -1, T0), 0);
	assert_int_equal(
	    cache_load(c->dir, "jwks", URL, T0 + 3599, &body, &len), 0);
	free(body);
	body = NULL;
	assert_int_equal(
	    cache_load(c->dir, "jwks", URL, T0 + 3600, &body, &len),
	    OIDC_ERR_EXPIRED);
	free(body);
}

static void
test_clear_removes_entries(void **state)
{
	struct ctx *c = *state;
	char *body = NULL;
	size_t len;

	assert_int_equal(
	    cache_store(c->dir, "jwks", URL, BODY, strlen(BODY), 300, T0), 0);
	assert_int_equal(
	    cache_store(c->dir, "discovery", URL, BODY, strlen(BODY), 300, T0),
	    0);
	assert_int_equal(cache_clear(c->dir), 2);
	assert_int_equal(
	    cache_load(c->dir, "jwks", URL, T0, &body, &len), OIDC_ERR_INVALID);
}

static void
test_rate_limit_allows_once_a_minute(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(cache_rate_limit(c->dir, "jwks-refetch", URL, T0), 0);
	assert_int_equal(cache_rate_limit(c->dir, "jwks-refetch", URL, T0 + 30),
	    OIDC_ERR_EXPIRED);
	assert_int_equal(
	    cache_rate_limit(c->dir, "jwks-refetch", URL "/other", T0 + 30), 0);
	assert_int_equal(
	    cache_rate_limit(c->dir, "jwks-refetch", URL, T0 + 61), 0);
}

static void
test_rate_limit_denies_when_cache_unwritable(void **state)
{
	assert_int_equal(
	    cache_rate_limit("/proc/no-such-dir/x", "jwks-refetch", URL, T0),
	    OIDC_ERR_EXPIRED);
	(void)state;
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_store_then_load_fresh),
		T(test_stale_entry_is_expired_with_body),
		T(test_missing_entry_is_invalid),
		T(test_kinds_are_separate),
		T(test_corrupt_header_is_invalid),
		T(test_truncated_entry_is_invalid),
		T(test_entry_for_other_url_is_invalid),
		T(test_file_mode_0600_and_dir_0700),
		T(test_existing_open_dir_is_tightened_to_0700),
		T(test_group_readable_entry_refused),
		T(test_symlinked_entry_refused),
		T(test_store_replaces_entry),
		cmocka_unit_test(test_lifetime_bounds),
		T(test_store_without_max_age_lives_an_hour),
		T(test_clear_removes_entries),
		T(test_rate_limit_allows_once_a_minute),
		T(test_rate_limit_denies_when_cache_unwritable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
