/*
 * The scripted clock (see clock_script.h).
 */
#include <string.h>

#include "clock_script.h"
#include "interrupt.h"
#include "oidc.h"

static struct {
	int64_t now;
	int stop_nth, stop_sig;
	int64_t stop_after;
	int sleeps;
	int64_t began[CLOCK_SCRIPT_MAX_SLEEPS];
	int64_t target[CLOCK_SCRIPT_MAX_SLEEPS];
	int holds, releases, raised;
} C;

void
clock_script_reset(int64_t start_ms)
{
	memset(&C, 0, sizeof(C));
	C.now = start_ms;
}

void
clock_script_advance(int64_t ms)
{
	if (ms > 0)
		C.now += ms;
}

void
clock_script_stop_at(int nth, int sig, int64_t after_ms)
{
	C.stop_nth = nth;
	C.stop_sig = sig;
	C.stop_after = after_ms > 0 ? after_ms : 0;
}

int
clock_script_sleeps(void)
{
	return C.sleeps;
}

int64_t
clock_script_sleep_began(int i)
{
	return i >= 0 && i < C.sleeps && i < CLOCK_SCRIPT_MAX_SLEEPS
	    ? C.began[i]
	    : -1;
}

int64_t
clock_script_sleep_target(int i)
{
	return i >= 0 && i < C.sleeps && i < CLOCK_SCRIPT_MAX_SLEEPS
	    ? C.target[i]
	    : -1;
}

int
clock_script_holds(void)
{
	return C.holds;
}

int
clock_script_releases(void)
{
	return C.releases;
}

int
clock_script_raised(void)
{
	return C.raised;
}

/* --- oidc.h and interrupt.h --------------------------------------------- */

int64_t
oidc_now_ms(void)
{
	return C.now;
}

void
interrupt_hold(struct oidc_interrupt *st)
{
	memset(st, 0, sizeof(*st));
	st->active = 1;
	C.holds++;
}

void
interrupt_release(struct oidc_interrupt *st, int caught)
{
	st->active = 0;
	C.releases++;
	if (caught > 0)
		C.raised = caught;
}

int
interrupt_sleep_until(const struct oidc_interrupt *st, int64_t target_ms)
{
	int n = ++C.sleeps;

	(void)st;
	if (n <= CLOCK_SCRIPT_MAX_SLEEPS) {
		C.began[n - 1] = C.now;
		C.target[n - 1] = target_ms;
	}
	if (n == C.stop_nth && C.stop_sig > 0) {
		if (C.now + C.stop_after < target_ms)
			C.now += C.stop_after;
		else if (target_ms > C.now)
			C.now = target_ms;
		return C.stop_sig;
	}
	if (target_ms > C.now)
		C.now = target_ms;
	return 0;
}
