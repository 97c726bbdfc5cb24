/*
 * The registry's file: the people pam_oidc registered on this host, and
 * the names held for a first sign-in over SSH (reservations). Reading,
 * parsing and formatting; registry.c changes it. Used by the PAM module,
 * the NSS module (libnss_oidc) and pam-oidc: no PAM, no network, no
 * library beyond libc.
 *
 * One text file, REGISTRY_DIR/users, root-owned and world-readable, in a
 * root-owned directory that others cannot write. Readers (NSS lookups in
 * any process) take no lock: writers replace the file as a whole (see
 * registry.h), so a reader sees the old version or the new one.
 *
 *   pam_oidc-registry 1
 *   rate START COUNT
 *   pending NAME UID GID CREATED EXPIRES HOME SHELL
 *   user NAME UID GID CREATED HOME SHELL ISS SUB
 *   retired NAME UID GID WHEN
 *
 * Fields are separated by one space; ISS and SUB are percent-encoded
 * (every byte outside 0x21..0x7e, and "%"), names are portable names,
 * HOME and SHELL plain absolute paths. A pending entry past EXPIRES does
 * not exist for readers. A line that does not parse, or a file or
 * directory others could write, and the whole store is refused.
 */
#ifndef OIDC_REGFILE_H
#define OIDC_REGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "regpolicy.h"

#ifndef REGISTRY_DIR
#define REGISTRY_DIR "/var/lib/pam_oidc"
#endif
#define REGFILE_NAME      "users"
#define REGFILE_MAGIC     "pam_oidc-registry 1"
#define REGFILE_MAX       ((size_t)8 * 1024 * 1024)
#define REGFILE_LINE_MAX  4096
#define REGFILE_MAX_LINES 65536
#define REGISTRY_ISS_MAX  512
#define REGISTRY_SUB_MAX  255
#define REGISTRY_HOME_MAX (REGPOLICY_PATH_MAX + 1 + REGPOLICY_NAME_MAX)
#define REGISTRY_NOLOGIN  "/usr/sbin/nologin" /* a held name, to others */

enum oidc_regstate { REG_PENDING = 1, REG_USER, REG_RETIRED };

struct oidc_regentry {
	enum oidc_regstate state;
	char name[REGPOLICY_NAME_MAX + 1];
	uint32_t uid;
	uint32_t gid;
	int64_t created; /* reserved, or registered without a reservation */
	int64_t expires; /* pending: the end of its life; retired: when */
	char home[REGISTRY_HOME_MAX + 1];
	char shell[REGPOLICY_PATH_MAX + 1];
	char iss[REGISTRY_ISS_MAX + 1]; /* registered users only */
	char sub[REGISTRY_SUB_MAX + 1];
};

/* One version of the store. */
struct oidc_regsnap {
	char *data;
	size_t len;
	size_t body; /* where the entries start */
	int64_t rate_start;
	unsigned int rate_count;
};

/*
 * Read dir's store: 0 (a missing store, or directory, is an empty store),
 * OIDC_ERR_CONFIG when it is unsafe (a symlink, not root's, writable by
 * group or others, its directory too) or not of this format,
 * OIDC_ERR_NOMEM.
 */
int regfile_load(const char *dir, struct oidc_regsnap *s);
void regfile_free(struct oidc_regsnap *s);

/*
 * The entry at *pos (0: the first): 1 with e filled and *pos moved on, 0
 * at the end, OIDC_ERR_CONFIG for a line that does not parse.
 */
int regfile_next(
    const struct oidc_regsnap *s, size_t *pos, struct oidc_regentry *e);

/* Does e exist for readers at now: a registered user or a live pending? */
int regfile_live(const struct oidc_regentry *e, int64_t now);

enum oidc_regkey { REG_BY_NAME, REG_BY_UID, REG_BY_GID };

/*
 * The live entry with this name or id: 1 with *out, 0 none,
 * OIDC_ERR_CONFIG (unsafe or corrupt store) or OIDC_ERR_NOMEM.
 */
int regfile_find(const char *dir, int64_t now, enum oidc_regkey by,
    const char *name, uint32_t id, struct oidc_regentry *out);

/* e as one line with its newline; the length, or OIDC_ERR_INVALID. */
int regfile_format(const struct oidc_regentry *e, char *out, size_t outsz);

/* The store's first two lines; the length, or OIDC_ERR_INVALID. */
int regfile_header(
    int64_t rate_start, unsigned int rate_count, char *out, size_t outsz);

#endif
