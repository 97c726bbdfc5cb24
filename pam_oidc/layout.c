/*
 * Laying the sign-in message out on an 80x24 screen (see display.h and
 * layout.h). With a QR code: the heading first (with wait = enter it
 * takes the ssh client's "(user@host) " prefix; with wait = poll it
 * stands beside the code), the code with what to do and until when beside
 * it, then the context line, the URL, the link and the code with the
 * prompt last. What matters most is at the bottom, where it stays on the
 * screen even when a terminal that cannot draw the code (an ssh client in
 * a C locale escapes every byte) scrolls the code away. A code for an
 * 80-character link (version 5) takes 21 lines with a two-module quiet
 * zone: the heading, the code, the URL and the last line make 24. The
 * quiet zone is the four modules the standard asks for when that fits,
 * else two, which common scanners (and zbar in the end-to-end tests)
 * read.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "layout.h"
#include "oidc.h"
#include "qr.h"
#include "wrap.h"

#define GAP      2  /* columns between the QR code and its text */
#define SIDE_MIN 24 /* the narrowest text column beside it */

/* The lines a full-width line takes on the screen (it wraps there). */
static int
rows(const char *s)
{
	int w = wrap_width(s, strlen(s));

	return w <= DISPLAY_COLS ? 1 : (w + DISPLAY_COLS - 1) / DISPLAY_COLS;
}

static int
wrap_opt(const char *s, int cols, struct oidc_lines *out)
{
	return s != NULL ? wrap_text(s, cols, out) : 0;
}

/* Everything as full-width lines, no QR code. */
int
layout_plain(const struct display_parts *p, struct oidc_lines *out)
{
	int r;

	if ((r = wrap_text(p->heading, DISPLAY_COLS, out)) != 0 ||
	    (r = wrap_text(p->context, DISPLAY_COLS, out)) != 0 ||
	    (r = lines_add(out, p->open, strlen(p->open))) != 0 ||
	    (r = lines_add(out, p->code, strlen(p->code))) != 0 ||
	    (p->link != NULL &&
		(r = lines_add(out, p->link, strlen(p->link))) != 0) ||
	    (r = wrap_opt(p->valid, DISPLAY_COLS, out)) != 0 ||
	    (r = wrap_opt(p->note, DISPLAY_COLS, out)) != 0)
		return r;
	return wrap_text(p->final, DISPLAY_COLS, out);
}

/*
 * One line: left (NULL: nothing), then pad spaces and text when there is
 * text.
 */
static int
add_row(struct oidc_lines *out, const char *left, int pad, const char *text)
{
	struct oidc_buf b;
	size_t len = 0;
	char *s;
	int i, r;

	buf_init(&b, DISPLAY_MAX);
	if (left != NULL)
		buf_add(&b, left, strlen(left));
	if (text != NULL && *text != '\0') {
		for (i = 0; i < pad; i++)
			buf_add(&b, " ", 1);
		buf_add(&b, text, strlen(text));
	}
	if ((r = b.err) == 0) {
		if ((s = buf_take(&b, &len)) == NULL)
			r = OIDC_ERR_NOMEM;
		else {
			r = lines_add(out, s, len);
			free(s);
		}
	}
	buf_free(&b);
	return r;
}

/* Row i of the block: the QR line (or blanks) and the text beside it. */
static int
block_row(struct oidc_lines *out, const char *left, int cols, const char *text)
{
	return add_row(out, left, left != NULL ? GAP : cols + GAP, text);
}

struct block {
	struct oidc_lines top, side, bottom, qr;
	int cols, qlines;
};

static void
block_free(struct block *b)
{
	lines_free(&b->top);
	lines_free(&b->side);
	lines_free(&b->bottom);
	lines_free(&b->qr);
}

/*
 * The code and the last line (the prompt, or "Waiting…") on one line when
 * they fit: the prompt must come last, and the code stays next to it.
 */
static int
code_and_final(const struct display_parts *p, struct oidc_lines *out)
{
	size_t cw = (size_t)wrap_width(p->code, strlen(p->code));
	size_t fw = (size_t)wrap_width(p->final, strlen(p->final));
	int r;

	if (cw + GAP + fw > DISPLAY_COLS) {
		if ((r = lines_add(out, p->code, strlen(p->code))) != 0)
			return r;
		return wrap_text(p->final, DISPLAY_COLS, out);
	}
	return add_row(out, p->code, GAP, p->final);
}

/* One way to lay the text out around the code. */
struct shape {
	int quiet;      /* the quiet zone */
	int ctx_bottom; /* the context line below the code, else beside */
	int link;       /* the Link line */
};

/*
 * Lay the text out around a code of cols x qlines (*fits when it fits).
 * Above the code: the heading (wait = enter: it takes the ssh client's
 * "(user@host) " prefix; with wait = poll it stands beside the code).
 * Beside it: what to do and until when. Below it: the context line, the
 * URL, the link, and the code with the prompt last. What matters most is
 * at the bottom, where it stays on the screen even when a terminal that
 * cannot draw the code (an ssh client in a C locale escapes every byte)
 * scrolls the code away.
 */
static int
arrange(const struct display_parts *p, int enter, const struct shape *sh,
    struct block *b, int *fits)
{
	int side_w = DISPLAY_COLS - b->cols - GAP, total = 0, r;
	size_t i, n;

	*fits = 0;
	if (side_w < SIDE_MIN)
		return 0;
	if ((enter &&
		(r = wrap_text(p->heading, DISPLAY_COLS, &b->top)) != 0) ||
	    (!enter &&
		((r = wrap_text(p->heading, side_w, &b->side)) != 0 ||
		    (r = lines_add(&b->side, "", 0)) != 0)) ||
	    (!sh->ctx_bottom &&
		((r = wrap_text(p->context, side_w, &b->side)) != 0 ||
		    (r = lines_add(&b->side, "", 0)) != 0)) ||
	    (r = wrap_text(p->hint, side_w, &b->side)) != 0 ||
	    (p->valid != NULL &&
		((r = lines_add(&b->side, "", 0)) != 0 ||
		    (r = wrap_text(p->valid, side_w, &b->side)) != 0)) ||
	    (sh->ctx_bottom &&
		(r = wrap_text(p->context, DISPLAY_COLS, &b->bottom)) != 0) ||
	    (r = lines_add(&b->bottom, p->open, strlen(p->open))) != 0 ||
	    (sh->link &&
		(r = lines_add(&b->bottom, p->link, strlen(p->link))) != 0) ||
	    (r = code_and_final(p, &b->bottom)) != 0)
		return r;
	for (i = 0; i < b->top.n; i++)
		total += rows(b->top.v[i]);
	for (i = 0; i < b->bottom.n; i++)
		total += rows(b->bottom.v[i]);
	n = b->side.n;
	total += (int)n > b->qlines ? (int)n : b->qlines;
	/* With wait = poll the cursor takes the line after the message. */
	*fits = total <= (enter ? DISPLAY_LINES : DISPLAY_LINES - 1);
	return 0;
}

static int
add_all(struct oidc_lines *out, const struct oidc_lines *in)
{
	size_t i;
	int r;

	for (i = 0; i < in->n; i++)
		if ((r = lines_add(out, in->v[i], strlen(in->v[i]))) != 0)
			return r;
	return 0;
}

/* The QR code with the text around it, when it fits (*fits). */
static int
beside(const struct display_parts *p, const struct oidc_qrcode *q, int enter,
    const struct shape *sh, struct oidc_lines *out, int *fits)
{
	struct block b;
	char *drawn = NULL, *s, *nl;
	size_t i, rows_n;
	int r;

	memset(&b, 0, sizeof(b));
	qr_size(q, QR_UTF8, sh->quiet, &b.cols, &b.qlines);
	if ((r = arrange(p, enter, sh, &b, fits)) != 0 || !*fits)
		goto out;
	if ((r = qr_draw(q, QR_UTF8, sh->quiet, &drawn)) != 0)
		goto out;
	for (s = drawn; (nl = strchr(s, '\n')) != NULL; s = nl + 1)
		if ((r = lines_add(&b.qr, s, (size_t)(nl - s))) != 0)
			goto out;
	if ((r = add_all(out, &b.top)) != 0)
		goto out;
	rows_n = b.side.n > b.qr.n ? b.side.n : b.qr.n;
	for (i = 0; i < rows_n; i++)
		if ((r = block_row(out, i < b.qr.n ? b.qr.v[i] : NULL, b.cols,
			 i < b.side.n ? b.side.v[i] : NULL)) != 0)
			goto out;
	r = add_all(out, &b.bottom);
out:
	free(drawn);
	block_free(&b);
	return r;
}

/* The lines joined; the prompt's last line ends in a space. */
int
layout_join(const struct oidc_lines *ls, int enter, char **text)
{
	struct oidc_buf sb;
	size_t i;
	int r;

	buf_init(&sb, DISPLAY_MAX);
	for (i = 0; i < ls->n; i++)
		buf_printf(&sb, "%s%s", i > 0 ? "\n" : "", ls->v[i]);
	if (enter)
		buf_add(&sb, " ", 1);
	if ((r = sb.err) == 0 && (*text = buf_take(&sb, NULL)) == NULL)
		r = OIDC_ERR_NOMEM;
	buf_free(&sb);
	return r;
}

/*
 * qr = utf8 (or auto on a UTF-8 terminal): around the text, if it fits.
 * The four-module quiet zone before two, the context line below the code
 * before beside it, the Link line when there is room.
 */
int
layout_utf8(const struct display_parts *p, const struct oidc_qrcode *q,
    int enter, struct oidc_lines *out, int *done)
{
	static const struct shape shapes[] = { { QR_QUIET_SPEC, 1, 1 },
		{ QR_QUIET_SPEC, 1, 0 }, { QR_QUIET_MIN, 1, 1 },
		{ QR_QUIET_MIN, 1, 0 }, { QR_QUIET_SPEC, 0, 0 },
		{ QR_QUIET_MIN, 0, 0 } };
	size_t i;
	int r;

	*done = 0;
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]) && !*done; i++) {
		if (shapes[i].link && p->link == NULL)
			continue;
		lines_free(out);
		if ((r = beside(p, q, enter, &shapes[i], out, done)) != 0)
			return r;
	}
	return 0;
}

/* qr = ascii: the code (two characters a module) above the text. */
int
layout_ascii(const struct display_parts *p, const struct oidc_qrcode *q,
    struct oidc_lines *out, int *done)
{
	char *drawn = NULL, *s, *nl;
	int cols, qlines, r;

	*done = 0;
	qr_size(q, QR_ASCII, QR_QUIET_SPEC, &cols, &qlines);
	if (cols > DISPLAY_COLS)
		return 0;
	if ((r = qr_draw(q, QR_ASCII, QR_QUIET_SPEC, &drawn)) != 0)
		return r;
	for (s = drawn; (nl = strchr(s, '\n')) != NULL; s = nl + 1)
		if ((r = lines_add(out, s, (size_t)(nl - s))) != 0)
			break;
	free(drawn);
	if (r == 0 && (r = layout_plain(p, out)) == 0)
		*done = 1;
	return r;
}
