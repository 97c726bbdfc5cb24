/*
 * The conversation with the identity provider: one function per endpoint
 * over one HTTP handle (so one kept-alive TLS connection carries a whole
 * login), the discovery and JWKS cache, and the log lines that tell the
 * administrator what the provider said and what to fix.
 */
#ifndef OIDC_PROVIDER_H
#define OIDC_PROVIDER_H

#include <jansson.h>
#include <stdint.h>

#include "config.h"
#include "device_flow.h"
#include "discovery.h"
#include "jwks.h"
#include "log.h"

#define PROVIDER_DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

/* The cache is neither read nor written (pam-oidc check changes nothing). */
#define PROVIDER_NO_CACHE 0x1

struct oidc_provider;

/* The largest ca_file read. */
#define PROVIDER_MAX_CA ((size_t)1024 * 1024)

/*
 * A provider context: its HTTP handle trusts ca_file's authorities (read
 * with the safe-open rules; OIDC_ERR_CONFIG, logged, when it fails them)
 * or the system store.
 */
int provider_new(const struct oidc_config *cfg, const struct oidc_log *lg,
    int flags, struct oidc_provider **out);
void provider_free(struct oidc_provider *p);

/* Every request ends at this monotonic time (ms) at the latest; 0: none. */
void provider_set_deadline(struct oidc_provider *p, int64_t deadline_ms);

/*
 * The provider's metadata: the discovery document through the cache
 * (when issuer is set), then the endpoints the configuration names, and
 * the client authentication that follows. Missing endpoints are found by
 * the requests that need them. A fetched document's cache
 * entry waits for provider_store_pending, so that writing it is not on
 * the way to the code on the screen.
 */
int provider_discover(struct oidc_provider *p);
const struct oidc_metadata *provider_metadata(const struct oidc_provider *p);

/* Write the cache entry provider_discover left pending, if any. */
int provider_store_pending(struct oidc_provider *p);

/*
 * The device authorization request (RFC 8628 section 3.1); refused
 * before anything is sent when there is no token endpoint to poll.
 */
int provider_device_authorize(
    struct oidc_provider *p, struct oidc_device_auth **da);

/*
 * One token request for the device code, fed to the poll state machine.
 * Returns POLL_DONE with *tokens set, POLL_AGAIN, or a negative
 * OIDC_ERR_* (logged).
 */
int provider_poll(struct oidc_provider *p, const struct oidc_device_auth *da,
    struct oidc_poll *poll, json_t **tokens);

/*
 * The key set through the cache; force fetches it again. *fetched tells
 * whether the network was used. Only a key set that parsed is cached.
 */
int provider_jwks(
    struct oidc_provider *p, int force, struct oidc_jwks **jwks, int *fetched);

/* The userinfo endpoint's claims, asked with the access token. */
int provider_userinfo(
    struct oidc_provider *p, const char *access_token, json_t **claims);

/* The last OAuth error code the provider answered with, or NULL. */
const char *provider_oauth_error(const struct oidc_provider *p);

/* What to fix for an OAuth error that refuses the client, or NULL. */
const char *provider_client_fix(const char *err);

/*
 * The client authentication a login uses: the configured one, else basic
 * when there is a secret (post when the provider lists only post), else
 * none.
 */
enum oidc_client_auth provider_client_auth(
    const struct oidc_config *c, const struct oidc_metadata *m);

/* Number of TLS connections opened so far. */
long provider_connections(const struct oidc_provider *p);

#endif
