/*
 * Discovery document parsing: exact issuer, https endpoints.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "discovery.h"
#include "json.h"
#include "oidc.h"

#define SUFFIX       "/.well-known/openid-configuration"
#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

struct oidc_metadata *
discovery_new(void)
{
	struct oidc_metadata *p;

	if ((p = calloc(1, sizeof(*p))) != NULL)
		p->device_grant = -1;
	return p;
}

void
discovery_free(struct oidc_metadata *p)
{
	if (p == NULL)
		return;
	free(p->issuer);
	free(p->device_authorization_endpoint);
	free(p->token_endpoint);
	free(p->userinfo_endpoint);
	free(p->jwks_uri);
	free(p);
}

int
discovery_url(const char *issuer, char **url, char **expected_issuer)
{
	size_t len = strlen(issuer), slen = sizeof(SUFFIX) - 1, base;
	char *u, *iss;

	if (len > slen && strcmp(issuer + len - slen, SUFFIX) == 0)
		base = len - slen;
	else
		base = len;
	/* The issuer itself may end in a slash; the URL gets only one. */
	if ((iss = strndup(issuer, base)) == NULL)
		return OIDC_ERR_NOMEM;
	if (base > 0 && issuer[base - 1] == '/')
		base--;
	if ((u = malloc(base + slen + 1)) == NULL) {
		free(iss);
		return OIDC_ERR_NOMEM;
	}
	memcpy(u, issuer, base);
	memcpy(u + base, SUFFIX, slen + 1);
	*url = u;
	*expected_issuer = iss;
	return 0;
}

/* An optional https URL member; a present but bad value is an error. */
static int
get_url(const json_t *doc, const char *key, char **out)
{
	const json_t *v = json_object_get(doc, key);
	const char *s;

	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return OIDC_ERR_PROTOCOL;
	s = json_string_value(v);
	if (strncmp(s, "https://", 8) != 0 || strlen(s) > OIDC_MAX_FIELD)
		return OIDC_ERR_PROTOCOL;
	free(*out);
	if ((*out = strdup(s)) == NULL)
		return OIDC_ERR_NOMEM;
	return 0;
}

static void
parse_lists(const json_t *doc, struct oidc_metadata *p)
{
	const json_t *v;
	const char *s;
	size_t i;

	v = json_object_get(doc, "token_endpoint_auth_methods_supported");
	for (i = 0; json_is_array(v) && i < json_array_size(v); i++) {
		s = json_string_value(json_array_get(v, i));
		if (s == NULL)
			continue;
		if (strcmp(s, "client_secret_basic") == 0)
			p->auth_methods |= AUTH_METHOD_BASIC;
		else if (strcmp(s, "client_secret_post") == 0)
			p->auth_methods |= AUTH_METHOD_POST;
		else if (strcmp(s, "none") == 0)
			p->auth_methods |= AUTH_METHOD_NONE;
	}
	v = json_object_get(doc, "grant_types_supported");
	if (!json_is_array(v))
		return;
	p->device_grant = 0;
	for (i = 0; i < json_array_size(v); i++) {
		s = json_string_value(json_array_get(v, i));
		if (s != NULL && strcmp(s, DEVICE_GRANT) == 0)
			p->device_grant = 1;
	}
}

int
discovery_parse(
    const json_t *doc, const char *expected_issuer, struct oidc_metadata *p)
{
	const char *iss = json_str(doc, "issuer");
	int r;

	/* Byte-exact: no case folding, no trailing-slash forgiveness. */
	if (iss == NULL || strcmp(iss, expected_issuer) != 0)
		return OIDC_ERR_PROTOCOL;
	free(p->issuer);
	if ((p->issuer = strdup(iss)) == NULL)
		return OIDC_ERR_NOMEM;
	if ((r = get_url(doc, "device_authorization_endpoint",
		 &p->device_authorization_endpoint)) != 0 ||
	    (r = get_url(doc, "token_endpoint", &p->token_endpoint)) != 0 ||
	    (r = get_url(doc, "userinfo_endpoint", &p->userinfo_endpoint)) !=
		0 ||
	    (r = get_url(doc, "jwks_uri", &p->jwks_uri)) != 0)
		return r;
	parse_lists(doc, p);
	return 0;
}

static int
override(char **field, const char *value)
{
	if (value == NULL)
		return 0;
	free(*field);
	return (*field = strdup(value)) == NULL ? OIDC_ERR_NOMEM : 0;
}

int
discovery_override(struct oidc_metadata *m, const char *device_authorization,
    const char *token, const char *userinfo, const char *jwks_uri)
{
	if (override(&m->device_authorization_endpoint, device_authorization) !=
		0 ||
	    override(&m->token_endpoint, token) != 0 ||
	    override(&m->userinfo_endpoint, userinfo) != 0 ||
	    override(&m->jwks_uri, jwks_uri) != 0)
		return OIDC_ERR_NOMEM;
	return 0;
}
