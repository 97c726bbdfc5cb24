/*
 * What the person sees: who is asking, the URL, the code and a QR code.
 */
#ifndef OIDC_DISPLAY_H
#define OIDC_DISPLAY_H

#include "device_flow.h"
#include "qr.h"

/* The longest message display_build makes. */
#define DISPLAY_MAX ((size_t)64 * 1024)

struct oidc_display_ctx {
	const char *host;
	const char *service;
	const char *user; /* NULL: chosen at sign-in (kiosk) */
	int wait_enter;
	const char *prompt; /* the first line (config: prompt) */
	enum oidc_qr qr;
};

/* Build the whole message; every part is already sanitised. */
int display_build(const struct oidc_display_ctx *ctx,
    const struct oidc_device_auth *da, char **text);

#endif
