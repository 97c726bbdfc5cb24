/*
 * The registration policy (see regpolicy.h).
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "localids.h"
#include "names.h"
#include "oidc.h"
#include "regpolicy.h"
#include "safefile.h"

#define LINE_MAX_LEN 4096

void
regpolicy_init(struct oidc_regpolicy *p)
{
	memset(p, 0, sizeof(*p));
	p->with = REGISTER_USERADD;
	memcpy(p->home, "/home", sizeof("/home"));
	memcpy(p->shell, "/bin/bash", sizeof("/bin/bash"));
	p->max_pending = 50;
	p->rate = 10;
	p->ttl = 600;
	p->name_max = REGPOLICY_NAME_MAX;
}

static const char *const reg_keys[] = { "register_with", "register_uid_min",
	"register_uid_max", "register_home", "register_allow",
	"register_max_pending", "register_rate", "register_pending_ttl", NULL };

int
regpolicy_is_key(const char *key)
{
	size_t i;

	for (i = 0; reg_keys[i] != NULL; i++)
		if (strcmp(reg_keys[i], key) == 0)
			return 1;
	return 0;
}

/* A decimal number in [min, max]. */
static int
number(const char *v, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long n;
	char *end;

	if (*v < '0' || *v > '9')
		return OIDC_ERR_INVALID;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return OIDC_ERR_INVALID;
	*out = n;
	return 0;
}

int
regpolicy_path_ok(const char *path, size_t max)
{
	size_t i, len = strlen(path);

	if (len < 2 || len > max || path[0] != '/' || path[len - 1] == '/' ||
	    strstr(path, "//") != NULL || strstr(path, "/.") != NULL)
		return 0;
	for (i = 0; i < len; i++) {
		char c = path[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '/' || c == '_' ||
			c == '-' || c == '.' || c == '+'))
			return 0;
	}
	return 1;
}

/* register_allow: printable patterns without ':' or control bytes. */
static int
allow_ok(const char *v)
{
	const unsigned char *p;

	if (strlen(v) > REGPOLICY_ALLOW_MAX)
		return 0;
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e || *p == ':')
			return 0;
	return 1;
}

int
regpolicy_set(struct oidc_regpolicy *p, const char *key, const char *value)
{
	unsigned long n;

	if (strcmp(key, "register_with") == 0) {
		if (strcmp(value, "useradd") == 0)
			p->with = REGISTER_USERADD;
		else if (strcmp(value, "nss") == 0)
			p->with = REGISTER_NSS;
		else
			return OIDC_ERR_INVALID;
		return 0;
	}
	if (strcmp(key, "register_uid_min") == 0 ||
	    strcmp(key, "register_uid_max") == 0) {
		/* Never 0, never the 16- or 32-bit "no id" values. */
		if (number(value, 1, 0x7ffffffe, &n) != 0 || n == 65535)
			return OIDC_ERR_INVALID;
		if (strcmp(key, "register_uid_min") == 0)
			p->uid_min = (uint32_t)n;
		else
			p->uid_max = (uint32_t)n;
		return 0;
	}
	if (strcmp(key, "register_home") == 0) {
		if (!regpolicy_path_ok(value, REGPOLICY_PATH_MAX))
			return OIDC_ERR_INVALID;
		memcpy(p->home, value, strlen(value) + 1);
		return 0;
	}
	if (strcmp(key, "register_allow") == 0) {
		if (!allow_ok(value))
			return OIDC_ERR_INVALID;
		memcpy(p->allow, value, strlen(value) + 1);
		return 0;
	}
	if (strcmp(key, "register_max_pending") == 0 &&
	    number(value, 1, 1000, &n) == 0)
		p->max_pending = (unsigned int)n;
	else if (strcmp(key, "register_rate") == 0 &&
	    number(value, 1, 1000, &n) == 0)
		p->rate = (unsigned int)n;
	else if (strcmp(key, "register_pending_ttl") == 0 &&
	    number(value, REGPOLICY_TTL_MIN, REGPOLICY_TTL_MAX, &n) == 0)
		p->ttl = (unsigned int)n;
	else
		return OIDC_ERR_INVALID;
	return 0;
}

int
regpolicy_validate(const struct oidc_regpolicy *p, const char *etc_dir,
    char *why, size_t whysz)
{
	uint32_t floor;

	if (p->with != REGISTER_NSS)
		return 0;
	if (p->uid_min == 0 || p->uid_max == 0)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "register_with = nss needs register_uid_min and "
		    "register_uid_max (a range no other account uses, such "
		    "as 70000 and 79999)");
	if (p->uid_min > p->uid_max)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "register_uid_min %u is above register_uid_max %u",
		    p->uid_min, p->uid_max);
	if (p->uid_max - p->uid_min >= REGPOLICY_RANGE_MAX)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "the register_uid_min..register_uid_max range holds more "
		    "than %u ids; make it smaller",
		    REGPOLICY_RANGE_MAX);
	floor = localids_uid_min(etc_dir);
	if (p->uid_min < floor)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "register_uid_min %u is below UID_MIN %u of "
		    "%s/login.defs: registered people would get system ids; "
		    "raise it",
		    p->uid_min, floor, etc_dir);
	return 0;
}

/* One line of the file: a key the NSS module needs, or nothing. */
static int
load_line(struct oidc_regpolicy *p, char *line, unsigned int *seen)
{
	unsigned long n;
	char *eq, *k, *v;

	if ((eq = strchr(line, '=')) == NULL)
		return 0;
	*eq = '\0';
	k = oidc_trim(line);
	v = oidc_trim(eq + 1);
	if (strcmp(k, "shell") == 0) {
		if (*seen & 1 || !regpolicy_path_ok(v, REGPOLICY_PATH_MAX))
			return OIDC_ERR_INVALID;
		*seen |= 1;
		memcpy(p->shell, v, strlen(v) + 1);
		return 0;
	}
	if (strcmp(k, "username_max_length") == 0) {
		if (*seen & 2 || number(v, 1, 256, &n) != 0)
			return OIDC_ERR_INVALID;
		*seen |= 2;
		p->name_max = n < REGPOLICY_NAME_MAX ? (unsigned int)n
						     : REGPOLICY_NAME_MAX;
		return 0;
	}
	if (strcmp(k, "auto_register") == 0) {
		if (*seen & 4)
			return OIDC_ERR_INVALID;
		*seen |= 4;
		p->auto_register = strcmp(v, "yes") == 0 ||
		    strcmp(v, "true") == 0 || strcmp(v, "1") == 0 ||
		    strcmp(v, "on") == 0;
		return 0;
	}
	return regpolicy_is_key(k) ? regpolicy_set(p, k, v) : 0;
}

int
regpolicy_load(const char *path, const char *etc_dir, struct oidc_regpolicy *p,
    char *why, size_t whysz)
{
	char line[LINE_MAX_LEN], *text = NULL;
	size_t len = 0, pos = 0, n;
	unsigned int seen = 0;
	int r, lineno = 0;

	regpolicy_init(p);
	r = safefile_read(
	    path, 0, (size_t)256 * 1024, &text, &len, NULL, why, whysz);
	if (r != 0)
		return r == OIDC_ERR_NOMEM ? r : OIDC_ERR_CONFIG;
	while (r == 0 && pos < len) {
		lineno++;
		for (n = 0; pos + n < len && text[pos + n] != '\n'; n++)
			;
		if (n >= sizeof(line)) {
			r = oidc_why(why, whysz, OIDC_ERR_CONFIG,
			    "%s:%d: line too long", path, lineno);
			break;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		if (*oidc_trim(line) == '#')
			continue;
		if (load_line(p, line, &seen) != 0)
			r = oidc_why(why, whysz, OIDC_ERR_CONFIG,
			    "%s:%d: a bad value for a key of the registration "
			    "policy",
			    path, lineno);
	}
	explicit_bzero(line, sizeof(line));
	oidc_freezero(text, len + 1);
	if (r != 0)
		return r;
	return regpolicy_validate(p, etc_dir, why, whysz);
}

int
regpolicy_name_ok(const struct oidc_regpolicy *p, const char *name)
{
	char pat[REGPOLICY_ALLOW_MAX + 1];
	const char *s = p->allow;
	size_t n;

	if (!names_valid(name,
		p->name_max < REGPOLICY_NAME_MAX ? p->name_max
						 : REGPOLICY_NAME_MAX))
		return 0;
	if (p->allow[0] == '\0')
		return 1;
	for (;;) {
		s += strspn(s, " \t");
		if ((n = strcspn(s, " \t")) == 0)
			return 0;
		memcpy(pat, s, n);
		pat[n] = '\0';
		if (fnmatch(pat, name, FNM_PERIOD) == 0)
			return 1;
		s += n;
	}
}
