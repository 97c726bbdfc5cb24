/*
 * Configuration parser: one table of keys, one line parser shared by the
 * file and the module arguments, one validation pass at the end.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "names.h"
#include "oidc.h"
#include "safefile.h"

#define MAX_LINE 4096

enum key_type {
	T_STR,
	T_URL,
	T_INT,
	T_BOOL,
	T_ENUM,
	T_ALGS,
	T_KV,
	T_XFORM,
	T_REG, /* regpolicy_set parses it */
};

struct key {
	const char *name;
	enum key_type type;
	size_t off;
	int min, max;             /* T_INT */
	const char *const *words; /* T_ENUM, index = value */
	const char *hint;         /* what a valid value is */
};

static const char *const w_auth[] = { "auto", "client_secret_basic",
	"client_secret_post", "none", NULL };
static const char *const w_wait[] = { "auto", "enter", "poll", NULL };
static const char *const w_qr[] = { "utf8", "ascii", "off", NULL };
static const char *const w_group[] = { "session", "persist", NULL };
static const char *const w_userinfo[] = { "auto", "always", "never", NULL };

#define O(f) offsetof(struct oidc_config, f)
static const struct key keys[] = {
	{ "issuer", T_URL, O(issuer), 0, 0, NULL, "an https:// URL" },
	{ "device_authorization_endpoint", T_URL,
	    O(device_authorization_endpoint), 0, 0, NULL, "an https:// URL" },
	{ "token_endpoint", T_URL, O(token_endpoint), 0, 0, NULL,
	    "an https:// URL" },
	{ "userinfo_endpoint", T_URL, O(userinfo_endpoint), 0, 0, NULL,
	    "an https:// URL" },
	{ "jwks_uri", T_URL, O(jwks_uri), 0, 0, NULL, "an https:// URL" },
	{ "client_id", T_STR, O(client_id), 0, 0, NULL, "the client id" },
	{ "client_secret", T_STR, O(client_secret), 0, 0, NULL, "a secret" },
	{ "client_secret_file", T_STR, O(client_secret_file), 0, 0, NULL,
	    "an absolute path" },
	{ "client_auth", T_ENUM, O(client_auth), 0, 0, w_auth,
	    "client_secret_basic, client_secret_post or none" },
	{ "scope", T_STR, O(scope), 0, 0, NULL, "space-separated scopes" },
	{ "signing_algorithms", T_ALGS, O(signing_algorithms), 0, 0, NULL,
	    "JWS algorithms such as RS256 ES256 EdDSA (never none)" },
	{ "username_claim", T_STR, O(username_claim), 0, 0, NULL,
	    "a claim path such as preferred_username" },
	{ "username_transform", T_XFORM, O(username_transform), 0, 0, NULL,
	    "none, lowercase, strip_domain=DOMAIN (repeatable words)" },
	{ "username_max_length", T_INT, O(username_max_length), 1, 256, NULL,
	    "a number from 1 to 256" },
	{ "require_claim", T_KV, O(require_claims), 0, 0, NULL,
	    "claim.path = value" },
	{ "role_claim", T_STR, O(role_claim), 0, 0, NULL,
	    "a claim path such as realm_access.roles" },
	{ "role_map", T_KV, O(role_map), 0, 0, NULL, "role = group group..." },
	{ "pin_sub", T_KV, O(pin_subs), 0, 0, NULL, "user = sub" },
	{ "allowed_roles", T_STR, O(allowed_roles), 0, 0, NULL,
	    "space-separated roles" },
	{ "group_mode", T_ENUM, O(group_mode), 0, 0, w_group,
	    "session or persist" },
	{ "auto_register", T_BOOL, O(auto_register), 0, 0, NULL, "yes or no" },
	{ "register_with", T_REG, O(reg), 0, 0, NULL, "useradd or nss" },
	{ "register_uid_min", T_REG, O(reg), 0, 0, NULL,
	    "a UID from 1 to 2147483646" },
	{ "register_uid_max", T_REG, O(reg), 0, 0, NULL,
	    "a UID from 1 to 2147483646" },
	{ "register_home", T_REG, O(reg), 0, 0, NULL,
	    "an absolute path of letters, digits and / _ - . +" },
	{ "register_allow", T_REG, O(reg), 0, 0, NULL,
	    "space-separated fnmatch(3) patterns" },
	{ "register_max_pending", T_REG, O(reg), 0, 0, NULL,
	    "a number from 1 to 1000" },
	{ "register_rate", T_REG, O(reg), 0, 0, NULL,
	    "a number from 1 to 1000 (per minute)" },
	{ "register_pending_ttl", T_REG, O(reg), 0, 0, NULL,
	    "seconds from 5 to 86400" },
	{ "shell", T_STR, O(shell), 0, 0, NULL, "an absolute path" },
	{ "kiosk", T_BOOL, O(kiosk), 0, 0, NULL, "yes or no" },
	{ "wait", T_ENUM, O(wait), 0, 0, w_wait, "auto, enter or poll" },
	{ "qr", T_ENUM, O(qr), 0, 0, w_qr, "utf8, ascii or off" },
	{ "prompt", T_STR, O(prompt), 0, 0, NULL, "a line of text" },
	{ "timeout", T_INT, O(timeout), 10, 3600, NULL,
	    "seconds from 10 to 3600" },
	{ "http_timeout", T_INT, O(http_timeout), 1, 120, NULL,
	    "seconds from 1 to 120" },
	{ "ca_file", T_STR, O(ca_file), 0, 0, NULL, "an absolute path" },
	{ "cache_dir", T_STR, O(cache_dir), 0, 0, NULL, "an absolute path" },
	{ "userinfo", T_ENUM, O(userinfo), 0, 0, w_userinfo,
	    "auto, always or never" },
	{ "leeway", T_INT, O(leeway), 0, 600, NULL, "seconds from 0 to 600" },
	{ "debug", T_BOOL, O(debug), 0, 0, NULL, "yes or no" },
};
#undef O
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

struct oidc_config *
config_new(void)
{
	struct oidc_config *cfg;

	if ((cfg = calloc(1, sizeof(*cfg))) == NULL)
		return NULL;
	cfg->signing_algorithms = ALG_RS256;
	cfg->username_max_length = 32;
	regpolicy_init(&cfg->reg);
	cfg->http_timeout = 10;
	cfg->leeway = 60;
	return cfg;
}

void
config_free(struct oidc_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].type == T_STR || keys[i].type == T_URL ||
		    keys[i].type == T_XFORM)
			oidc_strfree(*(char **)((char *)cfg + keys[i].off));
		else if (keys[i].type == T_KV)
			kv_free(
			    *(struct oidc_kv **)((char *)cfg + keys[i].off));
	}
	kv_free(cfg->strip_domains);
	free(cfg->path);
	explicit_bzero(cfg, sizeof(*cfg));
	free(cfg);
}

struct oidc_username_rule
config_username_rule(const struct oidc_config *cfg)
{
	struct oidc_username_rule r = { cfg->username_claim, cfg->strip_domains,
		cfg->username_lowercase, cfg->username_max_length };

	return r;
}

unsigned int
config_parse_algs(const char *s)
{
	unsigned int bits = 0, bit;
	char name[16];
	size_t n;

	while (*s != '\0') {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		if (*s == '\0')
			break;
		n = strcspn(s, " \t,");
		if (n >= sizeof(name))
			return 0;
		memcpy(name, s, n);
		name[n] = '\0';
		/* Unknown names, and "none" in any spelling, are refused. */
		if ((bit = jwt_alg_bit(name)) == 0)
			return 0;
		bits |= bit;
		s += n;
	}
	return bits;
}

static int
parse_bool(const char *v, int *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0 || strcmp(v, "on") == 0)
		*out = 1;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0 || strcmp(v, "off") == 0)
		*out = 0;
	else
		return OIDC_ERR_INVALID;
	return 0;
}

static int
parse_int(const char *v, int min, int max, int *out)
{
	char *end;
	long n;

	if (!isdigit((unsigned char)*v))
		return OIDC_ERR_INVALID;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return OIDC_ERR_INVALID;
	*out = (int)n;
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static int
kv_append(struct oidc_kv **head, const char *k, const char *v)
{
	struct oidc_kv *kv, **tail;

	if ((kv = calloc(1, sizeof(*kv))) == NULL)
		return OIDC_ERR_NOMEM;
	kv->key = strdup(k);
	kv->value = strdup(v);
	if (kv->key == NULL || kv->value == NULL) {
		kv_free(kv);
		return OIDC_ERR_NOMEM;
	}
	for (tail = head; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = kv;
	return 0;
}

/* "lowercase strip_domain=example.com" → flags and a domain list. */
static int
parse_xform(struct oidc_config *cfg, const char *v)
{
	char word[MAX_LINE];
	size_t n;
	int r;

	kv_free(cfg->strip_domains);
	cfg->strip_domains = NULL;
	cfg->username_lowercase = 0;
	for (;;) {
		v += strspn(v, " \t");
		if (*v == '\0')
			return 0;
		n = strcspn(v, " \t");
		if (n >= sizeof(word))
			return OIDC_ERR_INVALID;
		memcpy(word, v, n);
		word[n] = '\0';
		v += n;
		if (strcmp(word, "none") == 0)
			continue;
		if (strcmp(word, "lowercase") == 0) {
			cfg->username_lowercase = 1;
			continue;
		}
		if (strncmp(word, "strip_domain=", 13) != 0 ||
		    word[13] == '\0' || strchr(word + 13, '@') != NULL)
			return OIDC_ERR_INVALID;
		if ((r = kv_append(&cfg->strip_domains, word + 13, "")) != 0)
			return r;
	}
}

static int
set_value(struct oidc_config *cfg, const struct key *k, char *v)
{
	void *field = (char *)cfg + k->off;
	char *copy, *eq;
	unsigned int bits;
	int i, r;

	switch (k->type) {
	case T_URL:
		if (strncmp(v, "https://", 8) != 0 || v[8] == '\0')
			return OIDC_ERR_INVALID;
		/* FALLTHROUGH */
	case T_STR:
	case T_XFORM:
		if (k->type == T_XFORM && (r = parse_xform(cfg, v)) != 0)
			return r;
		if ((copy = strdup(v)) == NULL)
			return OIDC_ERR_NOMEM;
		oidc_strfree(*(char **)field);
		*(char **)field = copy;
		return 0;
	case T_INT: return parse_int(v, k->min, k->max, field);
	case T_BOOL: return parse_bool(v, field);
	case T_ENUM:
		for (i = 0; k->words[i] != NULL; i++)
			if (strcmp(k->words[i], v) == 0) {
				*(int *)field = i;
				return 0;
			}
		return OIDC_ERR_INVALID;
	case T_ALGS:
		/* A refused list leaves the previous one in place. */
		if ((bits = config_parse_algs(v)) == 0)
			return OIDC_ERR_INVALID;
		*(unsigned int *)field = bits;
		return 0;
	case T_REG: return regpolicy_set(&cfg->reg, k->name, v);
	case T_KV:
		if ((eq = strchr(v, '=')) == NULL)
			return OIDC_ERR_INVALID;
		*eq = '\0';
		if (*trim(v) == '\0' || *trim(eq + 1) == '\0')
			return OIDC_ERR_INVALID;
		return kv_append(field, trim(v), trim(eq + 1));
	}
	return OIDC_ERR_INVALID;
}

static const struct key *
find_key(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

/*
 * One "key = value" line. seen tracks keys already given in this source,
 * so a duplicate is an error rather than a silent override.
 */
static int
parse_line(struct oidc_config *cfg, char *line, unsigned char *seen,
    const char *where, char *why, size_t whysz)
{
	const struct key *k;
	char *eq, *name, *value;
	int r;

	if ((eq = strchr(line, '=')) == NULL)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: expected \"key = value\"", where);
	*eq = '\0';
	name = trim(line);
	value = trim(eq + 1);
	if ((k = find_key(name)) == NULL)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: unknown key \"%.64s\" "
		    "(see pam_oidc.conf(5))",
		    where, name);
	/* Module arguments (seen == NULL) stand in a world-readable file. */
	if (seen == NULL &&
	    k->off == offsetof(struct oidc_config, client_secret))
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: client_secret may not be a module "
		    "argument (the PAM file is world-readable); use "
		    "client_secret_file",
		    where);
	if (*value == '\0')
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: %s needs a value: %s", where, name, k->hint);
	if (seen != NULL && k->type != T_KV) {
		if (seen[k - keys])
			return oidc_why(why, whysz, OIDC_ERR_CONFIG,
			    "%s: %s is given twice; "
			    "keep one",
			    where, name);
		seen[k - keys] = 1;
	}
	if ((r = set_value(cfg, k, value)) == OIDC_ERR_NOMEM)
		return r;
	if (r != 0)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: bad value for %s: expected %s", where, name, k->hint);
	return 0;
}

int
config_parse(struct oidc_config *cfg, const char *name, const char *text,
    size_t len, char *why, size_t whysz)
{
	unsigned char seen[NKEYS] = { 0 };
	char line[MAX_LINE], where[256], *s;
	size_t pos = 0, n;
	int lineno = 0, r;

	while (pos < len) {
		lineno++;
		n = 0;
		while (pos + n < len && text[pos + n] != '\n')
			n++;
		if (snprintf(where, sizeof(where), "%.200s:%d", name, lineno) <
		    0)
			where[0] = '\0';
		if (n >= sizeof(line))
			return oidc_why(why, whysz, OIDC_ERR_CONFIG,
			    "%s: line too long", where);
		if (memchr(text + pos, '\0', n) != NULL)
			return oidc_why(why, whysz, OIDC_ERR_CONFIG,
			    "%s: NUL byte in line", where);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		r = parse_line(cfg, s, seen, where, why, whysz);
		explicit_bzero(line, sizeof(line));
		if (r != 0)
			return r;
	}
	explicit_bzero(line, sizeof(line));
	return 0;
}

int
config_apply_arg(
    struct oidc_config *cfg, const char *arg, char *why, size_t whysz)
{
	char buf[MAX_LINE], where[96];
	int r;

	if (strcmp(arg, "debug") == 0) {
		cfg->debug = 1;
		return 0;
	}
	if (strncmp(arg, "config=", 7) == 0)
		return 0;
	if (strlen(arg) >= sizeof(buf))
		return oidc_why(
		    why, whysz, OIDC_ERR_CONFIG, "module argument too long");
	memcpy(buf, arg, strlen(arg) + 1);
	/* Name only the key: the value may be a secret. */
	if (snprintf(where, sizeof(where), "module argument \"%.*s\"",
		(int)(strcspn(arg, "= \t") < 40 ? strcspn(arg, "= \t") : 40),
		arg) < 0)
		where[0] = '\0';
	r = parse_line(cfg, buf, NULL, where, why, whysz);
	explicit_bzero(buf, sizeof(buf));
	return r;
}

static int
dup_default(char **field, const char *value)
{
	if (*field != NULL)
		return 0;
	*field = strdup(value);
	return *field == NULL ? OIDC_ERR_NOMEM : 0;
}

static int
config_defaults(struct oidc_config *cfg)
{
	if (dup_default(&cfg->scope, "openid email profile") != 0 ||
	    dup_default(&cfg->username_claim, "preferred_username") != 0 ||
	    dup_default(&cfg->prompt, "Sign in with your identity provider") !=
		0 ||
	    dup_default(&cfg->cache_dir, "/var/cache/pam_oidc") != 0 ||
	    dup_default(&cfg->shell, "/bin/bash") != 0)
		return OIDC_ERR_NOMEM;
	return 0;
}

static int
read_secret_file(struct oidc_config *cfg, char *why, size_t whysz)
{
	char *buf = NULL, *s;
	size_t len = 0;
	int r;

	r = safefile_read(cfg->client_secret_file, SAFEFILE_PRIVATE, 4096, &buf,
	    &len, NULL, why, whysz);
	if (r == OIDC_ERR_NOMEM)
		return r;
	if (r != 0)
		return OIDC_ERR_CONFIG;
	/* One line; a trailing newline is not part of the secret. */
	s = buf;
	s[strcspn(s, "\r\n")] = '\0';
	if (*s == '\0') {
		oidc_freezero(buf, len + 1);
		return oidc_why(why, whysz, OIDC_ERR_CONFIG, "%s is empty",
		    cfg->client_secret_file);
	}
	if ((cfg->client_secret = strdup(s)) == NULL)
		r = OIDC_ERR_NOMEM;
	oidc_freezero(buf, len + 1);
	return r;
}

/* Group names reach /etc and syscalls: portable POSIX names only. */
static int
check_role_map(const struct oidc_kv *kv, char *why, size_t whysz)
{
	char name[64];
	const char *p;
	size_t n;

	for (; kv != NULL; kv = kv->next) {
		for (p = kv->value;; p += n) {
			p += strspn(p, " \t");
			if ((n = strcspn(p, " \t")) == 0)
				break;
			if (n >= sizeof(name))
				return oidc_why(why, whysz, OIDC_ERR_CONFIG,
				    "role_map %s: a group "
				    "name is too long",
				    kv->key);
			memcpy(name, p, n);
			name[n] = '\0';
			if (!names_valid(name, NAMES_GROUP_MAX))
				return oidc_why(why, whysz, OIDC_ERR_CONFIG,
				    "role_map %s: \"%s\" is "
				    "not a valid group name "
				    "([a-z_][a-z0-9_.-]*, at most 32)",
				    kv->key, name);
		}
	}
	return 0;
}

/* One pinned sub per valid local user name. */
static int
check_pin_subs(const struct oidc_kv *kv, char *why, size_t whysz)
{
	const struct oidc_kv *o;

	for (; kv != NULL; kv = kv->next) {
		if (!names_valid(kv->key, NAMES_USER_MAX))
			return oidc_why(why, whysz, OIDC_ERR_CONFIG,
			    "pin_sub: \"%s\" is not a valid user name",
			    kv->key);
		for (o = kv->next; o != NULL; o = o->next)
			if (strcmp(o->key, kv->key) == 0)
				return oidc_why(why, whysz, OIDC_ERR_CONFIG,
				    "pin_sub: %s is pinned twice; keep one line",
				    kv->key);
	}
	return 0;
}

/* register_with = nss: a range at or above UID_MIN, a plain shell path. */
static int
check_register(
    const struct oidc_config *cfg, const char *where, char *why, size_t whysz)
{
	char reason[400];

	if (cfg->reg.with != REGISTER_NSS)
		return 0;
	if (regpolicy_validate(&cfg->reg, "/etc", reason, sizeof(reason)) != 0)
		return oidc_why(
		    why, whysz, OIDC_ERR_CONFIG, "%s: %s", where, reason);
	if (!regpolicy_path_ok(cfg->shell, REGPOLICY_PATH_MAX))
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: with register_with = nss, shell must be an absolute "
		    "path of letters, digits and / _ - . + (at most %d bytes)",
		    where, REGPOLICY_PATH_MAX);
	return 0;
}

int
config_validate(struct oidc_config *cfg, char *why, size_t whysz)
{
	const char *where = cfg->path != NULL ? cfg->path : "configuration";

	if (cfg->client_id == NULL)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: client_id is required", where);
	if (cfg->issuer == NULL &&
	    (cfg->device_authorization_endpoint == NULL ||
		cfg->token_endpoint == NULL))
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: set issuer, or both "
		    "device_authorization_endpoint and token_endpoint",
		    where);
	/*
	 * An ID token's iss is checked against issuer, so jwks_uri alone
	 * would refuse every token; without issuer the identity comes from
	 * userinfo (OAuth 2.0-only providers such as GitHub).
	 */
	if (cfg->issuer == NULL && cfg->jwks_uri != NULL)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: jwks_uri needs issuer (ID tokens are checked "
		    "against it); set issuer, or remove jwks_uri and use "
		    "userinfo_endpoint",
		    where);
	if (cfg->issuer == NULL && cfg->userinfo_endpoint == NULL)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: without issuer, set userinfo_endpoint so the "
		    "identity can be read",
		    where);
	if (cfg->client_secret != NULL && cfg->client_secret_file != NULL)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: set client_secret or "
		    "client_secret_file, not both",
		    where);
	if (cfg->client_secret_file != NULL &&
	    cfg->client_secret_file[0] != '/')
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: client_secret_file must be an "
		    "absolute path",
		    where);
	if (cfg->client_secret_file != NULL &&
	    read_secret_file(cfg, why, whysz) != 0)
		return OIDC_ERR_CONFIG;
	if ((cfg->client_auth == CLIENT_AUTH_BASIC ||
		cfg->client_auth == CLIENT_AUTH_POST) &&
	    cfg->client_secret == NULL)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: client_auth %s needs "
		    "client_secret or client_secret_file",
		    where, w_auth[cfg->client_auth]);
	if ((cfg->signing_algorithms & (ALG_HS256 | ALG_HS384 | ALG_HS512)) &&
	    cfg->client_secret == NULL)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: HS* signing_algorithms need a "
		    "client secret",
		    where);
	if (cfg->cache_dir != NULL && cfg->cache_dir[0] != '/')
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: cache_dir must be an absolute "
		    "path",
		    where);
	if (cfg->ca_file != NULL && cfg->ca_file[0] != '/')
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: ca_file must be an absolute path", where);
	if (cfg->shell != NULL && cfg->shell[0] != '/')
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: shell must be an absolute path", where);
	if (check_role_map(cfg->role_map, why, whysz) != 0 ||
	    check_pin_subs(cfg->pin_subs, why, whysz) != 0)
		return OIDC_ERR_CONFIG;
	if (config_defaults(cfg) != 0)
		return OIDC_ERR_NOMEM;
	return check_register(cfg, where, why, whysz);
}

static const char *
config_path_arg(int argc, const char **argv)
{
	const char *path = OIDC_DEFAULT_CONFIG;
	int i;

	for (i = 0; i < argc; i++)
		if (strncmp(argv[i], "config=", 7) == 0)
			path = argv[i] + 7;
	return path;
}

int
config_load(struct oidc_config *cfg, int argc, const char **argv, char *why,
    size_t whysz)
{
	const char *path = config_path_arg(argc, argv);
	unsigned int mode = 0;
	char *text = NULL;
	size_t len = 0;
	int i, r;

	if (path[0] != '/')
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "config=%.200s: must be an absolute "
		    "path",
		    path);
	if ((cfg->path = strdup(path)) == NULL)
		return OIDC_ERR_NOMEM;
	r = safefile_read(
	    path, 0, OIDC_MAX_CONFIG, &text, &len, &mode, why, whysz);
	if (r == OIDC_ERR_NOMEM)
		return r;
	if (r != 0)
		return OIDC_ERR_CONFIG;
	r = config_parse(cfg, path, text, len, why, whysz);
	oidc_freezero(text, len + 1);
	if (r != 0)
		return r;
	if (cfg->client_secret != NULL && (mode & S_IROTH))
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%.200s holds client_secret and is "
		    "readable by others (chmod 0600 %.200s)",
		    path, path);
	for (i = 0; i < argc; i++)
		if ((r = config_apply_arg(cfg, argv[i], why, whysz)) != 0)
			return r;
	return config_validate(cfg, why, whysz);
}
