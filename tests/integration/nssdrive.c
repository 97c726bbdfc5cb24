/*
 * A test driver for libnss_oidc: it dlopens the built module and calls
 * its NSS functions the way glibc does, with buffers too small and large
 * enough, from several threads, and checks each answer.
 *
 * nssdrive SO NAME UID MISSING COUNT
 *   NAME, UID  a registered person in the store (/var/lib/pam_oidc)
 *   MISSING    a name nobody has
 *   COUNT      how many live entries the store holds
 * Prints "ok - ..." or "not ok - ..." per check; exits 1 if one failed.
 */
#include <dlfcn.h>
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum nss_status (*pwnam_fn)(
    const char *, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*pwuid_fn)(
    uid_t, struct passwd *, char *, size_t, int *);
typedef enum nss_status (*grnam_fn)(
    const char *, struct group *, char *, size_t, int *);
typedef enum nss_status (*grgid_fn)(
    gid_t, struct group *, char *, size_t, int *);
typedef enum nss_status (*setent_fn)(int);
typedef enum nss_status (*endent_fn)(void);
typedef enum nss_status (*pwent_fn)(struct passwd *, char *, size_t, int *);
typedef enum nss_status (*grent_fn)(struct group *, char *, size_t, int *);

static struct {
	pwnam_fn pwnam;
	pwuid_fn pwuid;
	grnam_fn grnam;
	grgid_fn grgid;
	setent_fn setpw, setgr;
	endent_fn endpw, endgr;
	pwent_fn pwent;
	grent_fn grent;
} m;

static const char *name, *missing;
static uid_t uid;
static int failed;

static void
check(int cond, const char *what)
{
	printf("%s - %s\n", cond ? "ok" : "not ok", what);
	if (!cond)
		failed = 1;
}

static void *
sym(void *h, const char *s)
{
	void *p = dlsym(h, s);

	if (p == NULL) {
		printf("not ok - %s is exported\n", s);
		exit(1);
	}
	return p;
}

/* The smallest buffer that holds NAME's passwd entry; ERANGE below it. */
static void
test_pwnam_buffers(void)
{
	struct passwd pw;
	char buf[1024];
	size_t len;
	int err = 0, ranges = 1;
	enum nss_status st = NSS_STATUS_TRYAGAIN;

	for (len = 0; len < sizeof(buf); len++) {
		err = 0;
		st = m.pwnam(name, &pw, buf, len, &err);
		if (st != NSS_STATUS_TRYAGAIN)
			break;
		ranges &= err == ERANGE;
	}
	check(ranges && len > 0,
	    "getpwnam_r: TRYAGAIN with ERANGE while the buffer is too small");
	check(st == NSS_STATUS_SUCCESS && strcmp(pw.pw_name, name) == 0 &&
		pw.pw_uid == uid && pw.pw_gid == uid &&
		strcmp(pw.pw_passwd, "*") == 0 && pw.pw_dir[0] == '/' &&
		pw.pw_shell[0] == '/',
	    "getpwnam_r: the entry, inside the caller's buffer");
	check((char *)pw.pw_name >= buf && (char *)pw.pw_shell < buf + len,
	    "getpwnam_r: every string points into the buffer");
	err = 0;
	check(m.pwuid(uid, &pw, buf, sizeof(buf), &err) == NSS_STATUS_SUCCESS &&
		strcmp(pw.pw_name, name) == 0,
	    "getpwuid_r: the same entry by UID");
	err = 0;
	check(m.pwnam(missing, &pw, buf, sizeof(buf), &err) ==
		    NSS_STATUS_NOTFOUND &&
		err == ENOENT,
	    "getpwnam_r: NOTFOUND and ENOENT for a name nobody has");
}

static void
test_group_buffers(void)
{
	struct group gr;
	char buf[1024];
	size_t len;
	int err = 0, ranges = 1;
	enum nss_status st = NSS_STATUS_TRYAGAIN;

	/* An odd start: the member list must still be aligned. */
	for (len = 0; len < sizeof(buf) - 1; len++) {
		err = 0;
		st = m.grnam(name, &gr, buf + 1, len, &err);
		if (st != NSS_STATUS_TRYAGAIN)
			break;
		ranges &= err == ERANGE;
	}
	check(ranges && len > 0, "getgrnam_r: ERANGE while too small");
	check(st == NSS_STATUS_SUCCESS && strcmp(gr.gr_name, name) == 0 &&
		gr.gr_gid == uid && gr.gr_mem != NULL && gr.gr_mem[0] == NULL &&
		((uintptr_t)gr.gr_mem % sizeof(char *)) == 0,
	    "getgrnam_r: the private group, no members, aligned list");
	err = 0;
	check(m.grgid(uid, &gr, buf, sizeof(buf), &err) == NSS_STATUS_SUCCESS &&
		strcmp(gr.gr_name, name) == 0,
	    "getgrgid_r: the same group by GID");
	err = 0;
	check(m.grnam(missing, &gr, buf, sizeof(buf), &err) ==
		NSS_STATUS_NOTFOUND,
	    "getgrnam_r: NOTFOUND for a name nobody has");
}

/* getpwent_r: a short buffer does not move the iteration on. */
static void
test_enumeration(int want)
{
	struct passwd pw;
	struct group gr;
	char buf[1024], first[64] = "";
	int err = 0, n = 0, kept = 1;
	enum nss_status st;

	m.setpw(0);
	while ((st = m.pwent(&pw, buf, 8, &err)) == NSS_STATUS_TRYAGAIN &&
	    err == ERANGE) {
		if ((st = m.pwent(&pw, buf, sizeof(buf), &err)) !=
		    NSS_STATUS_SUCCESS)
			break;
		if (n == 0)
			snprintf(first, sizeof(first), "%s", pw.pw_name);
		n++;
	}
	m.endpw();
	check(st == NSS_STATUS_NOTFOUND && n == want,
	    "getpwent_r: every live entry once, ERANGE not skipping one");
	m.setpw(0);
	kept = m.pwent(&pw, buf, sizeof(buf), &err) == NSS_STATUS_SUCCESS &&
	    strcmp(pw.pw_name, first) == 0;
	m.endpw();
	check(kept, "setpwent starts again from the first entry");
	n = 0;
	m.setgr(0);
	while (m.grent(&gr, buf, sizeof(buf), &err) == NSS_STATUS_SUCCESS)
		n++;
	m.endgr();
	check(n == want, "getgrent_r: one private group per live entry");
	/* Without setpwent, as glibc may call it. */
	n = 0;
	while (m.pwent(&pw, buf, sizeof(buf), &err) == NSS_STATUS_SUCCESS)
		n++;
	m.endpw();
	check(n == want, "getpwent_r without setpwent reads the store");
}

static void *
worker(void *arg)
{
	struct passwd pw;
	struct group gr;
	char buf[512];
	int i, err, *bad = arg;

	for (i = 0; i < 300; i++) {
		err = 0;
		if (m.pwnam(name, &pw, buf, sizeof(buf), &err) !=
			NSS_STATUS_SUCCESS ||
		    strcmp(pw.pw_name, name) != 0 ||
		    m.grgid(uid, &gr, buf, sizeof(buf), &err) !=
			NSS_STATUS_SUCCESS ||
		    gr.gr_gid != uid)
			(*bad)++;
	}
	return NULL;
}

static void
test_threads(void)
{
	pthread_t t[8];
	int bad[8] = { 0 }, i, total = 0;

	for (i = 0; i < 8; i++)
		if (pthread_create(&t[i], NULL, worker, &bad[i]) != 0)
			bad[i] = 1000;
	for (i = 0; i < 8; i++) {
		if (bad[i] != 1000)
			pthread_join(t[i], NULL);
		total += bad[i];
	}
	check(total == 0, "8 threads x 300 lookups: every answer right");
}

int
main(int argc, char **argv)
{
	void *h;

	if (argc != 6) {
		fprintf(stderr, "usage: nssdrive SO NAME UID MISSING COUNT\n");
		return 2;
	}
	if ((h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL)) == NULL) {
		printf("not ok - dlopen %s: %s\n", argv[1], dlerror());
		return 1;
	}
	name = argv[2];
	uid = (uid_t)strtoul(argv[3], NULL, 10);
	missing = argv[4];
	m.pwnam = (pwnam_fn)sym(h, "_nss_oidc_getpwnam_r");
	m.pwuid = (pwuid_fn)sym(h, "_nss_oidc_getpwuid_r");
	m.grnam = (grnam_fn)sym(h, "_nss_oidc_getgrnam_r");
	m.grgid = (grgid_fn)sym(h, "_nss_oidc_getgrgid_r");
	m.setpw = (setent_fn)sym(h, "_nss_oidc_setpwent");
	m.endpw = (endent_fn)sym(h, "_nss_oidc_endpwent");
	m.pwent = (pwent_fn)sym(h, "_nss_oidc_getpwent_r");
	m.setgr = (setent_fn)sym(h, "_nss_oidc_setgrent");
	m.endgr = (endent_fn)sym(h, "_nss_oidc_endgrent");
	m.grent = (grent_fn)sym(h, "_nss_oidc_getgrent_r");
	test_pwnam_buffers();
	test_group_buffers();
	test_enumeration((int)strtol(argv[5], NULL, 10));
	test_threads();
	dlclose(h);
	return failed;
}
