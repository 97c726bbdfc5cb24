/*
 * How often something may happen on this host, across processes: a
 * sliding window of timestamps in a root-only file, under an open file
 * description lock (which holds between threads of one process too). A
 * file that cannot be read, locked or written allows nothing, so that a
 * broken directory cannot turn into a flood.
 */
#ifndef OIDC_RATELIMIT_H
#define OIDC_RATELIMIT_H

#include <time.h>

#define RATELIMIT_MAX     10000 /* events one window may hold */
#define RATELIMIT_LOCK_MS 2000  /* how long to wait for the lock */

/*
 * Allow one more event named kind in dir when fewer than limit happened
 * in the last window_s seconds before now (and record it): 0. Otherwise
 * OIDC_ERR_EXPIRED; OIDC_ERR_SYSTEM when the file failed.
 */
int ratelimit_take(
    const char *dir, const char *kind, int limit, int window_s, time_t now);

#endif
