/*
 * The registry's file (see regfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "names.h"
#include "oidc.h"
#include "regfile.h"

#define MAX_FIELDS 9

/* Owned by root (or us, for the tests), not writable by group or others. */
static int
safe_stat(const struct stat *st)
{
	return (st->st_uid == 0 || st->st_uid == geteuid()) &&
	    !(st->st_mode & (S_IWGRP | S_IWOTH));
}

static int
read_all(int fd, size_t size, char **out)
{
	char *data;
	size_t got = 0;
	ssize_t n;

	if ((data = malloc(size + 1)) == NULL)
		return OIDC_ERR_NOMEM;
	while (got < size) {
		n = read(fd, data + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got != size) {
		free(data);
		return OIDC_ERR_CONFIG;
	}
	data[size] = '\0';
	*out = data;
	return 0;
}

/* A decimal number of at most 19 digits, at most max. */
static int
num(const char *f, size_t n, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 19 || (n > 1 && f[0] == '0'))
		return 0;
	for (i = 0; i < n; i++) {
		if (f[i] < '0' || f[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(f[i] - '0');
	}
	if (v > max)
		return 0;
	*out = v;
	return 1;
}

static int
parse_header(struct oidc_regsnap *s)
{
	const size_t ml = sizeof(REGFILE_MAGIC) - 1;
	const char *p, *nl, *sp;
	uint64_t start, count;

	if (s->len < ml + 1 || memcmp(s->data, REGFILE_MAGIC, ml) != 0 ||
	    s->data[ml] != '\n')
		return OIDC_ERR_CONFIG;
	p = s->data + ml + 1;
	if ((nl = memchr(p, '\n', s->len - (size_t)(p - s->data))) == NULL ||
	    nl - p < 5 || memcmp(p, "rate ", 5) != 0)
		return OIDC_ERR_CONFIG;
	p += 5;
	if ((sp = memchr(p, ' ', (size_t)(nl - p))) == NULL ||
	    !num(p, (size_t)(sp - p), INT64_MAX, &start) ||
	    !num(sp + 1, (size_t)(nl - sp - 1), 100000, &count))
		return OIDC_ERR_CONFIG;
	s->rate_start = (int64_t)start;
	s->rate_count = (unsigned int)count;
	s->body = (size_t)(nl + 1 - s->data);
	return 0;
}

static int parse_line(const char *line, size_t n, struct oidc_regentry *e);

/* A store with one bad line is refused whole, for every reader. */
static int
all_lines_parse(const struct oidc_regsnap *s)
{
	struct oidc_regentry e;
	const char *nl;
	size_t at = s->body;
	int ok = 1;

	while (ok && at < s->len) {
		nl = memchr(s->data + at, '\n', s->len - at);
		ok = nl != NULL &&
		    (size_t)(nl - (s->data + at)) < REGFILE_LINE_MAX &&
		    parse_line(s->data + at, (size_t)(nl - (s->data + at)), &e);
		at = nl != NULL ? (size_t)(nl - s->data) + 1 : s->len;
	}
	explicit_bzero(&e, sizeof(e));
	return ok;
}

int
regfile_load(const char *dir, struct oidc_regsnap *s)
{
	struct stat st;
	int dfd, fd = -1, r = OIDC_ERR_CONFIG;

	memset(s, 0, sizeof(*s));
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return errno == ENOENT ? 0 : OIDC_ERR_CONFIG;
	if (fstat(dfd, &st) != 0 || !safe_stat(&st))
		goto out;
	fd = openat(dfd, REGFILE_NAME,
	    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = errno == ENOENT ? 0 : OIDC_ERR_CONFIG;
		goto out;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || !safe_stat(&st) ||
	    (size_t)st.st_size > REGFILE_MAX)
		goto out;
	if ((r = read_all(fd, (size_t)st.st_size, &s->data)) != 0)
		goto out;
	s->len = (size_t)st.st_size;
	/* Whole lines only: a writer always ends with a newline. */
	if ((r = parse_header(s)) != 0 || s->data[s->len - 1] != '\n' ||
	    !all_lines_parse(s)) {
		regfile_free(s);
		r = OIDC_ERR_CONFIG;
	}
out:
	if (fd >= 0)
		close(fd);
	close(dfd);
	return r;
}

void
regfile_free(struct oidc_regsnap *s)
{
	if (s == NULL)
		return;
	free(s->data);
	memset(s, 0, sizeof(*s));
}

/* Fields separated by one space; the count, or -1. */
static int
split(const char *line, size_t n, const char **f, size_t *fl)
{
	size_t i, start = 0;
	int k = 0;

	for (i = 0; i <= n; i++) {
		if (i < n && line[i] != ' ')
			continue;
		if (i == start || k == MAX_FIELDS)
			return -1;
		f[k] = line + start;
		fl[k++] = i - start;
		start = i + 1;
	}
	return k;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode a field into out (NUL-terminated, no NUL inside). */
static int
decode(const char *f, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (o + 1 >= outsz)
			return 0;
		if (f[i] != '%') {
			if (f[i] < 0x21 || f[i] > 0x7e)
				return 0;
			out[o++] = f[i];
			continue;
		}
		if (i + 2 >= n || (hi = hexval(f[i + 1])) < 0 ||
		    (lo = hexval(f[i + 2])) < 0 || (hi == 0 && lo == 0))
			return 0;
		out[o++] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[o] = '\0';
	return o > 0;
}

static int
text(const char *f, size_t n, char *out, size_t outsz)
{
	if (n == 0 || n >= outsz)
		return 0;
	memcpy(out, f, n);
	out[n] = '\0';
	return 1;
}

/* The fields every entry has: NAME UID GID TIME; UID and GID are one. */
static int
common(const char **f, const size_t *fl, struct oidc_regentry *e, int64_t *when)
{
	uint64_t uid, gid, t;

	if (!text(f[1], fl[1], e->name, sizeof(e->name)) ||
	    !names_valid(e->name, REGPOLICY_NAME_MAX) ||
	    !num(f[2], fl[2], 0x7ffffffe, &uid) || uid == 0 ||
	    !num(f[3], fl[3], 0x7ffffffe, &gid) || gid == 0 ||
	    !num(f[4], fl[4], INT64_MAX, &t) || uid != gid)
		return 0;
	e->uid = (uint32_t)uid;
	e->gid = (uint32_t)gid;
	*when = (int64_t)t;
	return 1;
}

static int
paths(const char **f, const size_t *fl, struct oidc_regentry *e)
{
	return text(f[0], fl[0], e->home, sizeof(e->home)) &&
	    regpolicy_path_ok(e->home, REGISTRY_HOME_MAX) &&
	    text(f[1], fl[1], e->shell, sizeof(e->shell)) &&
	    regpolicy_path_ok(e->shell, REGPOLICY_PATH_MAX);
}

static int
parse_line(const char *line, size_t n, struct oidc_regentry *e)
{
	const char *f[MAX_FIELDS];
	size_t fl[MAX_FIELDS];
	uint64_t t;
	int k;

	memset(e, 0, sizeof(*e));
	if ((k = split(line, n, f, fl)) < 5)
		return 0;
	if (k == 8 && fl[0] == 7 && memcmp(f[0], "pending", 7) == 0) {
		e->state = REG_PENDING;
		if (!common(f, fl, e, &e->created) ||
		    !num(f[5], fl[5], INT64_MAX, &t))
			return 0;
		e->expires = (int64_t)t;
		return paths(f + 6, fl + 6, e);
	}
	if (k == 9 && fl[0] == 4 && memcmp(f[0], "user", 4) == 0) {
		e->state = REG_USER;
		return common(f, fl, e, &e->created) &&
		    paths(f + 5, fl + 5, e) &&
		    decode(f[7], fl[7], e->iss, sizeof(e->iss)) &&
		    decode(f[8], fl[8], e->sub, sizeof(e->sub));
	}
	if (k == 5 && fl[0] == 7 && memcmp(f[0], "retired", 7) == 0) {
		e->state = REG_RETIRED;
		return common(f, fl, e, &e->expires);
	}
	return 0;
}

int
regfile_next(const struct oidc_regsnap *s, size_t *pos, struct oidc_regentry *e)
{
	const char *line, *nl;
	size_t at = *pos < s->body ? s->body : *pos;

	if (s->data == NULL || at >= s->len)
		return 0;
	line = s->data + at;
	if ((nl = memchr(line, '\n', s->len - at)) == NULL ||
	    (size_t)(nl - line) >= REGFILE_LINE_MAX ||
	    !parse_line(line, (size_t)(nl - line), e))
		return OIDC_ERR_CONFIG;
	*pos = at + (size_t)(nl - line) + 1;
	return 1;
}

int
regfile_live(const struct oidc_regentry *e, int64_t now)
{
	return e->state == REG_USER ||
	    (e->state == REG_PENDING && e->expires > now);
}

int
regfile_find(const char *dir, int64_t now, enum oidc_regkey by,
    const char *name, uint32_t id, struct oidc_regentry *out)
{
	struct oidc_regsnap s;
	struct oidc_regentry e;
	size_t pos = 0;
	int r;

	if ((r = regfile_load(dir, &s)) != 0)
		return r;
	while ((r = regfile_next(&s, &pos, &e)) == 1) {
		if (!regfile_live(&e, now))
			continue;
		if ((by == REG_BY_NAME && strcmp(e.name, name) == 0) ||
		    (by == REG_BY_UID && e.uid == id) ||
		    (by == REG_BY_GID && e.gid == id)) {
			*out = e;
			break;
		}
	}
	regfile_free(&s);
	explicit_bzero(&e, sizeof(e));
	return r;
}

/* Percent-encode s into out; the length, or -1 when it does not fit. */
static int
encode(const char *s, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	size_t o = 0;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (o + 4 > outsz)
			return -1;
		if (*p > 0x20 && *p < 0x7f && *p != '%') {
			out[o++] = (char)*p;
			continue;
		}
		out[o++] = '%';
		out[o++] = hex[*p >> 4];
		out[o++] = hex[*p & 15];
	}
	out[o] = '\0';
	return (int)o;
}

int
regfile_format(const struct oidc_regentry *e, char *out, size_t outsz)
{
	char iss[3 * REGISTRY_ISS_MAX + 1], sub[3 * REGISTRY_SUB_MAX + 1];
	int n = -1;

	switch (e->state) {
	case REG_PENDING:
		n = snprintf(out, outsz,
		    "pending %s %" PRIu32 " %" PRIu32 " %" PRId64 " %" PRId64
		    " %s %s\n",
		    e->name, e->uid, e->gid, e->created, e->expires, e->home,
		    e->shell);
		break;
	case REG_USER:
		if (encode(e->iss, iss, sizeof(iss)) <= 0 ||
		    encode(e->sub, sub, sizeof(sub)) <= 0)
			return OIDC_ERR_INVALID;
		n = snprintf(out, outsz,
		    "user %s %" PRIu32 " %" PRIu32 " %" PRId64 " %s %s %s %s\n",
		    e->name, e->uid, e->gid, e->created, e->home, e->shell, iss,
		    sub);
		break;
	case REG_RETIRED:
		n = snprintf(out, outsz,
		    "retired %s %" PRIu32 " %" PRIu32 " %" PRId64 "\n", e->name,
		    e->uid, e->gid, e->expires);
		break;
	}
	if (n < 0 || (size_t)n >= outsz || n >= REGFILE_LINE_MAX)
		return OIDC_ERR_INVALID;
	return n;
}

int
regfile_header(
    int64_t rate_start, unsigned int rate_count, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "%s\nrate %" PRId64 " %u\n", REGFILE_MAGIC,
	    rate_start, rate_count);

	return n < 0 || (size_t)n >= outsz ? OIDC_ERR_INVALID : n;
}
