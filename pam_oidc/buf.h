/*
 * A growing byte buffer with a bound, for text the module builds: the
 * person's message, a form body, a response body, a rewritten group file.
 * It grows by copying and wiping the old copy, so a secret it held is
 * never left behind in freed memory, and it is wiped when freed. The
 * first failure sticks: later additions do nothing, and buf_err says why.
 */
#ifndef OIDC_BUF_H
#define OIDC_BUF_H

#include <stddef.h>

struct oidc_buf {
	char *data; /* NUL-terminated while not NULL */
	size_t len, cap;
	size_t max; /* bytes of content at most */
	int err;    /* 0, OIDC_ERR_NOMEM, or OIDC_ERR_INVALID past max */
};

/* An empty buffer that holds at most max bytes. */
void buf_init(struct oidc_buf *b, size_t max);

/* Append n bytes; returns b->err. */
int buf_add(struct oidc_buf *b, const void *p, size_t n);

/* Append formatted text; returns b->err. */
int buf_printf(struct oidc_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Hand the content over as a NUL-terminated string (an empty buffer gives
 * ""), leaving b empty. NULL when b failed or memory is short.
 */
char *buf_take(struct oidc_buf *b, size_t *len);

/* Wipe and free the content; the buffer may be used again. */
void buf_free(struct oidc_buf *b);

#endif
