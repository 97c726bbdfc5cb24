/*
 * Form bodies (see form.h).
 */
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "oidc.h"

static int
unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	    c == '~';
}

char *
form_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	size_t n = 0;
	char *out, *o;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		n += unreserved(*p) ? 1 : 3;
	if ((out = o = malloc(n + 1)) == NULL)
		return NULL;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (unreserved(*p)) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

void
form_add(struct oidc_form *f, const char *key, const char *value)
{
	char *k = NULL, *v = NULL;

	/* A form starts as { 0 }: its bound is set at the first field. */
	if (f->b.max == 0 && f->b.data == NULL && f->b.err == 0)
		buf_init(&f->b, FORM_MAX);
	if (f->b.err != 0)
		return;
	if (key == NULL || value == NULL) {
		f->b.err = OIDC_ERR_INVALID;
		return;
	}
	if ((k = form_encode(key)) == NULL || (v = form_encode(value)) == NULL)
		f->b.err = OIDC_ERR_NOMEM;
	else
		buf_printf(&f->b, "%s%s=%s", f->b.len > 0 ? "&" : "", k, v);
	oidc_strfree(k);
	oidc_strfree(v);
}

void
form_clear(struct oidc_form *f)
{
	buf_free(&f->b);
	memset(f, 0, sizeof(*f));
}
