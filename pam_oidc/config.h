/*
 * The configuration: /etc/pam_oidc.conf (or config=) and module arguments.
 * Parsing takes bytes and returns a validated structure; nothing here
 * touches PAM or the network.
 */
#ifndef OIDC_CONFIG_H
#define OIDC_CONFIG_H

#include <stddef.h>

#include "claims.h"
#include "jwt.h"
#include "qr.h"
#include "regpolicy.h"
#include "strlist.h"

#define OIDC_DEFAULT_CONFIG "/etc/pam_oidc.conf"
#define OIDC_MAX_CONFIG     ((size_t)256 * 1024)

enum oidc_client_auth {
	CLIENT_AUTH_AUTO = 0, /* from discovery */
	CLIENT_AUTH_BASIC,
	CLIENT_AUTH_POST,
	CLIENT_AUTH_NONE,
};

enum oidc_wait { WAIT_AUTO = 0, WAIT_ENTER, WAIT_POLL };
enum oidc_group_mode { GROUP_SESSION = 0, GROUP_PERSIST };
enum oidc_userinfo { USERINFO_AUTO = 0, USERINFO_ALWAYS, USERINFO_NEVER };

struct oidc_config {
	char *issuer;
	char *device_authorization_endpoint;
	char *token_endpoint;
	char *userinfo_endpoint;
	char *jwks_uri;
	char *client_id;
	char *client_secret; /* wiped on free */
	char *client_secret_file;
	enum oidc_client_auth client_auth;
	char *scope;
	unsigned int signing_algorithms; /* enum oidc_alg bits */
	char *username_claim;
	char *username_transform;
	struct oidc_kv *strip_domains; /* key = domain */
	int username_lowercase;
	int username_max_length;
	struct oidc_kv *require_claims;
	char *role_claim;
	struct oidc_kv *role_map;
	struct oidc_kv *pin_subs; /* key: local user, value: its only sub */
	char *allowed_roles;
	enum oidc_group_mode group_mode;
	int auto_register;
	struct oidc_regpolicy reg; /* register_* keys */
	char *shell;
	int kiosk;
	enum oidc_wait wait;
	enum oidc_qr qr;
	char *language;   /* when neither PAM nor the application name one */
	char *locale_dir; /* the catalogs: DIR/LL/LC_MESSAGES/pam_oidc.mo */
	char *prompt;
	int timeout; /* 0: min(expires_in, 300) */
	int http_timeout;
	char *ca_file;
	char *cache_dir;
	char *proxy; /* http://host:port; NULL: direct, never the environment */
	char *no_proxy; /* hosts reached without the proxy */
	char *proxy_credentials_file;
	char *proxy_user;     /* from proxy_credentials_file */
	char *proxy_password; /* from proxy_credentials_file; wiped on free */
	enum oidc_userinfo userinfo;
	int leeway;
	int debug;
	char *state_dir;            /* pins: what must not be lost */
	int pin_identity;           /* first sign-in pins iss + sub */
	char *system_accounts;      /* below UID_MIN, yet reachable */
	int require_email_verified; /* for a username from email */
	int device_rate_limit;      /* per minute and host; 0: none */
	char *acr_values;
	char *path; /* the file read */
};

struct oidc_config *config_new(void);
void config_free(struct oidc_config *cfg);

/*
 * Load the configuration for a module invocation: argv gives config=,
 * then the file is read safely and parsed, then argv overrides it, then
 * the whole is validated. On failure why holds "file:line: what to fix".
 */
int config_load(struct oidc_config *cfg, int argc, const char **argv, char *why,
    size_t whysz);

/* Parse one file's text (used by config_load, the tests and the fuzzer). */
int config_parse(struct oidc_config *cfg, const char *name, const char *text,
    size_t len, char *why, size_t whysz);

/* Apply one module argument ("debug", "key=value"). */
int config_apply_arg(
    struct oidc_config *cfg, const char *arg, char *why, size_t whysz);

/* Check required keys and combinations after all sources are applied. */
int config_validate(struct oidc_config *cfg, char *why, size_t whysz);

/* The username rule of the configuration, for claims_username. */
struct oidc_username_rule config_username_rule(const struct oidc_config *cfg);

/* Parse "RS256 ES256 ..." into allow-list bits; 0 on error. */
unsigned int config_parse_algs(const char *s);

#endif
