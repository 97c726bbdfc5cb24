/*
 * Handing a login's groups from pam_authenticate to pam_setcred when the
 * application runs them in different processes. sshd authenticates in a
 * child process and establishes credentials in another, so data kept
 * with pam_set_data never reaches setcred there.
 *
 * authenticate writes a one-shot grant: a root-only file in
 * cache_dir/grants named by 128 random bits, holding the user, an expiry
 * and the groups. Only the name travels, in the PAM environment (which
 * sshd carries across). setcred takes the grant: it reads and removes
 * the file, and uses it only for the same user before the expiry. The
 * name grants nothing by itself: it is useless once taken, for another
 * user, or after GRANT_TTL.
 */
#ifndef OIDC_GRANT_H
#define OIDC_GRANT_H

#include <time.h>

#include "roles.h"

#define GRANT_ENV    "PAM_OIDC_GRANT"
#define GRANT_ID_LEN 32 /* hex digits */
#define GRANT_TTL    600

/* Write a grant for user's groups; id receives its name. */
int grant_write(const char *cache_dir, const char *user,
    const struct oidc_strlist *groups, time_t now, char id[GRANT_ID_LEN + 1]);

/*
 * Take the grant id: it is removed whatever its content. Returns 0 with
 * groups filled when it exists, is intact, is for user and has not
 * expired; OIDC_ERR_INVALID otherwise; OIDC_ERR_NOMEM.
 */
int grant_take(const char *cache_dir, const char *id, const char *user,
    time_t now, struct oidc_strlist *groups);

/* Remove expired grants (those setcred never took). */
void grant_sweep(const char *cache_dir, time_t now);

#endif
