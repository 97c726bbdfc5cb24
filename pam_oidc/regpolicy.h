/*
 * The registration policy: which names may be held for a first sign-in
 * over SSH, with which UIDs, homes and shells, and how many at a time.
 * The register_* keys of pam_oidc.conf(5). The PAM module reads them with
 * the rest of its configuration (config.c calls regpolicy_set); the NSS
 * module, which must not link the module's parser, reads only these keys
 * of /etc/pam_oidc.conf with regpolicy_load. No PAM, no network.
 */
#ifndef OIDC_REGPOLICY_H
#define OIDC_REGPOLICY_H

#include <stddef.h>
#include <stdint.h>

#define REGPOLICY_CONFIG    "/etc/pam_oidc.conf" /* what the NSS module reads */
#define REGPOLICY_PATH_MAX  96                   /* register_home, shell */
#define REGPOLICY_ALLOW_MAX 512                  /* register_allow */
#define REGPOLICY_NAME_MAX  32 /* a registered name, as useradd allows */
#define REGPOLICY_RANGE_MAX ((uint32_t)1 << 20) /* UIDs in the range */
#define REGPOLICY_TTL_MIN   5
#define REGPOLICY_TTL_MAX   86400

enum regpolicy_with { REGISTER_USERADD = 0, REGISTER_NSS };

struct oidc_regpolicy {
	enum regpolicy_with with;
	int auto_register; /* the NSS module reserves only with it */
	uint32_t uid_min;  /* 0: not set */
	uint32_t uid_max;  /* 0: not set */
	char home[REGPOLICY_PATH_MAX + 1];   /* homes are HOME/NAME */
	char shell[REGPOLICY_PATH_MAX + 1];  /* the shell of a new account */
	char allow[REGPOLICY_ALLOW_MAX + 1]; /* fnmatch(3) patterns, or "" */
	unsigned int max_pending;            /* open reservations at most */
	unsigned int rate;     /* new reservations per minute at most */
	unsigned int ttl;      /* seconds a reservation lives */
	unsigned int name_max; /* username_max_length, at most 32 */
};

/* The defaults: useradd, home /home, shell /bin/bash, 50, 10/min, 600 s. */
void regpolicy_init(struct oidc_regpolicy *p);

/* Is key one of the register_* keys regpolicy_set takes? */
int regpolicy_is_key(const char *key);

/* Set one register_* key; OIDC_ERR_INVALID for a bad value. */
int regpolicy_set(struct oidc_regpolicy *p, const char *key, const char *value);

/*
 * An absolute path of at most max bytes, of the characters a passwd field
 * may safely hold, without "//", "/." or a trailing "/".
 */
int regpolicy_path_ok(const char *path, size_t max);

/*
 * With register_with = nss: a UID range that is set, ordered, at most
 * REGPOLICY_RANGE_MAX wide, and at or above UID_MIN of etc_dir/login.defs
 * (so never root or a system account). OIDC_ERR_CONFIG with why.
 */
int regpolicy_validate(const struct oidc_regpolicy *p, const char *etc_dir,
    char *why, size_t whysz);

/*
 * The NSS module's reader: the register_* keys, auto_register, shell and
 * username_max_length of the file at path (opened as safefile_read does:
 * root-owned, not writable by others), every other line ignored, then
 * validated. The text is wiped: the file may hold a client secret.
 */
int regpolicy_load(const char *path, const char *etc_dir,
    struct oidc_regpolicy *p, char *why, size_t whysz);

/*
 * May name be reserved or registered under the policy: a portable name
 * of at most name_max bytes that matches register_allow (when set)?
 */
int regpolicy_name_ok(const struct oidc_regpolicy *p, const char *name);

#endif
