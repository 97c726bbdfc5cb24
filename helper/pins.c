/*
 * pam-oidc pins: the provider identity each local account is bound to
 * (see pins.h), and forgetting one for a person whose account at the
 * provider was re-created.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "helper.h"
#include "log.h"
#include "oidc.h"
#include "pins.h"

static void
print_pin(void *ctx, const char *user, const char *iss, const char *sub,
    long long created)
{
	char when[32], e1[1024], e2[1024];
	time_t t = (time_t)created;
	struct tm tm;

	(void)ctx;
	if (iss == NULL) {
		printf(
		    "%-16s damaged: forget it and let the next sign-in bind\n",
		    user);
		return;
	}
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(when, sizeof(when), "%lld", created);
	/* Stored escaped already; escaped again for the terminal. */
	printf("%-16s %s %s %s\n", user, log_escape(iss, e1, sizeof(e1)),
	    log_escape(sub, e2, sizeof(e2)), when);
}

int
pins_cmd(int argc, char **argv)
{
	const char *path = OIDC_DEFAULT_CONFIG, *forget = NULL;
	struct oidc_config *cfg;
	int i, r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "forget") == 0 && i + 1 < argc &&
		    forget == NULL)
			forget = argv[++i];
		else {
			fprintf(
			    strcmp(argv[i], "--help") == 0 ? stdout : stderr,
			    "usage: pam-oidc pins [forget USER] [--config "
			    "PATH]\n");
			return strcmp(argv[i], "--help") == 0 ? 0 : 2;
		}
	}
	if ((cfg = helper_config(path)) == NULL)
		return 2;
	if (forget != NULL) {
		r = pins_forget(cfg->state_dir, forget);
		if (r == 0)
			printf("forgot the pin of %s; its next sign-in binds "
			       "it anew\n",
			    forget);
		else
			fprintf(stderr, "pam-oidc: %s has no pin in %s/pins\n",
			    forget, cfg->state_dir);
	} else if ((r = pins_list(cfg->state_dir, print_pin, NULL)) < 0) {
		fprintf(
		    stderr, "pam-oidc: cannot read %s/pins\n", cfg->state_dir);
	} else {
		r = 0;
	}
	config_free(cfg);
	return r == 0 ? 0 : 1;
}
