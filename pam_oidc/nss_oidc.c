/*
 * libnss_oidc: the passwd and group databases of the people pam_oidc
 * registered, and of the names it holds for a first sign-in over SSH.
 *
 * Every answer comes from the registry (regfile.h), read without a lock;
 * nothing else is asked, and no network is touched. A name is answered
 * only when the sources before this one in nsswitch.conf did not know it
 * ("passwd: files oidc"), and each person has a private group of the same
 * name and id; the module never lists anyone in another group.
 *
 * One caller may create an entry: sshd's privileged monitor, as root,
 * before authentication, asking for a name no other source knows. It
 * then holds the name (registry_reserve) under the policy of
 * /etc/pam_oidc.conf, so that sshd goes on to PAM with the UID the
 * account keeps; pam_oidc turns the reservation into the account after a
 * successful sign-in. To every other process a held name shows the shell
 * /usr/sbin/nologin.
 *
 * The NSS reentrant interface: results are placed in the caller's
 * buffer (ERANGE when it is too small); the only static state is the
 * *ent iteration, under a mutex. A lookup this module makes while it
 * checks other sources returns NOTFOUND here (a per-thread flag), so it
 * never recurses into itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <nss.h>
#include <pthread.h>
#include <pwd.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "names.h"
#include "oidc.h"
#include "regfile.h"
#include "registry.h"

#define ETC_DIR "/etc"

/* The binaries sshd's monitor runs as (OpenSSH before and after 9.8). */
static const char *const sshd_binaries[] = { "/usr/sbin/sshd",
	"/usr/lib/openssh/sshd-session", "/usr/libexec/openssh/sshd-session",
	"/usr/libexec/sshd-session", NULL };

/* Set while this thread asks other sources: answer nothing then. */
static __thread int nested;

/* The *ent iterations: one snapshot each, under a lock. */
struct ent {
	pthread_mutex_t lock;
	struct oidc_regsnap snap;
	size_t pos;
	int loaded;
};
static struct ent pwent = { PTHREAD_MUTEX_INITIALIZER, { 0 }, 0, 0 };
static struct ent grent = { PTHREAD_MUTEX_INITIALIZER, { 0 }, 0, 0 };

/*
 * Is this process an sshd binary running as root? With preauth, also
 * before authentication: sshd's monitor is titled "[accepted]" from the
 * connection until authentication succeeds ("USER [priv]" after).
 */
static int
in_sshd(int preauth)
{
	static const char tail[] = ": [accepted]";
	char exe[256], title[128];
	ssize_t n;
	size_t i, len;
	int fd, found = 0;

	if (geteuid() != 0 || getuid() != 0)
		return 0;
	if ((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		return 0;
	exe[n] = '\0';
	for (i = 0; sshd_binaries[i] != NULL; i++)
		found |= strcmp(exe, sshd_binaries[i]) == 0;
	if (!found || !preauth)
		return found;
	if ((fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, title, sizeof(title) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	title[n] = '\0';
	len = strlen(title);
	while (len > 0 && title[len - 1] == ' ')
		len--;
	return len >= sizeof(tail) - 1 &&
	    memcmp(title + len - (sizeof(tail) - 1), tail, sizeof(tail) - 1) ==
	    0;
}

/* Copy s into the caller's buffer; NULL when it does not fit. */
static char *
put(const char *s, char **buf, size_t *left)
{
	size_t n = strlen(s) + 1;
	char *p = *buf;

	if (n > *left)
		return NULL;
	memcpy(p, s, n);
	*buf += n;
	*left -= n;
	return p;
}

static enum nss_status
range(int *errnop)
{
	*errnop = ERANGE;
	return NSS_STATUS_TRYAGAIN;
}

static enum nss_status
fill_pw(const struct oidc_regentry *e, struct passwd *pw, char *buf, size_t len,
    int *errnop)
{
	const char *shell = e->shell, *gecos = "pam_oidc";

	/* A held name is no account yet, except for the sshd that holds it. */
	if (e->state == REG_PENDING) {
		gecos = "pam_oidc (first sign-in in progress)";
		if (!in_sshd(0))
			shell = REGISTRY_NOLOGIN;
	}
	if ((pw->pw_name = put(e->name, &buf, &len)) == NULL ||
	    (pw->pw_passwd = put("*", &buf, &len)) == NULL ||
	    (pw->pw_gecos = put(gecos, &buf, &len)) == NULL ||
	    (pw->pw_dir = put(e->home, &buf, &len)) == NULL ||
	    (pw->pw_shell = put(shell, &buf, &len)) == NULL)
		return range(errnop);
	pw->pw_uid = e->uid;
	pw->pw_gid = e->gid;
	return NSS_STATUS_SUCCESS;
}

static enum nss_status
fill_gr(const struct oidc_regentry *e, struct group *gr, char *buf, size_t len,
    int *errnop)
{
	size_t pad =
	    (alignof(char *) - ((uintptr_t)buf & (alignof(char *) - 1))) &
	    (alignof(char *) - 1);
	char **mem;

	if (len < pad + sizeof(char *))
		return range(errnop);
	/* The member list (empty: the person's primary group) comes first. */
	mem = (char **)(void *)(buf + pad);
	mem[0] = NULL;
	buf += pad + sizeof(char *);
	len -= pad + sizeof(char *);
	if ((gr->gr_name = put(e->name, &buf, &len)) == NULL ||
	    (gr->gr_passwd = put("*", &buf, &len)) == NULL)
		return range(errnop);
	gr->gr_gid = e->gid;
	gr->gr_mem = mem;
	return NSS_STATUS_SUCCESS;
}

static enum nss_status
not_found(int *errnop)
{
	*errnop = ENOENT;
	return NSS_STATUS_NOTFOUND;
}

/* regfile_find's answer as an NSS status. */
static enum nss_status
find(enum oidc_regkey by, const char *name, uint32_t id,
    struct oidc_regentry *e, int *errnop)
{
	int r;

	if (nested)
		return not_found(errnop);
	r = regfile_find(REGISTRY_DIR, (int64_t)time(NULL), by, name, id, e);
	if (r == 1)
		return NSS_STATUS_SUCCESS;
	if (r == 0)
		return not_found(errnop);
	*errnop = r == OIDC_ERR_NOMEM ? ENOMEM : EIO;
	return r == OIDC_ERR_NOMEM ? NSS_STATUS_TRYAGAIN : NSS_STATUS_UNAVAIL;
}

/* A getpwnam_r or getgrnam_r result: 1 found, 0 not, -1 error. */
static int
lookup_result(int e, const void *res)
{
	if (res != NULL || e == ERANGE)
		return 1;
	if (e == 0 || e == ENOENT || e == ESRCH || e == EBADF || e == EPERM)
		return 0;
	return -1;
}

/* registry probe: does another source know the name? */
static int
probe_name(void *ctx, const char *name, uint32_t ours)
{
	struct passwd pw, *pres = NULL;
	struct group gr, *gres = NULL;
	char buf[4096];
	int e, k;

	(void)ctx;
	(void)ours;
	nested = 1;
	e = getpwnam_r(name, &pw, buf, sizeof(buf), &pres);
	k = lookup_result(e, pres);
	if (k == 0) {
		e = getgrnam_r(name, &gr, buf, sizeof(buf), &gres);
		k = lookup_result(e, gres);
	}
	nested = 0;
	return k;
}

/* registry probe: does another source use the id as a UID or GID? */
static int
probe_id(void *ctx, uint32_t id)
{
	struct passwd pw, *pres = NULL;
	struct group gr, *gres = NULL;
	char buf[4096];
	int e, k;

	(void)ctx;
	nested = 1;
	e = getpwuid_r(id, &pw, buf, sizeof(buf), &pres);
	k = lookup_result(e, pres);
	if (k == 0) {
		e = getgrgid_r(id, &gr, buf, sizeof(buf), &gres);
		k = lookup_result(e, gres);
	}
	nested = 0;
	return k;
}

/*
 * sshd asks, before authentication, for a name nobody knows: hold it if
 * the policy allows. 1 with *e, 0 not held.
 */
static int
reserve(const char *name, struct oidc_regentry *e)
{
	struct oidc_regprobe pr = { ETC_DIR, probe_name, probe_id, NULL,
		REGISTRY_NSS_WAIT_MS };
	struct oidc_regpolicy pol;
	char why[512];
	int r;

	if (!names_valid(name, REGPOLICY_NAME_MAX) || !in_sshd(1))
		return 0;
	why[0] = '\0';
	if (regpolicy_load(REGPOLICY_CONFIG, ETC_DIR, &pol, why, sizeof(why)) !=
	    0) {
		syslog(LOG_AUTHPRIV | LOG_ERR, "pam_oidc(nss): %s", why);
		return 0;
	}
	if (pol.with != REGISTER_NSS || !pol.auto_register)
		return 0;
	r = registry_reserve(REGISTRY_DIR, &pol, name, (int64_t)time(NULL), &pr,
	    e, why, sizeof(why));
	if (r == 0) {
		syslog(LOG_AUTHPRIV | LOG_NOTICE,
		    "pam_oidc(nss): %s held for a first sign-in with uid %u "
		    "for %lld s",
		    name, (unsigned int)e->uid,
		    (long long)(e->expires - (int64_t)time(NULL)));
		return 1;
	}
	syslog(LOG_AUTHPRIV |
		(r == OIDC_ERR_PERM             ? LOG_WARNING
			: r == OIDC_ERR_INVALID ? LOG_INFO
						: LOG_ERR),
	    "pam_oidc(nss): %s not held: %s", name, why);
	return 0;
}

static enum nss_status
ent_set(struct ent *it)
{
	int r;

	if (pthread_mutex_lock(&it->lock) != 0)
		return NSS_STATUS_UNAVAIL;
	regfile_free(&it->snap);
	it->pos = 0;
	r = nested ? 0 : regfile_load(REGISTRY_DIR, &it->snap);
	it->loaded = r == 0;
	(void)pthread_mutex_unlock(&it->lock);
	return r == 0 ? NSS_STATUS_SUCCESS : NSS_STATUS_UNAVAIL;
}

static enum nss_status
ent_end(struct ent *it)
{
	if (pthread_mutex_lock(&it->lock) != 0)
		return NSS_STATUS_UNAVAIL;
	regfile_free(&it->snap);
	it->pos = 0;
	it->loaded = 0;
	(void)pthread_mutex_unlock(&it->lock);
	return NSS_STATUS_SUCCESS;
}

/*
 * The next live entry, filled by fill (a passwd or a group); the position
 * moves on only when it fit in the caller's buffer.
 */
static enum nss_status
ent_get(struct ent *it, void *res, char *buf, size_t len, int *errnop,
    enum nss_status (*fill)(
	const struct oidc_regentry *, void *, char *, size_t, int *))
{
	struct oidc_regentry e;
	enum nss_status st = NSS_STATUS_NOTFOUND;
	size_t pos;
	int r;

	if (pthread_mutex_lock(&it->lock) != 0)
		return NSS_STATUS_UNAVAIL;
	if (!it->loaded && !nested &&
	    regfile_load(REGISTRY_DIR, &it->snap) == 0)
		it->loaded = 1;
	pos = it->pos;
	*errnop = ENOENT;
	while (it->loaded && (r = regfile_next(&it->snap, &pos, &e)) != 0) {
		if (r < 0) {
			st = NSS_STATUS_UNAVAIL;
			break;
		}
		if (!regfile_live(&e, (int64_t)time(NULL)))
			continue;
		if ((st = fill(&e, res, buf, len, errnop)) ==
		    NSS_STATUS_SUCCESS)
			it->pos = pos;
		break;
	}
	(void)pthread_mutex_unlock(&it->lock);
	explicit_bzero(&e, sizeof(e));
	return st;
}

static enum nss_status
fill_pw_any(const struct oidc_regentry *e, void *res, char *buf, size_t len,
    int *errnop)
{
	return fill_pw(e, res, buf, len, errnop);
}

static enum nss_status
fill_gr_any(const struct oidc_regentry *e, void *res, char *buf, size_t len,
    int *errnop)
{
	return fill_gr(e, res, buf, len, errnop);
}

/*
 * The entry points. glibc finds them by these names, which C reserves
 * for the implementation: NSS is part of it.
 * NOLINTBEGIN(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp)
 */
enum nss_status
_nss_oidc_getpwnam_r(
    const char *name, struct passwd *pw, char *buf, size_t len, int *errnop)
{
	struct oidc_regentry e;
	enum nss_status st;

	st = find(REG_BY_NAME, name, 0, &e, errnop);
	if (st == NSS_STATUS_NOTFOUND && !nested && reserve(name, &e))
		st = NSS_STATUS_SUCCESS;
	if (st == NSS_STATUS_SUCCESS)
		st = fill_pw(&e, pw, buf, len, errnop);
	explicit_bzero(&e, sizeof(e));
	return st;
}

enum nss_status
_nss_oidc_getpwuid_r(
    uid_t uid, struct passwd *pw, char *buf, size_t len, int *errnop)
{
	struct oidc_regentry e;
	enum nss_status st;

	st = find(REG_BY_UID, NULL, uid, &e, errnop);
	if (st == NSS_STATUS_SUCCESS)
		st = fill_pw(&e, pw, buf, len, errnop);
	explicit_bzero(&e, sizeof(e));
	return st;
}

enum nss_status
_nss_oidc_getgrnam_r(
    const char *name, struct group *gr, char *buf, size_t len, int *errnop)
{
	struct oidc_regentry e;
	enum nss_status st;

	st = find(REG_BY_NAME, name, 0, &e, errnop);
	if (st == NSS_STATUS_SUCCESS)
		st = fill_gr(&e, gr, buf, len, errnop);
	explicit_bzero(&e, sizeof(e));
	return st;
}

enum nss_status
_nss_oidc_getgrgid_r(
    gid_t gid, struct group *gr, char *buf, size_t len, int *errnop)
{
	struct oidc_regentry e;
	enum nss_status st;

	st = find(REG_BY_GID, NULL, gid, &e, errnop);
	if (st == NSS_STATUS_SUCCESS)
		st = fill_gr(&e, gr, buf, len, errnop);
	explicit_bzero(&e, sizeof(e));
	return st;
}

enum nss_status
_nss_oidc_setpwent(int stayopen)
{
	(void)stayopen;
	return ent_set(&pwent);
}

enum nss_status
_nss_oidc_endpwent(void)
{
	return ent_end(&pwent);
}

enum nss_status
_nss_oidc_getpwent_r(struct passwd *pw, char *buf, size_t len, int *errnop)
{
	return ent_get(&pwent, pw, buf, len, errnop, fill_pw_any);
}

enum nss_status
_nss_oidc_setgrent(int stayopen)
{
	(void)stayopen;
	return ent_set(&grent);
}

enum nss_status
_nss_oidc_endgrent(void)
{
	return ent_end(&grent);
}

enum nss_status
_nss_oidc_getgrent_r(struct group *gr, char *buf, size_t len, int *errnop)
{
	return ent_get(&grent, gr, buf, len, errnop, fill_gr_any);
}
/* NOLINTEND(bugprone-reserved-identifier,cert-dcl37-c,cert-dcl51-cpp) */
