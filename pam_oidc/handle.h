/*
 * The PAM handle: the conversation, PAM_USER, and the session the module
 * keeps on the handle (and in the PAM environment for another process).
 * With pam_oidc.c, the only place that knows PAM.
 */
#ifndef OIDC_HANDLE_H
#define OIDC_HANDLE_H

#include <security/pam_modules.h>

#include "config.h"
#include "lang.h"
#include "log.h"
#include "login.h"
#include "session.h"

/*
 * Show text as PAM_TEXT_INFO. handle_info and handle_enter take the
 * handle as a void pointer so that they serve as a login's oidc_ui.
 */
int handle_info(void *pamh, const char *text);

/* Show text as one echo-off prompt and wait for the answer (Enter). */
int handle_enter(void *pamh, const char *text);

/*
 * The person's language and terminal for this authentication (lang.h):
 * from the PAM environment, the application's locale, then the language
 * key. Kept with the handle, so that handle_error speaks it too.
 */
int handle_lang(pam_handle_t *pamh, const struct oidc_config *cfg,
    const char *service, const struct oidc_log *lg,
    const struct oidc_lang **out);

/*
 * A plain error message for the person (PAM_ERROR_MSG): text is the
 * English msgid (message.h), shown in the handle's language.
 */
void handle_error(pam_handle_t *pamh, const char *text);

/* Is there a conversation? OIDC_ERR_CONV when the application gave none. */
int handle_conv(pam_handle_t *pamh);

/*
 * A copy of PAM_USER, asked for unless kiosk mode lets it be chosen at
 * sign-in (then *user is NULL). An empty name outside kiosk mode is
 * OIDC_ERR_USER_UNKNOWN; PAM_CONV_AGAIN is OIDC_ERR_CONV_AGAIN.
 */
int handle_user(pam_handle_t *pamh, const struct oidc_config *cfg, char **user);

/* Is PAM_USER still user (NULL: still unset)? */
int handle_user_kept(pam_handle_t *pamh, const char *user);

/* Forget what an earlier attempt on this handle kept. */
void handle_forget(pam_handle_t *pamh);

/*
 * Keep the identity's session for acct_mgmt and setcred, and hand its
 * groups off through the PAM environment for setcred in another process.
 */
int handle_keep_session(pam_handle_t *pamh, const struct oidc_config *cfg,
    const struct oidc_log *lg, struct oidc_identity *id);

/* The session of the user this module authenticated on this handle. */
struct oidc_session *handle_session(pam_handle_t *pamh);

/* The hand-off named in the PAM environment, or NULL. */
const char *handle_handoff(pam_handle_t *pamh);

/*
 * setcred in another process than authentication (sshd): the session
 * the hand-off describes, taken once and kept with this handle, so that
 * sshd's later setcred in the session's child (after initgroups(), the
 * call that counts) finds it. 0 with *out NULL when there is none. With
 * no configuration (it could not be read) the name is only dropped.
 */
int handle_adopt(pam_handle_t *pamh, const struct oidc_config *cfg,
    const struct oidc_log *lg, struct oidc_session **out);

/* Same process: the hand-off for another one is spent unused. */
void handle_spend_handoff(pam_handle_t *pamh, struct oidc_session *s);

/*
 * Is PAM_USER a name held for a first sign-in over SSH (logged)? Such a
 * name opens nothing but a sign-in through this module.
 */
int handle_held(pam_handle_t *pamh, const struct oidc_log *lg);

#endif
