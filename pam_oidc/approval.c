/*
 * Waiting for approval (see approval.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "approval.h"
#include "interrupt.h"
#include "oidc.h"

/* The warning comes at most this long before the end, at least this. */
#define WARN_BEFORE_MS 60000
#define WARN_MIN_MS    5000

void
approval_time_left(struct oidc_approval *a, const struct oidc_poll *p)
{
	int64_t left = p->end_ms - oidc_now_ms();

	if (left < 0)
		left = 0;
	/* To the nearest second: 5.99 s left is said as 6. */
	a->d.left_s = (long)((left + 500) / 1000);
	a->d.until = time(NULL) + (time_t)a->d.left_s;
}

enum notice { N_PENDING, N_EXPIRING, N_EXPIRED, N_TIME_UP };

/*
 * Tell the person where the sign-in stands: as a prompt (not approved
 * yet, wait = enter) or as text. These are part of the sign-in, like
 * the code itself, and so are shown under PAM_SILENT too.
 */
static int
tell(struct oidc_approval *a, const struct oidc_poll *p, enum notice what)
{
	char *text = NULL;
	int r;

	approval_time_left(a, p);
	if (what == N_PENDING)
		r = display_pending(&a->d, &text);
	else if (what == N_EXPIRING)
		r = display_expiring(&a->d, &text);
	else
		r = display_expired(&a->d, what == N_TIME_UP, &text);
	if (r != 0)
		return r;
	r = what == N_PENDING ? a->ui->enter(a->ui->ctx, text)
			      : a->ui->info(a->ui->ctx, text);
	free(text);
	return r;
}

/*
 * No approval before the end: the code expired (by the provider's word,
 * or its lifetime is over), or the time allowed here ended first.
 */
static int
ran_out(struct oidc_approval *a, const struct oidc_poll *p, int provider)
{
	int time_up = !provider && p->end_ms < p->expiry_ms;
	int r;

	log_msg(a->log, LOG_NOTICE, "no approval: %s",
	    provider      ? "the provider says the code expired"
		: time_up ? "the time allowed (timeout) is over"
			  : "the code's lifetime is over");
	if ((r = tell(a, p, time_up ? N_TIME_UP : N_EXPIRED)) != 0 &&
	    r != OIDC_ERR_CONV)
		return r;
	return OIDC_ERR_EXPIRED;
}

/* When to warn that the code is about to run out; -1: not at all. */
static int64_t
warn_at(const struct oidc_poll *p, int64_t now)
{
	int64_t before = (p->end_ms - now) / 4;

	if (before > WARN_BEFORE_MS)
		before = WARN_BEFORE_MS;
	return before < WARN_MIN_MS ? -1 : p->end_ms - before;
}

static void
stopped(struct oidc_approval *a, int sig)
{
	log_msg(a->log, LOG_NOTICE,
	    "signal %d while waiting for approval: stopped", sig);
}

/* wait = poll. */
static int
wait_poll(struct oidc_approval *a, const struct oidc_device_auth *da,
    struct oidc_poll *p, json_t **tokens)
{
	struct oidc_interrupt st;
	int64_t due, wake, warn = warn_at(p, oidc_now_ms());
	int r, sig = 0;

	interrupt_hold(&st);
	for (;;) {
		if (p->polls >= OIDC_MAX_POLLS) {
			r = ran_out(a, p, 0);
			break;
		}
		due = device_flow_due_ms(p);
		wake = due < 0 ? p->end_ms : due;
		if (warn > 0 && warn < wake)
			wake = warn;
		if ((sig = interrupt_sleep_until(&st, wake)) > 0) {
			stopped(a, sig);
			r = OIDC_ERR_CONV;
			break;
		}
		if (wake == warn) {
			warn = -1;
			if ((r = tell(a, p, N_EXPIRING)) != 0)
				break;
			continue;
		}
		if (due < 0) {
			r = ran_out(a, p, 0);
			break;
		}
		r = provider_poll(a->prov, da, p, tokens);
		if (r == OIDC_ERR_EXPIRED)
			r = ran_out(a, p, 1);
		if (r != POLL_AGAIN)
			break;
	}
	interrupt_release(&st, sig);
	return r == POLL_DONE ? 0 : r;
}

/* wait = enter, after one Enter: the polls within one interval of it. */
static int
polls_after_enter(struct oidc_approval *a, const struct oidc_device_auth *da,
    struct oidc_poll *p, json_t **tokens)
{
	struct oidc_interrupt st;
	int64_t window = oidc_now_ms() + p->interval_s * 1000;
	int r = POLL_AGAIN, sig = 0;

	device_flow_poll_now(p, oidc_now_ms());
	interrupt_hold(&st);
	while (p->polls < OIDC_MAX_POLLS && p->next_ms <= window &&
	    p->next_ms <= p->end_ms - OIDC_POLL_MARGIN_MS) {
		if ((sig = interrupt_sleep_until(&st, p->next_ms)) > 0) {
			stopped(a, sig);
			r = OIDC_ERR_CONV;
			break;
		}
		if ((r = provider_poll(a->prov, da, p, tokens)) != POLL_AGAIN)
			break;
	}
	/* No poll fits before the end any more: it comes within one. */
	if (r == POLL_AGAIN && p->next_ms > p->end_ms - OIDC_POLL_MARGIN_MS &&
	    (sig = interrupt_sleep_until(&st, p->end_ms)) > 0) {
		stopped(a, sig);
		r = OIDC_ERR_CONV;
	}
	interrupt_release(&st, sig);
	return r;
}

/* wait = enter. */
static int
wait_enter(struct oidc_approval *a, const struct oidc_device_auth *da,
    struct oidc_poll *p, json_t **tokens)
{
	int r;

	for (;;) {
		if (oidc_now_ms() >= p->end_ms || p->polls >= OIDC_MAX_POLLS)
			return ran_out(a, p, 0);
		r = polls_after_enter(a, da, p, tokens);
		if (r == POLL_DONE)
			return 0;
		if (r == OIDC_ERR_EXPIRED)
			return ran_out(a, p, 1);
		if (r != POLL_AGAIN)
			return r;
		if (oidc_now_ms() >= p->end_ms)
			return ran_out(a, p, 0);
		if ((r = tell(a, p, N_PENDING)) != 0)
			return r;
	}
}

int
approval_wait(struct oidc_approval *a, const struct oidc_device_auth *da,
    struct oidc_poll *p, json_t **tokens)
{
	return a->d.wait_enter ? wait_enter(a, da, p, tokens)
			       : wait_poll(a, da, p, tokens);
}
