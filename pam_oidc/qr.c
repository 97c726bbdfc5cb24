/*
 * QR rendering with libqrencode: UTF-8 half blocks put two module rows in
 * one text line, so a code fits a 80x24 terminal.
 */
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "oidc.h"
#include "qr.h"

#define QUIET 4

static const char *const half[4] = {
	"\xe2\x96\x88", /* both light: full block */
	"\xe2\x96\x80", /* top light: upper half */
	"\xe2\x96\x84", /* bottom light: lower half */
	" ",            /* both dark */
};

/* Is module (x, y) dark? Coordinates include the quiet zone. */
static int
dark(const QRcode *q, int x, int y)
{
	x -= QUIET;
	y -= QUIET;
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return 0;
	return q->data[y * q->width + x] & 1;
}

static int
render_utf8(const QRcode *q, char **out)
{
	int size = q->width + 2 * QUIET, x, y, idx;
	size_t cap = (size_t)(size * 3 + 1) * (size_t)((size + 1) / 2) + 1;
	char *buf, *p;

	if ((buf = malloc(cap)) == NULL)
		return OIDC_ERR_NOMEM;
	p = buf;
	for (y = 0; y < size; y += 2) {
		for (x = 0; x < size; x++) {
			/* A row past the end counts as dark: nothing drawn. */
			idx = (dark(q, x, y) ? 2 : 0) |
			    (y + 1 >= size || dark(q, x, y + 1) ? 1 : 0);
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
render_ascii(const QRcode *q, char **out)
{
	int size = q->width + 2 * QUIET, x, y;
	char *buf, *p;

	if ((buf = malloc((size_t)(size * 2 + 1) * (size_t)size + 1)) == NULL)
		return OIDC_ERR_NOMEM;
	p = buf;
	for (y = 0; y < size; y++) {
		for (x = 0; x < size; x++) {
			*p++ = dark(q, x, y) ? ' ' : '#';
			*p++ = dark(q, x, y) ? ' ' : '#';
		}
		*p++ = '\n';
	}
	*p = '\0';
	*out = buf;
	return 0;
}

int
qr_render(const char *text, enum oidc_qr style, char **out)
{
	QRcode *q;
	int r;

	if (style == QR_OFF || strlen(text) > OIDC_MAX_FIELD)
		return OIDC_ERR_INVALID;
	if ((q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_L)) == NULL)
		return OIDC_ERR_NOMEM;
	r = style == QR_UTF8 ? render_utf8(q, out) : render_ascii(q, out);
	QRcode_free(q);
	return r;
}
