/*
 * pam-oidc check. One line per finding: severity, what, how to fix it.
 * It reads what a login would read, asks the provider what a login would
 * ask, and changes nothing.
 */
#include <ctype.h>
#include <glob.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "device_flow.h"
#include "discovery.h"
#include "http.h"
#include "json.h"
#include "jwks.h"
#include "jwt.h"
#include "log.h"
#include "oidc.h"
#include "provider.h"
#include "sshd.h"

#define SSHD_DEFAULT_GRACE 120

struct checker {
	const struct oidc_config *cfg;
	struct oidc_provider *prov;
	char last[1024]; /* the provider's last log line */
	int warnings, errors;
};

static void finding(struct checker *c, const char *sev, const char *fix,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
finding(
    struct checker *c, const char *sev, const char *fix, const char *fmt, ...)
{
	char what[1024], esc[1024];
	va_list ap;

	va_start(ap, fmt);
	if (vsnprintf(what, sizeof(what), fmt, ap) < 0)
		what[0] = '\0';
	va_end(ap);
	/* Provider strings may be in what: no control bytes to the tty. */
	log_escape(what, esc, sizeof(esc));
	if (strcmp(sev, "error") == 0)
		c->errors++;
	else if (strcmp(sev, "warning") == 0)
		c->warnings++;
	if (fix != NULL)
		printf("%-7s %s; fix: %s\n", sev, esc, fix);
	else
		printf("%-7s %s\n", sev, esc);
}

/* The provider's log lines: the last error or warning becomes a finding. */
static void
keep_last(void *ctx, int prio, const char *line)
{
	struct checker *c = ctx;

	if (prio <= LOG_WARNING &&
	    snprintf(c->last, sizeof(c->last), "%s", line) < 0)
		c->last[0] = '\0';
}

static int
check_discovery(struct checker *c)
{
	const struct oidc_metadata *m;
	int r;

	c->last[0] = '\0';
	if ((r = provider_discover(c->prov)) == OIDC_ERR_UNAVAIL)
		finding(c, "error",
		    "check the URL, the network path and ca_file",
		    "discovery: the provider is unreachable: %s", c->last);
	else if (r != 0 && r != OIDC_ERR_NOMEM)
		finding(c, "error",
		    "set issuer to exactly the issuer the provider names in "
		    "its discovery document",
		    "discovery: %s", c->last);
	if (r != 0)
		return r;
	m = provider_metadata(c->prov);
	if (c->cfg->issuer == NULL)
		finding(c, "ok", NULL,
		    "no issuer: endpoints come from the configuration");
	else
		finding(c, "ok", NULL, "discovery: issuer %s", m->issuer);
	return 0;
}

static void
check_endpoints(struct checker *c)
{
	const struct oidc_metadata *p = provider_metadata(c->prov);
	static const char *const names[] = { "client_secret_basic",
		"client_secret_post", "none" };
	static const unsigned int bits[] = { AUTH_METHOD_BASIC,
		AUTH_METHOD_POST, AUTH_METHOD_NONE };
	enum oidc_client_auth auth = provider_client_auth(c->cfg, p);

	if (p->device_authorization_endpoint == NULL)
		finding(c, "error",
		    "enable the device authorization grant for this client at "
		    "the provider, or set device_authorization_endpoint",
		    "the provider advertises no device_authorization_endpoint");
	else
		finding(c, "ok", NULL, "device authorization endpoint %s",
		    p->device_authorization_endpoint);
	if (p->token_endpoint == NULL)
		finding(c, "error", "set token_endpoint",
		    "the provider advertises no token_endpoint");
	if (p->device_grant == 0)
		finding(c, "error",
		    "enable the device authorization grant at the provider",
		    "grant_types_supported does not list " PROVIDER_DEVICE_GRANT);
	if (auth >= CLIENT_AUTH_BASIC && auth <= CLIENT_AUTH_NONE &&
	    p->auth_methods != 0 && !(p->auth_methods & bits[auth - 1]))
		finding(c, "warning",
		    "set client_auth to a method the provider lists in "
		    "token_endpoint_auth_methods_supported",
		    "client authentication %s is not advertised by the "
		    "provider",
		    names[auth - 1]);
}

/* A device authorization request proves the client id and secret. */
static void
check_client(struct checker *c)
{
	const struct oidc_metadata *m = provider_metadata(c->prov);
	struct oidc_device_auth *da = NULL;
	const char *err, *fix;
	int r;

	if (m->device_authorization_endpoint == NULL ||
	    m->token_endpoint == NULL)
		return;
	c->last[0] = '\0';
	r = provider_device_authorize(c->prov, &da);
	device_auth_free(da);
	err = provider_oauth_error(c->prov);
	fix = provider_client_fix(err);
	if (r == 0)
		finding(c, "ok", NULL, "the provider accepts client %s",
		    c->cfg->client_id);
	else if (r == OIDC_ERR_UNAVAIL && err == NULL)
		finding(c, "error", "check the network path and ca_file",
		    "device authorization endpoint unreachable: %s", c->last);
	else if (r == OIDC_ERR_CLIENT && fix != NULL)
		finding(c, "error", fix, "the provider refused the client (%s)",
		    err);
	else
		finding(c, "error",
		    "enable the device grant for this client at the provider",
		    "device authorization failed: %s", c->last);
}

static void
check_jwks(struct checker *c)
{
	struct oidc_jwks *jwks = NULL;
	unsigned int bit;
	const char *name;
	int fetched;

	/* Without issuer no ID token is verified: identity is userinfo's. */
	if (c->cfg->issuer == NULL)
		return;
	c->last[0] = '\0';
	if (provider_jwks(c->prov, 1, &jwks, &fetched) != 0) {
		finding(c, "error", "check jwks_uri", "JWKS: %s", c->last);
		return;
	}
	for (bit = 1; bit <= ALG_HS512; bit <<= 1) {
		if (!(c->cfg->signing_algorithms & bit) ||
		    (name = jwt_alg_name(bit)) == NULL)
			continue;
		if (jwt_key_available(jwks, bit))
			finding(c, "ok", NULL, "JWKS has a usable key for %s",
			    name);
		else
			finding(c, "error",
			    "list in signing_algorithms the algorithm the "
			    "provider signs ID tokens with",
			    "JWKS has no usable key for %s (%zu keys, %zu "
			    "skipped)",
			    name, jwks->n, jwks->skipped);
	}
	jwks_free(jwks);
}

static void
check_groups(struct checker *c)
{
	const struct oidc_kv *kv;
	char name[64];
	const char *p;
	size_t n;

	/* config_validate has refused invalid and over-long names. */
	for (kv = c->cfg->role_map; kv != NULL; kv = kv->next) {
		for (p = kv->value; *p != '\0'; p += n) {
			p += strspn(p, " \t");
			if ((n = strcspn(p, " \t")) == 0 || n >= sizeof(name))
				break;
			memcpy(name, p, n);
			name[n] = '\0';
			if (getgrnam(name) == NULL)
				finding(c, "warning",
				    "create the group (groupadd) or remove it "
				    "from role_map",
				    "role_map %s: group %s does not exist "
				    "locally",
				    kv->key, name);
		}
	}
}

/* LoginGraceTime in seconds from one file; -1 when not set there. */
static long
grace_from(const char *path)
{
	char line[512], *p, *end;
	long v = -1, mult;
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	while (v < 0 && fgets(line, sizeof(line), fp) != NULL) {
		p = line + strspn(line, " \t");
		if (strncasecmp(p, "LoginGraceTime", 14) != 0 ||
		    !isspace((unsigned char)p[14]))
			continue;
		p += 14 + strspn(p + 14, " \t");
		v = strtol(p, &end, 10);
		mult = *end == 'm' || *end == 'M'
		    ? 60
		    : (*end == 'h' || *end == 'H' ? 3600 : 1);
		/* Anything above a day is as good as no limit here. */
		if (v > 86400)
			v = 86400;
		v = end == p || v < 0 ? -1 : v * mult;
	}
	(void)fclose(fp);
	return v;
}

/* LoginGraceTime from the files themselves, when sshd -T cannot run. */
static long
grace_from_files(const char *sshd_config)
{
	char pattern[4200];
	long grace = -1;
	glob_t g;
	size_t i;

	/* sshd takes the first value it reads; Include files come first. */
	if (snprintf(pattern, sizeof(pattern), "%s.d/*.conf", sshd_config) >
		0 &&
	    glob(pattern, 0, NULL, &g) == 0) {
		for (i = 0; grace < 0 && i < g.gl_pathc; i++)
			grace = grace_from(g.gl_pathv[i]);
		globfree(&g);
	}
	if (grace < 0)
		grace = grace_from(sshd_config);
	return grace < 0 ? SSHD_DEFAULT_GRACE : grace;
}

/* What sshd's effective configuration lets pam_oidc do over SSH. */
static long
check_sshd_settings(struct checker *c, const char *sshd_config)
{
	struct sshd_settings s;
	char why[512];
	int bad = 0;

	if (sshd_effective(sshd_config, &s, why, sizeof(why)) != 0) {
		finding(c, "warning",
		    "run pam-oidc check as root on the SSH server, where "
		    "sshd -T can read its host keys and /run/sshd",
		    "sshd: cannot read the effective configuration (%s)", why);
		return grace_from_files(sshd_config);
	}
	if (!s.usepam && ++bad)
		finding(c, "error", "set UsePAM yes in sshd_config",
		    "sshd: UsePAM no: pam_oidc is never asked over SSH");
	if (!s.kbdint && ++bad)
		finding(c, "error",
		    "set KbdInteractiveAuthentication yes (the shipped "
		    "sshd_config.d/pam_oidc.conf does)",
		    "sshd: KbdInteractiveAuthentication no: the code can "
		    "never be shown over SSH");
	if (!sshd_methods_reach_kbdint(s.methods) && ++bad)
		finding(c, "error",
		    "add keyboard-interactive to a list of "
		    "AuthenticationMethods",
		    "sshd: AuthenticationMethods %s never reaches "
		    "keyboard-interactive",
		    s.methods);
	if (s.usepam && s.password)
		finding(c, "warning",
		    "set PasswordAuthentication no (the shipped "
		    "sshd_config.d/pam_oidc.conf does); passwords still work "
		    "through keyboard-interactive",
		    "sshd: PasswordAuthentication yes: its password method "
		    "answers pam_oidc's prompt with the typed password, so "
		    "the person never sees the code");
	if (!bad)
		finding(c, "ok", NULL,
		    "sshd: UsePAM and keyboard-interactive reach pam_oidc");
	return s.grace;
}

static void
check_sshd(struct checker *c, const char *sshd_config)
{
	long grace, timeout = c->cfg->timeout ? c->cfg->timeout : 300;
	FILE *fp;

	if ((fp = fopen(sshd_config, "re")) == NULL)
		return; /* no sshd here */
	(void)fclose(fp);
	grace = check_sshd_settings(c, sshd_config);
	if (grace != 0 && timeout >= grace)
		finding(c, "warning",
		    "raise LoginGraceTime in sshd_config above timeout, or "
		    "lower timeout",
		    "timeout %ld s is not below sshd's LoginGraceTime %ld s: "
		    "sshd would cut logins off",
		    timeout, grace);
	else
		finding(c, "ok", NULL,
		    "timeout %ld s fits sshd's "
		    "LoginGraceTime %ld s",
		    timeout, grace);
}

/*
 * Values left from the examples: a tenant placeholder, an all-zero
 * GUID, or a /path/to/ path.
 */
static void
check_placeholders(struct checker *c)
{
	const struct oidc_config *g = c->cfg;
	const struct {
		const char *key, *value;
	} v[] = { { "issuer", g->issuer },
		{ "device_authorization_endpoint",
		    g->device_authorization_endpoint },
		{ "token_endpoint", g->token_endpoint },
		{ "userinfo_endpoint", g->userinfo_endpoint },
		{ "jwks_uri", g->jwks_uri }, { "client_id", g->client_id },
		{ "client_secret_file", g->client_secret_file },
		{ "ca_file", g->ca_file } };
	/* What the shipped examples hold where a site's own value goes. */
	static const char *const marks[] = { "TENANT", "/path/to/",
		"00000000-0000-0000-0000-000000000000", ".example.com/",
		"example.okta.com", "0123456789abcdef0123",
		"123456789012-abcdefghijklmnopqrstuvwxyz012345",
		"0oa1b2c3d4e5f6g7h8i9" };
	size_t i, k;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		for (k = 0;
		     v[i].value != NULL && k < sizeof(marks) / sizeof(marks[0]);
		     k++)
			if (strstr(v[i].value, marks[k]) != NULL) {
				finding(c, "error",
				    "replace it with your provider's value "
				    "(see the example's comments)",
				    "%s holds the placeholder %s", v[i].key,
				    marks[k]);
				break;
			}
}

/* An ID token is asked for with the openid scope only. */
static void
check_scope(struct checker *c)
{
	const char *p = c->cfg->scope;
	size_t n;

	if (c->cfg->issuer == NULL)
		return;
	for (; p != NULL && *p != '\0'; p += n) {
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (n == 6 && strncmp(p, "openid", 6) == 0)
			return;
	}
	finding(c, "error", "add openid to scope",
	    "scope \"%s\" lacks openid: the provider sends no ID token, and "
	    "every sign-in fails",
	    c->cfg->scope != NULL ? c->cfg->scope : "");
}

int
check_run(const char *config_path, const char *sshd_config)
{
	struct oidc_config *cfg = NULL;
	struct checker c;
	struct oidc_log lg = { keep_last, &c, 0 };
	char arg[4200], why[512];
	const char *args[1] = { arg };
	int n;

	memset(&c, 0, sizeof(c));
	n = snprintf(arg, sizeof(arg), "config=%s", config_path);
	if (n < 0 || (size_t)n >= sizeof(arg) || (cfg = config_new()) == NULL)
		return 2;
	if (config_load(cfg, 1, args, why, sizeof(why)) != 0) {
		finding(&c, "error", "see pam_oidc.conf(5)", "%s", why);
		config_free(cfg);
		return 2;
	}
	finding(
	    &c, "ok", NULL, "%s: syntax, keys and permissions", config_path);
	c.cfg = cfg;
	check_placeholders(&c);
	check_scope(&c);
	if (http_global_init() != 0 ||
	    provider_new(cfg, &lg, PROVIDER_NO_CACHE, &c.prov) != 0) {
		if (c.last[0] != '\0')
			finding(
			    &c, "error", "see pam_oidc.conf(5)", "%s", c.last);
		config_free(cfg);
		return 2;
	}
	if (check_discovery(&c) == 0) {
		check_endpoints(&c);
		check_client(&c);
		check_jwks(&c);
	}
	check_groups(&c);
	check_sshd(&c, sshd_config);
	printf("%d error(s), %d warning(s)\n", c.errors, c.warnings);
	provider_free(c.prov);
	config_free(cfg);
	return c.errors ? 2 : (c.warnings ? 1 : 0);
}
