/*
 * application/x-www-form-urlencoded request bodies. No curl here.
 */
#ifndef OIDC_FORM_H
#define OIDC_FORM_H

#include <stddef.h>

#include "buf.h"

#define FORM_MAX ((size_t)64 * 1024)

/* A form body under construction, { 0 } when empty; wiped when cleared. */
struct oidc_form {
	struct oidc_buf b;
};

/*
 * Add key=value, both percent-encoded (RFC 3986: all but the unreserved
 * characters). A failure sticks in f->b.err and the request refuses it.
 */
void form_add(struct oidc_form *f, const char *key, const char *value);
void form_clear(struct oidc_form *f);

/* s percent-encoded as form_add does; NULL when memory is short. */
char *form_encode(const char *s);

#endif
