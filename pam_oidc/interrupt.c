/*
 * The clock, sleeping between polls and the stop signals that end it
 * early (see interrupt.h).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "interrupt.h"
#include "oidc.h"

static const int stop_sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

#define NSTOP (sizeof(stop_sigs) / sizeof(stop_sigs[0]))

int64_t
oidc_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
interrupt_hold(struct oidc_interrupt *st)
{
	struct sigaction sa;
	size_t i;

	sigemptyset(&st->set);
	for (i = 0; i < NSTOP; i++)
		if (sigaction(stop_sigs[i], NULL, &sa) == 0 &&
		    sa.sa_handler != SIG_IGN)
			sigaddset(&st->set, stop_sigs[i]);
	st->active = pthread_sigmask(SIG_BLOCK, &st->set, &st->old) == 0;
	/* Signals the application holds itself are left to it. */
	for (i = 0; st->active && i < NSTOP; i++)
		if (sigismember(&st->old, stop_sigs[i]) == 1)
			sigdelset(&st->set, stop_sigs[i]);
}

void
interrupt_release(struct oidc_interrupt *st, int caught)
{
	if (st->active)
		(void)pthread_sigmask(SIG_SETMASK, &st->old, NULL);
	st->active = 0;
	if (caught > 0)
		(void)raise(caught);
}

int
interrupt_sleep_until(const struct oidc_interrupt *st, int64_t target_ms)
{
	struct timespec ts;
	int64_t left;
	int sig;

	for (;;) {
		left = target_ms - oidc_now_ms();
		if (left < 0)
			left = 0;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = (left % 1000) * 1000000;
		if (!st->active) {
			if (left == 0)
				return 0;
			(void)nanosleep(&ts, NULL);
			continue;
		}
		sig = sigtimedwait(&st->set, NULL, &ts);
		if (sig > 0)
			return sig;
		if (left == 0 || (sig < 0 && errno != EINTR && errno != EAGAIN))
			return 0;
	}
}
