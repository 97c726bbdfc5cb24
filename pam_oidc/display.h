/*
 * What the person sees: who is asking, the URL, the code and a QR code.
 */
#ifndef OIDC_DISPLAY_H
#define OIDC_DISPLAY_H

#include "config.h"
#include "device_flow.h"

struct oidc_display_ctx {
	const char *host;
	const char *service;
	const char *user; /* NULL: chosen at sign-in (kiosk) */
	int wait_enter;
};

/* Build the whole message; every part is already sanitised. */
int display_build(const struct oidc_config *cfg,
    const struct oidc_display_ctx *ctx, const struct oidc_device_auth *da,
    char **text);

#endif
