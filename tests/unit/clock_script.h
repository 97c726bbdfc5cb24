/*
 * A scripted clock: linked in place of pam_oidc/interrupt.c, it defines
 * oidc_now_ms and the interrupt_* functions over a fake monotonic clock
 * that only moves when told to or when the login sleeps: a sleep jumps
 * the clock to its target at once, so a login that waits minutes runs in
 * microseconds. A stop signal can be made to end a chosen sleep. No
 * signal mask is touched and nothing is raised; what the login would have
 * raised is recorded instead.
 */
#ifndef OIDC_CLOCK_SCRIPT_H
#define OIDC_CLOCK_SCRIPT_H

#include <stdint.h>

#define CLOCK_SCRIPT_MAX_SLEEPS 256 /* sleeps remembered; more are counted */

/* Start again at start_ms, with no sleeps recorded and no stop planned. */
void clock_script_reset(int64_t start_ms);

/* Move the clock forward (the person taking time to press Enter). */
void clock_script_advance(int64_t ms);

/*
 * The nth sleep (1-based) ends after_ms after it began (at most at its
 * target) with the stop signal sig.
 */
void clock_script_stop_at(int nth, int sig, int64_t after_ms);

/* Sleeps so far, and when each began and what it waited for (0-based). */
int clock_script_sleeps(void);
int64_t clock_script_sleep_began(int i);
int64_t clock_script_sleep_target(int i);

/* interrupt_hold and interrupt_release calls so far. */
int clock_script_holds(void);
int clock_script_releases(void);

/* The last signal interrupt_release would have raised again, or 0. */
int clock_script_raised(void);

#endif
