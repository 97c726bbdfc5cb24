/*
 * Waiting for the person's approval: the polls of the token endpoint and
 * what the person is told meanwhile.
 *
 * wait = poll (sudo, login): polls follow the interval, the last one as
 * late as the interval allows before the end (device_flow_due_ms). A
 * minute before the end (a quarter of the time, when that is shorter)
 * the person is told the code is about to expire; at the end, that it
 * has expired (or that the time allowed, timeout, is up).
 *
 * wait = enter (sshd): after each Enter, a poll at once (or as soon as
 * the interval allows) and, still pending, another within one interval
 * of the Enter; then "not approved yet", the time left, and the prompt
 * again. A client that left is noticed at that prompt (the conversation
 * fails), so no poll reaches the provider more than one interval after
 * the person's last Enter, and Enter after an approval succeeds at once.
 * An Enter after the end finds the code expired, without a poll.
 */
#ifndef OIDC_APPROVAL_H
#define OIDC_APPROVAL_H

#include <jansson.h>

#include "device_flow.h"
#include "display.h"
#include "log.h"
#include "provider.h"
#include "ui.h"

struct oidc_approval {
	const struct oidc_ui *ui;
	struct oidc_provider *prov;
	const struct oidc_log *log;
	/* The sign-in's display; its until and left_s are set here. */
	struct oidc_display_ctx d;
};

/* Set a->d's until and left_s from the end of polling. */
void approval_time_left(struct oidc_approval *a, const struct oidc_poll *p);

/*
 * Wait until the provider hands out tokens (0, *tokens set) or a
 * refusal, the end of the code's life or the time allowed
 * (OIDC_ERR_EXPIRED, the person told), a stop signal or a failed
 * conversation (OIDC_ERR_CONV). The code is on screen, and with
 * wait = enter (a->d.wait_enter) the person has pressed Enter once.
 */
int approval_wait(struct oidc_approval *a, const struct oidc_device_auth *da,
    struct oidc_poll *p, json_t **tokens);

#endif
