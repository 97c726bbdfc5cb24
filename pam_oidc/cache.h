/*
 * A root-only disk cache for discovery documents and JWKS.
 */
#ifndef OIDC_CACHE_H
#define OIDC_CACHE_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#define CACHE_MIN_AGE     60
#define CACHE_MAX_AGE     86400
#define CACHE_DEFAULT_AGE 3600

/*
 * Load the entry of kind for url. Returns 0 when fresh, OIDC_ERR_EXPIRED
 * when present but stale (body still returned), OIDC_ERR_INVALID when
 * missing or corrupt.
 */
int cache_load(const char *dir, const char *kind, const char *url, time_t now,
    char **body, size_t *len);

/*
 * Store body for url; max_age < 0 means none was given. Failures to
 * write are not fatal to a login and return OIDC_ERR_SYSTEM.
 */
int cache_store(const char *dir, const char *kind, const char *url,
    const char *body, size_t len, long max_age, time_t now);

/*
 * A fresh entry parsed as a JSON object: 0; OIDC_ERR_INVALID when there
 * is none (or it is stale); OIDC_ERR_PROTOCOL when it is corrupt.
 */
int cache_load_json(const char *dir, const char *kind, const char *url,
    time_t now, json_t **doc);

/*
 * Read a Cache-Control header value (n bytes at v): max-age into
 * *max_age, and no-store or no-cache as *no_store = 1.
 */
void cache_control(const char *v, size_t n, long *max_age, int *no_store);

/* How long an entry lives, from the server's max-age within bounds. */
long cache_lifetime(long max_age);

/*
 * Allow an action for url at most once per CACHE_MIN_AGE seconds across
 * logins: 0 when allowed (and now recorded), OIDC_ERR_EXPIRED when it
 * happened too recently, OIDC_ERR_NOMEM when the record could not be
 * read. A cache that cannot be written allows nothing, so a broken cache
 * directory cannot turn into a refetch storm.
 */
int cache_rate_limit(
    const char *dir, const char *kind, const char *url, time_t now);

/* Call fn for each entry in dir with its file name, URL and expiry. */
typedef void (*cache_entry_fn)(
    void *ctx, const char *name, const char *url, long long expires);
int cache_list(const char *dir, cache_entry_fn fn, void *ctx);

/* Remove every cache entry in dir; returns how many were removed. */
int cache_clear(const char *dir);

#endif
