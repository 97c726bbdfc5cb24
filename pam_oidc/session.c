/*
 * The session authentication leaves for acct_mgmt and setcred, and its
 * one-shot hand-off to another process (see session.h).
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

#include "names.h"
#include "oidc.h"
#include "safefile.h"
#include "session.h"

#define HANDOFF_MAGIC "pam_oidc grant 1"
#define HANDOFF_MAX   8192

static int
handoff_dir(const char *cache_dir, char *buf, size_t bufsz)
{
	int n = snprintf(buf, bufsz, "%s/grants", cache_dir);

	return n < 0 || (size_t)n >= bufsz ? OIDC_ERR_INVALID : 0;
}

static int
valid_id(const char *id)
{
	size_t i;

	for (i = 0; i < HANDOFF_ID_LEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') ||
			(id[i] >= 'a' && id[i] <= 'f')))
			return 0;
	return id[HANDOFF_ID_LEN] == '\0';
}

static int
handoff_path(const char *cache_dir, const char *id, char *buf, size_t bufsz)
{
	int n;

	if (!valid_id(id))
		return OIDC_ERR_INVALID;
	n = snprintf(buf, bufsz, "%s/grants/%s", cache_dir, id);
	return n < 0 || (size_t)n >= bufsz ? OIDC_ERR_INVALID : 0;
}

int
session_handoff_write(const char *cache_dir, const char *user,
    const struct oidc_strlist *groups, time_t now, char id[HANDOFF_ID_LEN + 1])
{
	unsigned char rnd[HANDOFF_ID_LEN / 2];
	char dir[4096], path[4096], body[HANDOFF_MAX];
	size_t i, len;
	int n, r;

	if (!names_valid(user, NAMES_USER_MAX))
		return OIDC_ERR_INVALID;
	if ((r = handoff_dir(cache_dir, dir, sizeof(dir))) != 0)
		return r;
	if (safefile_mkdir(cache_dir, NULL, 0) != 0 ||
	    safefile_mkdir(dir, NULL, 0) != 0)
		return OIDC_ERR_SYSTEM;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return OIDC_ERR_SYSTEM;
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(id + 2 * i, 3, "%02x", rnd[i]);
	id[HANDOFF_ID_LEN] = '\0';
	n = snprintf(body, sizeof(body), "%s\nuser %s\nexpires %lld\n",
	    HANDOFF_MAGIC, user, (long long)now + HANDOFF_TTL);
	if (n < 0 || (size_t)n >= sizeof(body))
		return OIDC_ERR_INVALID;
	len = (size_t)n;
	for (i = 0; i < groups->n; i++) {
		if (!names_valid(groups->v[i], NAMES_GROUP_MAX))
			return OIDC_ERR_INVALID;
		n = snprintf(
		    body + len, sizeof(body) - len, "group %s\n", groups->v[i]);
		if (n < 0 || (size_t)n >= sizeof(body) - len)
			return OIDC_ERR_INVALID;
		len += (size_t)n;
	}
	if ((r = handoff_path(cache_dir, id, path, sizeof(path))) != 0)
		return r;
	return safefile_write(path, body, len, 0);
}

/* The hand-off's lines, strictly: magic, user, expires, then groups. */
static int
parse(char *buf, const char *user, time_t now, struct oidc_strlist *groups)
{
	char *save = NULL, *line, *end;
	long long exp;
	int i, r;

	for (i = 0, line = strtok_r(buf, "\n", &save); line != NULL;
	     i++, line = strtok_r(NULL, "\n", &save)) {
		if (i == 0) {
			if (strcmp(line, HANDOFF_MAGIC) != 0)
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
			    exp > (long long)now + HANDOFF_TTL)
				return OIDC_ERR_INVALID;
		} else {
			if (strncmp(line, "group ", 6) != 0 ||
			    !names_valid(line + 6, NAMES_GROUP_MAX))
				return OIDC_ERR_INVALID;
			if ((r = strlist_add(groups, line + 6, strlen(line + 6),
				 GROUPS_MAX)) != 0)
				return r;
		}
	}
	return i >= 3 ? 0 : OIDC_ERR_INVALID;
}

int
session_handoff_take(const char *cache_dir, const char *id, const char *user,
    time_t now, struct oidc_strlist *groups)
{
	char path[4096], *buf = NULL;
	size_t len = 0;
	int r;

	memset(groups, 0, sizeof(*groups));
	if ((r = handoff_path(cache_dir, id, path, sizeof(path))) != 0)
		return r;
	r = safefile_read(
	    path, SAFEFILE_PRIVATE, HANDOFF_MAX, &buf, &len, NULL, NULL, 0);
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
session_handoff_sweep(const char *cache_dir, time_t now)
{
	char dir[4096];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int dfd;

	if (handoff_dir(cache_dir, dir, sizeof(dir)) != 0 ||
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
		if (st.st_mtime + HANDOFF_TTL < now || st.st_mtime > now + 60)
			(void)unlinkat(dfd, de->d_name, 0);
	}
	closedir(d);
}

struct oidc_session *
session_new(const char *user, const char *cache_dir, enum oidc_group_mode mode,
    int allowed, struct oidc_strlist *groups)
{
	struct oidc_session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if ((s->user = strdup(user)) == NULL ||
	    (s->cache_dir = strdup(cache_dir)) == NULL) {
		session_free(s);
		return NULL;
	}
	s->group_mode = mode;
	s->allowed = allowed;
	if (groups != NULL) {
		s->groups = *groups;
		memset(groups, 0, sizeof(*groups));
	}
	return s;
}

void
session_free(struct oidc_session *s)
{
	if (s == NULL)
		return;
	free(s->user);
	free(s->cache_dir);
	strlist_free(&s->groups);
	free(s);
}

int
session_hand_off(struct oidc_session *s, time_t now, const struct oidc_log *lg,
    char *env, size_t envsz)
{
	int n;

	/* Only an allowed user's session groups need to travel. */
	if (!s->allowed || s->group_mode != GROUP_SESSION || s->groups.n == 0)
		return OIDC_ERR_INVALID;
	session_handoff_sweep(s->cache_dir, now);
	if (session_handoff_write(
		s->cache_dir, s->user, &s->groups, now, s->handoff) == 0 &&
	    (n = snprintf(env, envsz, "%s=%s", HANDOFF_ENV, s->handoff)) > 0 &&
	    (size_t)n < envsz) {
		log_msg(lg, LOG_DEBUG, "groups handed to setcred");
		return 0;
	}
	s->handoff[0] = '\0';
	log_msg(lg, LOG_WARNING,
	    "cannot write a group grant in %s/grants; applications that "
	    "establish credentials in another process will not see the "
	    "mapped groups",
	    s->cache_dir);
	return OIDC_ERR_SYSTEM;
}

int
session_from_handoff(const char *cache_dir, const char *id, const char *user,
    enum oidc_group_mode mode, const struct oidc_log *lg,
    struct oidc_session **out)
{
	struct oidc_session *s;
	int r;

	*out = NULL;
	/* Only allowed users get a hand-off (see session_hand_off). */
	if ((s = session_new(user, cache_dir, mode, 1, NULL)) == NULL)
		return OIDC_ERR_NOMEM;
	r = session_handoff_take(cache_dir, id, user, time(NULL), &s->groups);
	if (r == 0) {
		*out = s;
		return 0;
	}
	session_free(s);
	if (r != OIDC_ERR_NOMEM) {
		log_msg(lg, LOG_NOTICE,
		    "the group grant for %s is missing, used, expired or not "
		    "this user's; no groups added",
		    user);
		r = 0;
	}
	return r;
}

void
session_spend_handoff(struct oidc_session *s, time_t now)
{
	struct oidc_strlist spent = { 0 };

	if (s->handoff[0] == '\0')
		return;
	(void)session_handoff_take(
	    s->cache_dir, s->handoff, s->user, now, &spent);
	strlist_free(&spent);
	s->handoff[0] = '\0';
}
