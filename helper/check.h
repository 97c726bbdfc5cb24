/*
 * pam-oidc check: find what is wrong with a configuration before a person
 * is locked out by it.
 */
#ifndef OIDC_HELPER_CHECK_H
#define OIDC_HELPER_CHECK_H

/* Exit status: 0 fine, 1 warnings, 2 errors. */
int check_run(const char *config_path, const char *sshd_config);

#endif
