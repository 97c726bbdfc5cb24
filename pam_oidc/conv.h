/*
 * The PAM conversation: the only place besides pam_oidc.c that knows PAM.
 */
#ifndef OIDC_CONV_H
#define OIDC_CONV_H

#include <security/pam_modules.h>

/* Show text as PAM_TEXT_INFO. */
int conv_info(pam_handle_t *pamh, const char *text);

/* Show text as one echo-off prompt and wait for the answer (Enter). */
int conv_enter(pam_handle_t *pamh, const char *text);

/* A plain error message for the person (PAM_ERROR_MSG). */
void conv_error(pam_handle_t *pamh, const char *text);

#endif
