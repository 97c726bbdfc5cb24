/*
 * Cache entries are files "<kind>-<sha256(url)>" holding a header line
 * with the expiry and the URL, then the body. Anything that does not
 * parse is treated as missing and refetched, never trusted.
 */
#include <dirent.h>
#include <errno.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "json.h"
#include "oidc.h"
#include "safefile.h"

#define MAGIC "pam_oidc-cache-1"

static int
entry_path(
    const char *dir, const char *kind, const char *url, char *out, size_t outsz)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];
	size_t i;
	int n;

	SHA256((const unsigned char *)url, strlen(url), md);
	for (i = 0; i < sizeof(md); i++)
		if (snprintf(hex + 2 * i, 3, "%02x", md[i]) != 2)
			return OIDC_ERR_INVALID;
	n = snprintf(out, outsz, "%s/%s-%s", dir, kind, hex);
	return (n < 0 || (size_t)n >= outsz) ? OIDC_ERR_INVALID : 0;
}

long
cache_lifetime(long max_age)
{
	if (max_age < 0)
		return CACHE_DEFAULT_AGE;
	if (max_age < CACHE_MIN_AGE)
		return CACHE_MIN_AGE;
	if (max_age > CACHE_MAX_AGE)
		return CACHE_MAX_AGE;
	return max_age;
}

int
cache_load(const char *dir, const char *kind, const char *url, time_t now,
    char **body, size_t *len)
{
	char path[4096], *data = NULL, *p, *nl, *end;
	size_t dlen = 0, ulen = strlen(url);
	long long expires;
	int r = OIDC_ERR_INVALID;

	if (entry_path(dir, kind, url, path, sizeof(path)) != 0)
		return OIDC_ERR_INVALID;
	r = safefile_read(path, SAFEFILE_PRIVATE, OIDC_MAX_BODY + 8192, &data,
	    &dlen, NULL, NULL, 0);
	if (r == OIDC_ERR_NOMEM)
		return r;
	r = OIDC_ERR_INVALID;
	if (data == NULL)
		return r;
	/* MAGIC \n expires \n url \n body */
	p = data;
	if (strncmp(p, MAGIC "\n", sizeof(MAGIC)) != 0)
		goto out;
	p += sizeof(MAGIC);
	errno = 0;
	expires = strtoll(p, &end, 10);
	if (errno != 0 || end == p || *end != '\n')
		goto out;
	p = end + 1;
	if ((size_t)(data + dlen - p) < ulen + 1 || memcmp(p, url, ulen) != 0 ||
	    p[ulen] != '\n')
		goto out;
	p += ulen + 1;
	nl = data + dlen;
	if ((*body = malloc((size_t)(nl - p) + 1)) == NULL) {
		r = OIDC_ERR_NOMEM;
		goto out;
	}
	memcpy(*body, p, (size_t)(nl - p));
	(*body)[nl - p] = '\0';
	*len = (size_t)(nl - p);
	r = (long long)now < expires ? 0 : OIDC_ERR_EXPIRED;
out:
	free(data);
	return r;
}

int
cache_store(const char *dir, const char *kind, const char *url,
    const char *body, size_t len, long max_age, time_t now)
{
	char path[4096], head[64], *data;
	size_t hlen, ulen = strlen(url), total;
	int n, r;

	if (safefile_mkdir(dir, NULL, 0) != 0 ||
	    entry_path(dir, kind, url, path, sizeof(path)) != 0)
		return OIDC_ERR_SYSTEM;
	n = snprintf(head, sizeof(head), MAGIC "\n%lld\n",
	    (long long)now + cache_lifetime(max_age));
	if (n < 0 || (size_t)n >= sizeof(head))
		return OIDC_ERR_SYSTEM;
	hlen = (size_t)n;
	total = hlen + ulen + 1 + len;
	if ((data = malloc(total)) == NULL)
		return OIDC_ERR_NOMEM;
	memcpy(data, head, hlen);
	/* NOLINTNEXTLINE(bugprone-not-null-terminated-result): not a string */
	memcpy(data + hlen, url, ulen);
	data[hlen + ulen] = '\n';
	memcpy(data + hlen + ulen + 1, body, len);
	r = safefile_write(path, data, total, 0);
	free(data);
	return r;
}

static int
is_entry(const char *name)
{
	return strncmp(name, "discovery-", 10) == 0 ||
	    strncmp(name, "jwks-", 5) == 0;
}

/* The header of one entry: "MAGIC\nexpires\nurl\n". */
static int
describe(const char *path, char *url, size_t urlsz, long long *expires)
{
	char *data = NULL, *p, *end;
	size_t dlen = 0, n;
	int r = OIDC_ERR_INVALID;

	if (safefile_read(path, SAFEFILE_PRIVATE, OIDC_MAX_BODY + 8192, &data,
		&dlen, NULL, NULL, 0) != 0)
		return r;
	if (strncmp(data, MAGIC "\n", sizeof(MAGIC)) != 0)
		goto out;
	p = data + sizeof(MAGIC);
	errno = 0;
	*expires = strtoll(p, &end, 10);
	if (errno != 0 || end == p || *end != '\n')
		goto out;
	p = end + 1;
	n = strcspn(p, "\n");
	if (p[n] != '\n' || n >= urlsz)
		goto out;
	memcpy(url, p, n);
	url[n] = '\0';
	r = 0;
out:
	free(data);
	return r;
}

/* Call fn with the path and name of each cache entry in dir. */
static int
walk(const char *dir, int (*fn)(void *, const char *, const char *), void *ctx)
{
	struct dirent *de;
	char path[4096];
	DIR *d;
	int n, count = 0;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : OIDC_ERR_SYSTEM;
	while ((de = readdir(d)) != NULL) {
		if (!is_entry(de->d_name))
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(path))
			continue;
		count += fn(ctx, path, de->d_name);
	}
	closedir(d);
	return count;
}

struct list_ctx {
	cache_entry_fn fn;
	void *ctx;
};

static int
list_one(void *arg, const char *path, const char *name)
{
	struct list_ctx *l = arg;
	char url[2048];
	long long expires;

	if (describe(path, url, sizeof(url), &expires) != 0)
		l->fn(l->ctx, name, NULL, 0);
	else
		l->fn(l->ctx, name, url, expires);
	return 1;
}

int
cache_list(const char *dir, cache_entry_fn fn, void *ctx)
{
	struct list_ctx l = { fn, ctx };

	return walk(dir, list_one, &l);
}

static int
remove_one(void *arg, const char *path, const char *name)
{
	(void)arg;
	(void)name;
	return unlink(path) == 0;
}

int
cache_clear(const char *dir)
{
	return walk(dir, remove_one, NULL);
}

int
cache_rate_limit(const char *dir, const char *kind, const char *url, time_t now)
{
	char *body = NULL;
	size_t len = 0;
	int r;

	r = cache_load(dir, kind, url, now, &body, &len);
	free(body);
	if (r == 0)
		return OIDC_ERR_EXPIRED;
	/* A record that could not be read may be a recent one. */
	if (r == OIDC_ERR_NOMEM)
		return r;
	if (cache_store(dir, kind, url, "", 0, CACHE_MIN_AGE, now) != 0)
		return OIDC_ERR_EXPIRED;
	return 0;
}

void
cache_control(const char *v, size_t n, long *max_age, int *no_store)
{
	char buf[256], *p, *end;
	long age;

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	for (p = buf; *p != '\0'; p++)
		*p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
	if (strstr(buf, "no-store") != NULL || strstr(buf, "no-cache") != NULL)
		*no_store = 1;
	if ((p = strstr(buf, "max-age=")) != NULL) {
		age = strtol(p + 8, &end, 10);
		if (end != p + 8 && age >= 0)
			*max_age = age;
	}
}

int
cache_load_json(const char *dir, const char *kind, const char *url, time_t now,
    json_t **doc)
{
	char *body = NULL;
	size_t len = 0;
	int r;

	r = cache_load(dir, kind, url, now, &body, &len);
	if (r != 0) {
		free(body);
		return r == OIDC_ERR_NOMEM ? r : OIDC_ERR_INVALID;
	}
	r = json_parse_object(body, len, doc);
	free(body);
	return r == 0 || r == OIDC_ERR_NOMEM ? r : OIDC_ERR_PROTOCOL;
}
