/*
 * pam-oidc: the administrator's command. It links the same core as the
 * module and changes nothing on the system.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "flow.h"
#include "http.h"
#include "log.h"
#include "oidc.h"
#include "qr.h"

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pam-oidc login [--config PATH] [--user NAME]\n"
	    "       pam-oidc qr [--ascii] TEXT\n"
	    "       pam-oidc --version | --help\n"
	    "\n"
	    "login  run the whole device-flow sign-in in this terminal, without\n"
	    "       PAM, and print the verified claims and the outcome\n"
	    "qr     print TEXT as a QR code\n");
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
	fputs(out, stdout);
	free(out);
	return 0;
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
	char arg[4200], host[256], why[512], *dump;
	const char *args[1] = { arg };
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
	r = snprintf(arg, sizeof(arg), "config=%s", path);
	if (r < 0 || (size_t)r >= sizeof(arg) || (cfg = config_new()) == NULL)
		return 2;
	if ((r = config_load(cfg, 1, args, why, sizeof(why))) != 0) {
		fprintf(stderr, "pam-oidc: %s\n",
		    r == OIDC_ERR_NOMEM ? oidc_strerror(r) : why);
		config_free(cfg);
		return 2;
	}
	lg.debug |= cfg->debug;
	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	memset(&login, 0, sizeof(login));
	login.host = host;
	login.service = "pam-oidc";
	login.user = user;
	login.wait_enter = cfg->wait == WAIT_ENTER;
	login.log = &lg;
	if (http_global_init() != 0) {
		config_free(cfg);
		return 2;
	}
	r = flow_login(cfg, &login, &ui, &id);
	if (r == 0) {
		dump = json_dumps(id->claims, JSON_INDENT(2) | JSON_SORT_KEYS);
		printf("\nverified claims:\n%s\n", dump ? dump : "(none)");
		free(dump);
		printf("local user: %s\nresult: success\n", id->username);
	} else {
		printf("\nresult: %s\n", oidc_strerror(r));
	}
	identity_free(id);
	config_free(cfg);
	http_global_cleanup();
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
	fprintf(stderr, "pam-oidc: unknown command %s\n", argv[1]);
	usage(stderr);
	return 2;
}
