/*
 * The person's lines about a sign-in's outcome (see message.h).
 */
#include <stddef.h>

#include "lang.h"
#include "message.h"
#include "oidc.h"

const char *
message_verdict(int err)
{
	switch (err) {
	case OIDC_ERR_DENIED: return N_("The sign-in was denied.");
	case OIDC_ERR_MISMATCH:
	case OIDC_ERR_USER_UNKNOWN:
		return N_("The identity you approved is not this account.");
	case OIDC_ERR_CLAIM:
		return N_("Your identity does not meet this system's "
			  "requirements.");
	case OIDC_ERR_TOKEN:
		return N_("The identity provider's answer could not be "
			  "verified.");
	case OIDC_ERR_UNAVAIL:
	case OIDC_ERR_PROTOCOL:
	case OIDC_ERR_CLIENT:
		return N_("The identity provider is not available; try again "
			  "later.");
	case OIDC_ERR_PERM:
		return N_("Your role at the identity provider does not allow "
			  "access to this system.");
	default: return NULL;
	}
}
