/*
 * Changing the registry (regfile.h holds its format): reservations for a
 * first sign-in over SSH, registration after a successful one, removal.
 * No PAM, no network, no library beyond libc.
 *
 * Writers serialise on REGISTRY_DIR/users.lock with flock(2), trying for
 * a bounded time and never blocking a reader, and replace the file as a
 * whole: a temporary file in the directory (mode 0644), fsync, rename,
 * fsync of the directory. Every write drops the pending entries that
 * have expired. Ids come from the policy's range, the lowest one that no
 * entry (retired ones included), no line of etc_dir/passwd or
 * etc_dir/group and no other source uses; UID and GID are equal. Never
 * from the name.
 */
#ifndef OIDC_REGISTRY_H
#define OIDC_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "regalloc.h"
#include "regfile.h"
#include "regpolicy.h"

#define REGISTRY_LOCK        "users.lock"
#define REGISTRY_WAIT_MS     5000 /* a writer waits this long for the lock */
#define REGISTRY_NSS_WAIT_MS 1000 /* ... and inside an NSS lookup */
#define REGISTRY_RATE_WINDOW 60   /* seconds of register_rate */

/*
 * Hold name for a first sign-in: its live entry when it has one, else a
 * new pending entry with a free id, home register_home/NAME and the
 * policy's shell, for register_pending_ttl seconds. OIDC_ERR_PERM (why)
 * when register_max_pending reservations are open or register_rate were
 * made this minute; OIDC_ERR_INVALID when the policy refuses the name or
 * another source knows it; OIDC_ERR_CONFIG for a store that is unsafe or
 * corrupt, or a policy without a range; OIDC_ERR_SYSTEM when the lock,
 * the files or a free id cannot be had.
 */
int registry_reserve(const char *dir, const struct oidc_regpolicy *pol,
    const char *name, int64_t now, const struct oidc_regprobe *pr,
    struct oidc_regentry *out, char *why, size_t whysz);

/* The person a successful sign-in registers. */
struct oidc_regperson {
	const char *name;
	const char *iss;
	const char *sub;
	const char *shell; /* for an entry made without a reservation */
};

/*
 * Register the person. A registered entry for the same iss and sub is
 * kept (0, *created 0); one for another iss or sub is OIDC_ERR_MISMATCH
 * (*out holds it, for the log). A live reservation becomes the registered
 * entry with its ids, home and shell (*created 1). With direct, a name
 * without reservation gets a new entry as a reservation would
 * (*created 1); without it, OIDC_ERR_USER_UNKNOWN. Other errors as for
 * registry_reserve.
 */
int registry_register(const char *dir, const struct oidc_regpolicy *pol,
    const struct oidc_regperson *who, int direct, int64_t now,
    const struct oidc_regprobe *pr, struct oidc_regentry *out, int *created,
    char *why, size_t whysz);

/*
 * Remove name's live entry; a registered user's ids stay retired.
 * OIDC_ERR_USER_UNKNOWN when it has none; *out holds what was removed.
 */
int registry_remove(const char *dir, const char *name, int64_t now, int wait_ms,
    struct oidc_regentry *out, char *why, size_t whysz);

#endif
