/*
 * The local files' names and ids, read directly (see localids.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "localids.h"
#include "oidc.h"

/* Read etc_dir/name whole; a missing file is 0 bytes when may_miss. */
static int
slurp(const char *etc_dir, const char *name, int may_miss, char **out,
    size_t *len)
{
	char path[512];
	struct stat st;
	char *data = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, r = OIDC_ERR_SYSTEM;

	n = snprintf(path, sizeof(path), "%s/%s", etc_dir, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return OIDC_ERR_SYSTEM;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
		if (errno != ENOENT || !may_miss)
			return OIDC_ERR_SYSTEM;
		*out = NULL;
		*len = 0;
		return 0;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > LOCALIDS_MAX_FILE)
		goto out;
	r = OIDC_ERR_NOMEM;
	if ((data = malloc((size_t)st.st_size + 1)) == NULL)
		goto out;
	r = OIDC_ERR_SYSTEM;
	while (got < (size_t)st.st_size) {
		n = read(fd, data + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got != (size_t)st.st_size)
		goto out;
	data[got] = '\0';
	*out = data;
	*len = got;
	data = NULL;
	r = 0;
out:
	free(data);
	close(fd);
	return r;
}

/*
 * Field i (0-based) of a colon-separated line: start and length. 0 when
 * the line has fewer fields.
 */
static int
field(const char *line, size_t len, int i, const char **f, size_t *flen)
{
	const char *p = line, *end = line + len, *c;

	for (; i > 0; i--) {
		if ((c = memchr(p, ':', (size_t)(end - p))) == NULL)
			return 0;
		p = c + 1;
	}
	c = memchr(p, ':', (size_t)(end - p));
	*f = p;
	*flen = (size_t)((c != NULL ? c : end) - p);
	return 1;
}

/* A decimal id field; 0 when it is not one. */
static int
id_field(const char *f, size_t flen, uint32_t *id)
{
	uint64_t v = 0;
	size_t i;

	if (flen == 0 || flen > 10)
		return 0;
	for (i = 0; i < flen; i++) {
		if (f[i] < '0' || f[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(f[i] - '0');
	}
	if (v > UINT32_MAX)
		return 0;
	*id = (uint32_t)v;
	return 1;
}

/*
 * Call fn for each line of the file: fn returns non-zero to stop, and
 * that value is returned.
 */
static int
each_line(const char *data, size_t len,
    int (*fn)(void *ctx, const char *line, size_t n), void *ctx)
{
	size_t pos = 0, n;
	const char *nl;
	int r;

	while (pos < len) {
		nl = memchr(data + pos, '\n', len - pos);
		n = nl != NULL ? (size_t)(nl - (data + pos)) : len - pos;
		if ((r = fn(ctx, data + pos, n)) != 0)
			return r;
		pos += n + 1;
	}
	return 0;
}

struct name_ctx {
	const char *name;
	size_t len;
};

static int
has_name(void *ctx, const char *line, size_t n)
{
	const struct name_ctx *c = ctx;
	const char *f;
	size_t flen;

	if (!field(line, n, 0, &f, &flen))
		return 0;
	return flen == c->len && memcmp(f, c->name, flen) == 0;
}

int
localids_name_known(const char *etc_dir, const char *name)
{
	static const char *const files[] = { "passwd", "group" };
	struct name_ctx c = { name, strlen(name) };
	char *data = NULL;
	size_t len = 0, i;
	int r;

	for (i = 0; i < 2; i++) {
		if ((r = slurp(etc_dir, files[i], i == 1, &data, &len)) != 0)
			return r;
		r = data != NULL ? each_line(data, len, has_name, &c) : 0;
		free(data);
		data = NULL;
		if (r != 0)
			return 1;
	}
	return 0;
}

struct mark_ctx {
	uint32_t min, max;
	int idx; /* the field that holds the id */
	unsigned char *used;
};

static int
mark_line(void *ctx, const char *line, size_t n)
{
	const struct mark_ctx *c = ctx;
	const char *f;
	size_t flen;
	uint32_t id;

	if (field(line, n, c->idx, &f, &flen) && id_field(f, flen, &id) &&
	    id >= c->min && id <= c->max)
		c->used[(id - c->min) / 8] |=
		    (unsigned char)(1u << ((id - c->min) % 8));
	return 0;
}

int
localids_mark(
    const char *etc_dir, uint32_t min, uint32_t max, unsigned char *used)
{
	struct mark_ctx c = { min, max, 2, used };
	char *data = NULL;
	size_t len = 0;
	int r, i;

	for (i = 0; i < 2; i++) {
		if ((r = slurp(etc_dir, i == 0 ? "passwd" : "group", i == 1,
			 &data, &len)) != 0)
			return r;
		if (data != NULL)
			(void)each_line(data, len, mark_line, &c);
		free(data);
		data = NULL;
	}
	return 0;
}

struct defs_ctx {
	uint32_t uid_min;
};

static int
defs_line(void *ctx, const char *line, size_t n)
{
	struct defs_ctx *c = ctx;
	char buf[256];
	const char *p;
	uint32_t v;

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, line, n);
	buf[n] = '\0';
	p = buf + strspn(buf, " \t");
	if (strncmp(p, "UID_MIN", 7) != 0 || (p[7] != ' ' && p[7] != '\t'))
		return 0;
	p += 7;
	p += strspn(p, " \t");
	if (id_field(p, strspn(p, "0123456789"), &v))
		c->uid_min = v;
	return 0;
}

uint32_t
localids_uid_min(const char *etc_dir)
{
	struct defs_ctx c = { 1000 };
	char *data = NULL;
	size_t len = 0;

	if (slurp(etc_dir, "login.defs", 1, &data, &len) == 0 && data != NULL)
		(void)each_line(data, len, defs_line, &c);
	free(data);
	return c.uid_min;
}
