/*
 * The configuration: config_parse, config_apply_arg and config_validate,
 * and config_load over a private file so that the safe-open rules and the
 * mode checks run too.
 *
 * Input: the file's text, then optionally two NUL bytes and the module
 * arguments, separated by NUL bytes (TEXT [ "\0\0" ARG [ '\0' ARG ]... ]);
 * a single NUL byte stays in the text.
 *
 * Files: one private directory (mkdtemp under $TMPDIR, mode 0700) made at
 * the first run, holding pam_oidc.conf (rewritten for every input, mode
 * 0600 or 0644 by the input's length) and client_secret (mode 0600). A
 * client_secret_file that the input names is replaced by that secret file
 * before validation, and config_load is skipped for inputs that mention
 * client_secret_file, so nothing outside the directory is read or written.
 * The directory is removed at exit.
 *
 * Checked: "why" is a terminated string; a validated configuration has a
 * client id, the defaults, absolute paths and a non-empty algorithm list,
 * a client secret for HS* and for client_secret_basic/_post, only https
 * endpoints, valid user names in pin_sub and valid group names in
 * role_map; every configuration frees cleanly.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "claims.h"
#include "config.h"
#include "discovery.h"
#include "fuzz.h"
#include "names.h"
#include "oidc.h"
#include "roles.h"

#define MAX_ARGS 16

static char dir[4096], conf_path[4200], secret_path[4200];
static int conf_fd = -1;

static void
remove_files(void)
{
	if (conf_fd >= 0)
		close(conf_fd);
	unlink(conf_path);
	unlink(secret_path);
	rmdir(dir);
}

static void
write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			abort();
		c += w;
		n -= (size_t)w;
	}
}

static void
make_files(void)
{
	static const char secret[] = "fuzz-secret\n";
	const char *tmp = getenv("TMPDIR");
	int fd;

	if (tmp == NULL || tmp[0] != '/')
		tmp = "/tmp";
	if (snprintf(dir, sizeof(dir), "%s/pam_oidc_fuzz.XXXXXX", tmp) >=
		(int)sizeof(dir) ||
	    mkdtemp(dir) == NULL)
		abort();
	snprintf(conf_path, sizeof(conf_path), "%s/pam_oidc.conf", dir);
	snprintf(secret_path, sizeof(secret_path), "%s/client_secret", dir);
	atexit(remove_files);
	fd = open(secret_path,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	write_all(fd, secret, sizeof(secret) - 1);
	close(fd);
	conf_fd = open(conf_path,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (conf_fd < 0)
		abort();
}

static void
check_why(const char *why, size_t whysz)
{
	if (strnlen(why, whysz) == whysz)
		abort();
}

static void
check_url(const char *url)
{
	if (url != NULL && (strncmp(url, "https://", 8) != 0 || url[8] == '\0'))
		abort();
}

static size_t
count_words(const struct oidc_kv *kv)
{
	const char *p;
	size_t n = 0, w;

	for (; kv != NULL; kv = kv->next)
		for (p = kv->value; *(p += strspn(p, " \t")) != '\0'; p += w) {
			w = strcspn(p, " \t");
			n++;
		}
	return n;
}

static void
check_valid(const struct oidc_config *cfg)
{
	struct oidc_strlist groups;
	const struct oidc_kv *kv;
	char *url = NULL, *expect = NULL;
	size_t i;

	if (cfg->client_id == NULL || cfg->scope == NULL ||
	    cfg->username_claim == NULL || cfg->prompt == NULL ||
	    cfg->cache_dir == NULL || cfg->shell == NULL)
		abort();
	if (cfg->cache_dir[0] != '/' || cfg->shell[0] != '/' ||
	    (cfg->ca_file != NULL && cfg->ca_file[0] != '/'))
		abort();
	if (cfg->signing_algorithms == 0 ||
	    (cfg->signing_algorithms & ~((unsigned int)ALG_HS512 * 2 - 1)))
		abort();
	if ((cfg->signing_algorithms & (ALG_HS256 | ALG_HS384 | ALG_HS512)) &&
	    cfg->client_secret == NULL)
		abort();
	if ((cfg->client_auth == CLIENT_AUTH_BASIC ||
		cfg->client_auth == CLIENT_AUTH_POST) &&
	    cfg->client_secret == NULL)
		abort();
	if (cfg->issuer == NULL &&
	    (cfg->device_authorization_endpoint == NULL ||
		cfg->token_endpoint == NULL))
		abort();
	if (cfg->username_max_length < 1 || cfg->username_max_length > 256 ||
	    cfg->leeway < 0 || cfg->leeway > 600 || cfg->http_timeout < 1 ||
	    cfg->http_timeout > 120)
		abort();
	check_url(cfg->issuer);
	check_url(cfg->device_authorization_endpoint);
	check_url(cfg->token_endpoint);
	check_url(cfg->userinfo_endpoint);
	check_url(cfg->jwks_uri);
	for (kv = cfg->pin_subs; kv != NULL; kv = kv->next)
		if (!names_valid(kv->key, 256) || kv->value[0] == '\0')
			abort();
	/*
	 * role_map names only valid group names, which group_mode = persist
	 * manages; only more than MANAGED_MAX of them may be refused.
	 */
	if (roles_managed_groups(cfg->role_map, &groups) != 0) {
		if (count_words(cfg->role_map) <= MANAGED_MAX)
			abort();
		return;
	}
	for (i = 0; i < groups.n; i++)
		if (!names_valid(groups.v[i], 32))
			abort();
	strlist_free(&groups);
	if (cfg->issuer != NULL) {
		if (discovery_url(cfg->issuer, &url, &expect) != 0)
			abort();
		free(url);
		free(expect);
	}
}

/* parse, module arguments, validate: config_load without the file. */
/* A file the input names is our private one instead. */
static void
private_file(char **field)
{
	if (*field == NULL)
		return;
	oidc_strfree(*field);
	if ((*field = strdup(secret_path)) == NULL)
		abort();
}

/* Does the text or an argument name a file that config_load would open? */
static int
names_a_file(const uint8_t *text, size_t tlen, char **args, int nargs)
{
	static const char *const keys[] = { "client_secret_file",
		"proxy_credentials_file", "ca_file" };
	size_t k;
	int i;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		if (memmem(text, tlen, keys[k], strlen(keys[k])) != NULL)
			return 1;
		for (i = 0; i < nargs; i++)
			if (strstr(args[i], keys[k]) != NULL)
				return 1;
	}
	return 0;
}

static void
parse_apply_validate(const char *text, size_t len, char **args, int nargs)
{
	struct oidc_config *cfg;
	char why[256];
	int i, r;

	if ((cfg = config_new()) == NULL)
		abort();
	why[0] = '\0';
	r = config_parse(cfg, "fuzz.conf", text, len, why, sizeof(why));
	check_why(why, sizeof(why));
	for (i = 0; r == 0 && i < nargs; i++) {
		r = config_apply_arg(cfg, args[i], why, sizeof(why));
		check_why(why, sizeof(why));
	}
	if (r == 0) {
		private_file(&cfg->client_secret_file);
		private_file(&cfg->proxy_credentials_file);
		private_file(&cfg->ca_file);
		r = config_validate(cfg, why, sizeof(why));
		check_why(why, sizeof(why));
		if (r == 0)
			check_valid(cfg);
		else if (r != OIDC_ERR_CONFIG)
			abort();
	} else if (r != OIDC_ERR_CONFIG) {
		abort();
	}
	config_free(cfg);
}

/* config_load on the private file; args never name another file. */
static void
load(const char *text, size_t len, char **args, int nargs, mode_t mode)
{
	const char *argv[MAX_ARGS + 1];
	char config_arg[4300], why[256];
	struct oidc_config *cfg;
	int argc = 0, i, r;

	if (ftruncate(conf_fd, 0) != 0 || lseek(conf_fd, 0, SEEK_SET) != 0 ||
	    fchmod(conf_fd, mode) != 0)
		abort();
	write_all(conf_fd, text, len);
	snprintf(config_arg, sizeof(config_arg), "config=%s", conf_path);
	argv[argc++] = config_arg;
	for (i = 0; i < nargs; i++)
		if (strncmp(args[i], "config=", 7) != 0)
			argv[argc++] = args[i];
	if ((cfg = config_new()) == NULL)
		abort();
	why[0] = '\0';
	r = config_load(cfg, argc, argv, why, sizeof(why));
	check_why(why, sizeof(why));
	if (r == 0) {
		check_valid(cfg);
		if (cfg->client_secret != NULL && (mode & S_IROTH))
			abort();
	} else if (r != OIDC_ERR_CONFIG) {
		abort();
	}
	config_free(cfg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *args[MAX_ARGS];
	const uint8_t *text, *part, *sep;
	size_t tlen, plen;
	int nargs = 0, i;

	if (conf_fd < 0)
		make_files();
	if (size > OIDC_MAX_CONFIG)
		return 0;
	text = data;
	tlen = size;
	if ((sep = memmem(data, size, "\0\0", 2)) != NULL) {
		tlen = (size_t)(sep - data);
		data = sep + 2;
		size -= tlen + 2;
		while (nargs < MAX_ARGS &&
		    fz_next(&data, &size, '\0', &part, &plen))
			args[nargs++] = fz_strndup(part, plen);
	}

	parse_apply_validate((const char *)text, tlen, args, nargs);
	if (!names_a_file(text, tlen, args, nargs))
		load((const char *)text, tlen, args, nargs,
		    (tlen & 1) ? 0644 : 0600);
	for (i = 0; i < nargs; i++)
		free(args[i]);
	return 0;
}
