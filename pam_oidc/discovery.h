/*
 * The provider's metadata (OpenID Connect Discovery 1.0).
 */
#ifndef OIDC_DISCOVERY_H
#define OIDC_DISCOVERY_H

#include <jansson.h>

#define AUTH_METHOD_BASIC 0x1
#define AUTH_METHOD_POST  0x2
#define AUTH_METHOD_NONE  0x4

struct oidc_metadata {
	char *issuer;
	char *device_authorization_endpoint;
	char *token_endpoint;
	char *userinfo_endpoint;
	char *jwks_uri;
	unsigned int auth_methods; /* 0: not advertised */
	int device_grant;          /* -1 unknown, 0 no, 1 yes */
};

struct oidc_metadata *discovery_new(void);
void discovery_free(struct oidc_metadata *p);

/*
 * The discovery URL for a configured issuer, and the issuer that the
 * document must then name (the configured value minus the suffix).
 */
int discovery_url(const char *issuer, char **url, char **expected_issuer);

/* Fill p from a parsed discovery document; issuer must match exactly. */
int discovery_parse(
    const json_t *doc, const char *expected_issuer, struct oidc_metadata *p);

/*
 * Endpoints set in the configuration replace the discovered ones; a NULL
 * value keeps what was discovered.
 */
int discovery_override(struct oidc_metadata *m,
    const char *device_authorization, const char *token, const char *userinfo,
    const char *jwks_uri);

#endif
