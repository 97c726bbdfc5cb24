/*
 * Shared definitions of the pam_oidc core: error codes, bounds, the reason
 * formatter and secret-wiping frees (oidc.c), and the clock (interrupt.c).
 */
#ifndef OIDC_H
#define OIDC_H

#include <stddef.h>
#include <stdint.h>

#define OIDC_VERSION "0.1.0"

/* Bounds on everything that comes from the network. */
#define OIDC_MAX_BODY         ((size_t)1024 * 1024) /* one HTTP response */
#define OIDC_MAX_TOKEN        ((size_t)64 * 1024)   /* one compact JWS */
#define OIDC_MAX_FIELD        2048                  /* a displayed string */
#define OIDC_MAX_USER_CODE    64
#define OIDC_MAX_POLLS        2000
#define OIDC_DEFAULT_INTERVAL 5
#define OIDC_SLOW_DOWN_STEP   5
#define OIDC_MAX_INTERVAL     60
#define OIDC_MAX_EXPIRES      86400 /* a device code's life, at most */

enum oidc_err {
	OIDC_OK = 0,
	OIDC_ERR_NOMEM = -1,         /* out of memory */
	OIDC_ERR_CONFIG = -2,        /* bad or unsafe configuration */
	OIDC_ERR_UNAVAIL = -3,       /* provider unreachable, TLS failure */
	OIDC_ERR_PROTOCOL = -4,      /* malformed answer from the provider */
	OIDC_ERR_DENIED = -5,        /* the person denied the sign-in */
	OIDC_ERR_EXPIRED = -6,       /* the code expired, or the deadline */
	OIDC_ERR_TOKEN = -7,         /* the ID token failed verification */
	OIDC_ERR_KID = -8,           /* no JWKS key has the token's kid */
	OIDC_ERR_MISMATCH = -9,      /* identity is not PAM_USER */
	OIDC_ERR_CLAIM = -10,        /* a claim requirement is unmet */
	OIDC_ERR_CONV = -11,         /* conversation failed or aborted */
	OIDC_ERR_CONV_AGAIN = -12,   /* conversation asks to resume */
	OIDC_ERR_USER_UNKNOWN = -13, /* no such local user */
	OIDC_ERR_INVALID = -14,      /* bad input to a parser */
	OIDC_ERR_SYSTEM = -15,       /* a local system call failed */
	OIDC_ERR_CLIENT = -16,       /* the provider rejected our client */
	OIDC_ERR_PERM = -17,         /* allowed_roles turns the user away */
};

const char *oidc_strerror(int err);

/*
 * Milliseconds on the monotonic clock. Defined in interrupt.c with the
 * sleeping it paces, so that tests replace both together.
 */
int64_t oidc_now_ms(void);

/*
 * Say why for the administrator: format into why (when given) and
 * return err, so that a failure and its reason are one statement.
 */
int oidc_why(char *why, size_t whysz, int err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* s without its leading and trailing blanks (and a final CR), in place. */
char *oidc_trim(char *s);

/* Wipe and free; free(NULL)-safe. */
void oidc_freezero(void *p, size_t len);
void oidc_strfree(char *s);

#endif
