/*
 * Bounded, wipe-on-grow buffers (see buf.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "oidc.h"

#define BUF_MIN_CAP 256

void
buf_init(struct oidc_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

/* Room for n more bytes and the NUL. */
static int
reserve(struct oidc_buf *b, size_t n)
{
	size_t cap;
	char *nd;

	if (b->err != 0)
		return b->err;
	if (n > b->max - b->len)
		return b->err = OIDC_ERR_INVALID;
	if (b->len + n + 1 <= b->cap)
		return 0;
	cap = b->cap > 0 ? b->cap : BUF_MIN_CAP;
	while (cap < b->len + n + 1)
		cap = cap > (b->max + 1) / 2 ? b->max + 1 : cap * 2;
	/* Copy rather than realloc so no stale copy is left in the heap. */
	if ((nd = malloc(cap)) == NULL)
		return b->err = OIDC_ERR_NOMEM;
	if (b->data != NULL)
		memcpy(nd, b->data, b->len + 1);
	else
		nd[0] = '\0';
	oidc_freezero(b->data, b->cap);
	b->data = nd;
	b->cap = cap;
	return 0;
}

int
buf_add(struct oidc_buf *b, const void *p, size_t n)
{
	if (reserve(b, n) != 0)
		return b->err;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
buf_printf(struct oidc_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->err != 0)
		return b->err;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return b->err = OIDC_ERR_INVALID;
	if (reserve(b, (size_t)n) != 0)
		return b->err;
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len)
		return b->err = OIDC_ERR_INVALID;
	b->len += (size_t)n;
	return 0;
}

char *
buf_take(struct oidc_buf *b, size_t *len)
{
	char *d;

	if (b->err != 0 || reserve(b, 0) != 0)
		return NULL;
	d = b->data;
	if (len != NULL)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return d;
}

void
buf_free(struct oidc_buf *b)
{
	oidc_freezero(b->data, b->cap);
	b->data = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}
