/*
 * The user interface a login talks through: the module's PAM
 * conversation or the pam-oidc helper's terminal.
 */
#ifndef OIDC_UI_H
#define OIDC_UI_H

struct oidc_ui {
	void *ctx;
	/* Show text at once, no answer expected. */
	int (*info)(void *ctx, const char *text);
	/* Show text as one hidden-input prompt; returns when Enter is hit. */
	int (*enter)(void *ctx, const char *text);
	/* Tell the caller that the code is on screen (for measurements). */
	void (*code_shown)(void *ctx);
};

#endif
