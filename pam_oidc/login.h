/*
 * One complete device-flow login, independent of PAM: the module and the
 * pam-oidc helper both call login_run() with their own user interface.
 * The story: the provider's metadata, a device code on the screen, polls
 * until approval, the ID token verified, the identity bound to the
 * account and its roles mapped.
 */
#ifndef OIDC_LOGIN_H
#define OIDC_LOGIN_H

#include <jansson.h>

#include "config.h"
#include "lang.h"
#include "log.h"
#include "roles.h"
#include "ui.h"

struct oidc_login {
	const char *host; /* NULL: this machine's name */
	const char *service;
	const char *user; /* NULL in kiosk mode */
	int wait_enter;   /* wait resolved by the caller */
	const struct oidc_log *log;
	int shown; /* set once the code was on the screen */
	/* The person's language; NULL: from the application's locale. */
	const struct oidc_lang *lang;
};

struct oidc_identity {
	char *username;
	char *iss; /* the verified issuer, or the OAuth 2.0 userinfo URL */
	char *sub;
	json_t *claims;
	struct oidc_strlist roles;  /* from role_claim */
	struct oidc_strlist groups; /* what role_map grants */
	int allowed;                /* allowed_roles holds */
};

void identity_free(struct oidc_identity *id);

/*
 * Run the flow and verify the result. On success *out holds the verified
 * identity, whose username equals login->user byte for byte when a user
 * was given. Returns 0 or a negative OIDC_ERR_*.
 */
int login_run(const struct oidc_config *cfg, struct oidc_login *login,
    const struct oidc_ui *ui, struct oidc_identity **out);

#endif
