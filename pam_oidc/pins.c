/*
 * iss + sub pins for local accounts (see pins.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "names.h"
#include "oidc.h"
#include "pins.h"
#include "safefile.h"

#define PINS_MAGIC "pam_oidc pin 1"
#define PINS_MAX   (4 * PINS_MAX_FIELD + 512)

/*
 * An injective escape that keeps a pin on one line: printable ASCII but
 * '%' stays, every other byte is %XX. Pins compare in this form.
 */
static int
escape(struct oidc_buf *b, const char *s)
{
	const unsigned char *p;

	if (strlen(s) == 0 || strlen(s) > PINS_MAX_FIELD)
		return OIDC_ERR_INVALID;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p > 0x20 && *p < 0x7f && *p != '%')
			buf_add(b, p, 1);
		else
			buf_printf(b, "%%%02X", *p);
	}
	return b->err;
}

static int
pin_path(const char *state_dir, const char *user, char *path, size_t sz)
{
	int n;

	if (!names_valid(user, NAMES_USER_MAX))
		return OIDC_ERR_INVALID;
	n = snprintf(path, sz, "%s/pins/%s", state_dir, user);
	return n < 0 || (size_t)n >= sz ? OIDC_ERR_INVALID : 0;
}

/* The pin text for the pair; NULL on failure (r says why). */
static char *
pin_text(const char *user, const char *iss, const char *sub, time_t now,
    size_t *len, int *r)
{
	struct oidc_buf b;
	char *t;

	buf_init(&b, PINS_MAX);
	buf_printf(&b, "%s\nuser %s\niss ", PINS_MAGIC, user);
	if ((*r = escape(&b, iss)) == 0) {
		buf_printf(&b, "\nsub ");
		*r = escape(&b, sub);
	}
	if (*r == 0)
		*r = buf_printf(&b, "\ncreated %lld\n", (long long)now);
	t = *r == 0 ? buf_take(&b, len) : NULL;
	if (t == NULL && *r == 0)
		*r = OIDC_ERR_NOMEM;
	buf_free(&b);
	return t;
}

/* The value of "key " on line n (0-based) of text, copied into out. */
static int
field(const char *text, int n, const char *key, char *out, size_t outsz)
{
	const char *p = text, *e;
	size_t klen = strlen(key);

	for (; n > 0 && p != NULL; n--)
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	if (p == NULL || strncmp(p, key, klen) != 0 || p[klen] != ' ')
		return OIDC_ERR_INVALID;
	p += klen + 1;
	if ((e = strchr(p, '\n')) == NULL || (size_t)(e - p) >= outsz)
		return OIDC_ERR_INVALID;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	return 0;
}

/* Read a pin: its escaped iss and sub and its time. */
static int
pin_read(const char *path, const char *user, char *iss, char *sub,
    size_t fieldsz, long long *created, char *why, size_t whysz)
{
	char *text = NULL, u[NAMES_USER_MAX + 1], t[32], *end;
	size_t len = 0;
	int r;

	r = safefile_read(
	    path, SAFEFILE_PRIVATE, PINS_MAX, &text, &len, NULL, why, whysz);
	if (r != 0)
		return r;
	r = OIDC_ERR_SYSTEM;
	if (strlen(text) != len || strncmp(text, PINS_MAGIC "\n", 15) != 0 ||
	    field(text, 1, "user", u, sizeof(u)) != 0 || strcmp(u, user) != 0 ||
	    field(text, 2, "iss", iss, fieldsz) != 0 ||
	    field(text, 3, "sub", sub, fieldsz) != 0 ||
	    field(text, 4, "created", t, sizeof(t)) != 0) {
		oidc_why(why, whysz, r,
		    "%s is damaged; remove it with "
		    "pam-oidc pins forget %s",
		    path, user);
		goto out;
	}
	*created = strtoll(t, &end, 10);
	r = 0;
out:
	free(text);
	return r;
}

/* Compare the recorded pin at path with this pair. */
static int
pin_check(const char *path, const char *user, const char *iss, const char *sub,
    char *pinned_sub, size_t pinned_sz, char *why, size_t whysz)
{
	char piss[3 * PINS_MAX_FIELD + 1], psub[3 * PINS_MAX_FIELD + 1];
	struct oidc_buf want;
	long long created;
	int r;

	/* No pin (OIDC_ERR_INVALID) is told apart from one that fails. */
	if ((r = pin_read(path, user, piss, psub, sizeof(piss), &created, why,
		 whysz)) != 0)
		return r == OIDC_ERR_NOMEM || r == OIDC_ERR_INVALID
		    ? r
		    : OIDC_ERR_SYSTEM;
	buf_init(&want, PINS_MAX);
	if ((r = escape(&want, iss)) == 0 && strcmp(want.data, piss) == 0) {
		want.len = 0;
		want.data[0] = '\0';
		if ((r = escape(&want, sub)) == 0 &&
		    strcmp(want.data, psub) == 0) {
			buf_free(&want);
			return 0;
		}
	}
	buf_free(&want);
	if (r != 0)
		return r;
	if (snprintf(pinned_sub, pinned_sz, "%s", psub) < 0 && pinned_sz > 0)
		pinned_sub[0] = '\0';
	return OIDC_ERR_MISMATCH;
}

int
pins_bind(const char *state_dir, const char *user, const char *iss,
    const char *sub, time_t now, int *created, char *pinned_sub,
    size_t pinned_sz, char *why, size_t whysz)
{
	char dir[4096], path[4200], *text = NULL;
	size_t len = 0;
	int n, r;

	*created = 0;
	if ((r = pin_path(state_dir, user, path, sizeof(path))) != 0)
		return r;
	n = snprintf(dir, sizeof(dir), "%s/pins", state_dir);
	if (n < 0 || (size_t)n >= sizeof(dir))
		return OIDC_ERR_INVALID;
	if (safefile_mkdir(state_dir, why, whysz) != 0 ||
	    safefile_mkdir(dir, why, whysz) != 0)
		return OIDC_ERR_SYSTEM;
	/*
	 * Missing is told by the open itself, as root: access(2) would ask
	 * with the real user's rights (alice's, inside sudo).
	 */
	r = pin_check(path, user, iss, sub, pinned_sub, pinned_sz, why, whysz);
	if (r != OIDC_ERR_INVALID)
		return r;
	/* No pin yet: record this pair, unless another sign-in just did. */
	if ((text = pin_text(user, iss, sub, now, &len, &r)) == NULL)
		return r;
	/* A pin decides who an account is: it must survive a crash. */
	r = safefile_write(path, text, len, SAFEFILE_SYNC | SAFEFILE_NOREPLACE);
	free(text);
	if (r == 0) {
		*created = 1;
		return 0;
	}
	if (r != OIDC_ERR_INVALID)
		return oidc_why(why, whysz, OIDC_ERR_SYSTEM,
		    "cannot write the pin %s", path);
	return pin_check(
	    path, user, iss, sub, pinned_sub, pinned_sz, why, whysz);
}

int
pins_forget(const char *state_dir, const char *user)
{
	char path[4200];
	int r;

	if ((r = pin_path(state_dir, user, path, sizeof(path))) != 0)
		return r;
	return unlink(path) == 0 ? 0 : OIDC_ERR_INVALID;
}

int
pins_list(const char *state_dir, pins_fn fn, void *ctx)
{
	char dir[4096], path[4200];
	char iss[3 * PINS_MAX_FIELD + 1], sub[3 * PINS_MAX_FIELD + 1];
	struct dirent *de;
	long long created;
	DIR *d;
	int n = 0;

	if (snprintf(dir, sizeof(dir), "%s/pins", state_dir) >=
		(int)sizeof(dir) ||
	    (d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : OIDC_ERR_SYSTEM;
	while ((de = readdir(d)) != NULL) {
		if (!names_valid(de->d_name, NAMES_USER_MAX) ||
		    pin_path(state_dir, de->d_name, path, sizeof(path)) != 0)
			continue;
		if (pin_read(path, de->d_name, iss, sub, sizeof(iss), &created,
			NULL, 0) != 0)
			fn(ctx, de->d_name, NULL, NULL, 0);
		else
			fn(ctx, de->d_name, iss, sub, created);
		n++;
	}
	closedir(d);
	return n;
}
