/*
 * sshd's effective configuration, as `sshd -T` prints it, for pam-oidc
 * check: what decides whether pam_oidc is ever asked over SSH.
 */
#ifndef OIDC_HELPER_SSHD_H
#define OIDC_HELPER_SSHD_H

#define SSHD_PROGRAM "/usr/sbin/sshd"

struct sshd_settings {
	int usepam;         /* UsePAM */
	int kbdint;         /* KbdInteractiveAuthentication */
	int password;       /* PasswordAuthentication */
	long grace;         /* LoginGraceTime in seconds; 0: none */
	char methods[1024]; /* AuthenticationMethods, "any" by default */
};

/*
 * Run sshd -T -f sshd_config and read its settings: 0, or -1 with why
 * holding what sshd said (or why it could not be run).
 */
int sshd_effective(const char *sshd_config, struct sshd_settings *out,
    char *why, size_t whysz);

/*
 * Does AuthenticationMethods let a login reach keyboard-interactive
 * (through PAM)? "any" does; otherwise one of its lists must name it.
 */
int sshd_methods_reach_kbdint(const char *methods);

#endif
