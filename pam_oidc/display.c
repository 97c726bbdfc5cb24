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

#include "buf.h"
#include "display.h"
#include "oidc.h"
#include "qr.h"
#include "sanitize.h"

int
display_build(const struct oidc_display_ctx *ctx,
    const struct oidc_device_auth *da, char **text)
{
	struct oidc_buf sb;
	char *prompt = NULL, *host = NULL, *svc = NULL, *user = NULL;
	char *qr = NULL;
	const char *qr_text;
	int r;

	buf_init(&sb, DISPLAY_MAX);
	if ((r = sanitize_text(ctx->prompt, 200, &prompt)) != 0 ||
	    (r = sanitize_text(
		 ctx->host ? ctx->host : "this machine", 128, &host)) != 0 ||
	    (r = sanitize_text(
		 ctx->service ? ctx->service : "login", 64, &svc)) != 0 ||
	    (r = sanitize_text(ctx->user ? ctx->user : "", 64, &user)) != 0)
		goto out;
	qr_text = da->verification_uri_complete != NULL
	    ? da->verification_uri_complete
	    : da->verification_uri;
	if (ctx->qr != QR_OFF &&
	    (r = qr_render(qr_text, ctx->qr, &qr)) == OIDC_ERR_NOMEM)
		goto out;
	buf_printf(&sb, "%s\n", prompt);
	if (ctx->user != NULL)
		buf_printf(
		    &sb, "Sign-in for %s to %s on %s.\n", user, svc, host);
	else
		buf_printf(&sb,
		    "Sign-in to %s on %s, as the account you "
		    "approve with.\n",
		    svc, host);
	buf_printf(&sb, "Open:  %s\n", da->verification_uri);
	buf_printf(&sb, "Code:  %s\n", da->user_code);
	/* What the QR code opens, so it can be checked before scanning. */
	if (da->verification_uri_complete != NULL)
		buf_printf(&sb, "Link:  %s\n", da->verification_uri_complete);
	if (qr != NULL)
		buf_printf(&sb, "Or scan:\n%s", qr);
	if (ctx->wait_enter)
		buf_printf(&sb,
		    "Press Enter after you have approved the "
		    "sign-in: ");
	else
		buf_printf(&sb, "Waiting for approval...");
	if ((r = sb.err) != 0)
		goto out;
	if ((*text = buf_take(&sb, NULL)) == NULL)
		r = OIDC_ERR_NOMEM;
out:
	buf_free(&sb);
	free(prompt);
	free(host);
	free(svc);
	free(user);
	free(qr);
	return r;
}
