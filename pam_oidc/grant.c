/*
 * One-shot grants from pam_authenticate to pam_setcred (see grant.h).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "claims.h"
#include "grant.h"
#include "oidc.h"
#include "safefile.h"

#define GRANT_MAGIC "pam_oidc grant 1"
#define GRANT_MAX   8192

static int
grants_dir(const char *cache_dir, char *buf, size_t bufsz)
{
	int n = snprintf(buf, bufsz, "%s/grants", cache_dir);

	return n < 0 || (size_t)n >= bufsz ? OIDC_ERR_INVALID : 0;
}

static int
valid_id(const char *id)
{
	size_t i;

	for (i = 0; i < GRANT_ID_LEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
			(id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	return id[GRANT_ID_LEN] == '\0';
}

static int
grant_path(const char *cache_dir, const char *id, char *buf, size_t bufsz)
{
	int n;

	if (!valid_id(id))
		return OIDC_ERR_INVALID;
	n = snprintf(buf, bufsz, "%s/grants/%s", cache_dir, id);
	return n < 0 || (size_t)n >= bufsz ? OIDC_ERR_INVALID : 0;
}

int
grant_write(const char *cache_dir, const char *user,
    const struct oidc_strlist *groups, time_t now, char id[GRANT_ID_LEN + 1])
{
	unsigned char rnd[GRANT_ID_LEN / 2];
	char dir[4096], path[4096], body[GRANT_MAX];
	size_t i, len;
	int n, r;

	if (!claims_valid_name(user, 256))
		return OIDC_ERR_INVALID;
	if ((r = grants_dir(cache_dir, dir, sizeof(dir))) != 0)
		return r;
	if (safefile_mkdir(cache_dir, NULL, 0) != 0 ||
	    safefile_mkdir(dir, NULL, 0) != 0)
		return OIDC_ERR_SYSTEM;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return OIDC_ERR_SYSTEM;
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(id + 2 * i, 3, "%02x", rnd[i]);
	id[GRANT_ID_LEN] = '\0';
	n = snprintf(body, sizeof(body), "%s\nuser %s\nexpires %lld\n",
	    GRANT_MAGIC, user, (long long)now + GRANT_TTL);
	if (n < 0 || (size_t)n >= sizeof(body))
		return OIDC_ERR_INVALID;
	len = (size_t)n;
	for (i = 0; i < groups->n; i++) {
		if (!claims_valid_name(groups->v[i], 32))
			return OIDC_ERR_INVALID;
		n = snprintf(
		    body + len, sizeof(body) - len, "group %s\n", groups->v[i]);
		if (n < 0 || (size_t)n >= sizeof(body) - len)
			return OIDC_ERR_INVALID;
		len += (size_t)n;
	}
	if ((r = grant_path(cache_dir, id, path, sizeof(path))) != 0)
		return r;
	return safefile_write(path, body, len);
}

static int
add_group(struct oidc_strlist *l, const char *name)
{
	char **v;

	if (l->n >= GROUPS_MAX || !claims_valid_name(name, 32))
		return OIDC_ERR_INVALID;
	if ((v = realloc(l->v, (l->n + 1) * sizeof(*v))) == NULL)
		return OIDC_ERR_NOMEM;
	l->v = v;
	if ((v[l->n] = strdup(name)) == NULL)
		return OIDC_ERR_NOMEM;
	l->n++;
	return 0;
}

/* The grant's lines, strictly: magic, user, expires, then groups. */
static int
parse(char *buf, const char *user, time_t now, struct oidc_strlist *groups)
{
	char *save = NULL, *line, *end;
	long long exp;
	int i, r;

	for (i = 0, line = strtok_r(buf, "\n", &save); line != NULL;
	     i++, line = strtok_r(NULL, "\n", &save)) {
		if (i == 0) {
			if (strcmp(line, GRANT_MAGIC) != 0)
				return OIDC_ERR_INVALID;
		} else if (i == 1) {
			if (strncmp(line, "user ", 5) != 0 ||
			    strcmp(line + 5, user) != 0)
				return OIDC_ERR_INVALID;
		} else if (i == 2) {
			if (strncmp(line, "expires ", 8) != 0)
				return OIDC_ERR_INVALID;
			errno = 0;
			exp = strtoll(line + 8, &end, 10);
			if (errno != 0 || *end != '\0' || end == line + 8 ||
			    exp < (long long)now ||
			    exp > (long long)now + GRANT_TTL)
				return OIDC_ERR_INVALID;
		} else {
			if (strncmp(line, "group ", 6) != 0)
				return OIDC_ERR_INVALID;
			if ((r = add_group(groups, line + 6)) != 0)
				return r;
		}
	}
	return i >= 3 ? 0 : OIDC_ERR_INVALID;
}

int
grant_take(const char *cache_dir, const char *id, const char *user, time_t now,
    struct oidc_strlist *groups)
{
	char path[4096], *buf = NULL;
	size_t len = 0;
	int r;

	memset(groups, 0, sizeof(*groups));
	if ((r = grant_path(cache_dir, id, path, sizeof(path))) != 0)
		return r;
	r = safefile_read(
	    path, SAFEFILE_PRIVATE, GRANT_MAX, &buf, &len, NULL, NULL, 0);
	/* One use only, whatever it holds. */
	(void)unlink(path);
	if (r == OIDC_ERR_NOMEM)
		return r;
	if (r != 0)
		return OIDC_ERR_INVALID;
	if (strlen(buf) != len)
		r = OIDC_ERR_INVALID;
	else
		r = parse(buf, user, now, groups);
	free(buf);
	if (r != 0)
		strlist_free(groups);
	return r;
}

void
grant_sweep(const char *cache_dir, time_t now)
{
	char dir[4096];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int dfd;

	if (grants_dir(cache_dir, dir, sizeof(dir)) != 0 ||
	    (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) <
		0)
		return;
	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (!valid_id(de->d_name) ||
		    fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (st.st_mtime + GRANT_TTL < now || st.st_mtime > now + 60)
			(void)unlinkat(dfd, de->d_name, 0);
	}
	closedir(d);
}
