/*
 * The sign-in message. The user code and URL are always shown as text,
 * even when the QR code carries verification_uri_complete: the person
 * must be able to compare them with what the provider's page shows
 * (RFC 8628 sections 3.3.1 and 5.4). The QR code's own target is shown
 * too, as the Link line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "display.h"
#include "oidc.h"
#include "qr.h"
#include "sanitize.h"

struct sbuf {
	char *buf;
	size_t len, cap;
	int err;
};

static void sb_printf(struct sbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	char *nb;
	int n;

	if (sb->err != 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->err = OIDC_ERR_INVALID;
		return;
	}
	if (sb->len + (size_t)n + 1 > sb->cap) {
		if ((nb = realloc(sb->buf, sb->len + (size_t)n + 256)) ==
		    NULL) {
			sb->err = OIDC_ERR_NOMEM;
			return;
		}
		sb->buf = nb;
		sb->cap = sb->len + (size_t)n + 256;
	}
	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->err = OIDC_ERR_INVALID;
		return;
	}
	sb->len += (size_t)n;
}

int
display_build(const struct oidc_config *cfg, const struct oidc_display_ctx *ctx,
    const struct oidc_device_auth *da, char **text)
{
	struct sbuf sb = { 0 };
	char *prompt = NULL, *host = NULL, *svc = NULL, *user = NULL;
	char *qr = NULL;
	const char *qr_text;
	int r;

	if ((r = sanitize_text(cfg->prompt, 200, &prompt)) != 0 ||
	    (r = sanitize_text(
		 ctx->host ? ctx->host : "this machine", 128, &host)) != 0 ||
	    (r = sanitize_text(
		 ctx->service ? ctx->service : "login", 64, &svc)) != 0 ||
	    (r = sanitize_text(ctx->user ? ctx->user : "", 64, &user)) != 0)
		goto out;
	qr_text = da->verification_uri_complete != NULL
	    ? da->verification_uri_complete
	    : da->verification_uri;
	if (cfg->qr != QR_OFF &&
	    (r = qr_render(qr_text, cfg->qr, &qr)) == OIDC_ERR_NOMEM)
		goto out;
	sb_printf(&sb, "%s\n", prompt);
	if (ctx->user != NULL)
		sb_printf(
		    &sb, "Sign-in for %s to %s on %s.\n", user, svc, host);
	else
		sb_printf(&sb,
		    "Sign-in to %s on %s, as the account you "
		    "approve with.\n",
		    svc, host);
	sb_printf(&sb, "Open:  %s\n", da->verification_uri);
	sb_printf(&sb, "Code:  %s\n", da->user_code);
	/* What the QR code opens, so it can be checked before scanning. */
	if (da->verification_uri_complete != NULL)
		sb_printf(&sb, "Link:  %s\n", da->verification_uri_complete);
	if (qr != NULL)
		sb_printf(&sb, "Or scan:\n%s", qr);
	if (ctx->wait_enter)
		sb_printf(&sb,
		    "Press Enter after you have approved the "
		    "sign-in: ");
	else
		sb_printf(&sb, "Waiting for approval...");
	if ((r = sb.err) != 0)
		goto out;
	*text = sb.buf;
	sb.buf = NULL;
out:
	free(sb.buf);
	free(prompt);
	free(host);
	free(svc);
	free(user);
	free(qr);
	return r;
}
