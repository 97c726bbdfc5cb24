/*
 * The identity behind each local account: the first successful sign-in
 * of a user records the provider's iss + sub for it, and every later
 * sign-in must present the same pair (OpenID Connect Core section 5.7:
 * only iss + sub is unique and stable; names can be edited or reused).
 *
 * One root-only file per user in state_dir/pins, created with link(2) so
 * that of two first sign-ins at once exactly one records its pair. No
 * secret is stored. No PAM, no network.
 */
#ifndef OIDC_PINS_H
#define OIDC_PINS_H

#include <time.h>

#define PINS_MAX_FIELD 1024 /* iss or sub bytes */

/*
 * Bind user to iss + sub: 0 when the recorded pair is this one, or when
 * none was recorded and this one now is (*created set); OIDC_ERR_MISMATCH
 * when another pair is recorded (*pinned_sub then holds its sub, escaped,
 * for the log); OIDC_ERR_SYSTEM when the store cannot be read or written
 * (why says what); OIDC_ERR_INVALID for a user name or pair that cannot
 * be recorded.
 */
int pins_bind(const char *state_dir, const char *user, const char *iss,
    const char *sub, time_t now, int *created, char *pinned_sub,
    size_t pinned_sz, char *why, size_t whysz);

/* Forget user's pin; 0, or OIDC_ERR_INVALID when there is none. */
int pins_forget(const char *state_dir, const char *user);

/* Call fn for each pin: user, iss and sub (escaped), and when recorded. */
typedef void (*pins_fn)(void *ctx, const char *user, const char *iss,
    const char *sub, long long created);
int pins_list(const char *state_dir, pins_fn fn, void *ctx);

#endif
