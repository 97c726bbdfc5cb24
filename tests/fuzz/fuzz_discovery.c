/*
 * The discovery document: discovery_url for the configured issuer, then
 * json_parse_object, discovery_parse and discovery_override, as
 * flow.c calls them.
 *
 * Input: the configured issuer, a newline, then the document.
 *
 * Checked: the discovery URL ends in the well-known suffix; an accepted
 * document names exactly the expected issuer and only https endpoints of
 * bounded length, and the configured endpoints replace the discovered ones.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "discovery.h"
#include "fuzz.h"
#include "json.h"
#include "oidc.h"

#define SUFFIX "/.well-known/openid-configuration"

static void
check_endpoint(const char *url)
{
	if (url != NULL &&
	    (strncmp(url, "https://", 8) != 0 || strlen(url) > OIDC_MAX_FIELD))
		abort();
}

static void
check_override(const char *got, const char *discovered, const char *conf)
{
	if (conf != NULL) {
		if (got == NULL || strcmp(got, conf) != 0)
			abort();
	} else if ((got == NULL) != (discovered == NULL) ||
	    (got != NULL && strcmp(got, discovered) != 0)) {
		abort();
	}
}

static void
apply_config(struct oidc_metadata *p, int which)
{
	struct oidc_config *cfg;
	struct oidc_metadata before;

	if ((cfg = config_new()) == NULL)
		abort();
	if ((which & 1) &&
	    (cfg->token_endpoint = strdup("https://conf.test/token")) == NULL)
		abort();
	if ((which & 2) &&
	    (cfg->jwks_uri = strdup("https://conf.test/jwks")) == NULL)
		abort();
	before = *p;
	/* Keep copies: the override frees what it replaces. */
	before.token_endpoint =
	    p->token_endpoint ? strdup(p->token_endpoint) : NULL;
	before.jwks_uri = p->jwks_uri ? strdup(p->jwks_uri) : NULL;
	before.device_authorization_endpoint = p->device_authorization_endpoint
	    ? strdup(p->device_authorization_endpoint)
	    : NULL;
	if (discovery_override(p, cfg->device_authorization_endpoint,
		cfg->token_endpoint, cfg->userinfo_endpoint,
		cfg->jwks_uri) != 0)
		abort();
	check_override(
	    p->token_endpoint, before.token_endpoint, cfg->token_endpoint);
	check_override(p->jwks_uri, before.jwks_uri, cfg->jwks_uri);
	check_override(p->device_authorization_endpoint,
	    before.device_authorization_endpoint, NULL);
	free(before.token_endpoint);
	free(before.jwks_uri);
	free(before.device_authorization_endpoint);
	config_free(cfg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part;
	size_t plen;
	char *issuer, *url = NULL, *expect = NULL;
	struct oidc_metadata *p;
	json_t *doc = NULL;
	size_t ulen;
	int r;

	if (!fz_next(&data, &size, '\n', &part, &plen))
		return 0;
	issuer = fz_strndup(part, plen);
	if (discovery_url(issuer, &url, &expect) != 0)
		abort();
	ulen = strlen(url);
	if (ulen < sizeof(SUFFIX) - 1 ||
	    strcmp(url + ulen - (sizeof(SUFFIX) - 1), SUFFIX) != 0 ||
	    strlen(expect) > strlen(issuer) ||
	    strncmp(expect, issuer, strlen(expect)) != 0)
		abort();
	if (data != NULL &&
	    json_parse_object((const char *)data, size, &doc) == 0) {
		if ((p = discovery_new()) == NULL)
			abort();
		r = discovery_parse(doc, expect, p);
		if (r == 0) {
			if (p->issuer == NULL || strcmp(p->issuer, expect) != 0)
				abort();
			check_endpoint(p->device_authorization_endpoint);
			check_endpoint(p->token_endpoint);
			check_endpoint(p->userinfo_endpoint);
			check_endpoint(p->jwks_uri);
			if (p->device_grant < -1 || p->device_grant > 1 ||
			    (p->auth_methods & ~7u) != 0)
				abort();
			apply_config(p, (int)(size & 3));
		} else if (r != OIDC_ERR_PROTOCOL) {
			abort();
		}
		discovery_free(p);
		json_decref(doc);
	}
	free(url);
	free(expect);
	free(issuer);
	return 0;
}
