/*
 * A corporate HTTP proxy between the host and the provider: the syntax of
 * the proxy and no_proxy keys, and the hosts no_proxy sends direct.
 */
#ifndef OIDC_PROXY_H
#define OIDC_PROXY_H

#include <stddef.h>

/*
 * proxy: http://host:port and nothing else (no credentials, which come
 * from proxy_credentials_file; no https:// proxy). 0, or OIDC_ERR_CONFIG
 * with why saying what to fix (never repeating the value).
 */
int proxy_check_url(
    const char *where, const char *url, char *why, size_t whysz);

/* no_proxy: host names, domains or IP addresses separated by commas, or *. */
int proxy_check_list(
    const char *where, const char *list, char *why, size_t whysz);

/*
 * Does the no_proxy list name host (a name, or an address with or
 * without brackets)? Names match themselves and their subdomains, case
 * aside; addresses match the same address.
 */
int proxy_bypass(const char *no_proxy, const char *host);

#endif
