/*
 * group_mode = persist: membership of managed groups in the group file
 * and gshadow (see etcgroup.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "etcgroup.h"
#include "names.h"
#include "oidc.h"
#include "safefile.h"

struct gfile {
	char path[4096];
	char *old; /* NULL: the file does not exist */
	size_t oldlen;
	struct stat st;
	struct oidc_buf out; /* the file as it is to be */
	int changed;
};

static void
gfile_free(struct gfile *f)
{
	free(f->old);
	buf_free(&f->out);
}

static int
out_add(struct gfile *f, const char *s, size_t n)
{
	int r = buf_add(&f->out, s, n);

	return r == OIDC_ERR_INVALID ? OIDC_ERR_SYSTEM : r;
}

/* Read path whole; a missing file leaves f->old NULL. */
static int
gfile_read(struct gfile *f, const struct oidc_log *lg)
{
	size_t got = 0;
	ssize_t n;
	int fd, r = OIDC_ERR_SYSTEM;

	fd = open(f->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		log_msg(lg, LOG_ERR, "cannot open %s (a symlink?)", f->path);
		return r;
	}
	if (fstat(fd, &f->st) != 0 || !S_ISREG(f->st.st_mode) ||
	    (f->st.st_uid != 0 && f->st.st_uid != geteuid()) ||
	    (f->st.st_mode & (S_IWGRP | S_IWOTH)) ||
	    f->st.st_size > ETCGROUP_MAX_FILE) {
		log_msg(lg, LOG_ERR,
		    "%s is not a regular root-owned file that only root "
		    "may write; not changed",
		    f->path);
		goto out;
	}
	if ((f->old = malloc((size_t)f->st.st_size + 1)) == NULL) {
		r = OIDC_ERR_NOMEM;
		goto out;
	}
	while (got < (size_t)f->st.st_size) {
		n = read(fd, f->old + got, (size_t)f->st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got != (size_t)f->st.st_size) {
		log_msg(lg, LOG_ERR, "short read on %s", f->path);
		goto out;
	}
	f->old[got] = '\0';
	f->oldlen = got;
	r = 0;
out:
	close(fd);
	if (r != 0) {
		free(f->old);
		f->old = NULL;
	}
	return r;
}

/*
 * One line of a managed group: name:x:y:members. The user leaves the
 * member list, and comes back at its end when granted.
 */
static int
edit_line(struct gfile *f, const char *line, size_t len, const char *user,
    int grant, const struct oidc_log *lg)
{
	const char *colon[3], *p = line, *m, *end = line + len, *c;
	size_t ulen = strlen(user);
	int i, present = 0, first = 1, r;

	for (i = 0; i < 3; i++) {
		if ((colon[i] = memchr(p, ':', (size_t)(end - p))) == NULL)
			break;
		p = colon[i] + 1;
	}
	if (i < 3 || memchr(p, ':', (size_t)(end - p)) != NULL) {
		log_msg(lg, LOG_ERR,
		    "%s: the line of group %.*s does not have 4 fields; "
		    "not changed",
		    f->path, (int)(colon[0] ? colon[0] - line : 0), line);
		return OIDC_ERR_INVALID;
	}
	m = colon[2] + 1;
	for (c = m; c < end;) {
		const char *e = memchr(c, ',', (size_t)(end - c));

		if (e == NULL)
			e = end;
		if ((size_t)(e - c) == ulen && memcmp(c, user, ulen) == 0)
			present = 1;
		c = e + 1;
	}
	if (present == grant)
		return out_add(f, line, len);
	f->changed = 1;
	if ((r = out_add(f, line, (size_t)(m - line))) != 0)
		return r;
	for (c = m; c < end;) {
		const char *e = memchr(c, ',', (size_t)(end - c));

		if (e == NULL)
			e = end;
		if (e > c &&
		    !((size_t)(e - c) == ulen && memcmp(c, user, ulen) == 0)) {
			if ((!first && (r = out_add(f, ",", 1)) != 0) ||
			    (r = out_add(f, c, (size_t)(e - c))) != 0)
				return r;
			first = 0;
		}
		c = e + 1;
	}
	if (grant &&
	    ((!first && (r = out_add(f, ",", 1)) != 0) ||
		(r = out_add(f, user, ulen)) != 0))
		return r;
	return 0;
}

/* The new content of f; seen marks the granted groups found. */
static int
edit(struct gfile *f, const char *user, const struct oidc_strlist *managed,
    const struct oidc_strlist *granted, unsigned char *seen,
    const struct oidc_log *lg)
{
	const char *line = f->old, *nl, *colon, *end = f->old + f->oldlen;
	size_t len, i;
	int r;

	while (line < end) {
		nl = memchr(line, '\n', (size_t)(end - line));
		len = nl ? (size_t)(nl - line) : (size_t)(end - line);
		colon = memchr(line, ':', len);
		if (colon != NULL &&
		    strlist_has(managed, line, (size_t)(colon - line))) {
			int grant =
			    strlist_has(granted, line, (size_t)(colon - line));

			for (i = 0; grant && seen && i < granted->n; i++)
				if (strlen(granted->v[i]) ==
					(size_t)(colon - line) &&
				    memcmp(granted->v[i], line,
					(size_t)(colon - line)) == 0)
					seen[i] = 1;
			r = edit_line(f, line, len, user, grant, lg);
		} else {
			r = out_add(f, line, len);
		}
		if (r == 0 && nl != NULL)
			r = out_add(f, "\n", 1);
		if (r != 0)
			return r;
		line = nl ? nl + 1 : end;
	}
	return 0;
}

/*
 * Write data to path+suffix's temporary and rename it over
 * path+suffix, with the owner and mode of st.
 */
static int
replace(const char *path, const char *suffix, const char *data, size_t len,
    const struct stat *st, const struct oidc_log *lg)
{
	char dst[4200], tmp[4200], eb[128];
	ssize_t n;
	int fd;

	if (snprintf(dst, sizeof(dst), "%s%s", path, suffix) >=
		(int)sizeof(dst) ||
	    snprintf(tmp, sizeof(tmp), "%s+", path) >= (int)sizeof(tmp))
		return OIDC_ERR_SYSTEM;
	/* A leftover from a writer that died; the lock is ours. */
	(void)unlink(tmp);
	fd = open(
	    tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	if (fchown(fd, st->st_uid, st->st_gid) != 0 ||
	    fchmod(fd, st->st_mode & 07777) != 0)
		goto fail;
	if (safefile_write_all(fd, data, len) != 0 || fsync(fd) != 0)
		goto fail;
	n = close(fd);
	fd = -1;
	if (n != 0 || rename(tmp, dst) != 0)
		goto fail;
	return 0;
fail:
	log_msg(lg, LOG_ERR, "cannot write %s: %s; not changed", dst,
	    strerror_r(errno, eb, sizeof(eb)));
	if (fd >= 0)
		close(fd);
	(void)unlink(tmp);
	return OIDC_ERR_SYSTEM;
}

static int
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

/*
 * The password-file lock lckpwdf() takes (etc_dir/.pwd.lock), taken as an
 * open file description lock: it excludes useradd, passwd and other
 * processes just as lckpwdf's does, excludes other threads of this
 * process too, and needs no SIGALRM handler or other process-wide state.
 */
static int
lock_files(const char *etc_dir, int *fd)
{
	const struct timespec step = { 0, 50000000L }; /* 50 ms */
	char path[4200];
	struct flock fl = { 0 };
	int waited;

	*fd = -1;
	if (snprintf(path, sizeof(path), "%s/.pwd.lock", etc_dir) >=
	    (int)sizeof(path))
		return -1;
	*fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*fd < 0)
		return -1;
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	for (waited = 0; fcntl(*fd, F_OFD_SETLK, &fl) != 0; waited += 50) {
		if (waited >= ETCGROUP_LOCK_WAIT_MS) {
			close(*fd);
			*fd = -1;
			return -1;
		}
		(void)nanosleep(&step, NULL);
	}
	return 0;
}

static void
unlock_files(int fd)
{
	if (fd >= 0)
		close(fd);
}

int
etcgroup_sync(const char *etc_dir, const char *user,
    const struct oidc_strlist *managed, const struct oidc_strlist *granted,
    const struct oidc_log *lg)
{
	struct gfile grp, gsh;
	unsigned char *seen = NULL;
	size_t i;
	int lockfd = -1, r;

	memset(&grp, 0, sizeof(grp));
	memset(&gsh, 0, sizeof(gsh));
	buf_init(&grp.out, 2 * (size_t)ETCGROUP_MAX_FILE);
	buf_init(&gsh.out, 2 * (size_t)ETCGROUP_MAX_FILE);
	if (!names_valid(user, NAMES_USER_MAX))
		return OIDC_ERR_INVALID;
	for (i = 0; i < managed->n; i++)
		if (!names_valid(managed->v[i], NAMES_GROUP_MAX))
			return OIDC_ERR_INVALID;
	if (managed->n == 0)
		return 0;
	if (snprintf(grp.path, sizeof(grp.path), "%s/group", etc_dir) >=
		(int)sizeof(grp.path) ||
	    snprintf(gsh.path, sizeof(gsh.path), "%s/gshadow", etc_dir) >=
		(int)sizeof(gsh.path))
		return OIDC_ERR_INVALID;
	if (granted->n > 0 && (seen = calloc(granted->n, 1)) == NULL)
		return OIDC_ERR_NOMEM;
	if (lock_files(etc_dir, &lockfd) != 0) {
		log_msg(lg, LOG_ERR,
		    "cannot lock the password files in %s (held by another "
		    "program?); groups not synchronised",
		    etc_dir);
		free(seen);
		return OIDC_ERR_SYSTEM;
	}
	if ((r = gfile_read(&grp, lg)) != 0 || (r = gfile_read(&gsh, lg)) != 0)
		goto out;
	if (grp.old == NULL) {
		log_msg(lg, LOG_ERR, "%s does not exist", grp.path);
		r = OIDC_ERR_SYSTEM;
		goto out;
	}
	if ((r = edit(&grp, user, managed, granted, seen, lg)) != 0 ||
	    (gsh.old != NULL &&
		(r = edit(&gsh, user, managed, granted, NULL, lg)) != 0))
		goto out;
	for (i = 0; seen != NULL && i < granted->n; i++)
		if (!seen[i])
			log_msg(lg, LOG_WARNING,
			    "group %s from role_map does not exist in %s; "
			    "skipped (create it, or fix role_map)",
			    granted->v[i], grp.path);
	/* Backups first; then gshadow, then group. */
	if ((grp.changed &&
		(r = replace(
		     grp.path, "-", grp.old, grp.oldlen, &grp.st, lg)) != 0) ||
	    (gsh.changed &&
		(r = replace(
		     gsh.path, "-", gsh.old, gsh.oldlen, &gsh.st, lg)) != 0))
		goto out;
	if (gsh.changed &&
	    (r = replace(
		 gsh.path, "", gsh.out.data, gsh.out.len, &gsh.st, lg)) != 0)
		goto out;
	if (grp.changed &&
	    (r = replace(
		 grp.path, "", grp.out.data, grp.out.len, &grp.st, lg)) != 0) {
		/* Put gshadow back, so the two still agree. */
		if (gsh.changed)
			(void)replace(
			    gsh.path, "", gsh.old, gsh.oldlen, &gsh.st, lg);
		goto out;
	}
	if ((grp.changed || gsh.changed) && sync_dir(etc_dir) != 0)
		log_msg(lg, LOG_WARNING, "cannot sync %s", etc_dir);
	if (grp.changed)
		log_msg(lg, LOG_INFO,
		    "group memberships of %s synchronised in %s", user,
		    grp.path);
	r = 0;
out:
	unlock_files(lockfd);
	gfile_free(&grp);
	gfile_free(&gsh);
	free(seen);
	return r;
}
