/*
 * Choosing the person's language and loading its catalog (see lang.h).
 */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "lang.h"
#include "oidc.h"
#include "safefile.h"

int
lang_name_ok(const char *name)
{
	size_t i;
	char c;

	if (name == NULL || name[0] == '\0' || name[0] == '.' ||
	    name[0] == '-' || strlen(name) > LANG_NAME_MAX)
		return 0;
	for (i = 0; (c = name[i]) != '\0'; i++)
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '.' ||
			c == '@' || c == '-'))
			return 0;
	return 1;
}

/* C and POSIX, with or without a codeset: the untranslated text. */
static int
plain_c(const char *name)
{
	size_t n = strcspn(name, ".@");

	return (n == 1 && name[0] == 'C') ||
	    (n == 5 && strncmp(name, "POSIX", 5) == 0);
}

int
lang_name_utf8(const char *name)
{
	const char *cs = strchr(name, '.');
	char norm[16];
	size_t i, o = 0;

	if (cs == NULL)
		return 0;
	for (i = 1; cs[i] != '\0' && cs[i] != '@' && o < sizeof(norm) - 1;
	     i++) {
		if (cs[i] == '-' || cs[i] == '_')
			continue;
		norm[o++] =
		    (char)(cs[i] >= 'A' && cs[i] <= 'Z' ? cs[i] + 32 : cs[i]);
	}
	norm[o] = '\0';
	return strcmp(norm, "utf8") == 0;
}

/* The first of the values that is set and a valid name, or NULL. */
static const char *
first_set(const char *a, const char *b, const char *c)
{
	if (a != NULL && a[0] != '\0' && lang_name_ok(a))
		return a;
	if (b != NULL && b[0] != '\0' && lang_name_ok(b))
		return b;
	if (c != NULL && c[0] != '\0' && lang_name_ok(c))
		return c;
	return NULL;
}

/*
 * The application's locale for a category, by name, as this thread sees
 * it (its uselocale locale or the global one): read, never changed.
 */
static const char *
app_locale(int category)
{
	const char *name = nl_langinfo(_NL_LOCALE_NAME(category));

	return name != NULL && lang_name_ok(name) ? name : NULL;
}

static void
set_name(struct oidc_lang *out, const char *name)
{
	size_t n = strlen(name);

	memcpy(out->name, name, n + 1 <= sizeof(out->name) ? n + 1 : 1);
	out->name[sizeof(out->name) - 1] = '\0';
}

void
lang_choose(const struct oidc_lang_env *env, const char *service,
    const char *def, struct oidc_lang *out)
{
	const char *msgs, *ctype, *app;

	memset(out, 0, sizeof(*out));
	msgs = first_set(env->lc_all, env->lc_messages, env->lang);
	if (msgs == NULL && (app = app_locale(LC_MESSAGES)) != NULL &&
	    !plain_c(app))
		msgs = app;
	if (msgs == NULL && def != NULL && lang_name_ok(def))
		msgs = def;
	set_name(out, msgs != NULL ? msgs : "C");

	/* C.UTF-8 names a codeset; plain C is no choice at all. */
	if ((ctype = first_set(env->lc_all, env->lc_ctype, env->lang)) != NULL)
		out->utf8 = lang_name_utf8(ctype);
	else if ((app = app_locale(LC_CTYPE)) != NULL &&
	    strcmp(app, "C") != 0 && strcmp(app, "POSIX") != 0)
		out->utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	else
		out->utf8 = service != NULL && strcmp(service, "sshd") == 0;
}

/* Try one catalog file; 0 with nothing loaded when it is not usable. */
static int
try_catalog(
    struct oidc_lang *l, const char *dir, const char *name, size_t namelen)
{
	char path[sizeof(l->path)], why[256];
	char *data = NULL;
	size_t len = 0;
	int r, n;

	n = snprintf(path, sizeof(path), "%s/%.*s/LC_MESSAGES/%s.mo", dir,
	    (int)namelen, name, LANG_DOMAIN);
	if (n < 0 || (size_t)n >= sizeof(path))
		return 0;
	r = safefile_read(
	    path, 0, CATALOG_MAX_SIZE, &data, &len, NULL, why, sizeof(why));
	if (r == OIDC_ERR_NOMEM)
		return r;
	if (r != 0)
		return 0;
	r = catalog_parse(data, len, &l->cat);
	free(data);
	if (r == OIDC_ERR_NOMEM)
		return r;
	if (r == 0)
		memcpy(l->path, path, (size_t)n + 1);
	return 0;
}

int
lang_load(struct oidc_lang *l, const char *dir)
{
	const char *name = l->name;
	size_t ll = strcspn(name, "_.@"), terr = strcspn(name, ".@");
	const char *mod = strchr(name, '@');
	char cand[4][LANG_NAME_MAX + 1];
	size_t i;
	int r;

	l->cat = NULL;
	l->path[0] = '\0';
	/* A terminal that does not take UTF-8 reads the English text. */
	if (name[0] == '\0' || plain_c(name) || !l->utf8 || dir == NULL)
		return 0;
	/* ll_CC@mod, ll_CC, ll@mod, ll: glibc's order without codesets. */
	if (snprintf(cand[0], sizeof(cand[0]), "%.*s%s", (int)terr, name,
		mod != NULL ? mod : "") < 0 ||
	    snprintf(cand[1], sizeof(cand[1]), "%.*s", (int)terr, name) < 0 ||
	    snprintf(cand[2], sizeof(cand[2]), "%.*s%s", (int)ll, name,
		mod != NULL ? mod : "") < 0 ||
	    snprintf(cand[3], sizeof(cand[3]), "%.*s", (int)ll, name) < 0)
		return 0;
	for (i = 0; i < 4 && l->cat == NULL; i++) {
		if (i > 0 && strcmp(cand[i], cand[i - 1]) == 0)
			continue;
		if (cand[i][0] == '\0' || !lang_name_ok(cand[i]))
			continue;
		if ((r = try_catalog(l, dir, cand[i], strlen(cand[i]))) != 0)
			return r;
	}
	return 0;
}

const char *
lang_get(const struct oidc_lang *l, const char *msgid)
{
	const char *t;

	if (l == NULL || (t = catalog_lookup(l->cat, msgid)) == NULL)
		return msgid;
	return t;
}

void
lang_unload(struct oidc_lang *l)
{
	if (l == NULL)
		return;
	catalog_free(l->cat);
	l->cat = NULL;
	l->path[0] = '\0';
}
