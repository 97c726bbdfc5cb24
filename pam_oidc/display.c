/*
 * The sign-in message. The user code and URL are always shown as text,
 * even when the QR code carries verification_uri_complete: the person
 * must be able to compare them with what the provider's page shows
 * (RFC 8628 sections 3.3.1 and 5.4). The QR code's own target is shown
 * too, as the Link line, when the screen has room for it.
 *
 * Layout, for an 80x24 terminal (display.h): with a QR code, the heading,
 * the URL and the link span the screen, and the rest stands in a column
 * to the right of the code, the prompt last. A code for an 80-character
 * link (version 5) takes 21 lines with a two-module quiet zone, which
 * leaves exactly the heading and the URL above it. The quiet zone is the
 * four modules the standard asks for when that fits, else two, which
 * common scanners (and zbar in the end-to-end tests) read. Where neither
 * fits, or the terminal cannot draw half blocks, there is no QR code and
 * a line says why.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "display.h"
#include "oidc.h"
#include "qr.h"
#include "sanitize.h"
#include "wrap.h"

/* The text of msgid s in the person's language (l, in scope). */
#define T(s) lang_get(l, (s))

#define DEFAULT_PROMPT "Sign in with your identity provider"
#define GAP            2  /* columns between the QR code and its text */
#define SIDE_MIN       24 /* the narrowest text column beside it */

struct parts {
	char *heading;
	char *context;
	char *open, *code, *link; /* link: NULL without a complete URI */
	char *valid;              /* NULL when the time left is unknown */
	char *hint;
	char *final; /* the prompt or "Waiting…", without a trailing space */
	char *note;  /* why there is no QR code, or NULL */
};

static void
parts_free(struct parts *p)
{
	free(p->heading);
	free(p->context);
	free(p->open);
	free(p->code);
	free(p->link);
	free(p->valid);
	free(p->hint);
	free(p->final);
	free(p->note);
}

static int fmt(char **out, const char *f, ...)
    __attribute__((format(printf, 2, 3)));

static int
fmt(char **out, const char *f, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, f);
	n = vsnprintf(NULL, 0, f, ap);
	va_end(ap);
	if (n < 0)
		return OIDC_ERR_INVALID;
	if ((s = malloc((size_t)n + 1)) == NULL)
		return OIDC_ERR_NOMEM;
	va_start(ap, f);
	n = vsnprintf(s, (size_t)n + 1, f, ap);
	va_end(ap);
	if (n < 0) {
		free(s);
		return OIDC_ERR_INVALID;
	}
	*out = s;
	return 0;
}

/* A terminal that takes ASCII only: every other character becomes '?'. */
static void
asciify(char *s)
{
	char *o = s;

	if (s == NULL)
		return;
	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) == 0x80)
			continue;
		if ((unsigned char)*s >= 0x80)
			*o++ = '?';
		else
			*o++ = *s;
	}
	*o = '\0';
}

static int
utf8_term(const struct oidc_display_ctx *ctx)
{
	return ctx->lang == NULL || ctx->lang->utf8;
}

/* "14:05": the local time of this machine. */
static void
clock_text(time_t t, char *buf, size_t sz)
{
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, sz, "%H:%M", &tm) == 0)
		(void)snprintf(buf, sz, "--:--");
}

static long
minutes_left(const struct oidc_display_ctx *ctx)
{
	return (ctx->left_s + 30) / 60;
}

static int
validity(const struct oidc_display_ctx *ctx, char **out)
{
	const struct oidc_lang *l = ctx->lang;
	char hhmm[16];

	*out = NULL;
	if (ctx->left_s < 0)
		return 0;
	clock_text(ctx->until, hhmm, sizeof(hhmm));
	if (minutes_left(ctx) >= 1)
		return fmt(out, T("Valid until %s (%ld min left)."), hhmm,
		    minutes_left(ctx));
	return fmt(out, T("Valid until %s (less than a minute left)."), hhmm);
}

/* "Code:" and its value, the label padded to width columns. */
static int
labelled(const char *label, int width, const char *value, char **out)
{
	int pad = width - wrap_width(label, strlen(label));

	return fmt(out, "%s%*s%s", label, pad > 0 ? pad : 0, "", value);
}

static int
labels(const struct oidc_display_ctx *ctx, const struct oidc_device_auth *da,
    struct parts *p)
{
	const struct oidc_lang *l = ctx->lang;
	const char *open = T("Open:"), *code = T("Code:"), *link = T("Link:");
	int w = wrap_width(open, strlen(open)), r;

	if (wrap_width(code, strlen(code)) > w)
		w = wrap_width(code, strlen(code));
	if (wrap_width(link, strlen(link)) > w)
		w = wrap_width(link, strlen(link));
	w += 2;
	if ((r = labelled(open, w, da->verification_uri, &p->open)) != 0 ||
	    (r = labelled(code, w, da->user_code, &p->code)) != 0)
		return r;
	if (da->verification_uri_complete != NULL)
		r = labelled(link, w, da->verification_uri_complete, &p->link);
	return r;
}

static int
context_line(const struct oidc_display_ctx *ctx, struct parts *p)
{
	const struct oidc_lang *l = ctx->lang;
	char *host = NULL, *svc = NULL, *user = NULL;
	int r;

	if ((r = sanitize_text(
		 ctx->host ? ctx->host : T("this machine"), 128, &host)) != 0 ||
	    (r = sanitize_text(
		 ctx->service ? ctx->service : "login", 64, &svc)) != 0 ||
	    (r = sanitize_text(ctx->user ? ctx->user : "", 64, &user)) != 0)
		goto out;
	if (ctx->user != NULL)
		r = fmt(&p->context, T("Sign-in for %s to %s on %s."), user,
		    svc, host);
	else
		r = fmt(&p->context,
		    T("Sign-in to %s on %s, as the account you approve with."),
		    svc, host);
out:
	free(host);
	free(svc);
	free(user);
	return r;
}

static int
make_parts(const struct oidc_display_ctx *ctx,
    const struct oidc_device_auth *da, struct parts *p)
{
	const struct oidc_lang *l = ctx->lang;
	const char *prompt = ctx->prompt != NULL ? ctx->prompt : DEFAULT_PROMPT;
	int r;

	/* The default heading is translated; the administrator's is theirs. */
	if (strcmp(prompt, DEFAULT_PROMPT) == 0)
		prompt = T("Sign in with your identity provider");
	if ((r = sanitize_text(prompt, 200, &p->heading)) != 0 ||
	    (r = context_line(ctx, p)) != 0 || (r = labels(ctx, da, p)) != 0 ||
	    (r = validity(ctx, &p->valid)) != 0)
		return r;
	if ((p->hint = strdup(T("Scan the QR code, or open the page and enter "
				"the code."))) == NULL ||
	    (p->final = strdup(ctx->wait_enter
		     ? T("Press Enter after you have approved the sign-in:")
		     : T("Waiting for approval..."))) == NULL)
		return OIDC_ERR_NOMEM;
	if (!utf8_term(ctx)) {
		asciify(p->heading);
		asciify(p->context);
		asciify(p->open);
		asciify(p->code);
		asciify(p->link);
		asciify(p->valid);
		asciify(p->hint);
		asciify(p->final);
	}
	return 0;
}

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
static int
plain(const struct parts *p, struct oidc_lines *out)
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

/* Row i of the block: the QR line (or blanks) and the text beside it. */
static int
block_row(struct oidc_lines *out, const char *left, int cols, const char *text)
{
	char *s = NULL;
	int r;

	if (text == NULL || *text == '\0')
		r = fmt(&s, "%s", left != NULL ? left : "");
	else
		r = fmt(&s, "%s%*s%s", left != NULL ? left : "",
		    left != NULL ? GAP : cols + GAP, "", text);
	if (r != 0)
		return r;
	r = lines_add(out, s, strlen(s));
	free(s);
	return r;
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
code_and_final(const struct parts *p, struct oidc_lines *out)
{
	size_t cw = (size_t)wrap_width(p->code, strlen(p->code));
	size_t fw = (size_t)wrap_width(p->final, strlen(p->final));
	char *s = NULL;
	int r;

	if (cw + GAP + fw > DISPLAY_COLS) {
		if ((r = lines_add(out, p->code, strlen(p->code))) != 0)
			return r;
		return wrap_text(p->final, DISPLAY_COLS, out);
	}
	if ((r = fmt(&s, "%s%*s%s", p->code, GAP, "", p->final)) != 0)
		return r;
	r = lines_add(out, s, strlen(s));
	free(s);
	return r;
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
arrange(const struct parts *p, int enter, const struct shape *sh,
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
beside(const struct parts *p, const struct oidc_qrcode *q, int enter,
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
static int
join(const struct oidc_lines *ls, int enter, char **text)
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
static int
with_qr(const struct parts *p, const struct oidc_qrcode *q, int enter,
    struct oidc_lines *out, int *done)
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
static int
ascii_qr(const struct parts *p, const struct oidc_qrcode *q,
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
	if (r == 0 && (r = plain(p, out)) == 0)
		*done = 1;
	return r;
}

int
display_build(const struct oidc_display_ctx *ctx,
    const struct oidc_device_auth *da, char **text)
{
	const struct oidc_lang *l = ctx->lang;
	struct parts p;
	struct oidc_lines out = { 0 };
	struct oidc_qrcode *q = NULL;
	enum oidc_qr style = ctx->qr;
	int r, done = 0;

	memset(&p, 0, sizeof(p));
	if ((r = make_parts(ctx, da, &p)) != 0)
		goto out;
	if (style == QR_AUTO)
		style = utf8_term(ctx) ? QR_UTF8 : QR_OFF;
	if (style != QR_OFF &&
	    (r = qr_encode(da->verification_uri_complete != NULL
		     ? da->verification_uri_complete
		     : da->verification_uri,
		 &q)) != 0)
		goto out;
	if (style == QR_UTF8)
		r = with_qr(&p, q, ctx->wait_enter, &out, &done);
	else if (style == QR_ASCII)
		r = ascii_qr(&p, q, &out, &done);
	if (r != 0)
		goto out;
	if (!done) {
		lines_free(&out);
		if (ctx->qr == QR_AUTO && style == QR_OFF)
			r = fmt(&p.note, "%s",
			    T("No QR code: this terminal cannot show one."));
		else if (style != QR_OFF)
			r = fmt(&p.note, "%s",
			    T("No QR code: it does not fit on the screen."));
		if (r != 0)
			goto out;
		if (!utf8_term(ctx))
			asciify(p.note);
		if ((r = plain(&p, &out)) != 0)
			goto out;
	}
	r = join(&out, ctx->wait_enter, text);
out:
	qr_free(q);
	lines_free(&out);
	parts_free(&p);
	return r;
}

/* A notice: its lines wrapped to the screen, asciified if need be. */
static int
notice(const struct oidc_display_ctx *ctx, char *msg, int enter, char **text)
{
	const struct oidc_lang *l = ctx->lang;
	struct oidc_lines out = { 0 };
	char *prompt = NULL;
	int r;

	if (msg == NULL)
		return OIDC_ERR_NOMEM;
	if (enter &&
	    (prompt = strdup(T("Press Enter after you have approved "
			       "the sign-in:"))) == NULL) {
		free(msg);
		return OIDC_ERR_NOMEM;
	}
	if (!utf8_term(ctx)) {
		asciify(msg);
		asciify(prompt);
	}
	if ((r = wrap_text(msg, DISPLAY_COLS, &out)) == 0 &&
	    (prompt == NULL ||
		(r = wrap_text(prompt, DISPLAY_COLS, &out)) == 0))
		r = join(&out, enter, text);
	lines_free(&out);
	free(prompt);
	free(msg);
	return r;
}

int
display_pending(const struct oidc_display_ctx *ctx, char **text)
{
	const struct oidc_lang *l = ctx->lang;
	char hhmm[16], *msg = NULL;
	int r;

	clock_text(ctx->until, hhmm, sizeof(hhmm));
	if (minutes_left(ctx) >= 1)
		r = fmt(&msg,
		    T("Not approved yet. The code is valid until %s (%ld min "
		      "left)."),
		    hhmm, minutes_left(ctx));
	else
		r = fmt(&msg,
		    T("Not approved yet. The code is valid until %s (less "
		      "than a minute left)."),
		    hhmm);
	return r != 0 ? r : notice(ctx, msg, 1, text);
}

int
display_expiring(const struct oidc_display_ctx *ctx, char **text)
{
	const struct oidc_lang *l = ctx->lang;
	char hhmm[16], *msg = NULL;
	int r;

	clock_text(ctx->until, hhmm, sizeof(hhmm));
	r = fmt(&msg, T("The code expires at %s, in %ld seconds."), hhmm,
	    ctx->left_s > 0 ? ctx->left_s : 0);
	return r != 0 ? r : notice(ctx, msg, 0, text);
}

int
display_expired(const struct oidc_display_ctx *ctx, int budget, char **text)
{
	const struct oidc_lang *l = ctx->lang;
	char hhmm[16], *msg = NULL;
	int r;

	clock_text(ctx->until, hhmm, sizeof(hhmm));
	if (budget)
		r = fmt(&msg,
		    T("Time is up: the sign-in was not approved by %s."), hhmm);
	else
		r = fmt(&msg,
		    T("The code expired at %s before the sign-in was "
		      "approved."),
		    hhmm);
	return r != 0 ? r : notice(ctx, msg, 0, text);
}
