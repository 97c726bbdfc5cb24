/*
 * The clock, sleeping and the stop signals: the monotonic clock of the
 * core (oidc_now_ms, declared in oidc.h), waiting between polls, and the
 * signals that end the wait. Tests link a scripted double of this file
 * (tests/unit/clock_script.c) so that a login's time is theirs. While a
 * login polls, the signals that mean "stop" (Ctrl-C in sudo, a hang-up,
 * a kill) are held and waited for, so that one ends the polling at once:
 * no request is sent after it. Signals the application ignores stay
 * ignored, and those it holds itself are left to it. What was caught is
 * raised again once the mask is back, so the application's own handling
 * still happens. Only the calling thread's mask is touched.
 */
#ifndef OIDC_INTERRUPT_H
#define OIDC_INTERRUPT_H

#include <signal.h>
#include <stdint.h>

struct oidc_interrupt {
	sigset_t set, old;
	int active;
};

/* Hold the stop signals for the calling thread. */
void interrupt_hold(struct oidc_interrupt *st);

/* Restore the mask; raise caught (> 0) again for the application. */
void interrupt_release(struct oidc_interrupt *st, int caught);

/*
 * Sleep until target_ms on the monotonic clock. Returns 0 when the time
 * has come, or the number of a stop signal that ended the wait.
 */
int interrupt_sleep_until(const struct oidc_interrupt *st, int64_t target_ms);

#endif
