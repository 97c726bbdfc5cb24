/*
 * The sign-in message. The user code and URL are always shown as text,
 * even when the QR code carries verification_uri_complete: the person
 * must be able to compare them with what the provider's page shows
 * (RFC 8628 sections 3.3.1 and 5.4). The QR code's own target is shown
 * too, as the Link line, when the screen has room for it.
 *
 * Here the parts are made, in the person's language, and the QR code
 * style chosen; layout.c places them on the 80x24 screen. Where the code
 * does not fit, or the terminal cannot draw half blocks, there is no QR
 * code and a line says why.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "display.h"
#include "layout.h"
#include "oidc.h"
#include "qr.h"
#include "sanitize.h"
#include "wrap.h"

/* The text of msgid s in the person's language (l, in scope). */
#define T(s) lang_get(l, (s))

#define DEFAULT_PROMPT "Sign in with your identity provider"

static void
parts_free(struct display_parts *p)
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
    struct display_parts *p)
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
context_line(const struct oidc_display_ctx *ctx, struct display_parts *p)
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
    const struct oidc_device_auth *da, struct display_parts *p)
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

int
display_build(const struct oidc_display_ctx *ctx,
    const struct oidc_device_auth *da, char **text)
{
	const struct oidc_lang *l = ctx->lang;
	struct display_parts p;
	struct oidc_lines out = { 0 };
	struct oidc_qrcode *q = NULL;
	enum oidc_qr style = ctx->qr;
	int r, done = 0;

	memset(&p, 0, sizeof(p));
	if ((r = make_parts(ctx, da, &p)) != 0)
		goto out;
	if (style == QR_AUTO)
		style = utf8_term(ctx) ? QR_UTF8 : QR_OFF;
	/* A text libqrencode cannot encode gets no code, like one too big. */
	if (style != QR_OFF &&
	    (r = qr_encode(da->verification_uri_complete != NULL
		     ? da->verification_uri_complete
		     : da->verification_uri,
		 &q)) == OIDC_ERR_NOMEM)
		goto out;
	r = 0;
	if (q != NULL && style == QR_UTF8)
		r = layout_utf8(&p, q, ctx->wait_enter, &out, &done);
	else if (q != NULL && style == QR_ASCII)
		r = layout_ascii(&p, q, &out, &done);
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
		if ((r = layout_plain(&p, &out)) != 0)
			goto out;
	}
	r = layout_join(&out, ctx->wait_enter, text);
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
		r = layout_join(&out, enter, text);
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
