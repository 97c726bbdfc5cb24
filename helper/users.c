/*
 * pam-oidc users (see users.h). The registry is read as the NSS module
 * reads it, and changed as pam_oidc changes it: under its lock, by
 * rename.
 */
#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "etcgroup.h"
#include "home.h"
#include "localids.h"
#include "log.h"
#include "names.h"
#include "oidc.h"
#include "registry.h"
#include "strlist.h"
#include "users.h"

#define ETC_DIR "/etc"

static void
sink(void *ctx, int prio, const char *line)
{
	(void)ctx;
	fprintf(
	    stderr, "pam-oidc: %s%s\n", prio <= LOG_ERR ? "error: " : "", line);
}

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: pam-oidc users [list]\n"
	    "       pam-oidc users remove NAME [--home]\n");
}

/* What the state and the time say, in a column. */
static void
when(const struct oidc_regentry *e, int64_t now, char *out, size_t outsz)
{
	int n;

	if (e->state == REG_PENDING && e->expires > now)
		n = snprintf(out, outsz, "in %" PRId64 " s", e->expires - now);
	else if (e->state == REG_PENDING)
		n = snprintf(out, outsz, "expired");
	else
		n = snprintf(out, outsz, "-");
	if (n < 0 || (size_t)n >= outsz)
		out[0] = '\0';
}

static const char *
state_word(const struct oidc_regentry *e, int64_t now)
{
	if (e->state == REG_USER)
		return "registered";
	if (e->state == REG_RETIRED)
		return "retired";
	return e->expires > now ? "reserved" : "expired";
}

static int
list(void)
{
	struct oidc_regsnap s;
	struct oidc_regentry e;
	int64_t now = (int64_t)time(NULL);
	char iss[256], sub[256], exp[32];
	size_t pos, n = 0, line = 1, i;
	int r;

	if (regfile_load(REGISTRY_DIR, &s) != 0) {
		fprintf(stderr,
		    "pam-oidc: %s/%s is unsafe (not root's, or writable by "
		    "others) or not a registry; the NSS module answers "
		    "nothing from it\n",
		    REGISTRY_DIR, REGFILE_NAME);
		return 1;
	}
	printf("%-16s %-10s %-10s %-9s %-32s %s\n", "NAME", "UID", "STATE",
	    "EXPIRES", "ISS", "SUB");
	pos = s.body;
	while ((r = regfile_next(&s, &pos, &e)) == 1) {
		/* An expired reservation is no entry; the next write drops it. */
		if (e.state == REG_PENDING && e.expires <= now)
			continue;
		when(&e, now, exp, sizeof(exp));
		printf("%-16s %-10" PRIu32 " %-10s %-9s %-32s %s\n", e.name,
		    e.uid, state_word(&e, now), exp,
		    e.state == REG_USER ? log_escape(e.iss, iss, sizeof(iss))
					: "-",
		    e.state == REG_USER ? log_escape(e.sub, sub, sizeof(sub))
					: "-");
		if (e.state != REG_RETIRED &&
		    localids_name_known(ETC_DIR, e.name) == 1)
			printf("  note: %s is also in %s/passwd or %s/group; "
			       "that account is the one used\n",
			    e.name, ETC_DIR, ETC_DIR);
		n++;
	}
	if (r < 0) {
		for (i = 0; i < pos && i < s.len; i++)
			line += s.data[i] == '\n';
		fprintf(stderr,
		    "pam-oidc: %s/%s: line %zu does not parse; the NSS module "
		    "answers nothing until it is fixed\n",
		    REGISTRY_DIR, REGFILE_NAME, line);
	}
	regfile_free(&s);
	if (n == 0 && r == 0)
		printf("(none)\n");
	return r < 0 ? 1 : 0;
}

/* The groups of /etc/group (the file, not NSS) that list name. */
static int
member_of(const char *name, struct oidc_strlist *out)
{
	struct group gr, *res = NULL;
	size_t sz = 16384;
	char *buf = NULL, *nb, **m;
	FILE *fp;
	int r = 0, e;

	if ((fp = fopen(ETC_DIR "/group", "re")) == NULL)
		return OIDC_ERR_SYSTEM;
	while (r == 0) {
		if (buf == NULL && (buf = malloc(sz)) == NULL) {
			r = OIDC_ERR_NOMEM;
			break;
		}
		if ((e = fgetgrent_r(fp, &gr, buf, sz, &res)) == ERANGE) {
			/* A long line: read it again with more room. */
			if (sz >= ((size_t)4 << 20) ||
			    (nb = realloc(buf, sz * 2)) == NULL) {
				r = OIDC_ERR_SYSTEM;
				break;
			}
			buf = nb;
			sz *= 2;
			continue;
		}
		if (e != 0 || res == NULL)
			break;
		for (m = gr.gr_mem; m != NULL && *m != NULL && r == 0; m++)
			if (strcmp(*m, name) == 0)
				r = strlist_add(
				    out, gr.gr_name, strlen(gr.gr_name), 4096);
	}
	free(buf);
	if (fclose(fp) != 0 && r == 0)
		r = OIDC_ERR_SYSTEM;
	return r;
}

/* How many processes run as uid now. */
static int
processes_of(uint32_t uid)
{
	struct dirent *de;
	struct stat st;
	char path[300];
	DIR *d;
	int n = 0;

	if ((d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		if (snprintf(path, sizeof(path), "/proc/%s", de->d_name) > 0 &&
		    stat(path, &st) == 0 && st.st_uid == uid)
			n++;
	}
	(void)closedir(d);
	return n;
}

static int
remove_user(const char *name, int with_home)
{
	struct oidc_log lg = { sink, NULL, 0 };
	struct oidc_strlist groups = { 0 }, none = { 0 };
	struct oidc_regentry e;
	char why[512], iss[256], sub[256];
	size_t i;
	int r, running, status = 0;

	if (!names_valid(name, REGPOLICY_NAME_MAX)) {
		fprintf(stderr, "pam-oidc: %s is not a valid name\n", name);
		return 2;
	}
	r = registry_remove(REGISTRY_DIR, name, (int64_t)time(NULL),
	    REGISTRY_WAIT_MS, &e, why, sizeof(why));
	if (r != 0) {
		fprintf(stderr, "pam-oidc: %s\n",
		    r == OIDC_ERR_NOMEM ? oidc_strerror(r) : why);
		return 1;
	}
	if (e.state == REG_PENDING) {
		printf("removed the reservation of %s (uid %" PRIu32 "); "
		       "nothing else was made for it\n",
		    name, e.uid);
		return 0;
	}
	printf("removed %s (uid %" PRIu32 ", registered to iss %s sub %s); "
	       "uid %" PRIu32 " stays retired and is given to no one else\n",
	    name, e.uid, log_escape(e.iss, iss, sizeof(iss)),
	    log_escape(e.sub, sub, sizeof(sub)), e.uid);
	/* Memberships in /etc/group would pass to the next holder of the name. */
	if (member_of(name, &groups) != 0 ||
	    (groups.n > 0 &&
		etcgroup_sync(ETC_DIR, name, &groups, &none, &lg) != 0)) {
		fprintf(stderr,
		    "pam-oidc: could not take %s out of the groups of "
		    "%s/group; remove it there by hand\n",
		    name, ETC_DIR);
		status = 1;
	} else if (groups.n > 0) {
		printf("took %s out of the groups:", name);
		for (i = 0; i < groups.n; i++)
			printf(" %s", groups.v[i]);
		printf("\n");
	}
	strlist_free(&groups);
	if (!with_home)
		printf("kept the home %s (--home removes it)\n", e.home);
	else if ((r = home_remove(e.home, e.uid, &lg)) == 0)
		printf("removed the home %s\n", e.home);
	else if (r == 1)
		printf("there was no home %s\n", e.home);
	else
		status = 1;
	printf("not searched for: files of uid %" PRIu32
	       " elsewhere (mail, /tmp, crontabs)\n",
	    e.uid);
	if ((running = processes_of(e.uid)) > 0)
		printf("still running as uid %" PRIu32
		       ": %d process(es); they keep running\n",
		    e.uid, running);
	return status;
}

int
users_run(int argc, char **argv)
{
	int i, home = 0;
	const char *name = NULL;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		}
	if (argc == 1 || (argc == 2 && strcmp(argv[1], "list") == 0))
		return list();
	if (strcmp(argv[1], "remove") != 0) {
		usage(stderr);
		return 2;
	}
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--home") == 0)
			home = 1;
		else if (name == NULL && argv[i][0] != '-')
			name = argv[i];
		else {
			usage(stderr);
			return 2;
		}
	}
	if (name == NULL) {
		usage(stderr);
		return 2;
	}
	return remove_user(name, home);
}
