/*
 * Host policy: what this machine does with a verified identity. The local
 * account (made on first sign-in with auto_register, by useradd or in the
 * registry the NSS module answers from), the identity a registered
 * account is bound to, the groups kept in /etc/group with group_mode =
 * persist, and whether the person presses Enter after approving.
 */
#ifndef OIDC_HOST_H
#define OIDC_HOST_H

#include "config.h"
#include "log.h"
#include "login.h"
#include "strlist.h"

/*
 * The user must have a local account: made now when auto_register is on,
 * otherwise OIDC_ERR_USER_UNKNOWN. A failed lookup is
 * OIDC_ERR_SYSTEM.
 */
int host_account(
    const struct oidc_config *cfg, const char *user, const struct oidc_log *lg);

/*
 * group_mode = persist: the managed groups in /etc/group follow the
 * roles; a user allowed_roles turns away keeps none of them.
 */
int host_persist_groups(const struct oidc_config *cfg, const char *user,
    const struct oidc_strlist *groups, int allowed, const struct oidc_log *lg);

/*
 * What the host does with a verified identity, signed in to service: a
 * person allowed_roles turns away is refused (OIDC_ERR_PERM, logged);
 * otherwise the local account, then with group_mode = persist its groups.
 *
 * A name in the registry (see registry.h) is bound to the iss and sub of
 * the person who registered it: another identity is OIDC_ERR_MISMATCH
 * (logged with both). A name held for this sign-in becomes the account,
 * with the held UID, its home made from /etc/skel. Without an entry, a
 * name no source knows is registered as auto_register and register_with
 * say; over sshd only from a reservation, since sshd refuses a user it
 * did not find before authentication.
 */
int host_admit(const struct oidc_config *cfg, const struct oidc_identity *id,
    const char *service, const struct oidc_log *lg);

/*
 * Is user a name held for a sign-in that never completed? The account
 * check refuses such a name to every other way in.
 */
int host_held(const char *user);

/*
 * Root and the system's accounts (UID 0, or below UID_MIN of
 * /etc/login.defs) are out of the provider's reach unless system_accounts
 * names them: OIDC_ERR_USER_UNKNOWN (logged), so that the rest of the
 * stack decides. 0 for every other user, known or not.
 */
int host_reachable(
    const struct oidc_config *cfg, const char *user, const struct oidc_log *lg);

/*
 * Before the provider is asked: root and system accounts are left to the
 * rest of the stack (host_reachable); *known tells whether the user has a
 * local account (an unknown one goes through the same sign-in).
 */
int host_check_user(const struct oidc_config *cfg, const char *user,
    const struct oidc_log *lg, int *known);

/*
 * Bind the account to the identity's iss + sub (pin_identity): the first
 * successful sign-in records the pair, later ones must present it. An
 * explicit pin_sub line for the user takes precedence. OIDC_ERR_MISMATCH
 * (logged, naming both subjects) for another pair.
 */
int host_pin(const struct oidc_config *cfg, const char *user, const char *iss,
    const char *sub, const struct oidc_log *lg);

/* Does the login ask for Enter after approval (wait = auto|enter|poll)? */
int host_wait_enter(const struct oidc_config *cfg, const char *service);

#endif
