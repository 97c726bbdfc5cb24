/*
 * Loading a configuration: the file read safely, the module arguments
 * over it, then the checks of the whole, the defaults, and the files it
 * names (the client secret, the proxy credentials). config.c parses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "lang.h"
#include "names.h"
#include "oidc.h"
#include "proxy.h"
#include "regpolicy.h"
#include "safefile.h"

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
	    dup_default(&cfg->state_dir, "/var/lib/pam_oidc") != 0 ||
	    dup_default(&cfg->locale_dir, OIDC_LOCALEDIR) != 0 ||
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

/* One line "user:password"; the file is read only when proxy is set. */
static int
read_proxy_credentials(struct oidc_config *cfg, char *why, size_t whysz)
{
	const char *file = cfg->proxy_credentials_file;
	char *buf = NULL, *colon;
	size_t len = 0;
	int r;

	r = safefile_read(
	    file, SAFEFILE_PRIVATE, 4096, &buf, &len, NULL, why, whysz);
	if (r == OIDC_ERR_NOMEM)
		return r;
	if (r != 0)
		return OIDC_ERR_CONFIG;
	buf[strcspn(buf, "\r\n")] = '\0';
	if ((colon = strchr(buf, ':')) == NULL || colon == buf) {
		r = oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: expected one line user:password", file);
		goto out;
	}
	*colon = '\0';
	oidc_strfree(cfg->proxy_user);
	oidc_strfree(cfg->proxy_password);
	cfg->proxy_user = strdup(buf);
	cfg->proxy_password = strdup(colon + 1);
	r = cfg->proxy_user != NULL && cfg->proxy_password != NULL
	    ? 0
	    : OIDC_ERR_NOMEM;
out:
	oidc_freezero(buf, len + 1);
	return r;
}

static int
check_proxy_keys(
    struct oidc_config *cfg, const char *where, char *why, size_t whysz)
{
	if (cfg->proxy_credentials_file != NULL &&
	    cfg->proxy_credentials_file[0] != '/')
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: proxy_credentials_file must be an absolute path",
		    where);
	if (cfg->no_proxy != NULL &&
	    proxy_check_list(where, cfg->no_proxy, why, whysz) != 0)
		return OIDC_ERR_CONFIG;
	/* Without proxy the other two keys do nothing. */
	if (cfg->proxy == NULL)
		return 0;
	if (proxy_check_url(where, cfg->proxy, why, whysz) != 0)
		return OIDC_ERR_CONFIG;
	if (cfg->proxy_credentials_file != NULL)
		return read_proxy_credentials(cfg, why, whysz);
	return 0;
}

/* The language names a catalog directory: a locale name, never a path. */
static int
check_locale_keys(
    const struct oidc_config *cfg, const char *where, char *why, size_t whysz)
{
	if (cfg->language != NULL && !lang_name_ok(cfg->language))
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: language must be a locale name such as de or "
		    "ja_JP.UTF-8 (letters, digits, _ . @ -)",
		    where);
	if (cfg->locale_dir != NULL && cfg->locale_dir[0] != '/')
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: locale_dir must be an absolute path", where);
	return 0;
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
			if (names_group_is_root(name))
				return oidc_why(why, whysz, OIDC_ERR_CONFIG,
				    "role_map %s: group %s has GID 0; a role "
				    "never grants root's group",
				    kv->key, name);
		}
	}
	return 0;
}

/* A space-separated list of user names. */
static int
check_names(const char *list, const char *key, char *why, size_t whysz)
{
	char name[NAMES_USER_MAX + 1];
	size_t n;

	for (; list != NULL && *list != '\0'; list += n) {
		list += strspn(list, " \t");
		if ((n = strcspn(list, " \t")) == 0)
			break;
		if (n >= sizeof(name))
			return oidc_why(why, whysz, OIDC_ERR_CONFIG,
			    "%s: a name is too long", key);
		memcpy(name, list, n);
		name[n] = '\0';
		if (!names_valid(name, NAMES_USER_MAX))
			return oidc_why(why, whysz, OIDC_ERR_CONFIG,
			    "%s: \"%s\" is not a valid user name", key, name);
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
	int r;

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
		    where,
		    cfg->client_auth == CLIENT_AUTH_BASIC
			? "client_secret_basic"
			: "client_secret_post");
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
	if (cfg->state_dir != NULL && cfg->state_dir[0] != '/')
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: state_dir must be an absolute path", where);
	if (cfg->ca_file != NULL && cfg->ca_file[0] != '/')
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: ca_file must be an absolute path", where);
	if (cfg->shell != NULL && cfg->shell[0] != '/')
		return oidc_why(why, whysz, OIDC_ERR_CONFIG,
		    "%s: shell must be an absolute path", where);
	if (check_role_map(cfg->role_map, why, whysz) != 0 ||
	    check_pin_subs(cfg->pin_subs, why, whysz) != 0 ||
	    check_names(cfg->system_accounts, "system_accounts", why, whysz) !=
		0)
		return OIDC_ERR_CONFIG;
	if ((r = check_proxy_keys(cfg, where, why, whysz)) != 0 ||
	    (r = check_locale_keys(cfg, where, why, whysz)) != 0)
		return r;
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
