/*
 * QR rendering with libqrencode (see qr.h). UTF-8 half blocks put two
 * module rows in one text line, so that a code for an 80-character link
 * (version 5, 37 modules) takes 21 lines with a two-module quiet zone.
 */
#include <errno.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "oidc.h"
#include "qr.h"

struct oidc_qrcode {
	QRcode *q;
	int level;
};

static const char *const half[4] = {
	"\xe2\x96\x88", /* both light: full block */
	"\xe2\x96\x80", /* top light: upper half */
	"\xe2\x96\x84", /* bottom light: lower half */
	" ",            /* both dark */
};

int
qr_encode(const char *text, struct oidc_qrcode **out)
{
	static const QRecLevel better[] = { QR_ECLEVEL_M, QR_ECLEVEL_Q,
		QR_ECLEVEL_H };
	struct oidc_qrcode *c;
	QRcode *q, *b;
	size_t i;

	if (text == NULL || *text == '\0' || strlen(text) > OIDC_MAX_FIELD)
		return OIDC_ERR_INVALID;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return OIDC_ERR_NOMEM;
	if ((q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_L)) == NULL) {
		free(c);
		return OIDC_ERR_NOMEM;
	}
	for (i = 0; i < sizeof(better) / sizeof(better[0]); i++) {
		errno = 0;
		b = QRcode_encodeString8bit(text, q->version, better[i]);
		/* ERANGE: too long for any version at that level. */
		if (b == NULL && errno != ERANGE) {
			QRcode_free(q);
			free(c);
			return OIDC_ERR_NOMEM;
		}
		if (b == NULL || b->version != q->version) {
			QRcode_free(b);
			break;
		}
		QRcode_free(q);
		q = b;
		c->level = (int)i + 1;
	}
	c->q = q;
	*out = c;
	return 0;
}

void
qr_free(struct oidc_qrcode *q)
{
	if (q == NULL)
		return;
	QRcode_free(q->q);
	free(q);
}

int
qr_modules(const struct oidc_qrcode *q)
{
	return q->q->width;
}

int
qr_level(const struct oidc_qrcode *q)
{
	return q->level;
}

void
qr_size(const struct oidc_qrcode *q, enum oidc_qr style, int quiet, int *cols,
    int *lines)
{
	int size = q->q->width + 2 * quiet;

	*cols = style == QR_ASCII ? 2 * size : size;
	*lines = style == QR_ASCII ? size : (size + 1) / 2;
}

/* Is module (x, y) dark? Coordinates include the quiet zone. */
static int
dark(const QRcode *q, int quiet, int x, int y)
{
	x -= quiet;
	y -= quiet;
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return 0;
	return q->data[y * q->width + x] & 1;
}

static int
draw_utf8(const QRcode *q, int quiet, char **out)
{
	int size = q->width + 2 * quiet, x, y, idx;
	size_t cap = (size_t)(size * 3 + 1) * (size_t)((size + 1) / 2) + 1;
	char *buf, *p;

	if ((buf = malloc(cap)) == NULL)
		return OIDC_ERR_NOMEM;
	p = buf;
	for (y = 0; y < size; y += 2) {
		for (x = 0; x < size; x++) {
			/* A row past the end counts as dark: nothing drawn. */
			idx = (dark(q, quiet, x, y) ? 2 : 0) |
			    (y + 1 >= size || dark(q, quiet, x, y + 1) ? 1 : 0);
			memcpy(p, half[idx], strlen(half[idx]));
			p += strlen(half[idx]);
		}
		*p++ = '\n';
	}
	*p = '\0';
	*out = buf;
	return 0;
}

static int
draw_ascii(const QRcode *q, int quiet, char **out)
{
	int size = q->width + 2 * quiet, x, y;
	char *buf, *p;

	if ((buf = malloc((size_t)(size * 2 + 1) * (size_t)size + 1)) == NULL)
		return OIDC_ERR_NOMEM;
	p = buf;
	for (y = 0; y < size; y++) {
		for (x = 0; x < size; x++) {
			*p++ = dark(q, quiet, x, y) ? ' ' : '#';
			*p++ = dark(q, quiet, x, y) ? ' ' : '#';
		}
		*p++ = '\n';
	}
	*p = '\0';
	*out = buf;
	return 0;
}

int
qr_draw(const struct oidc_qrcode *q, enum oidc_qr style, int quiet, char **out)
{
	if (quiet < 0 || quiet > QR_QUIET_SPEC)
		return OIDC_ERR_INVALID;
	if (style == QR_UTF8)
		return draw_utf8(q->q, quiet, out);
	if (style == QR_ASCII)
		return draw_ascii(q->q, quiet, out);
	return OIDC_ERR_INVALID;
}

int
qr_render(const char *text, enum oidc_qr style, char **out)
{
	struct oidc_qrcode *q = NULL;
	int r;

	if (style != QR_UTF8 && style != QR_ASCII)
		return OIDC_ERR_INVALID;
	if ((r = qr_encode(text, &q)) != 0)
		return r;
	r = qr_draw(q, style, QR_QUIET_SPEC, out);
	qr_free(q);
	return r;
}
