/*
 * pam-oidc: the administrator's command. It links the same core as the
 * module, and changes nothing on the system but what "users remove" is
 * asked to remove.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "check.h"
#include "config.h"
#include "helper.h"
#include "http.h"
#include "log.h"
#include "login.h"
#include "oidc.h"
#include "qr.h"
#include "users.h"

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pam-oidc check [--config PATH] [--sshd-config PATH] "
	    "[--offline]\n"
	    "       pam-oidc login [--config PATH] [--user NAME] [--debug]\n"
	    "       pam-oidc cache show | clear [--config PATH]\n"
	    "       pam-oidc pins [forget USER] [--config PATH]\n"
	    "       pam-oidc qr [--ascii] TEXT\n"
	    "       pam-oidc users [list] | remove NAME [--home]\n"
	    "       pam-oidc --version | --help\n"
	    "\n"
	    "check  find what is wrong with a configuration: one line per\n"
	    "       finding; exit 0 fine, 1 warnings, 2 errors\n"
	    "login  run the whole device-flow sign-in in this terminal, without\n"
	    "       PAM, and print the verified claims and the outcome\n"
	    "cache  list or empty the discovery and JWKS cache\n"
	    "pins   list the provider identity (iss and sub) each account is\n"
	    "       bound to, or forget one so that its next sign-in binds anew\n"
	    "qr     print TEXT as a QR code\n"
	    "users  list the people registered for the NSS module and the names\n"
	    "       held for a first sign-in; remove one\n");
}

/* "--help" anywhere in a subcommand's arguments. */
static int
wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0)
			return 1;
	return 0;
}

/* The configuration named by --config, loaded as the module would. */
struct oidc_config *
helper_config(const char *path)
{
	struct oidc_config *cfg;
	char arg[4200], why[512];
	const char *args[1] = { arg };
	int r;

	r = snprintf(arg, sizeof(arg), "config=%s", path);
	if (r < 0 || (size_t)r >= sizeof(arg) || (cfg = config_new()) == NULL)
		return NULL;
	if ((r = config_load(cfg, 1, args, why, sizeof(why))) != 0) {
		fprintf(stderr, "pam-oidc: %s\n",
		    r == OIDC_ERR_NOMEM ? oidc_strerror(r) : why);
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/*
 * check --offline: only what the module reads before it goes to the
 * network (syntax, keys, values, permissions), so a file can be checked
 * where the provider cannot be reached, or while it names placeholders.
 */
static int
check_offline(const char *path)
{
	struct oidc_config *cfg;
	char esc[1024];

	if ((cfg = helper_config(path)) == NULL)
		return 2;
	config_free(cfg);
	printf("%-7s %s: syntax, keys and permissions\n", "ok",
	    log_escape(path, esc, sizeof(esc)));
	return 0;
}

static int
cmd_check(int argc, char **argv)
{
	const char *path = OIDC_DEFAULT_CONFIG, *sshd = "/etc/ssh/sshd_config";
	int i, offline = 0;

	if (wants_help(argc, argv)) {
		printf("usage: pam-oidc check [--config PATH] "
		       "[--sshd-config PATH] [--offline]\n");
		return 0;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--sshd-config") == 0 && i + 1 < argc)
			sshd = argv[++i];
		else if (strcmp(argv[i], "--offline") == 0)
			offline = 1;
		else {
			usage(stderr);
			return 2;
		}
	}
	return offline ? check_offline(path) : check_run(path, sshd);
}

static void
print_entry(void *ctx, const char *name, const char *url, long long expires)
{
	long long left = expires - (long long)time(NULL);
	char esc[2048];

	(void)ctx;
	if (url == NULL)
		printf("%s  corrupt (will be fetched again)\n", name);
	else
		printf("%s  %s  %s %lld s\n", name,
		    log_escape(url, esc, sizeof(esc)),
		    left > 0 ? "fresh for" : "stale since",
		    left > 0 ? left : -left);
}

static int
cmd_cache(int argc, char **argv)
{
	const char *path = OIDC_DEFAULT_CONFIG;
	struct oidc_config *cfg;
	int i, n;

	if (wants_help(argc, argv) || argc < 2) {
		printf("usage: pam-oidc cache show | clear [--config PATH]\n");
		return argc < 2 ? 2 : 0;
	}
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else {
			usage(stderr);
			return 2;
		}
	}
	if ((cfg = helper_config(path)) == NULL)
		return 2;
	if (strcmp(argv[1], "show") == 0)
		n = cache_list(cfg->cache_dir, print_entry, NULL);
	else if (strcmp(argv[1], "clear") == 0) {
		if ((n = cache_clear(cfg->cache_dir)) >= 0)
			printf(
			    "removed %d entries from %s\n", n, cfg->cache_dir);
	} else {
		usage(stderr);
		config_free(cfg);
		return 2;
	}
	if (n < 0)
		fprintf(stderr, "pam-oidc: cannot read %s\n", cfg->cache_dir);
	config_free(cfg);
	return n < 0 ? 1 : 0;
}

static void
sink(void *ctx, int prio, const char *line)
{
	(void)ctx;
	fprintf(
	    stderr, "pam-oidc: %s%s\n", prio <= LOG_ERR ? "error: " : "", line);
}

static int
ui_info(void *ctx, const char *text)
{
	(void)ctx;
	printf("%s\n", text);
	return fflush(stdout) == 0 ? 0 : OIDC_ERR_CONV;
}

static int
ui_enter(void *ctx, const char *text)
{
	int c;

	(void)ctx;
	printf("%s", text);
	if (fflush(stdout) != 0)
		return OIDC_ERR_CONV;
	while ((c = getchar()) != EOF && c != '\n')
		;
	return c == EOF ? OIDC_ERR_CONV : 0;
}

static int
cmd_qr(int argc, char **argv)
{
	enum oidc_qr style = QR_UTF8;
	char *out = NULL;
	int i = 1;

	if (i < argc && strcmp(argv[i], "--ascii") == 0) {
		style = QR_ASCII;
		i++;
	}
	if (i != argc - 1 || strcmp(argv[i], "--help") == 0) {
		usage(i == argc - 1 ? stdout : stderr);
		return i == argc - 1 ? 0 : 2;
	}
	if (qr_render(argv[i], style, &out) != 0) {
		fprintf(stderr, "pam-oidc: cannot encode that text\n");
		return 1;
	}
	if (fputs(out, stdout) == EOF || fflush(stdout) != 0) {
		free(out);
		fprintf(stderr, "pam-oidc: cannot write the QR code\n");
		return 1;
	}
	free(out);
	return 0;
}

static void
print_list(const char *what, const struct oidc_strlist *l)
{
	char esc[512];
	size_t i;

	printf("%s:", what);
	for (i = 0; i < l->n; i++)
		printf(" %s", log_escape(l->v[i], esc, sizeof(esc)));
	printf("%s\n", l->n == 0 ? " (none)" : "");
}

static int
cmd_login(int argc, char **argv)
{
	struct oidc_config *cfg;
	struct oidc_log lg = { sink, NULL, 0 };
	struct oidc_ui ui = { NULL, ui_info, ui_enter, NULL };
	struct oidc_login login;
	struct oidc_identity *id = NULL;
	const char *path = OIDC_DEFAULT_CONFIG, *user = NULL;
	char *dump;
	int i, r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			user = argv[++i];
		else if (strcmp(argv[i], "--debug") == 0)
			lg.debug = 1;
		else {
			usage(strcmp(argv[i], "--help") == 0 ? stdout : stderr);
			return strcmp(argv[i], "--help") == 0 ? 0 : 2;
		}
	}
	if ((cfg = helper_config(path)) == NULL)
		return 2;
	lg.debug |= cfg->debug;
	/* The terminal's character set and language, for the message. */
	(void)setlocale(LC_CTYPE, "");
	(void)setlocale(LC_MESSAGES, "");
	memset(&login, 0, sizeof(login));
	login.service = "pam-oidc";
	login.user = user;
	login.wait_enter = cfg->wait == WAIT_ENTER;
	login.log = &lg;
	if (http_global_init() != 0) {
		config_free(cfg);
		return 2;
	}
	r = login_run(cfg, &login, &ui, &id);
	if (r == 0) {
		dump = json_dumps(id->claims,
		    JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
		printf("\nverified claims:\n%s\n", dump ? dump : "(none)");
		free(dump);
		printf("local user: %s\n", id->username);
		print_list("roles", &id->roles);
		print_list("groups it would grant", &id->groups);
		printf("allowed_roles: %s\nresult: success\n",
		    id->allowed ? "met" : "NOT met (account check would deny)");
	} else {
		printf("\nresult: %s\n", oidc_strerror(r));
	}
	identity_free(id);
	config_free(cfg);
	return r == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("pam-oidc %s\n", OIDC_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "login") == 0)
		return cmd_login(argc - 1, argv + 1);
	if (strcmp(argv[1], "qr") == 0)
		return cmd_qr(argc - 1, argv + 1);
	if (strcmp(argv[1], "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(argv[1], "pins") == 0)
		return pins_cmd(argc - 1, argv + 1);
	if (strcmp(argv[1], "cache") == 0)
		return cmd_cache(argc - 1, argv + 1);
	if (strcmp(argv[1], "users") == 0)
		return users_run(argc - 1, argv + 1);
	fprintf(stderr, "pam-oidc: unknown command %s\n", argv[1]);
	usage(stderr);
	return 2;
}
