/*
 * Conversation helpers. Answers are wiped: the person may type a password
 * at a prompt that asked only for Enter.
 */
#include <security/pam_appl.h>
#include <security/pam_modules.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "oidc.h"

static int
converse(pam_handle_t *pamh, int style, const char *text, int want_answer)
{
	const struct pam_conv *conv = NULL;
	struct pam_message msg;
	const struct pam_message *msgs[1];
	struct pam_response *resp = NULL;
	int rc;

	if (pam_get_item(pamh, PAM_CONV, (const void **)&conv) != PAM_SUCCESS ||
	    conv == NULL || conv->conv == NULL)
		return OIDC_ERR_CONV;
	msg.msg_style = style;
	msg.msg = text;
	msgs[0] = &msg;
	rc = conv->conv(1, msgs, &resp, conv->appdata_ptr);
	if (resp != NULL) {
		/*
		 * No answer to a prompt (Ctrl-D at misc_conv's prompt) is
		 * the person giving up, not an Enter.
		 */
		if (resp[0].resp == NULL && rc == PAM_SUCCESS && want_answer)
			rc = PAM_CONV_ERR;
		if (resp[0].resp != NULL)
			oidc_strfree(resp[0].resp);
		free(resp);
	} else if (rc == PAM_SUCCESS && want_answer) {
		/* A prompt with no answer is a broken conversation. */
		return OIDC_ERR_CONV;
	}
	if (rc == PAM_CONV_AGAIN)
		return OIDC_ERR_CONV_AGAIN;
	if (rc == PAM_BUF_ERR)
		return OIDC_ERR_NOMEM;
	return rc == PAM_SUCCESS ? 0 : OIDC_ERR_CONV;
}

int
conv_info(pam_handle_t *pamh, const char *text)
{
	return converse(pamh, PAM_TEXT_INFO, text, 0);
}

int
conv_enter(pam_handle_t *pamh, const char *text)
{
	return converse(pamh, PAM_PROMPT_ECHO_OFF, text, 1);
}

void
conv_error(pam_handle_t *pamh, const char *text)
{
	(void)converse(pamh, PAM_ERROR_MSG, text, 0);
}
