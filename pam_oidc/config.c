/*
 * Configuration parser: one table of keys, one line parser shared by the
 * file and the module arguments. config_load.c reads the file and checks
 * the whole.
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
#include "proxy.h"
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
static const char *const w_qr[] = { "auto", "utf8", "ascii", "off", NULL };
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
	{ "qr", T_ENUM, O(qr), 0, 0, w_qr, "auto, utf8, ascii or off" },
	{ "language", T_STR, O(language), 0, 0, NULL,
	    "a locale name such as de or ja_JP.UTF-8" },
	{ "locale_dir", T_STR, O(locale_dir), 0, 0, NULL, "an absolute path" },
	{ "prompt", T_STR, O(prompt), 0, 0, NULL, "a line of text" },
	{ "timeout", T_INT, O(timeout), 10, 3600, NULL,
	    "seconds from 10 to 3600" },
	{ "http_timeout", T_INT, O(http_timeout), 1, 120, NULL,
	    "seconds from 1 to 120" },
	{ "ca_file", T_STR, O(ca_file), 0, 0, NULL, "an absolute path" },
	{ "cache_dir", T_STR, O(cache_dir), 0, 0, NULL, "an absolute path" },
	{ "proxy", T_STR, O(proxy), 0, 0, NULL, "an http://host:port URL" },
	{ "no_proxy", T_STR, O(no_proxy), 0, 0, NULL,
	    "comma-separated host names, domains or IP addresses" },
	{ "proxy_credentials_file", T_STR, O(proxy_credentials_file), 0, 0,
	    NULL, "an absolute path" },
	{ "userinfo", T_ENUM, O(userinfo), 0, 0, w_userinfo,
	    "auto, always or never" },
	{ "leeway", T_INT, O(leeway), 0, 600, NULL, "seconds from 0 to 600" },
	{ "debug", T_BOOL, O(debug), 0, 0, NULL, "yes or no" },
	{ "state_dir", T_STR, O(state_dir), 0, 0, NULL, "an absolute path" },
	{ "pin_identity", T_BOOL, O(pin_identity), 0, 0, NULL, "yes or no" },
	{ "system_accounts", T_STR, O(system_accounts), 0, 0, NULL,
	    "space-separated user names" },
	{ "require_email_verified", T_BOOL, O(require_email_verified), 0, 0,
	    NULL, "yes or no" },
	{ "device_rate_limit", T_INT, O(device_rate_limit), 0, 10000, NULL,
	    "device authorizations per minute, 0 for none" },
	{ "acr_values", T_STR, O(acr_values), 0, 0, NULL,
	    "space-separated authentication context classes" },
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
	cfg->pin_identity = 1;
	cfg->require_email_verified = 1;
	cfg->device_rate_limit = 30;
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
	oidc_strfree(cfg->proxy_user);
	oidc_strfree(cfg->proxy_password);
	free(cfg->path);
	explicit_bzero(cfg, sizeof(*cfg));
	free(cfg);
}

struct oidc_username_rule
config_username_rule(const struct oidc_config *cfg)
{
	struct oidc_username_rule r = { cfg->username_claim, cfg->strip_domains,
		cfg->username_lowercase, cfg->username_max_length,
		cfg->require_email_verified };

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
		if (*oidc_trim(v) == '\0' || *oidc_trim(eq + 1) == '\0')
			return OIDC_ERR_INVALID;
		return kv_append(field, oidc_trim(v), oidc_trim(eq + 1));
	}
	return OIDC_ERR_INVALID;
}

/* Edit distance of a and b, both at most 63 bytes (else a large number). */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, cur, best;
	size_t row[64];

	if (la >= sizeof(row) || lb >= sizeof(row))
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = row[j];
			best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/* The known key an unknown one was most likely meant to be, or NULL. */
static const char *
nearest_key(const char *name)
{
	const char *best = NULL;
	size_t i, d, bestd = 4;

	for (i = 0; i < NKEYS; i++)
		if ((d = distance(name, keys[i].name)) < bestd) {
			bestd = d;
			best = keys[i].name;
		}
	/* A short name is near everything: only close matches count. */
	return best != NULL && bestd * 3 <= strlen(name) + 1 ? best : NULL;
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
	name = oidc_trim(line);
	value = oidc_trim(eq + 1);
	if ((k = find_key(name)) == NULL)
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: unknown key \"%.64s\"%s%s%s (see pam_oidc.conf(5))",
		    where, name, nearest_key(name) ? "; did you mean " : "",
		    nearest_key(name) ? nearest_key(name) : "",
		    nearest_key(name) ? "?" : "");
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
		s = oidc_trim(line);
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
