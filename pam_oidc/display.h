/*
 * What the person sees: who is asking, the URL, the code, until when it
 * is valid and a QR code, on one 80x24 screen; and the lines that follow
 * while they approve (not approved yet, about to expire, expired).
 */
#ifndef OIDC_DISPLAY_H
#define OIDC_DISPLAY_H

#include <time.h>

#include "device_flow.h"
#include "lang.h"
#include "layout.h"
#include "qr.h"

struct oidc_display_ctx {
	const char *host;
	const char *service;
	const char *user; /* NULL: chosen at sign-in (kiosk) */
	int wait_enter;
	const char *prompt; /* the first line (config: prompt) */
	enum oidc_qr qr;    /* QR_AUTO: half blocks on a UTF-8 terminal */
	const struct oidc_lang *lang; /* NULL: English on a UTF-8 terminal */
	time_t until;                 /* when the code runs out (local) */
	long left_s;                  /* seconds it has left; < 0: unsaid */
};

/*
 * Build the whole message; every part is already sanitised. With a QR
 * code, what to do and until when stand beside it, and the context line,
 * the URL and the code with the prompt below it. When the code does not
 * fit the screen (or the terminal cannot draw it) it is left out and a
 * line says so: the URL and the code are always shown.
 */
int display_build(const struct oidc_display_ctx *ctx,
    const struct oidc_device_auth *da, char **text);

/*
 * wait = enter, Enter pressed before the approval: "not approved yet",
 * the time left, and the prompt again.
 */
int display_pending(const struct oidc_display_ctx *ctx, char **text);

/* wait = poll: the code is about to run out. */
int display_expiring(const struct oidc_display_ctx *ctx, char **text);

/*
 * The code ran out: expired at the provider (budget 0), or the time
 * this machine allows (timeout) ended first (budget 1).
 */
int display_expired(
    const struct oidc_display_ctx *ctx, int budget, char **text);

#endif
