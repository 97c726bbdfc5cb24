/*
 * Home directories for registered people (see home.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "home.h"
#include "oidc.h"

struct copy {
	uid_t uid;
	gid_t gid;
	off_t bytes; /* left to copy */
	int depth;   /* of the directory being copied */
	const struct oidc_log *lg;
};

static int
copy_file(
    int sfd, int dfd, const char *name, const struct stat *st, struct copy *c)
{
	char buf[8192];
	ssize_t n, w, off;
	int in, out, r = OIDC_ERR_SYSTEM;

	if (st->st_size > c->bytes)
		return r;
	if ((in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return r;
	out = openat(dfd, name,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		close(in);
		return r;
	}
	for (;;) {
		n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if ((off_t)n > c->bytes)
			goto out;
		c->bytes -= n;
		for (off = 0; off < n; off += w)
			if ((w = write(out, buf + off, (size_t)(n - off))) <= 0)
				goto out;
	}
	if (n == 0 && fchown(out, c->uid, c->gid) == 0 &&
	    fchmod(out, st->st_mode & 0777) == 0)
		r = 0;
out:
	close(in);
	if (close(out) != 0)
		r = OIDC_ERR_SYSTEM;
	return r;
}

static int copy_tree(struct copy *c, int sfd, int dfd);
static int remove_tree(int dfd, int depth);

/* A file or a link of the skeleton; anything else stays out of a home. */
static int
copy_leaf(
    int sfd, int dfd, const char *name, const struct stat *st, struct copy *c)
{
	char target[4096];
	ssize_t n;

	if (S_ISREG(st->st_mode))
		return copy_file(sfd, dfd, name, st, c);
	if (!S_ISLNK(st->st_mode))
		return 0;
	if ((n = readlinkat(sfd, name, target, sizeof(target) - 1)) < 0)
		return OIDC_ERR_SYSTEM;
	target[n] = '\0';
	if (symlinkat(target, dfd, name) != 0 ||
	    fchownat(dfd, name, c->uid, c->gid, AT_SYMLINK_NOFOLLOW) != 0)
		return OIDC_ERR_SYSTEM;
	return 0;
}

/* A new subdirectory name of dfd, with sfd's of the same name: 0 or -1. */
static int
open_pair(
    int sfd, int dfd, const char *name, const struct copy *c, int *s2, int *d2)
{
	*s2 = *d2 = -1;
	if (c->depth >= HOME_MAX_DEPTH || mkdirat(dfd, name, 0700) != 0)
		return -1;
	*s2 =
	    openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	*d2 =
	    openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return *s2 >= 0 && *d2 >= 0 ? 0 : -1;
}

/*
 * Copy the directory sfd into dfd; closes nothing it was given.
 * Recursion: bounded by HOME_MAX_DEPTH.
 */
static int
copy_tree(struct copy *c, int sfd, int dfd) /* NOLINT(misc-no-recursion) */
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, s2 = -1, d2 = -1, r = 0;

	if ((fd = dup(sfd)) < 0)
		return OIDC_ERR_SYSTEM;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return OIDC_ERR_SYSTEM;
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(sfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    (S_ISDIR(st.st_mode) &&
			open_pair(sfd, dfd, de->d_name, c, &s2, &d2) != 0))
			r = OIDC_ERR_SYSTEM;
		else if (!S_ISDIR(st.st_mode))
			r = copy_leaf(sfd, dfd, de->d_name, &st, c);
		else {
			/* Made, filled, then given away. */
			c->depth++;
			r = copy_tree(c, s2, d2);
			c->depth--;
			if (r == 0 &&
			    (fchown(d2, c->uid, c->gid) != 0 ||
				fchmod(d2, st.st_mode & 0777) != 0))
				r = OIDC_ERR_SYSTEM;
		}
		if (s2 >= 0)
			close(s2);
		if (d2 >= 0)
			close(d2);
		s2 = d2 = -1;
		if (r != 0)
			log_msg(c->lg, LOG_ERR,
			    "auto_register: cannot copy %s from the skeleton "
			    "directory",
			    de->d_name);
	}
	(void)closedir(d);
	return r;
}

/* The parent of path, opened; it must be root's and closed to others. */
static int
open_parent(const char *path, const char **base, const struct oidc_log *lg)
{
	char parent[4096];
	const char *slash = strrchr(path, '/');
	struct stat st;
	size_t n;
	int fd;

	if (path[0] != '/' || slash == NULL || slash[1] == '\0' ||
	    (n = (size_t)(slash - path)) >= sizeof(parent))
		return OIDC_ERR_INVALID;
	if (n == 0)
		n = 1; /* the root directory */
	memcpy(parent, path, n);
	parent[n] = '\0';
	fd = open(parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		log_msg(lg, LOG_ERR,
		    "auto_register: %s must be a directory of root's that "
		    "others cannot write",
		    parent);
		if (fd >= 0)
			close(fd);
		return OIDC_ERR_INVALID;
	}
	*base = slash + 1;
	return fd;
}

int
home_create(const char *home, const char *skel, uid_t uid, gid_t gid,
    const struct oidc_log *lg)
{
	struct copy c = { uid, gid, HOME_MAX_BYTES, 0, lg };
	struct stat st;
	const char *base;
	int pfd, hfd = -1, sfd = -1, r = OIDC_ERR_SYSTEM;

	if ((pfd = open_parent(home, &base, lg)) < 0)
		return pfd;
	if (mkdirat(pfd, base, 0700) != 0) {
		r = OIDC_ERR_INVALID;
		if (errno == EEXIST &&
		    fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode) && st.st_uid == uid)
			r = 0;
		else
			log_msg(lg, LOG_ERR,
			    "auto_register: %s exists and is not the home of "
			    "uid %u; move it away",
			    home, (unsigned int)uid);
		goto out;
	}
	hfd =
	    openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (hfd < 0)
		goto out;
	sfd = open(skel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* Until it is the person's, only root can enter the new home. */
	if ((sfd < 0 || copy_tree(&c, sfd, hfd) == 0) &&
	    fchown(hfd, uid, gid) == 0 && fchmod(hfd, HOME_MODE) == 0) {
		r = 0;
		goto out;
	}
	log_msg(lg, LOG_ERR, "auto_register: cannot make %s", home);
	/* Still root's: what was made goes, so that a retry starts afresh. */
	if (remove_tree(hfd, 0) != 0 || unlinkat(pfd, base, AT_REMOVEDIR) != 0)
		log_msg(lg, LOG_ERR, "auto_register: remove %s by hand", home);
out:
	if (sfd >= 0)
		close(sfd);
	if (hfd >= 0)
		close(hfd);
	close(pfd);
	return r;
}

/* Recursion: bounded at depth 64. */
static int
remove_tree(int dfd, int depth) /* NOLINT(misc-no-recursion) */
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, sub, r = 0;

	if (depth > 64 || (fd = dup(dfd)) < 0)
		return OIDC_ERR_SYSTEM;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return OIDC_ERR_SYSTEM;
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			r = OIDC_ERR_SYSTEM;
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			sub = openat(dfd, de->d_name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0 || remove_tree(sub, depth + 1) != 0)
				r = OIDC_ERR_SYSTEM;
			if (sub >= 0)
				close(sub);
		}
		if (r == 0 &&
		    unlinkat(dfd, de->d_name,
			S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0)
			r = OIDC_ERR_SYSTEM;
	}
	(void)closedir(d);
	return r;
}

int
home_remove(const char *home, uid_t uid, const struct oidc_log *lg)
{
	struct stat st;
	const char *base;
	int pfd, hfd = -1, r = OIDC_ERR_SYSTEM;

	if ((pfd = open_parent(home, &base, lg)) < 0)
		return pfd;
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		r = errno == ENOENT ? 1 : OIDC_ERR_SYSTEM;
		goto out;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != uid) {
		log_msg(lg, LOG_ERR,
		    "%s is not a directory of uid %u; left in place", home,
		    (unsigned int)uid);
		r = OIDC_ERR_INVALID;
		goto out;
	}
	hfd =
	    openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (hfd >= 0 && remove_tree(hfd, 0) == 0 &&
	    unlinkat(pfd, base, AT_REMOVEDIR) == 0)
		r = 0;
	else
		log_msg(lg, LOG_ERR, "cannot remove %s entirely", home);
out:
	if (hfd >= 0)
		close(hfd);
	close(pfd);
	return r;
}
