/*
 * The registry: reservations for a first sign-in over SSH, registration,
 * removal, the file format and the policy, in a private directory with
 * its own passwd, group and login.defs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixtures.h"
#include "oidc.h"
#include "registry.h"

#define NOW  ((int64_t)1800000000)
#define ISS  "https://idp.example.com"
#define ISS2 "https://other.example.com"

#define PASSWD                                                                 \
	"root:x:0:0:root:/root:/bin/bash\n"                                    \
	"alice:x:70000:70000::/home/alice:/bin/bash\n"                         \
	"nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\n"
#define GROUP                                                                  \
	"root:x:0:\n"                                                          \
	"alice:x:70000:\n"                                                     \
	"devs:x:70001:alice\n"

struct ctx {
	char *etc;
	char *store;
	struct oidc_regpolicy pol;
	struct oidc_regprobe pr;
	uint32_t busy_id;  /* id_used says 1 for it */
	const char *known; /* name_known says 1 for it */
	int name_error;    /* name_known fails */
};

static int
probe_name(void *arg, const char *name, uint32_t ours)
{
	struct ctx *c = arg;

	(void)ours;
	if (c->name_error)
		return -1;
	return c->known != NULL && strcmp(name, c->known) == 0;
}

static int
probe_id(void *arg, uint32_t id)
{
	const struct ctx *c = arg;

	return id == c->busy_id;
}

static int
setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	c->etc = fix_tmpdir();
	free(fix_write_file(c->etc, "passwd", PASSWD, 0644));
	free(fix_write_file(c->etc, "group", GROUP, 0644));
	free(fix_write_file(c->etc, "login.defs", "UID_MIN\t1000\n", 0644));
	c->store = fix_strdupf("%s/store", c->etc);
	regpolicy_init(&c->pol);
	c->pol.with = REGISTER_NSS;
	c->pol.auto_register = 1;
	c->pol.uid_min = 70000;
	c->pol.uid_max = 70009;
	c->pr.etc_dir = c->etc;
	c->pr.name_known = probe_name;
	c->pr.id_used = probe_id;
	c->pr.ctx = c;
	c->pr.wait_ms = 200;
	*state = c;
	return 0;
}

static int
teardown(void **state)
{
	struct ctx *c = *state;

	fix_rmtree(c->etc);
	free(c->etc);
	free(c->store);
	free(c);
	return 0;
}

static int
reserve(struct ctx *c, const char *name, int64_t now, struct oidc_regentry *e)
{
	char why[256];

	return registry_reserve(
	    c->store, &c->pol, name, now, &c->pr, e, why, sizeof(why));
}

static int
enrol(struct ctx *c, const char *name, const char *iss, const char *sub,
    int direct, struct oidc_regentry *e, int *created)
{
	struct oidc_regperson who = { name, iss, sub, "/bin/zsh" };
	char why[256];

	return registry_register(c->store, &c->pol, &who, direct, NOW, &c->pr,
	    e, created, why, sizeof(why));
}

/* The store's text (empty when there is none). */
static char *
store_text(const struct ctx *c)
{
	char *path = fix_strdupf("%s/users", c->store), *buf;
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf = calloc(1, 1 << 16);
	if (f != NULL) {
		n = fread(buf, 1, (1 << 16) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	free(path);
	return buf;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

static void
test_reserve_takes_the_lowest_id_no_file_uses(void **state)
{
	struct ctx *c = *state;
	struct oidc_regentry e, f;

	/* 70000 is alice's UID, 70001 the GID of devs. */
	assert_int_equal(reserve(c, "newa", NOW, &e), 0);
	assert_int_equal(e.state, REG_PENDING);
	assert_int_equal(e.uid, 70002);
	assert_int_equal(e.gid, 70002);
	assert_string_equal(e.home, "/home/newa");
	assert_string_equal(e.shell, "/bin/bash");
	assert_true(e.expires == NOW + 600);
	assert_int_equal(reserve(c, "newb", NOW, &f), 0);
	assert_int_equal(f.uid, 70003);
	/* Another source uses 70004: it is skipped. */
	c->busy_id = 70004;
	assert_int_equal(reserve(c, "newc", NOW, &f), 0);
	assert_int_equal(f.uid, 70005);
}

static void
test_same_name_keeps_its_id(void **state)
{
	struct ctx *c = *state;
	struct oidc_regentry e, f;
	char *t;

	assert_int_equal(reserve(c, "newa", NOW, &e), 0);
	assert_int_equal(reserve(c, "newb", NOW + 1, &f), 0);
	assert_int_equal(reserve(c, "newa", NOW + 2, &f), 0);
	assert_int_equal(f.uid, e.uid);
	assert_true(f.expires == e.expires);
	t = store_text(c);
	assert_int_equal(count(t, "pending newa "), 1);
	free(t);
}

static void
test_ids_never_come_from_the_name(void **state)
{
	struct ctx *c = *state;
	struct oidc_regentry e, f;

	/* The same name in another order gets another id. */
	assert_int_equal(reserve(c, "zed", NOW, &e), 0);
	assert_int_equal(reserve(c, "amy", NOW, &f), 0);
	assert_int_equal(e.uid, 70002);
	assert_int_equal(f.uid, 70003);
}

static void
test_open_reservations_are_bounded(void **state)
{
	struct ctx *c = *state;
	struct oidc_regentry e;
	char why[256], *t;

	c->pol.max_pending = 3;
	assert_int_equal(reserve(c, "n1", NOW, &e), 0);
	assert_int_equal(reserve(c, "n2", NOW, &e), 0);
	assert_int_equal(reserve(c, "n3", NOW, &e), 0);
	assert_int_equal(registry_reserve(c->store, &c->pol, "n4", NOW, &c->pr,
			     &e, why, sizeof(why)),
	    OIDC_ERR_PERM);
	assert_non_null(strstr(why, "register_max_pending"));
	/* A name already held is still answered. */
	assert_int_equal(reserve(c, "n2", NOW, &e), 0);
	t = store_text(c);
	assert_int_equal(count(t, "pending "), 3);
	assert_null(strstr(t, " n4 "));
	free(t);
}

static void
test_reservations_are_rate_limited(void **state)
{
	struct ctx *c = *state;
	struct oidc_regentry e;

	c->pol.rate = 2;
	assert_int_equal(reserve(c, "r1", NOW, &e), 0);
	assert_int_equal(reserve(c, "r2", NOW + 10, &e), 0);
	assert_int_equal(reserve(c, "r3", NOW + 59, &e), OIDC_ERR_PERM);
	/* A new minute. */
	assert_int_equal(reserve(c, "r3", NOW + 60, &e), 0);
}

static void
test_an_expired_reservation_leaves_nothing(void **state)
{
	struct ctx *c = *state;
	struct oidc_regentry e, f;
	char *t;

	c->pol.ttl = 5;
	assert_int_equal(reserve(c, "gone", NOW, &e), 0);
	assert_int_equal(
	    regfile_find(c->store, NOW + 4, REG_BY_NAME, "gone", 0, &f), 1);
	assert_int_equal(
	    regfile_find(c->store, NOW + 5, REG_BY_NAME, "gone", 0, &f), 0);
	assert_int_equal(
	    regfile_find(c->store, NOW + 5, REG_BY_UID, NULL, e.uid, &f), 0);
	/* The next write drops it; its id is free again. */
	assert_int_equal(reserve(c, "next", NOW + 6, &f), 0);
	assert_int_equal(f.uid, e.uid);
	t = store_text(c);
	assert_null(strstr(t, "gone"));
	free(t);
}

static void
test_registration_keeps_the_reserved_id(void **state)
{
	struct ctx *c = *state;
	struct oidc_regentry e, f;
	int created;

	assert_int_equal(reserve(c, "newa", NOW, &e), 0);
	assert_int_equal(enrol(c, "newa", ISS, "sub 1", 0, &f, &created), 0);
	assert_int_equal(created, 1);
	assert_int_equal(f.state, REG_USER);
	assert_int_equal(f.uid, e.uid);
	assert_string_equal(f.home, e.home);
	assert_string_equal(f.shell, e.shell);
	assert_string_equal(f.iss, ISS);
	assert_string_equal(f.sub, "sub 1");
	/* Registered: no longer expires. */
	assert_int_equal(
	    regfile_find(c->store, NOW + 100000, REG_BY_NAME, "newa", 0, &f),
	    1);
	assert_int_equal(f.state, REG_USER);
	/* The same person again: kept. */
	assert_int_equal(enrol(c, "newa", ISS, "sub 1", 0, &f, &created), 0);
	assert_int_equal(created, 0);
}

static void
test_another_identity_never_gets_the_account(void **state)
{
	struct ctx *c = *state;
	struct oidc_regentry e, f;
	int created;
	char *t;

	assert_int_equal(reserve(c, "newa", NOW, &e), 0);
	assert_int_equal(enrol(c, "newa", ISS, "s1", 0, &f, &created), 0);
	assert_int_equal(
	    enrol(c, "newa", ISS, "s2", 1, &f, &created), OIDC_ERR_MISMATCH);
	assert_string_equal(f.sub, "s1");
	assert_int_equal(
	    enrol(c, "newa", ISS2, "s1", 1, &f, &created), OIDC_ERR_MISMATCH);
	assert_string_equal(f.iss, ISS);
	/* A prefix is not the same sub. */
	assert_int_equal(
	    enrol(c, "newa", ISS, "s", 1, &f, &created), OIDC_ERR_MISMATCH);
	t = store_text(c);
	assert_int_equal(count(t, "user newa "), 1);
	free(t);
}

static void
test_registration_without_reservation(void **state)
{
	struct ctx *c = *state;
	struct oidc_regentry f;
	int created;

	assert_int_equal(enrol(c, "kiosk", ISS, "s1", 0, &f, &created),
	    OIDC_ERR_USER_UNKNOWN);
	assert_int_equal(created, 0);
	assert_int_equal(enrol(c, "kiosk", ISS, "s1", 1, &f, &created), 0);
	assert_int_equal(created, 1);
	assert_int_equal(f.uid, 70002);
	assert_string_equal(f.shell, "/bin/zsh");
	/* Not for a name the files know, nor without an issuer or sub. */
	assert_int_equal(
	    enrol(c, "alice", ISS, "s1", 1, &f, &created), OIDC_ERR_INVALID);
	assert_int_equal(
	    enrol(c, "other", ISS, "", 1, &f, &created), OIDC_ERR_INVALID);
	assert_int_equal(
	    enrol(c, "other", "", "s", 1, &f, &created), OIDC_ERR_INVALID);
}

static void
test_names_of_other_sources_are_never_held(void **state)
{
	struct ctx *c = *state;
	struct oidc_regentry e;
	char *t;

	/* A user and a group of the files, then another source's name. */
	assert_int_equal(reserve(c, "alice", NOW, &e), OIDC_ERR_INVALID);
	assert_int_equal(reserve(c, "devs", NOW, &e), OIDC_ERR_INVALID);
	assert_int_equal(reserve(c, "root", NOW, &e), OIDC_ERR_INVALID);
	c->known = "ldapuser";
	assert_int_equal(reserve(c, "ldapuser", NOW, &e), OIDC_ERR_INVALID);
	c->name_error = 1;
	assert_int_equal(reserve(c, "unsure", NOW, &e), OIDC_ERR_SYSTEM);
	t = store_text(c);
	assert_null(strstr(t, "pending"));
	free(t);
}

static void
test_policy_refuses_names(void **state)
{
	struct ctx *c = *state;
	struct oidc_regentry e;
	static const char *const bad[] = { "Root", "a:b", "../x", "-x", "",
		"a b", "a\n", "abcdefghijklmnopqrstuvwxyz0123456", NULL };
	size_t i;

	for (i = 0; bad[i] != NULL; i++)
		assert_int_equal(reserve(c, bad[i], NOW, &e), OIDC_ERR_INVALID);
	c->pol.name_max = 4;
	assert_int_equal(reserve(c, "abcde", NOW, &e), OIDC_ERR_INVALID);
	assert_int_equal(reserve(c, "abcd", NOW, &e), 0);
	c->pol.name_max = 32;
	memcpy(c->pol.allow, "dev-* ops.?", sizeof("dev-* ops.?"));
	assert_int_equal(reserve(c, "ann", NOW, &e), OIDC_ERR_INVALID);
	assert_int_equal(reserve(c, "dev-ann", NOW, &e), 0);
	assert_int_equal(reserve(c, "ops.a", NOW, &e), 0);
	assert_int_equal(reserve(c, "ops.ab", NOW, &e), OIDC_ERR_INVALID);
}

static void
test_removal_retires_a_registered_id(void **state)
{
	struct ctx *c = *state;
	struct oidc_regentry e, f;
	char why[256], *t;
	int created;

	assert_int_equal(reserve(c, "newa", NOW, &e), 0);
	assert_int_equal(enrol(c, "newa", ISS, "s1", 0, &f, &created), 0);
	assert_int_equal(reserve(c, "newb", NOW, &e), 0);
	assert_int_equal(
	    registry_remove(c->store, "newa", NOW, 200, &f, why, sizeof(why)),
	    0);
	assert_int_equal(f.uid, 70002);
	assert_int_equal(
	    registry_remove(c->store, "newb", NOW, 200, &f, why, sizeof(why)),
	    0);
	assert_int_equal(
	    registry_remove(c->store, "newb", NOW, 200, &f, why, sizeof(why)),
	    OIDC_ERR_USER_UNKNOWN);
	assert_int_equal(
	    regfile_find(c->store, NOW, REG_BY_NAME, "newa", 0, &f), 0);
	t = store_text(c);
	assert_non_null(strstr(t, "retired newa 70002 70002"));
	assert_null(strstr(t, "newb"));
	free(t);
	/* The retired id is never handed out again; the released one is. */
	assert_int_equal(reserve(c, "newc", NOW, &e), 0);
	assert_int_equal(e.uid, 70003);
	assert_int_equal(reserve(c, "newa", NOW, &e), 0);
	assert_int_equal(e.uid, 70004);
}

static void
test_iss_and_sub_survive_the_file(void **state)
{
	struct ctx *c = *state;
	static const char sub[] = "a b%c:d\x7f\xc3\xa9\t\"e";
	struct oidc_regentry e, f;
	int created;
	char *t;

	assert_int_equal(reserve(c, "newa", NOW, &e), 0);
	assert_int_equal(enrol(c, "newa", ISS "/x y", sub, 0, &f, &created), 0);
	assert_int_equal(
	    regfile_find(c->store, NOW, REG_BY_UID, NULL, e.uid, &f), 1);
	assert_string_equal(f.sub, sub);
	assert_string_equal(f.iss, ISS "/x y");
	t = store_text(c);
	assert_non_null(strstr(t, " a%20b%25c:d%7F%C3%A9%09\"e\n"));
	free(t);
}

static void
write_store(const struct ctx *c, const char *text, unsigned int mode)
{
	mkdir(c->store, 0755);
	free(fix_write_file(c->store, "users", text, mode));
}

static void
test_corrupt_store_refused(void **state)
{
	struct ctx *c = *state;
	static const char *const bad[] = {
		"",
		"pam_oidc-registry 2\nrate 0 0\n",
		"pam_oidc-registry 1\n",
		"pam_oidc-registry 1\nrate x 0\n",
		"pam_oidc-registry 1\nrate 0 0\npending a 70005 70005 1\n",
		"pam_oidc-registry 1\nrate 0 0\nuser a 0 0 1 /home/a /bin/sh "
		"i s\n",
		"pam_oidc-registry 1\nrate 0 0\nuser a 70005 70006 1 /home/a "
		"/bin/sh i s\n",
		"pam_oidc-registry 1\nrate 0 0\nuser a 70005 70005 1 /home/../a "
		"/bin/sh i s\n",
		"pam_oidc-registry 1\nrate 0 0\nuser a 70005 70005 1 /home/a "
		"/bin/sh i s%0\n",
		"pam_oidc-registry 1\nrate 0 0\nuser a 70005 70005 1 /home/a "
		"/bin/sh i s%00\n",
		"pam_oidc-registry 1\nrate 0 0\nuser A 70005 70005 1 /home/a "
		"/bin/sh i s\n",
		"pam_oidc-registry 1\nrate 0 0\nuser a  70005 70005 1 /home/a "
		"/bin/sh i s\n",
		"pam_oidc-registry 1\nrate 0 0\nuser a 70005 70005 1 /home/a "
		"/bin/sh i s",
		/* A bad line after the one asked for spoils the whole store. */
		"pam_oidc-registry 1\nrate 0 0\nuser a 70005 70005 1 /home/a "
		"/bin/sh i s\nbogus\n",
		NULL,
	};
	struct oidc_regentry e;
	size_t i;
	char *t;

	for (i = 0; bad[i] != NULL; i++) {
		write_store(c, bad[i], 0644);
		assert_int_equal(
		    regfile_find(c->store, NOW, REG_BY_NAME, "a", 0, &e),
		    OIDC_ERR_CONFIG);
		assert_int_equal(reserve(c, "newa", NOW, &e), OIDC_ERR_CONFIG);
		t = store_text(c);
		assert_string_equal(t, bad[i]);
		free(t);
	}
}

static void
test_duplicates_refused_by_writers(void **state)
{
	struct ctx *c = *state;
	struct oidc_regentry e;

	write_store(c,
	    "pam_oidc-registry 1\nrate 0 0\n"
	    "user a 70005 70005 1 /home/a /bin/sh i s\n"
	    "user b 70005 70005 1 /home/b /bin/sh i s\n",
	    0644);
	assert_int_equal(reserve(c, "newa", NOW, &e), OIDC_ERR_CONFIG);
	write_store(c,
	    "pam_oidc-registry 1\nrate 0 0\n"
	    "user a 70005 70005 1 /home/a /bin/sh i s\n"
	    "pending a 70006 70006 1 9999999999 /home/a /bin/sh\n",
	    0644);
	assert_int_equal(reserve(c, "newa", NOW, &e), OIDC_ERR_CONFIG);
	/* An expired duplicate is no entry at all. */
	write_store(c,
	    "pam_oidc-registry 1\nrate 0 0\n"
	    "user a 70005 70005 1 /home/a /bin/sh i s\n"
	    "pending a 70005 70005 1 2 /home/a /bin/sh\n",
	    0644);
	assert_int_equal(reserve(c, "newa", NOW, &e), 0);
}

static void
test_unsafe_store_refused(void **state)
{
	struct ctx *c = *state;
	struct oidc_regentry e;
	char *link;

	write_store(c, "pam_oidc-registry 1\nrate 0 0\n", 0666);
	assert_int_equal(regfile_find(c->store, NOW, REG_BY_NAME, "a", 0, &e),
	    OIDC_ERR_CONFIG);
	assert_int_equal(reserve(c, "newa", NOW, &e), OIDC_ERR_CONFIG);
	assert_int_equal(chmod(c->store, 0777), 0);
	write_store(c, "pam_oidc-registry 1\nrate 0 0\n", 0644);
	assert_int_equal(regfile_find(c->store, NOW, REG_BY_NAME, "a", 0, &e),
	    OIDC_ERR_CONFIG);
	assert_int_equal(reserve(c, "newa", NOW, &e), OIDC_ERR_CONFIG);
	assert_int_equal(chmod(c->store, 0755), 0);
	link = fix_strdupf("%s/users", c->store);
	assert_int_equal(unlink(link), 0);
	free(fix_write_file(
	    c->etc, "elsewhere", "pam_oidc-registry 1\nrate 0 0\n", 0644));
	assert_int_equal(symlink("../elsewhere", link), 0);
	assert_int_equal(regfile_find(c->store, NOW, REG_BY_NAME, "a", 0, &e),
	    OIDC_ERR_CONFIG);
	free(link);
}

static void
test_rewrite_is_atomic_and_world_readable(void **state)
{
	struct ctx *c = *state;
	struct oidc_regentry e;
	struct dirent *de;
	struct stat st;
	char *path;
	DIR *d;
	int others = 0;

	assert_int_equal(reserve(c, "newa", NOW, &e), 0);
	assert_int_equal(reserve(c, "newb", NOW, &e), 0);
	path = fix_strdupf("%s/users", c->store);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(stat(c->store, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	/* Only the store and its lock: no temporary file is left. */
	assert_non_null(d = opendir(c->store));
	while ((de = readdir(d)) != NULL)
		others += strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0 &&
		    strcmp(de->d_name, "users") != 0 &&
		    strcmp(de->d_name, "users.lock") != 0;
	closedir(d);
	assert_int_equal(others, 0);
	free(path);
}

static void
test_a_held_lock_bounds_the_wait_not_readers(void **state)
{
	struct ctx *c = *state;
	struct oidc_regentry e;
	char *lock;
	int fd;

	assert_int_equal(reserve(c, "newa", NOW, &e), 0);
	lock = fix_strdupf("%s/users.lock", c->store);
	assert_true((fd = open(lock, O_RDWR)) >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	/* flock locks belong to the open file: this one is another. */
	assert_int_equal(reserve(c, "newb", NOW, &e), OIDC_ERR_SYSTEM);
	assert_int_equal(
	    regfile_find(c->store, NOW, REG_BY_NAME, "newa", 0, &e), 1);
	close(fd);
	assert_int_equal(reserve(c, "newb", NOW, &e), 0);
	free(lock);
}

static void
test_concurrent_writers_lose_nothing(void **state)
{
	struct ctx *c = *state;
	struct oidc_regentry e;
	char name[16], *t;
	pid_t pids[16];
	int i, status;

	c->pr.wait_ms = 5000;
	c->pol.uid_max = 70019;
	/* Eight processes hold one name, eight hold eight others. */
	for (i = 0; i < 16; i++) {
		if ((pids[i] = fork()) == 0) {
			snprintf(name, sizeof(name), "p%d", i < 8 ? 0 : i);
			_exit(reserve(c, name, NOW, &e) == 0 ? 0 : 1);
		}
		assert_true(pids[i] > 0);
	}
	for (i = 0; i < 16; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	t = store_text(c);
	assert_int_equal(count(t, "pending "), 9);
	assert_int_equal(count(t, "pending p0 "), 1);
	free(t);
	/* Nine entries, nine different ids: the nine lowest free ones. */
	for (i = 70002; i <= 70010; i++)
		assert_int_equal(
		    regfile_find(c->store, NOW, REG_BY_UID, NULL, i, &e), 1);
}

static void
test_policy_values_and_floor(void **state)
{
	struct ctx *c = *state;
	struct oidc_regpolicy p;
	char why[256];

	regpolicy_init(&p);
	assert_int_equal(regpolicy_validate(&p, c->etc, why, sizeof(why)), 0);
	p.with = REGISTER_NSS;
	assert_int_equal(
	    regpolicy_validate(&p, c->etc, why, sizeof(why)), OIDC_ERR_CONFIG);
	assert_int_equal(regpolicy_set(&p, "register_uid_min", "500"), 0);
	assert_int_equal(regpolicy_set(&p, "register_uid_max", "600"), 0);
	assert_int_equal(
	    regpolicy_validate(&p, c->etc, why, sizeof(why)), OIDC_ERR_CONFIG);
	assert_non_null(strstr(why, "UID_MIN 1000"));
	assert_int_equal(regpolicy_set(&p, "register_uid_min", "2000"), 0);
	assert_int_equal(
	    regpolicy_validate(&p, c->etc, why, sizeof(why)), OIDC_ERR_CONFIG);
	assert_int_equal(regpolicy_set(&p, "register_uid_max", "2999"), 0);
	assert_int_equal(regpolicy_validate(&p, c->etc, why, sizeof(why)), 0);
	free(fix_write_file(c->etc, "login.defs", "UID_MIN 5000\n", 0644));
	assert_int_equal(
	    regpolicy_validate(&p, c->etc, why, sizeof(why)), OIDC_ERR_CONFIG);
	assert_int_equal(
	    regpolicy_set(&p, "register_uid_min", "0"), OIDC_ERR_INVALID);
	assert_int_equal(
	    regpolicy_set(&p, "register_uid_min", "65535"), OIDC_ERR_INVALID);
	assert_int_equal(
	    regpolicy_set(&p, "register_uid_max", "-1"), OIDC_ERR_INVALID);
	assert_int_equal(
	    regpolicy_set(&p, "register_pending_ttl", "4"), OIDC_ERR_INVALID);
	assert_int_equal(
	    regpolicy_set(&p, "register_home", "/home/"), OIDC_ERR_INVALID);
	assert_int_equal(
	    regpolicy_set(&p, "register_home", "home"), OIDC_ERR_INVALID);
	assert_int_equal(
	    regpolicy_set(&p, "register_home", "/h:me"), OIDC_ERR_INVALID);
	assert_int_equal(
	    regpolicy_set(&p, "register_with", "ldap"), OIDC_ERR_INVALID);
	assert_int_equal(
	    regpolicy_set(&p, "register_allow", "a:b"), OIDC_ERR_INVALID);
	assert_int_equal(
	    regpolicy_set(&p, "register_rate", "0"), OIDC_ERR_INVALID);
}

static void
test_policy_file_read_for_the_nss_module(void **state)
{
	struct ctx *c = *state;
	struct oidc_regpolicy p;
	char why[256], *path;

	path = fix_write_file(c->etc, "pam_oidc.conf",
	    "issuer = https://idp.example.com\n"
	    "client_secret = s3cret\n"
	    "# register_uid_min = 1\n"
	    "auto_register = yes\n"
	    "register_with = nss\n"
	    "register_uid_min = 70000\n"
	    "register_uid_max = 70999\n"
	    "register_home = /srv/home\n"
	    "register_allow = dev-*\n"
	    "register_max_pending = 7\n"
	    "register_rate = 3\n"
	    "register_pending_ttl = 9\n"
	    "shell = /bin/zsh\n"
	    "username_max_length = 12\n",
	    0600);
	assert_int_equal(regpolicy_load(path, c->etc, &p, why, sizeof(why)), 0);
	assert_int_equal(p.with, REGISTER_NSS);
	assert_int_equal(p.auto_register, 1);
	assert_int_equal(p.uid_min, 70000);
	assert_int_equal(p.uid_max, 70999);
	assert_string_equal(p.home, "/srv/home");
	assert_string_equal(p.allow, "dev-*");
	assert_int_equal(p.max_pending, 7);
	assert_int_equal(p.rate, 3);
	assert_int_equal(p.ttl, 9);
	assert_string_equal(p.shell, "/bin/zsh");
	assert_int_equal(p.name_max, 12);
	free(path);
	path = fix_write_file(c->etc, "pam_oidc.conf",
	    "register_with = nss\nregister_uid_min = 70000\n"
	    "register_uid_max = 70999\nregister_rate = lots\n",
	    0600);
	assert_int_equal(regpolicy_load(path, c->etc, &p, why, sizeof(why)),
	    OIDC_ERR_CONFIG);
	free(path);
	path = fix_write_file(c->etc, "pam_oidc.conf",
	    "register_with = nss\nregister_uid_min = 70000\n"
	    "register_uid_max = 70999\n",
	    0666);
	assert_int_equal(regpolicy_load(path, c->etc, &p, why, sizeof(why)),
	    OIDC_ERR_CONFIG);
	free(path);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_reserve_takes_the_lowest_id_no_file_uses),
		T(test_same_name_keeps_its_id),
		T(test_ids_never_come_from_the_name),
		T(test_open_reservations_are_bounded),
		T(test_reservations_are_rate_limited),
		T(test_an_expired_reservation_leaves_nothing),
		T(test_registration_keeps_the_reserved_id),
		T(test_another_identity_never_gets_the_account),
		T(test_registration_without_reservation),
		T(test_names_of_other_sources_are_never_held),
		T(test_policy_refuses_names),
		T(test_removal_retires_a_registered_id),
		T(test_iss_and_sub_survive_the_file),
		T(test_corrupt_store_refused),
		T(test_duplicates_refused_by_writers),
		T(test_unsafe_store_refused),
		T(test_rewrite_is_atomic_and_world_readable),
		T(test_a_held_lock_bounds_the_wait_not_readers),
		T(test_concurrent_writers_lose_nothing),
		T(test_policy_values_and_floor),
		T(test_policy_file_read_for_the_nss_module),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
