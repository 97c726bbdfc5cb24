/*
 * Safe opening of files that decide who gets in.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oidc.h"
#include "safefile.h"

/*
 * The directory holding path must not let group or others replace the
 * file: not writable by them, unless it is a sticky directory of root's
 * (as /tmp), where only the file's owner may rename or remove it.
 */
static int
check_dir(const char *path, char *why, size_t whysz)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	struct stat st;
	size_t n;

	if (slash == NULL)
		n = 1, dir[0] = '.';
	else if ((n = (size_t)(slash - path)) == 0)
		n = 1, dir[0] = '/';
	else if (n < sizeof(dir))
		memcpy(dir, path, n);
	else
		return oidc_why(
		    why, whysz, OIDC_ERR_CONFIG, "%s: path too long", path);
	dir[n] = '\0';
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "cannot check the directory of %s", path);
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) &&
	    !((st.st_mode & S_ISVTX) && st.st_uid == 0))
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s is in %s, which group or others can write to "
		    "(chmod go-w %s)",
		    path, dir, dir);
	return 0;
}

static int
check_stat(
    const struct stat *st, const char *path, int flags, char *why, size_t whysz)
{
	if (!S_ISREG(st->st_mode))
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s is not a regular file", path);
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s must be owned by root (chown root %s)", path, path);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s is writable by group or others (chmod go-w)", path);
	/* A second name elsewhere could be changed behind this one's back. */
	if (st->st_nlink != 1)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s has %lu hard links; it must have exactly one", path,
		    (unsigned long)st->st_nlink);
	if ((flags & SAFEFILE_SECRET) && (st->st_mode & S_IROTH))
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s holds a secret and is readable by others (chmod o-r)",
		    path);
	if ((flags & SAFEFILE_PRIVATE) && (st->st_mode & (S_IRGRP | S_IROTH)))
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s is readable by group or others (chmod 0600)", path);
	return check_dir(path, why, whysz);
}

/*
 * Open without following a link and without blocking: a FIFO or a device
 * is refused by the checks at once instead of hanging the login.
 */
static int
open_checked(
    const char *path, int flags, struct stat *st, char *why, size_t whysz)
{
	int fd, r;

	fd = open(
	    path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return oidc_why(why, whysz,
		    errno == ENOENT ? OIDC_ERR_INVALID : OIDC_ERR_CONFIG,
		    "cannot open %s (missing, or a symlink)", path);
	if (fstat(fd, st) != 0)
		r = oidc_why(
		    why, whysz, OIDC_ERR_CONFIG, "cannot stat %s", path);
	else
		r = check_stat(st, path, flags, why, whysz);
	if (r != 0) {
		close(fd);
		return r;
	}
	return fd;
}

int
safefile_read(const char *path, int flags, size_t max, char **buf, size_t *len,
    unsigned int *mode, char *why, size_t whysz)
{
	struct stat st;
	char *data = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, r;

	memset(&st, 0, sizeof(st));
	if ((fd = open_checked(path, flags, &st, why, whysz)) < 0)
		return fd;
	r = OIDC_ERR_CONFIG;
	if ((size_t)st.st_size > max) {
		oidc_why(why, whysz, r, "%s is too large", path);
		goto out;
	}
	r = OIDC_ERR_NOMEM;
	if ((data = malloc((size_t)st.st_size + 1)) == NULL)
		goto out;
	while (got < (size_t)st.st_size) {
		n = read(fd, data + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	r = OIDC_ERR_CONFIG;
	if (got != (size_t)st.st_size) {
		oidc_why(why, whysz, r, "short read on %s", path);
		goto out;
	}
	data[got] = '\0';
	*buf = data;
	*len = got;
	if (mode != NULL)
		*mode = st.st_mode & 07777;
	data = NULL;
	r = 0;
out:
	oidc_freezero(data, (size_t)st.st_size + 1);
	close(fd);
	return r;
}

int
safefile_mkdir(const char *dir, char *why, size_t whysz)
{
	struct stat st;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return oidc_why(
		    why, whysz, OIDC_ERR_SYSTEM, "cannot create %s", dir);
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return oidc_why(
		    why, whysz, OIDC_ERR_SYSTEM, "%s is not a directory", dir);
	if (st.st_uid != geteuid())
		return oidc_why(why, whysz, OIDC_ERR_SYSTEM,
		    "%s is not owned by the running user", dir);
	if ((st.st_mode & 0777) != 0700 && chmod(dir, 0700) != 0)
		return oidc_why(why, whysz, OIDC_ERR_SYSTEM,
		    "cannot make %s mode 0700", dir);
	return 0;
}

int
safefile_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return OIDC_ERR_SYSTEM;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Put tmp in place of path: replacing it, or only where there is none. */
static int
put_in_place(const char *tmp, const char *path, int flags)
{
	if (!(flags & SAFEFILE_NOREPLACE))
		return rename(tmp, path) == 0 ? 0 : OIDC_ERR_SYSTEM;
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	/* A file system that cannot: link(2) does it, two names a moment. */
	if ((errno == EINVAL || errno == ENOSYS) && link(tmp, path) == 0)
		return 0;
	return errno == EEXIST ? OIDC_ERR_INVALID : OIDC_ERR_SYSTEM;
}

int
safefile_write(const char *path, const void *data, size_t len, int flags)
{
	const char *slash = strrchr(path, '/');
	char tmp[4200];
	int fd, n, r = OIDC_ERR_SYSTEM;

	/* A hidden name in the same directory: never a valid entry name. */
	n = slash == NULL ? snprintf(tmp, sizeof(tmp), ".%s.XXXXXX", path)
			  : snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX",
				(int)(slash - path), path, slash + 1);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return OIDC_ERR_INVALID;
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return OIDC_ERR_SYSTEM;
	if (fchmod(fd, 0600) != 0 || safefile_write_all(fd, data, len) != 0 ||
	    ((flags & SAFEFILE_SYNC) && fsync(fd) != 0)) {
		close(fd);
		goto out;
	}
	if (close(fd) != 0)
		goto out;
	r = put_in_place(tmp, path, flags);
out:
	(void)unlink(tmp);
	return r;
}
