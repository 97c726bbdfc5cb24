/*
 * config: the file parser, module arguments, validation and safe loading.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "fixtures.h"
#include "proxy.h"

static const char full[] =
    "# every key of the table\n"
    "issuer = https://idp.test\n"
    "device_authorization_endpoint = https://idp.test/device\n"
    "token_endpoint = https://idp.test/token\n"
    "userinfo_endpoint = https://idp.test/userinfo\n"
    "jwks_uri = https://idp.test/jwks\n"
    "client_id = client-1\n"
    "client_secret = s3cret\n"
    "client_secret_file = /etc/pam_oidc.secret\n"
    "client_auth = client_secret_post\n"
    "scope = openid email\n"
    "signing_algorithms = RS256 ES256 EdDSA\n"
    "username_claim = email\n"
    "username_transform = lowercase strip_domain=example.com\n"
    "username_max_length = 40\n"
    "require_claim = email_verified = true\n"
    "role_claim = realm_access.roles\n"
    "role_map = admin = wheel adm\n"
    "allowed_roles = admin staff\n"
    "group_mode = persist\n"
    "auto_register = yes\n"
    "shell = /bin/zsh\n"
    "kiosk = true\n"
    "wait = enter\n"
    "qr = ascii\n"
    "language = de_DE.UTF-8\n"
    "locale_dir = /opt/locale\n"
    "prompt = Sign in with Corp SSO\n"
    "timeout = 120\n"
    "http_timeout = 20\n"
    "ca_file = /etc/ssl/idp.pem\n"
    "cache_dir = /var/cache/oidc\n"
    "userinfo = always\n"
    "leeway = 30\n"
    "debug = on\n";

static int
parse(struct oidc_config *cfg, const char *text, char *why, size_t whysz)
{
	return config_parse(cfg, "test.conf", text, strlen(text), why, whysz);
}

/*
 * A configuration the module refuses, and what the reason must name: at
 * parse (config_parse fails), or at validate (it parses, then
 * config_validate fails). A bad value names its key and line (LINE1).
 */
enum stage { AT_PARSE, AT_VALIDATE };

struct refused {
	const char *text;
	enum stage stage;
	const char *why[3];
};

#define LINE1 "test.conf:1"
#define BASE  "issuer = https://idp.test\nclient_id = c\n"
#define NO_ISS                                                                 \
	"client_id = c\n"                                                      \
	"device_authorization_endpoint = https://idp.test/device\n"            \
	"token_endpoint = https://idp.test/token\n"

static const struct refused refused[] = {
	/* The file's shape. */
	{ "client_id = c\n\nfrobnicate = yes\n", AT_PARSE,
	    { "test.conf:3", "frobnicate" } },
	{ "client_id = a\nscope = openid\nclient_id = b\n", AT_PARSE,
	    { "client_id", "test.conf:3", "twice" } },
	{ "client_id\n", AT_PARSE, { LINE1 } },
	{ "client_id =\n", AT_PARSE, { "client_id" } },
	/* Numbers out of range or not numbers. */
	{ "http_timeout = abc\n", AT_PARSE, { "http_timeout", LINE1 } },
	{ "http_timeout = 0\n", AT_PARSE, { "http_timeout", LINE1 } },
	{ "http_timeout = 121\n", AT_PARSE, { "http_timeout", LINE1 } },
	{ "http_timeout = -5\n", AT_PARSE, { "http_timeout", LINE1 } },
	{ "http_timeout = 10s\n", AT_PARSE, { "http_timeout", LINE1 } },
	{ "leeway = 601\n", AT_PARSE, { "leeway", LINE1 } },
	{ "timeout = 99999999999999999999\n", AT_PARSE, { "timeout", LINE1 } },
	/* Words not in the list, booleans not booleans. */
	{ "qr = big\n", AT_PARSE, { "qr", LINE1 } },
	{ "client_auth = private_key_jwt\n", AT_PARSE,
	    { "client_auth", LINE1 } },
	{ "wait = Enter\n", AT_PARSE, { "wait", LINE1 } },
	{ "kiosk = maybe\n", AT_PARSE, { "kiosk", LINE1 } },
	{ "debug = 2\n", AT_PARSE, { "debug", LINE1 } },
	/* URLs that are not plain https. */
	{ "issuer = http://idp.test\n", AT_PARSE, { "issuer", LINE1 } },
	{ "token_endpoint = http://idp.test/token\n", AT_PARSE,
	    { "token_endpoint", LINE1 } },
	{ "jwks_uri = https://\n", AT_PARSE, { "jwks_uri", LINE1 } },
	{ "issuer = ftp://idp.test\n", AT_PARSE, { "issuer", LINE1 } },
	/* "none" is never an algorithm; names are exact. */
	{ "signing_algorithms = none\n", AT_PARSE,
	    { "signing_algorithms", LINE1 } },
	{ "signing_algorithms = RS256 none\n", AT_PARSE,
	    { "signing_algorithms", LINE1 } },
	{ "signing_algorithms = RS256 NONE\n", AT_PARSE,
	    { "signing_algorithms", LINE1 } },
	{ "signing_algorithms = rs256\n", AT_PARSE,
	    { "signing_algorithms", LINE1 } },
	/* Pairs without both halves. */
	{ "require_claim = email_verified\n", AT_PARSE,
	    { "require_claim", LINE1 } },
	{ "require_claim = email_verified =\n", AT_PARSE,
	    { "require_claim", LINE1 } },
	{ "require_claim = = true\n", AT_PARSE, { "require_claim", LINE1 } },
	{ "pin_sub = alice\n", AT_PARSE, { "pin_sub", LINE1 } },
	{ "username_transform = uppercase\n", AT_PARSE,
	    { "username_transform", LINE1 } },
	{ "username_transform = strip_domain=\n", AT_PARSE,
	    { "username_transform", LINE1 } },
	{ "username_transform = strip_domain=@x.com\n", AT_PARSE,
	    { "username_transform", LINE1 } },
	/* What a whole configuration needs. */
	{ "issuer = https://idp.test\n", AT_VALIDATE, { "client_id" } },
	{ "client_id = c\ntoken_endpoint = https://idp.test/token\n",
	    AT_VALIDATE, { "issuer" } },
	/* Endpoints without an issuer need userinfo to learn who it is... */
	{ NO_ISS, AT_VALIDATE, { NULL } },
	/* ... and jwks_uri without issuer could verify no token's iss. */
	{ NO_ISS "jwks_uri = https://idp.test/jwks\n", AT_VALIDATE,
	    { "jwks_uri needs issuer" } },
	{ BASE "client_auth = client_secret_basic\n", AT_VALIDATE,
	    { "client_secret_basic" } },
	{ BASE "signing_algorithms = HS256\n", AT_VALIDATE, { "HS" } },
	/* Paths are absolute. */
	{ BASE "cache_dir = var/cache\n", AT_VALIDATE, { "absolute" } },
	{ BASE "ca_file = ca.pem\n", AT_VALIDATE, { "absolute" } },
	{ BASE "shell = bash\n", AT_VALIDATE, { "absolute" } },
	{ BASE "client_secret_file = secret\n", AT_VALIDATE, { "absolute" } },
	{ BASE "locale_dir = locale\n", AT_VALIDATE,
	    { "locale_dir", "absolute" } },
	/* The language names a catalog directory: never a path. */
	{ BASE "language = ../../tmp/x\n", AT_VALIDATE, { "language" } },
	{ BASE "language = de/DE\n", AT_VALIDATE, { "language" } },
	{ BASE "language = .hidden\n", AT_VALIDATE, { "language" } },
	{ BASE "language = de DE\n", AT_VALIDATE, { "language" } },
	{ BASE
	    "language = "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	    AT_VALIDATE, { "language" } },
	/* pin_sub names a valid user, once. */
	{ BASE "pin_sub = Alice = s1\n", AT_VALIDATE, { "pin_sub" } },
	{ BASE "pin_sub = al:ice = s1\n", AT_VALIDATE, { "pin_sub" } },
	{ BASE "pin_sub = a = s1\npin_sub = a = s2\n", AT_VALIDATE,
	    { "pin_sub" } },
};

static void
test_full_file_sets_every_key(void **state)
{
	struct oidc_config *cfg = config_new();
	char why[256] = "";

	assert_int_equal(parse(cfg, full, why, sizeof(why)), 0);
	assert_string_equal(cfg->issuer, "https://idp.test");
	assert_string_equal(
	    cfg->device_authorization_endpoint, "https://idp.test/device");
	assert_string_equal(cfg->token_endpoint, "https://idp.test/token");
	assert_string_equal(
	    cfg->userinfo_endpoint, "https://idp.test/userinfo");
	assert_string_equal(cfg->jwks_uri, "https://idp.test/jwks");
	assert_string_equal(cfg->client_id, "client-1");
	assert_string_equal(cfg->client_secret, "s3cret");
	assert_string_equal(cfg->client_secret_file, "/etc/pam_oidc.secret");
	assert_int_equal(cfg->client_auth, CLIENT_AUTH_POST);
	assert_string_equal(cfg->scope, "openid email");
	assert_int_equal(
	    cfg->signing_algorithms, ALG_RS256 | ALG_ES256 | ALG_EDDSA);
	assert_string_equal(cfg->username_claim, "email");
	assert_string_equal(
	    cfg->username_transform, "lowercase strip_domain=example.com");
	assert_true(cfg->username_lowercase);
	assert_non_null(cfg->strip_domains);
	assert_string_equal(cfg->strip_domains->key, "example.com");
	assert_null(cfg->strip_domains->next);
	assert_int_equal(cfg->username_max_length, 40);
	assert_non_null(cfg->require_claims);
	assert_string_equal(cfg->require_claims->key, "email_verified");
	assert_string_equal(cfg->require_claims->value, "true");
	assert_string_equal(cfg->role_claim, "realm_access.roles");
	assert_non_null(cfg->role_map);
	assert_string_equal(cfg->role_map->key, "admin");
	assert_string_equal(cfg->role_map->value, "wheel adm");
	assert_string_equal(cfg->allowed_roles, "admin staff");
	assert_int_equal(cfg->group_mode, GROUP_PERSIST);
	assert_int_equal(cfg->auto_register, 1);
	assert_string_equal(cfg->shell, "/bin/zsh");
	assert_int_equal(cfg->kiosk, 1);
	assert_int_equal(cfg->wait, WAIT_ENTER);
	assert_int_equal(cfg->qr, QR_ASCII);
	assert_string_equal(cfg->language, "de_DE.UTF-8");
	assert_string_equal(cfg->locale_dir, "/opt/locale");
	assert_string_equal(cfg->prompt, "Sign in with Corp SSO");
	assert_int_equal(cfg->timeout, 120);
	assert_int_equal(cfg->http_timeout, 20);
	assert_string_equal(cfg->ca_file, "/etc/ssl/idp.pem");
	assert_string_equal(cfg->cache_dir, "/var/cache/oidc");
	assert_int_equal(cfg->userinfo, USERINFO_ALWAYS);
	assert_int_equal(cfg->leeway, 30);
	assert_int_equal(cfg->debug, 1);
	config_free(cfg);
}

static void
test_defaults(void **state)
{
	struct oidc_config *cfg = config_new();
	char why[256] = "";

	assert_int_equal(parse(cfg,
			     "issuer = https://idp.test\n"
			     "client_id = c\n",
			     why, sizeof(why)),
	    0);
	assert_int_equal(config_validate(cfg, why, sizeof(why)), 0);
	assert_string_equal(cfg->scope, "openid email profile");
	assert_string_equal(cfg->username_claim, "preferred_username");
	assert_int_equal(cfg->http_timeout, 10);
	assert_int_equal(cfg->leeway, 60);
	assert_int_equal(cfg->signing_algorithms, ALG_RS256);
	assert_int_equal(cfg->username_max_length, 32);
	assert_int_equal(cfg->client_auth, CLIENT_AUTH_AUTO);
	assert_int_equal(cfg->qr, QR_AUTO);
	assert_null(cfg->language);
	assert_string_equal(cfg->locale_dir, OIDC_LOCALEDIR);
	assert_int_equal(cfg->wait, WAIT_AUTO);
	assert_int_equal(cfg->timeout, 0);
	assert_int_equal(cfg->debug, 0);
	assert_int_equal(cfg->kiosk, 0);
	assert_non_null(cfg->prompt);
	assert_string_equal(cfg->cache_dir, "/var/cache/pam_oidc");
	config_free(cfg);
}

static void
test_comments_blank_lines_and_spaces(void **state)
{
	struct oidc_config *cfg = config_new();
	char why[256] = "";

	assert_int_equal(
	    parse(cfg, "\n   # comment\n\t\nclient_id\t=  c 1 \r\n", why,
		sizeof(why)),
	    0);
	assert_string_equal(cfg->client_id, "c 1");
	config_free(cfg);
}

/* Every row of refused[]: refused as a configuration error (never "out
 * of memory"), at the stage the row says, with the reason it names. */
static void
test_refused_config_names_the_reason(void **state)
{
	struct oidc_config *cfg;
	const struct refused *c;
	char why[512];
	size_t i, j;
	int r;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		c = &refused[i];
		cfg = config_new();
		assert_non_null(cfg);
		why[0] = '\0';
		r = parse(cfg, c->text, why, sizeof(why));
		if (c->stage == AT_VALIDATE && r == 0) {
			why[0] = '\0';
			r = config_validate(cfg, why, sizeof(why));
		} else if (c->stage == AT_VALIDATE) {
			fail_msg("case %zu (%s): parse gave %d (%s)", i,
			    c->text, r, why);
		}
		if (r != OIDC_ERR_CONFIG)
			fail_msg(
			    "case %zu (%s): %s gave %d, not OIDC_ERR_CONFIG", i,
			    c->text,
			    c->stage == AT_PARSE ? "parse" : "validate", r);
		for (j = 0; j < 3 && c->why[j] != NULL; j++)
			if (strstr(why, c->why[j]) == NULL)
				fail_msg(
				    "case %zu (%s): why \"%s\" lacks \"%s\"", i,
				    c->text, why, c->why[j]);
		config_free(cfg);
	}
}

static void
test_parse_algs(void **state)
{
	assert_int_equal(config_parse_algs("RS256, ES256\tHS256"),
	    ALG_RS256 | ALG_ES256 | ALG_HS256);
	assert_int_equal(config_parse_algs("None"), 0);
	assert_int_equal(config_parse_algs("RS256 RS2560"), 0);
	assert_int_equal(config_parse_algs(""), 0);
}

static void
test_require_claim_and_role_map_repeatable_in_order(void **state)
{
	struct oidc_config *cfg = config_new();
	const struct oidc_kv *kv;
	char why[256] = "";

	assert_int_equal(parse(cfg,
			     "require_claim = email_verified = true\n"
			     "role_map = admin = wheel\n"
			     "require_claim = hd = example.com\n"
			     "role_map = dev = docker\n"
			     "require_claim = realm_access.tier = 3\n",
			     why, sizeof(why)),
	    0);
	kv = cfg->require_claims;
	assert_non_null(kv);
	assert_string_equal(kv->key, "email_verified");
	assert_string_equal(kv->value, "true");
	kv = kv->next;
	assert_non_null(kv);
	assert_string_equal(kv->key, "hd");
	assert_string_equal(kv->value, "example.com");
	kv = kv->next;
	assert_non_null(kv);
	assert_string_equal(kv->key, "realm_access.tier");
	assert_string_equal(kv->value, "3");
	assert_null(kv->next);
	kv = cfg->role_map;
	assert_string_equal(kv->key, "admin");
	assert_string_equal(kv->value, "wheel");
	assert_string_equal(kv->next->key, "dev");
	assert_string_equal(kv->next->value, "docker");
	assert_null(kv->next->next);
	config_free(cfg);
}

static void
test_apply_arg_overrides_file_key(void **state)
{
	struct oidc_config *cfg = config_new();
	char why[256] = "";

	assert_int_equal(
	    parse(cfg, "qr = utf8\nclient_id = a\n", why, sizeof(why)), 0);
	assert_int_equal(config_apply_arg(cfg, "qr=off", why, sizeof(why)), 0);
	assert_int_equal(cfg->qr, QR_OFF);
	assert_int_equal(
	    config_apply_arg(cfg, "client_id=b", why, sizeof(why)), 0);
	assert_string_equal(cfg->client_id, "b");
	config_free(cfg);
}

static void
test_apply_arg_debug_sets_debug(void **state)
{
	struct oidc_config *cfg = config_new();
	char why[256] = "";

	assert_int_equal(cfg->debug, 0);
	assert_int_equal(config_apply_arg(cfg, "debug", why, sizeof(why)), 0);
	assert_int_equal(cfg->debug, 1);
	config_free(cfg);
}

static void
test_apply_arg_config_is_ignored(void **state)
{
	struct oidc_config *cfg = config_new();
	char why[256] = "";

	assert_int_equal(
	    config_apply_arg(cfg, "config=/etc/x.conf", why, sizeof(why)), 0);
	config_free(cfg);
}

static void
test_apply_arg_client_secret_refused(void **state)
{
	struct oidc_config *cfg = config_new();
	char why[256] = "";

	assert_int_equal(
	    config_apply_arg(cfg, "client_secret=hunter2", why, sizeof(why)),
	    OIDC_ERR_CONFIG);
	assert_null(cfg->client_secret);
	assert_non_null(strstr(why, "client_secret"));
	assert_null(strstr(why, "hunter2"));
	config_free(cfg);
}

/*
 * PAM allows an argument with spaces ("[client_secret = x]"): the key is
 * checked after parsing, not by prefix.
 */
static void
test_apply_arg_client_secret_with_spaces_refused(void **state)
{
	struct oidc_config *cfg;
	char why[256] = "";

	cfg = config_new();
	assert_int_equal(
	    config_apply_arg(cfg, "client_secret = hunter2", why, sizeof(why)),
	    OIDC_ERR_CONFIG);
	assert_null(cfg->client_secret);
	assert_int_equal(
	    config_apply_arg(cfg, " client_secret=hunter2", why, sizeof(why)),
	    OIDC_ERR_CONFIG);
	assert_null(cfg->client_secret);
	config_free(cfg);
}

/* A refused value leaves the default in place. */
static void
test_bad_value_leaves_field_unchanged(void **state)
{
	struct oidc_config *cfg = config_new();
	char why[256];

	assert_true(parse(cfg, "http_timeout = abc\n", why, sizeof(why)) < 0);
	assert_int_equal(cfg->http_timeout, 10);
	assert_true(parse(cfg, "qr = big\n", why, sizeof(why)) < 0);
	assert_int_equal(cfg->qr, QR_AUTO);
	assert_true(
	    parse(cfg, "issuer = http://idp.test\n", why, sizeof(why)) < 0);
	assert_null(cfg->issuer);
	config_free(cfg);
}

static void
test_apply_arg_bad_value_refused(void **state)
{
	struct oidc_config *cfg = config_new();
	char why[256] = "";

	assert_int_equal(config_apply_arg(cfg, "qr=huge", why, sizeof(why)),
	    OIDC_ERR_CONFIG);
	assert_non_null(strstr(why, "qr"));
	assert_int_equal(cfg->qr, QR_AUTO);
	assert_int_equal(config_apply_arg(cfg, "nosuchkey=1", why, sizeof(why)),
	    OIDC_ERR_CONFIG);
	assert_non_null(strstr(why, "nosuchkey"));
	config_free(cfg);
}

/* Locale names, with territory, codeset and modifier. */
static void
test_validate_language_names_accepted(void **state)
{
	static const char *const good[] = { "language = de\n",
		"language = ja_JP.UTF-8\n", "language = de_DE.UTF-8@euro\n" };
	struct oidc_config *cfg;
	char why[256] = "";
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		cfg = config_new();
		assert_int_equal(parse(cfg, BASE, why, sizeof(why)), 0);
		assert_int_equal(parse(cfg, good[i], why, sizeof(why)), 0);
		assert_int_equal(config_validate(cfg, why, sizeof(why)), 0);
		config_free(cfg);
	}
}

/* Endpoints without an issuer, with userinfo to learn the identity. */
static void
test_validate_endpoints_with_userinfo_accepted(void **state)
{
	struct oidc_config *cfg = config_new();
	char why[256] = "";

	assert_int_equal(
	    parse(cfg, NO_ISS "userinfo_endpoint = https://idp.test/me\n", why,
		sizeof(why)),
	    0);
	assert_int_equal(config_validate(cfg, why, sizeof(why)), 0);
	config_free(cfg);
}

static void
test_pin_sub(void **state)
{
	struct oidc_config *cfg = config_new();
	char why[256];

	assert_int_equal(parse(cfg,
			     "issuer = https://idp.test\nclient_id = c\n"
			     "pin_sub = alice = a1f2c3d4-0001\n"
			     "pin_sub = bob = b2\n",
			     why, sizeof(why)),
	    0);
	assert_int_equal(config_validate(cfg, why, sizeof(why)), 0);
	assert_string_equal(cfg->pin_subs->key, "alice");
	assert_string_equal(cfg->pin_subs->value, "a1f2c3d4-0001");
	assert_string_equal(cfg->pin_subs->next->key, "bob");
	config_free(cfg);
}

/* config_load with a temporary file of the given mode. */
struct tmp {
	char *dir;
};

static int
setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	t->dir = fix_tmpdir();
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct tmp *t = *state;

	fix_rmtree(t->dir);
	free(t->dir);
	free(t);
	return 0;
}

static int
load(const char *path, const char *extra_arg, struct oidc_config **out,
    char *why, size_t whysz)
{
	struct oidc_config *cfg = config_new();
	char *arg = fix_strdupf("config=%s", path);
	const char *argv[2] = { arg, extra_arg };
	int r;

	why[0] = '\0';
	r = config_load(cfg, extra_arg != NULL ? 2 : 1, argv, why, whysz);
	free(arg);
	if (out != NULL)
		*out = cfg;
	else
		config_free(cfg);
	return r;
}

#define BASIC "issuer = https://idp.test\nclient_id = c\n"

static void
test_load_good_file(void **state)
{
	struct tmp *t = *state;
	struct oidc_config *cfg;
	char why[512], *path = fix_write_file(t->dir, "c.conf", BASIC, 0644);

	assert_int_equal(load(path, "qr=off", &cfg, why, sizeof(why)), 0);
	assert_string_equal(cfg->client_id, "c");
	assert_int_equal(cfg->qr, QR_OFF);
	assert_string_equal(cfg->path, path);
	config_free(cfg);
	free(path);
}

static void
test_load_world_writable_refused(void **state)
{
	struct tmp *t = *state;
	char why[512], *path = fix_write_file(t->dir, "c.conf", BASIC, 0666);

	assert_int_equal(
	    load(path, NULL, NULL, why, sizeof(why)), OIDC_ERR_CONFIG);
	assert_non_null(strstr(why, "writable"));
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(
	    load(path, NULL, NULL, why, sizeof(why)), OIDC_ERR_CONFIG);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(load(path, NULL, NULL, why, sizeof(why)), 0);
	free(path);
}

static void
test_load_symlink_refused(void **state)
{
	struct tmp *t = *state;
	char why[512], *path = fix_write_file(t->dir, "c.conf", BASIC, 0644);
	char *link = fix_strdupf("%s/link.conf", t->dir);

	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(
	    load(link, NULL, NULL, why, sizeof(why)), OIDC_ERR_CONFIG);
	assert_non_null(strstr(why, "symlink"));
	free(link);
	free(path);
}

static void
test_load_missing_file_refused(void **state)
{
	struct tmp *t = *state;
	char why[512], *path = fix_strdupf("%s/nope.conf", t->dir);

	assert_int_equal(
	    load(path, NULL, NULL, why, sizeof(why)), OIDC_ERR_CONFIG);
	free(path);
}

static void
test_load_relative_config_path_refused(void **state)
{
	char why[512];

	assert_int_equal(load("pam_oidc.conf", NULL, NULL, why, sizeof(why)),
	    OIDC_ERR_CONFIG);
	assert_non_null(strstr(why, "absolute"));
}

static void
test_load_secret_in_world_readable_file_refused(void **state)
{
	struct tmp *t = *state;
	struct oidc_config *cfg;
	char why[512],
	    *path = fix_write_file(
		t->dir, "c.conf", BASIC "client_secret = hunter2\n", 0644);

	assert_int_equal(
	    load(path, NULL, NULL, why, sizeof(why)), OIDC_ERR_CONFIG);
	assert_non_null(strstr(why, "client_secret"));
	assert_null(strstr(why, "hunter2"));
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(load(path, NULL, &cfg, why, sizeof(why)), 0);
	assert_string_equal(cfg->client_secret, "hunter2");
	config_free(cfg);
	free(path);
}

static void
test_load_parse_error_names_file_and_line(void **state)
{
	struct tmp *t = *state;
	char why[512],
	    *path = fix_write_file(t->dir, "c.conf", BASIC "bogus = 1\n", 0644),
	    *want = fix_strdupf("%s:3", path);

	assert_int_equal(
	    load(path, NULL, NULL, why, sizeof(why)), OIDC_ERR_CONFIG);
	assert_non_null(strstr(why, want));
	assert_non_null(strstr(why, "bogus"));
	free(want);
	free(path);
}

static void
test_client_secret_file_read_and_newline_stripped(void **state)
{
	struct tmp *t = *state;
	struct oidc_config *cfg;
	char why[512],
	    *sec = fix_write_file(t->dir, "secret", "hunter2\n", 0600),
	    *text = fix_strdupf(BASIC "client_secret_file = %s\n", sec);
	char *path = fix_write_file(t->dir, "c.conf", text, 0644);

	assert_int_equal(load(path, NULL, &cfg, why, sizeof(why)), 0);
	assert_string_equal(cfg->client_secret, "hunter2");
	config_free(cfg);
	free(path);
	free(text);
	free(sec);
}

static void
test_client_secret_file_readable_by_others_refused(void **state)
{
	struct tmp *t = *state;
	char why[512],
	    *sec = fix_write_file(t->dir, "secret", "hunter2\n", 0644),
	    *text = fix_strdupf(BASIC "client_secret_file = %s\n", sec);
	char *path = fix_write_file(t->dir, "c.conf", text, 0644);

	assert_int_equal(
	    load(path, NULL, NULL, why, sizeof(why)), OIDC_ERR_CONFIG);
	assert_non_null(strstr(why, "secret"));
	free(path);
	free(text);
	free(sec);
}

static void
test_client_secret_file_empty_refused(void **state)
{
	struct tmp *t = *state;
	char why[512], *sec = fix_write_file(t->dir, "secret", "\n", 0600);
	char *text = fix_strdupf(BASIC "client_secret_file = %s\n", sec);
	char *path = fix_write_file(t->dir, "c.conf", text, 0644);

	assert_int_equal(
	    load(path, NULL, NULL, why, sizeof(why)), OIDC_ERR_CONFIG);
	assert_non_null(strstr(why, "empty"));
	free(path);
	free(text);
	free(sec);
}

static void
test_client_secret_and_file_both_refused(void **state)
{
	struct tmp *t = *state;
	char why[512], *sec = fix_write_file(t->dir, "secret", "a\n", 0600);
	char *text = fix_strdupf(BASIC "client_secret = b\n"
				       "client_secret_file = %s\n",
	    sec);
	char *path = fix_write_file(t->dir, "c.conf", text, 0600);

	assert_int_equal(
	    load(path, NULL, NULL, why, sizeof(why)), OIDC_ERR_CONFIG);
	assert_non_null(strstr(why, "not both"));
	free(path);
	free(text);
	free(sec);
}

/* Parse BASIC plus lines and validate; why holds the reason. */
static int
validate_with(const char *lines, char *why, size_t whysz)
{
	struct oidc_config *cfg = config_new();
	char *text = fix_strdupf("%s%s", BASIC, lines);
	int r;

	why[0] = '\0';
	r = parse(cfg, text, why, whysz);
	if (r == 0)
		r = config_validate(cfg, why, whysz);
	config_free(cfg);
	free(text);
	return r;
}

static void
expect_invalid(const char *lines, const char *needle)
{
	char why[512];

	assert_int_equal(
	    validate_with(lines, why, sizeof(why)), OIDC_ERR_CONFIG);
	if (strstr(why, needle) == NULL)
		fail_msg("why \"%s\" lacks \"%s\"", why, needle);
}

static void
test_proxy_http_host_port_accepted(void **state)
{
	static const char *const good[] = { "proxy = http://proxy.corp:3128\n",
		"proxy = http://10.0.0.1:8080/\n",
		"proxy = http://[::1]:3128\n",
		"proxy = http://p:1\nno_proxy = localhost, .corp.example,"
		"127.0.0.1,::1 , *\n" };
	char why[512];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (validate_with(good[i], why, sizeof(why)) != 0)
			fail_msg("\"%s\" refused: %s", good[i], why);
}

static void
test_proxy_bad_values_refused_with_reason(void **state)
{
	expect_invalid("proxy = https://proxy.corp:3128\n",
	    "https:// proxy is not supported");
	expect_invalid("proxy = socks5://proxy.corp:1080\n", "no other scheme");
	expect_invalid(
	    "proxy = proxy.corp:3128\n", "expected http://host:port");
	expect_invalid("proxy = http://proxy.corp\n", "port is missing");
	expect_invalid("proxy = http://proxy.corp:\n", "port is missing");
	expect_invalid("proxy = http://proxy.corp:0\n", "from 1 to 65535");
	expect_invalid("proxy = http://proxy.corp:65536\n", "from 1 to 65535");
	expect_invalid("proxy = http://:3128\n", "host is missing");
	expect_invalid("proxy = http://pro_xy:3128\n", "host is missing");
	expect_invalid("proxy = http://[::1:3128\n", "bad IPv6 address");
	expect_invalid(
	    "proxy = http://proxy.corp:3128/path\n", "nothing may follow");
	expect_invalid(
	    "proxy = http://proxy.corp:3128?x=1\n", "nothing may follow");
}

/* Credentials belong in the file: the URL's are refused, never echoed. */
static void
test_proxy_userinfo_refused_without_echo(void **state)
{
	char why[512];

	assert_int_equal(validate_with("proxy = http://bob:Hunter2x@p:3128\n",
			     why, sizeof(why)),
	    OIDC_ERR_CONFIG);
	assert_non_null(strstr(why, "proxy_credentials_file"));
	assert_null(strstr(why, "Hunter2x"));
	assert_null(strstr(why, "bob"));
}

static void
test_proxy_module_argument_overrides_file(void **state)
{
	struct oidc_config *cfg = config_new();
	char why[256] = "";

	assert_int_equal(
	    parse(cfg, BASIC "proxy = http://a.corp:3128\n", why, sizeof(why)),
	    0);
	assert_int_equal(
	    config_apply_arg(cfg, "proxy=http://b.corp:8080", why, sizeof(why)),
	    0);
	assert_int_equal(
	    config_apply_arg(cfg, "no_proxy=.corp", why, sizeof(why)), 0);
	assert_int_equal(config_validate(cfg, why, sizeof(why)), 0);
	assert_string_equal(cfg->proxy, "http://b.corp:8080");
	assert_string_equal(cfg->no_proxy, ".corp");
	config_free(cfg);
	cfg = config_new();
	assert_int_equal(
	    config_apply_arg(cfg, "proxy=http://u:p@b:1", why, sizeof(why)), 0);
	assert_int_equal(
	    config_apply_arg(cfg, "client_id=c", why, sizeof(why)), 0);
	assert_int_equal(
	    config_apply_arg(cfg, "issuer=https://idp.test", why, sizeof(why)),
	    0);
	assert_int_equal(
	    config_validate(cfg, why, sizeof(why)), OIDC_ERR_CONFIG);
	config_free(cfg);
}

static void
test_no_proxy_bad_lists_refused(void **state)
{
	static const char *const bad[] = { "no_proxy = a,,b\n",
		"no_proxy = a b\n", "no_proxy = 10.0.0.0/8\n",
		"no_proxy = ex$ample.com\n", "no_proxy = ,a\n",
		"no_proxy = a,\n", "no_proxy = [::1]\n", "no_proxy = a*\n" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_invalid(bad[i], "no_proxy");
}

static void
test_no_proxy_matches_hosts_domains_and_addresses(void **state)
{
	const char *list = "localhost, .corp.example,10.1.2.3, ::1";

	assert_true(proxy_bypass(list, "localhost"));
	assert_true(proxy_bypass(list, "LocalHost."));
	assert_true(proxy_bypass(list, "corp.example"));
	assert_true(proxy_bypass(list, "idp.corp.example"));
	assert_false(proxy_bypass(list, "evilcorp.example"));
	assert_false(proxy_bypass(list, "corp.example.net"));
	assert_true(proxy_bypass(list, "10.1.2.3"));
	assert_false(proxy_bypass(list, "110.1.2.3"));
	assert_false(proxy_bypass(list, "10.1.2.30"));
	assert_true(proxy_bypass(list, "[::1]"));
	assert_true(proxy_bypass(list, "[0:0::1]"));
	assert_false(proxy_bypass(list, "[::2]"));
	assert_false(proxy_bypass(list, "idp.example"));
	assert_true(proxy_bypass("a, *", "anything.example"));
	assert_false(proxy_bypass("", "localhost"));
	assert_false(proxy_bypass(NULL, "localhost"));
	/* An address entry matches only that address, never by suffix. */
	assert_false(proxy_bypass("2.3", "10.1.2.3"));
}

static void
test_proxy_credentials_file_read(void **state)
{
	struct tmp *t = *state;
	struct oidc_config *cfg;
	char why[512],
	    *cred = fix_write_file(t->dir, "cred", "bob:pa:ss word\n", 0600),
	    *text = fix_strdupf(BASIC "proxy = http://p:3128\n"
				      "proxy_credentials_file = %s\n",
		cred);
	char *path = fix_write_file(t->dir, "c.conf", text, 0644);

	assert_int_equal(load(path, NULL, &cfg, why, sizeof(why)), 0);
	assert_string_equal(cfg->proxy_user, "bob");
	assert_string_equal(cfg->proxy_password, "pa:ss word");
	config_free(cfg);
	free(path);
	free(text);
	free(cred);
}

static void
test_proxy_credentials_file_refused(void **state)
{
	static const struct {
		const char *text;
		int mode;
		const char *needle;
	} bad[] = {
		{ "bob:pw=Q7!\n", 0644, "readable by group or others" },
		{ "bob:pw=Q7!\n", 0640, "readable by group or others" },
		{ "bob pw=Q7!\n", 0600, "user:password" },
		{ ":pw=Q7!\n", 0600, "user:password" },
		{ "\n", 0600, "user:password" },
	};
	struct tmp *t = *state;
	char why[512], *cred, *text, *path;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cred = fix_write_file(t->dir, "cred", bad[i].text, 0600);
		assert_int_equal(chmod(cred, (mode_t)bad[i].mode), 0);
		text = fix_strdupf(BASIC "proxy = http://p:3128\n"
					 "proxy_credentials_file = %s\n",
		    cred);
		path = fix_write_file(t->dir, "c.conf", text, 0644);
		assert_int_equal(
		    load(path, NULL, NULL, why, sizeof(why)), OIDC_ERR_CONFIG);
		if (strstr(why, bad[i].needle) == NULL)
			fail_msg("case %zu: why \"%s\" lacks \"%s\"", i, why,
			    bad[i].needle);
		/* The password never reaches the reason. */
		assert_null(strstr(why, "pw=Q7!"));
		unlink(cred);
		free(path);
		free(text);
		free(cred);
	}
	expect_invalid("proxy = http://p:3128\n"
		       "proxy_credentials_file = cred\n",
	    "absolute");
}

/* Without proxy the credentials file is not read at all. */
static void
test_proxy_credentials_file_unread_without_proxy(void **state)
{
	struct oidc_config *cfg = config_new();
	char why[256] = "";

	assert_int_equal(parse(cfg,
			     BASIC "proxy_credentials_file = "
				   "/nonexistent/pam_oidc-proxy-cred\n",
			     why, sizeof(why)),
	    0);
	assert_int_equal(config_validate(cfg, why, sizeof(why)), 0);
	assert_null(cfg->proxy_user);
	assert_null(cfg->proxy_password);
	config_free(cfg);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_file_sets_every_key),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_comments_blank_lines_and_spaces),
		cmocka_unit_test(test_refused_config_names_the_reason),
		cmocka_unit_test(test_parse_algs),
		cmocka_unit_test(
		    test_require_claim_and_role_map_repeatable_in_order),
		cmocka_unit_test(test_pin_sub),
		cmocka_unit_test(test_apply_arg_overrides_file_key),
		cmocka_unit_test(test_apply_arg_debug_sets_debug),
		cmocka_unit_test(test_apply_arg_config_is_ignored),
		cmocka_unit_test(test_apply_arg_client_secret_refused),
		cmocka_unit_test(
		    test_apply_arg_client_secret_with_spaces_refused),
		cmocka_unit_test(test_bad_value_leaves_field_unchanged),
		cmocka_unit_test(test_apply_arg_bad_value_refused),
		cmocka_unit_test(
		    test_validate_endpoints_with_userinfo_accepted),
		cmocka_unit_test(test_validate_language_names_accepted),
		T(test_load_good_file),
		T(test_load_world_writable_refused),
		T(test_load_symlink_refused),
		T(test_load_missing_file_refused),
		cmocka_unit_test(test_load_relative_config_path_refused),
		T(test_load_secret_in_world_readable_file_refused),
		T(test_load_parse_error_names_file_and_line),
		T(test_client_secret_file_read_and_newline_stripped),
		T(test_client_secret_file_readable_by_others_refused),
		T(test_client_secret_file_empty_refused),
		T(test_client_secret_and_file_both_refused),
		cmocka_unit_test(test_proxy_http_host_port_accepted),
		cmocka_unit_test(test_proxy_bad_values_refused_with_reason),
		cmocka_unit_test(test_proxy_userinfo_refused_without_echo),
		cmocka_unit_test(test_proxy_module_argument_overrides_file),
		cmocka_unit_test(test_no_proxy_bad_lists_refused),
		cmocka_unit_test(
		    test_no_proxy_matches_hosts_domains_and_addresses),
		T(test_proxy_credentials_file_read),
		T(test_proxy_credentials_file_refused),
		cmocka_unit_test(
		    test_proxy_credentials_file_unread_without_proxy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
