/*
 * What the person is told about the outcome of a sign-in. The log has
 * the details; these lines say what happened in words a person reads.
 * They are the English source text (msgids): the caller shows them
 * through lang_get(), in the person's language.
 */
#ifndef OIDC_MESSAGE_H
#define OIDC_MESSAGE_H

/*
 * The line for an outcome (OIDC_ERR_*, or OIDC_ERR_PERM for an account
 * that allowed_roles turns away), or NULL when there is nothing to say.
 * An expired code has none here: the login says so itself when it
 * happens, with the time (display_expired), even under PAM_SILENT.
 */
const char *message_verdict(int err);

#endif
