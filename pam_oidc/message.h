/*
 * What the person is told about the outcome of a sign-in. The log has
 * the details; these lines say what happened in words a person reads.
 */
#ifndef OIDC_MESSAGE_H
#define OIDC_MESSAGE_H

/*
 * The line for an outcome (OIDC_ERR_*, or OIDC_ERR_PERM for an account
 * that allowed_roles turns away), or NULL when there is nothing to say.
 */
const char *message_verdict(int err);

#endif
