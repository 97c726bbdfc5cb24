/*
 * What the pam-oidc subcommands share.
 */
#ifndef OIDC_HELPER_H
#define OIDC_HELPER_H

#include "config.h"

/* The configuration at path, loaded as the module would; NULL (said why). */
struct oidc_config *helper_config(const char *path);

/* pam-oidc pins [forget USER] [--config PATH]; the exit status. */
int pins_cmd(int argc, char **argv);

#endif
