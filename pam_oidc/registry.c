/*
 * Changing the registry (see registry.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "names.h"
#include "oidc.h"
#include "regalloc.h"
#include "registry.h"

/* A write in progress: the lock held, the store as it is. */
struct txn {
	const char *dir;
	int dfd;
	int lockfd;
	struct oidc_regsnap snap;
};

static int
id_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/*
 * Every line parses, no two live entries share a name and no two entries
 * (retired ones too) share an id: what a writer checks before it writes.
 */
static int
check_store(const struct oidc_regsnap *s, int64_t now)
{
	struct oidc_regentry e;
	uint32_t *ids = NULL;
	char(*names)[REGPOLICY_NAME_MAX + 1] = NULL;
	size_t pos = 0, ni = 0, nn = 0, i, lines = 1;
	int r;

	for (i = s->body; i < s->len; i++)
		lines += s->data[i] == '\n';
	if (lines > REGFILE_MAX_LINES)
		return OIDC_ERR_CONFIG;
	ids = calloc(lines, sizeof(*ids));
	names = calloc(lines, sizeof(*names));
	r = OIDC_ERR_NOMEM;
	if (ids == NULL || names == NULL)
		goto out;
	while ((r = regfile_next(s, &pos, &e)) == 1) {
		if (ni == lines) {
			r = OIDC_ERR_CONFIG;
			goto out;
		}
		if (e.state == REG_PENDING && e.expires <= now)
			continue;
		ids[ni++] = e.uid;
		if (e.state != REG_RETIRED)
			memcpy(names[nn++], e.name, sizeof(e.name));
	}
	if (r != 0)
		goto out;
	qsort(ids, ni, sizeof(*ids), id_cmp);
	qsort(names, nn, sizeof(*names), name_cmp);
	for (i = 1; i < ni && r == 0; i++)
		if (ids[i] == ids[i - 1])
			r = OIDC_ERR_CONFIG;
	for (i = 1; i < nn && r == 0; i++)
		if (strcmp(names[i], names[i - 1]) == 0)
			r = OIDC_ERR_CONFIG;
out:
	free(ids);
	free(names);
	explicit_bzero(&e, sizeof(e));
	return r;
}

/*
 * The directory, made when missing if create (a removal makes nothing);
 * it must be root's and not writable by others.
 */
static int
open_dir(const char *dir, int create, char *why, size_t whysz)
{
	struct stat st;
	int dfd;

	if (create && mkdir(dir, 0755) == 0) {
		/* Readable by everyone whatever the umask of the caller. */
		if (chmod(dir, 0755) != 0)
			return oidc_why(why, whysz, OIDC_ERR_SYSTEM,
			    "cannot make %s mode 0755", dir);
	} else if (create && errno != EEXIST)
		return oidc_why(
		    why, whysz, OIDC_ERR_SYSTEM, "cannot create %s", dir);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 && errno == ENOENT && !create)
		return oidc_why(why, whysz, OIDC_ERR_USER_UNKNOWN,
		    "%s does not exist: nobody is registered", dir);
	if (dfd < 0)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "cannot open %s (missing, or a symlink)", dir);
	if (fstat(dfd, &st) != 0 ||
	    (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		close(dfd);
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s must be root's and not writable by group or others "
		    "(chown root %s; chmod 0755 %s)",
		    dir, dir, dir);
	}
	return dfd;
}

/* flock without blocking, tried every 10 ms for at most wait_ms. */
static int
take_lock(int dfd, int wait_ms)
{
	const struct timespec tick = { 0, 10000000L };
	struct stat st;
	int fd, i;

	fd = openat(dfd, REGISTRY_LOCK,
	    O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (st.st_uid != 0 && st.st_uid != geteuid())) {
		close(fd);
		return -1;
	}
	for (i = 0; i <= wait_ms / 10; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		(void)nanosleep(&tick, NULL);
	}
	close(fd);
	return -1;
}

static void
txn_end(struct txn *t)
{
	regfile_free(&t->snap);
	if (t->lockfd >= 0)
		close(t->lockfd);
	if (t->dfd >= 0)
		close(t->dfd);
	t->lockfd = t->dfd = -1;
}

static int
txn_begin(struct txn *t, const char *dir, int create, int wait_ms, int64_t now,
    char *why, size_t whysz)
{
	int r;

	memset(t, 0, sizeof(*t));
	t->dir = dir;
	t->lockfd = -1;
	if ((t->dfd = open_dir(dir, create, why, whysz)) < 0)
		return t->dfd;
	if ((t->lockfd = take_lock(t->dfd, wait_ms)) < 0) {
		txn_end(t);
		return oidc_why(why, whysz, OIDC_ERR_SYSTEM,
		    "cannot lock %s/%s within %d ms", dir, REGISTRY_LOCK,
		    wait_ms);
	}
	if ((r = regfile_load(dir, &t->snap)) == 0)
		r = check_store(&t->snap, now);
	if (r != 0) {
		txn_end(t);
		if (r == OIDC_ERR_NOMEM)
			return r;
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s/%s is unsafe or corrupt; fix or move it (pam-oidc "
		    "users shows the line)",
		    dir, REGFILE_NAME);
	}
	return 0;
}

/* Write data as the new store: a temporary file, fsync, rename. */
static int
replace(struct txn *t, const char *data, size_t len)
{
	char tmp[4096], path[4096];
	const char *p = data;
	ssize_t n;
	int fd, r = OIDC_ERR_SYSTEM;

	n = snprintf(tmp, sizeof(tmp), "%s/%s.XXXXXX", t->dir, REGFILE_NAME);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return r;
	n = snprintf(path, sizeof(path), "%s/%s", t->dir, REGFILE_NAME);
	if (n < 0 || (size_t)n >= sizeof(path))
		return r;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return r;
	if (fchmod(fd, 0644) != 0)
		goto fail;
	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	(void)fsync(t->dfd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	(void)unlink(tmp);
	return r;
}

/*
 * The store again without expired reservations and without the live
 * entry of drop (when given), with add and retire appended (when given).
 */
static int
txn_commit(struct txn *t, int64_t now, int64_t rate_start,
    unsigned int rate_count, const char *drop, const struct oidc_regentry *add,
    const struct oidc_regentry *retire)
{
	struct oidc_regentry e;
	size_t cap = t->snap.len + (size_t)3 * REGFILE_LINE_MAX, len = 0,
	       pos = 0;
	char *out;
	int n, r;

	if ((out = malloc(cap)) == NULL)
		return OIDC_ERR_NOMEM;
	if ((n = regfile_header(rate_start, rate_count, out, cap)) < 0) {
		free(out);
		return OIDC_ERR_INVALID;
	}
	len = (size_t)n;
	while ((r = regfile_next(&t->snap, &pos, &e)) == 1) {
		if ((e.state == REG_PENDING && e.expires <= now) ||
		    (drop != NULL && e.state != REG_RETIRED &&
			strcmp(e.name, drop) == 0))
			continue;
		if ((n = regfile_format(&e, out + len, cap - len)) < 0)
			break;
		len += (size_t)n;
	}
	if (r == 0 && add != NULL &&
	    (n = regfile_format(add, out + len, cap - len)) >= 0)
		len += (size_t)n;
	if (r == 0 && n >= 0 && retire != NULL &&
	    (n = regfile_format(retire, out + len, cap - len)) >= 0)
		len += (size_t)n;
	if (r == 0 && n >= 0)
		r = replace(t, out, len);
	else if (r == 0)
		r = OIDC_ERR_INVALID;
	free(out);
	explicit_bzero(&e, sizeof(e));
	return r;
}

/* The live entry of name in the store being changed: 1, 0 or error. */
static int
txn_find(const struct txn *t, int64_t now, const char *name,
    struct oidc_regentry *out)
{
	struct oidc_regentry e;
	size_t pos = 0;
	int r;

	while ((r = regfile_next(&t->snap, &pos, &e)) == 1)
		if (regfile_live(&e, now) && strcmp(e.name, name) == 0) {
			*out = e;
			return 1;
		}
	return r;
}

/* A new entry of the policy's shape for name, with a free id. */
static int
new_entry(const struct txn *t, const struct oidc_regpolicy *pol,
    const struct oidc_regprobe *pr, const char *name, int64_t now,
    struct oidc_regentry *e, char *why, size_t whysz)
{
	uint32_t id;
	int r, n;

	if (pol->uid_min == 0 || pol->uid_min > pol->uid_max)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "no register_uid_min..register_uid_max range");
	if ((r = regalloc_id(&t->snap, pol, pr, now, &id, why, whysz)) != 0)
		return r;
	memset(e, 0, sizeof(*e));
	e->state = REG_PENDING;
	memcpy(e->name, name, strlen(name) + 1);
	e->uid = e->gid = id;
	e->created = now;
	e->expires = now + pol->ttl;
	n = snprintf(e->home, sizeof(e->home), "%s/%s", pol->home, name);
	if (n < 0 || (size_t)n >= sizeof(e->home))
		return OIDC_ERR_INVALID;
	memcpy(e->shell, pol->shell, strlen(pol->shell) + 1);
	return 0;
}

/* Reservations that are still open. */
static size_t
count_open(const struct oidc_regsnap *s, int64_t now)
{
	struct oidc_regentry e;
	size_t pos = 0, open = 0;

	while (regfile_next(s, &pos, &e) == 1)
		open += e.state == REG_PENDING && e.expires > now;
	return open;
}

int
registry_reserve(const char *dir, const struct oidc_regpolicy *pol,
    const char *name, int64_t now, const struct oidc_regprobe *pr,
    struct oidc_regentry *out, char *why, size_t whysz)
{
	struct oidc_regentry e;
	struct txn t;
	unsigned int count;
	int64_t start;
	size_t open;
	int r;

	if (!regpolicy_name_ok(pol, name))
		return oidc_why(why, whysz, OIDC_ERR_INVALID,
		    "the registration policy refuses this name");
	if ((r = regfile_find(dir, now, REG_BY_NAME, name, 0, out)) != 0)
		return r == 1 ? 0 : r;
	if ((r = regalloc_name_free(pr, name, 0, why, whysz)) != 0)
		return r;
	if ((r = txn_begin(&t, dir, 1, pr->wait_ms, now, why, whysz)) != 0)
		return r;
	if ((r = txn_find(&t, now, name, &e)) != 0) {
		if (r == 1)
			*out = e;
		txn_end(&t);
		return r == 1 ? 0 : r;
	}
	start = t.snap.rate_start;
	count = t.snap.rate_count;
	if (now < start || now - start >= REGISTRY_RATE_WINDOW) {
		start = now;
		count = 0;
	}
	r = OIDC_ERR_PERM;
	if ((open = count_open(&t.snap, now)) >= pol->max_pending)
		(void)oidc_why(why, whysz, r,
		    "%zu reservations are open (register_max_pending)", open);
	else if (count >= pol->rate)
		(void)oidc_why(why, whysz, r,
		    "%u reservations this minute (register_rate)", count);
	else
		r = new_entry(&t, pol, pr, name, now, &e, why, whysz);
	if (r == 0 &&
	    (r = txn_commit(&t, now, start, count + 1, NULL, &e, NULL)) == 0)
		*out = e;
	txn_end(&t);
	return r;
}

static int
person_ok(const struct oidc_regperson *who)
{
	return names_valid(who->name, REGPOLICY_NAME_MAX) && who->iss != NULL &&
	    who->iss[0] != '\0' && strlen(who->iss) <= REGISTRY_ISS_MAX &&
	    who->sub != NULL && who->sub[0] != '\0' &&
	    strlen(who->sub) <= REGISTRY_SUB_MAX;
}

int
registry_register(const char *dir, const struct oidc_regpolicy *pol,
    const struct oidc_regperson *who, int direct, int64_t now,
    const struct oidc_regprobe *pr, struct oidc_regentry *out, int *created,
    char *why, size_t whysz)
{
	struct oidc_regentry e;
	struct txn t;
	int r, found;

	*created = 0;
	if (!person_ok(who))
		return oidc_why(why, whysz, OIDC_ERR_INVALID,
		    "a name, an issuer and a sub within bounds are needed");
	/* A registered person signs in again: no lock, no write. */
	if ((r = regfile_find(dir, now, REG_BY_NAME, who->name, 0, &e)) == 1 &&
	    e.state == REG_USER) {
		*out = e;
		return strcmp(e.iss, who->iss) == 0 &&
			strcmp(e.sub, who->sub) == 0
		    ? 0
		    : OIDC_ERR_MISMATCH;
	}
	if (r < 0)
		return oidc_why(
		    why, whysz, r, "cannot read %s/%s", dir, REGFILE_NAME);
	if ((r = txn_begin(&t, dir, 1, pr->wait_ms, now, why, whysz)) != 0)
		return r;
	if ((r = txn_find(&t, now, who->name, &e)) < 0)
		goto out;
	if (r == 1 && e.state == REG_USER) {
		*out = e;
		r = strcmp(e.iss, who->iss) == 0 && strcmp(e.sub, who->sub) == 0
		    ? 0
		    : OIDC_ERR_MISMATCH;
		goto out;
	}
	found = r;
	if (!found && !direct) {
		r = oidc_why(why, whysz, OIDC_ERR_USER_UNKNOWN,
		    "%s holds no reservation (expired, or never made)",
		    who->name);
		goto out;
	}
	if (!found && !regpolicy_name_ok(pol, who->name)) {
		r = oidc_why(why, whysz, OIDC_ERR_INVALID,
		    "the registration policy refuses this name");
		goto out;
	}
	if ((r = regalloc_name_free(
		 pr, who->name, found ? e.uid : 0, why, whysz)) != 0)
		goto out;
	if (!found) {
		if ((r = new_entry(
			 &t, pol, pr, who->name, now, &e, why, whysz)) != 0)
			goto out;
		r = OIDC_ERR_INVALID;
		if (who->shell != NULL) {
			if (!regpolicy_path_ok(who->shell, REGPOLICY_PATH_MAX))
				goto out;
			memcpy(e.shell, who->shell, strlen(who->shell) + 1);
		}
	}
	e.state = REG_USER;
	e.expires = 0;
	memcpy(e.iss, who->iss, strlen(who->iss) + 1);
	memcpy(e.sub, who->sub, strlen(who->sub) + 1);
	if ((r = txn_commit(&t, now, t.snap.rate_start, t.snap.rate_count,
		 who->name, &e, NULL)) == 0) {
		*out = e;
		*created = 1;
	}
out:
	txn_end(&t);
	explicit_bzero(&e, sizeof(e));
	return r;
}

int
registry_remove(const char *dir, const char *name, int64_t now, int wait_ms,
    struct oidc_regentry *out, char *why, size_t whysz)
{
	struct oidc_regentry e, retired;
	struct txn t;
	int r;

	if ((r = txn_begin(&t, dir, 0, wait_ms, now, why, whysz)) != 0)
		return r;
	if ((r = txn_find(&t, now, name, &e)) == 0) {
		(void)oidc_why(why, whysz, r,
		    "%s is neither registered nor reserved", name);
		r = OIDC_ERR_USER_UNKNOWN;
	}
	if (r == 1) {
		memset(&retired, 0, sizeof(retired));
		retired.state = REG_RETIRED;
		memcpy(retired.name, e.name, sizeof(e.name));
		retired.uid = e.uid;
		retired.gid = e.gid;
		retired.expires = now;
		r = txn_commit(&t, now, t.snap.rate_start, t.snap.rate_count,
		    name, NULL, e.state == REG_USER ? &retired : NULL);
		if (r == 0)
			*out = e;
	}
	txn_end(&t);
	return r;
}
