/*
 * Per-host rate limits (see ratelimit.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "oidc.h"
#include "ratelimit.h"
#include "safefile.h"

#define STAMP_MAX 21 /* "%lld\n" */

static int
lock(int fd)
{
	struct flock fl;
	struct timespec ts = { 0, 10L * 1000000L };
	int i;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	for (i = 0; i < RATELIMIT_LOCK_MS / 10; i++) {
		if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
			return 0;
		if (errno != EAGAIN && errno != EACCES && errno != EINTR)
			return OIDC_ERR_SYSTEM;
		(void)nanosleep(&ts, NULL);
	}
	return OIDC_ERR_SYSTEM;
}

/* Keep the stamps of the window from text in out; count them. */
static int
window(const char *text, time_t now, int window_s, struct oidc_buf *out,
    int *count)
{
	const char *p = text;
	char *end;
	long long t;

	*count = 0;
	while (*p != '\0') {
		errno = 0;
		t = strtoll(p, &end, 10);
		if (errno != 0 || end == p || *end != '\n')
			return OIDC_ERR_SYSTEM;
		p = end + 1;
		/*
		 * A stamp a little ahead of now is another process's, which
		 * read the clock later but took the lock first: it counts.
		 */
		if (t > (long long)now - window_s &&
		    t <= (long long)now + window_s) {
			buf_printf(out, "%lld\n", t);
			(*count)++;
		}
	}
	return out->err == 0 ? 0 : OIDC_ERR_NOMEM;
}

static int
update(int fd, time_t now, int limit, int window_s)
{
	const size_t max = (size_t)RATELIMIT_MAX * (size_t)STAMP_MAX;
	struct oidc_buf out;
	char *text;
	ssize_t n;
	size_t got = 0;
	int count, r;

	if ((text = malloc(max + 1)) == NULL)
		return OIDC_ERR_NOMEM;
	buf_init(&out, max);
	while (got < max &&
	    (n = pread(fd, text + got, max - got, (off_t)got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = OIDC_ERR_SYSTEM;
			goto out;
		}
		got += (size_t)n;
	}
	text[got] = '\0';
	if ((r = window(text, now, window_s, &out, &count)) != 0)
		goto out;
	if (count >= limit) {
		r = OIDC_ERR_EXPIRED;
		goto out;
	}
	buf_printf(&out, "%lld\n", (long long)now);
	r = OIDC_ERR_SYSTEM;
	if (out.err != 0 || ftruncate(fd, 0) != 0 ||
	    pwrite(fd, out.data, out.len, 0) != (ssize_t)out.len)
		goto out;
	r = 0;
out:
	free(text);
	buf_free(&out);
	return r;
}

int
ratelimit_take(
    const char *dir, const char *kind, int limit, int window_s, time_t now)
{
	char path[4200];
	struct stat st;
	int fd, n, r;

	if (limit <= 0)
		return 0;
	if (limit > RATELIMIT_MAX)
		limit = RATELIMIT_MAX;
	n = snprintf(path, sizeof(path), "%s/%s", dir, kind);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    safefile_mkdir(dir, NULL, 0) != 0)
		return OIDC_ERR_SYSTEM;
	fd = open(path,
	    O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
	    0600);
	if (fd < 0)
		return OIDC_ERR_SYSTEM;
	r = OIDC_ERR_SYSTEM;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_uid == geteuid() && st.st_nlink == 1 && !(st.st_mode & 077) &&
	    lock(fd) == 0)
		r = update(fd, now, limit, window_s);
	close(fd);
	return r;
}
