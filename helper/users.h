/*
 * pam-oidc users: the people pam_oidc registered through the NSS module
 * and the names it holds for a first sign-in; and their removal.
 */
#ifndef OIDC_HELPER_USERS_H
#define OIDC_HELPER_USERS_H

/*
 * "users [list]" or "users remove NAME [--home]" (argv[0] is "users").
 * Exit status: 0 done, 1 not found or failed, 2 usage.
 */
int users_run(int argc, char **argv);

#endif
