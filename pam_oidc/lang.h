/*
 * The person's language and terminal: which catalog the text comes from
 * and whether the terminal takes UTF-8. Nothing here changes the
 * process's locale: the application's locale is only read, and the
 * catalog is looked up explicitly (catalog.h).
 */
#ifndef OIDC_LANG_H
#define OIDC_LANG_H

#include <stddef.h>

#ifndef OIDC_LOCALEDIR
#define OIDC_LOCALEDIR "/usr/share/locale"
#endif
#define LANG_DOMAIN   "pam_oidc"
#define LANG_NAME_MAX 64

/* Mark a string for the catalogs (xgettext) where it is defined. */
#define N_(s) s

struct oidc_catalog;

struct oidc_lang {
	char name[LANG_NAME_MAX + 1]; /* the locale name chosen */
	int utf8;                     /* the terminal takes UTF-8 */
	struct oidc_catalog *cat;     /* NULL: the English source text */
	char path[512];               /* the catalog read, or "" */
};

/* Locale variables from the PAM environment; NULL when unset. */
struct oidc_lang_env {
	const char *lc_all;
	const char *lc_messages;
	const char *lc_ctype;
	const char *lang;
};

/*
 * A locale name we use: 1 to LANG_NAME_MAX of [A-Za-z0-9_.@-], not
 * starting with '.' or '-'. Anything else (a path, "..") is ignored.
 */
int lang_name_ok(const char *name);

/*
 * Choose the language and whether the terminal takes UTF-8.
 * Language: the PAM environment (LC_ALL, then LC_MESSAGES, then LANG;
 * C or POSIX there means English), else the application's LC_MESSAGES
 * locale unless it is C or POSIX (an application that never set one),
 * else def (the language key; NULL: English).
 * UTF-8: the codeset of the PAM environment's LC_ALL, LC_CTYPE or LANG,
 * else the application's LC_CTYPE codeset unless that locale is plain C
 * or POSIX (C.UTF-8 counts); else it is unknown, and assumed for sshd
 * only: sshd never has the client's locale at authentication, and
 * nearly every SSH client today runs in a UTF-8 terminal.
 * Invalid names are skipped. Reads the application's locale with
 * nl_langinfo, which changes nothing.
 */
void lang_choose(const struct oidc_lang_env *env, const char *service,
    const char *def, struct oidc_lang *out);

/* Is the codeset part of a locale name ("de_DE.UTF-8") UTF-8? */
int lang_name_utf8(const char *name);

/*
 * Load l's catalog from dir/LL_CC/LC_MESSAGES/pam_oidc.mo, trying the
 * name with its territory and modifier, then without. No catalog (or
 * one that cannot be used) leaves English, and so does a terminal that
 * does not take UTF-8 (the catalogs are UTF-8, English is ASCII). Only
 * memory is an error.
 */
int lang_load(struct oidc_lang *l, const char *dir);

/*
 * The text for msgid in l (NULL: English): its translation when the
 * catalog has one, else msgid itself.
 */
const char *lang_get(const struct oidc_lang *l, const char *msgid)
    __attribute__((format_arg(2)));

/* Free the catalog; l itself is the caller's. */
void lang_unload(struct oidc_lang *l);

#endif
