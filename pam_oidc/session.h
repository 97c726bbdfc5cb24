/*
 * What authentication leaves for the account phase and setcred: the
 * verified user, the allowed_roles verdict and the mapped groups. No PAM
 * here: pam_oidc.c keeps the session with pam_set_data.
 *
 * The cross-process hand-off: sshd authenticates in one process and
 * establishes credentials in another, so data kept with pam_set_data
 * never reaches setcred there. Authentication then writes a one-shot
 * hand-off file: root-only, in cache_dir/grants, named by 128 random
 * bits, holding the user, an expiry and the groups. Only the name
 * travels, in the PAM environment (which sshd carries across). setcred
 * takes it: reads and removes the file, and uses it only for the same
 * user before the expiry. The name grants nothing by itself: it is
 * useless once taken, for another user, or after HANDOFF_TTL.
 */
#ifndef OIDC_SESSION_H
#define OIDC_SESSION_H

#include <time.h>

#include "config.h"
#include "log.h"
#include "roles.h"

#define HANDOFF_ENV    "PAM_OIDC_GRANT"
#define HANDOFF_ID_LEN 32 /* hex digits */
#define HANDOFF_TTL    600

struct oidc_session {
	char *user;
	struct oidc_strlist groups;
	int allowed;
	enum oidc_group_mode group_mode;
	char *cache_dir;
	char handoff[HANDOFF_ID_LEN + 1]; /* empty: none written */
};

/* A session for user; groups are taken over (groups is left empty). */
struct oidc_session *session_new(const char *user, const char *cache_dir,
    enum oidc_group_mode mode, int allowed, struct oidc_strlist *groups);
void session_free(struct oidc_session *s);

/*
 * For setcred in another process: write the session's hand-off (expired
 * ones are swept first) when its groups need to travel, and put
 * "HANDOFF_ENV=name" in env for the PAM environment. Returns 0 when env
 * is set; otherwise there is nothing to hand off, or the failure to
 * write it was logged.
 */
int session_hand_off(struct oidc_session *s, time_t now,
    const struct oidc_log *lg, char *env, size_t envsz);

/*
 * The session a hand-off describes, for setcred in another process: 0
 * with *out set, or 0 with *out NULL (logged) when it is missing, used,
 * expired or another user's; OIDC_ERR_NOMEM.
 */
int session_from_handoff(const char *cache_dir, const char *id,
    const char *user, enum oidc_group_mode mode, const struct oidc_log *lg,
    struct oidc_session **out);

/* Spend the session's own hand-off, unused (setcred in the same process). */
void session_spend_handoff(struct oidc_session *s, time_t now);

/* Write a hand-off for user's groups; id receives its name. */
int session_handoff_write(const char *cache_dir, const char *user,
    const struct oidc_strlist *groups, time_t now, char id[HANDOFF_ID_LEN + 1]);

/*
 * Take the hand-off id: it is removed whatever its content. Returns 0 with
 * groups filled when it exists, is intact, is for user and has not
 * expired; OIDC_ERR_INVALID otherwise; OIDC_ERR_NOMEM.
 */
int session_handoff_take(const char *cache_dir, const char *id,
    const char *user, time_t now, struct oidc_strlist *groups);

/* Remove expired hand-offs (those setcred never took). */
void session_handoff_sweep(const char *cache_dir, time_t now);

#endif
