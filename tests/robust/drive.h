/*
 * What the robustness drivers share: the captured syslog and a
 * conversation that answers at once.
 */
#ifndef ROBUST_DRIVE_H
#define ROBUST_DRIVE_H

#include <security/pam_appl.h>
#include <stdio.h>

/* Log lines: printed as "SYSLOG prio line" (1), or only kept (0). */
void drive_log_print(int on);
/* The last lines kept, to show after a failure. */
void drive_log_dump(FILE *f, const char *prefix);
void drive_log_clear(void);

struct drive_conv {
	int messages;  /* messages seen */
	int prompts;   /* echo-off prompts answered */
	int code_seen; /* a message held "Code:" */
	int qr_seen;   /* and a UTF-8 half-block QR */
	int print;     /* print each message */
};

/* Answers every prompt with "" at once; appdata is a struct drive_conv. */
int drive_conv(int n, const struct pam_message **msg,
    struct pam_response **resp, void *appdata);

#endif
