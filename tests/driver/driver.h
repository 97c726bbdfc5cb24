/*
 * The PAM test driver: what every test program that runs pam_oidc.so
 * through real libpam shares. A program links driver.c (with -rdynamic,
 * so that the module's syslog binds to the one defined there) and is a
 * thin main() on top of it.
 *
 * The line protocol the scripts read:
 *   MSG STYLE\nTEXT\nEND    a conversation message (STYLE: PAM_PROMPT_*
 *                           1..4 as libpam numbers them)
 *   SYSLOG PRIO TEXT        a line the module (or libpam) logged
 * and, in plain mode for people, the message text alone and "log: TEXT".
 */
#ifndef TESTS_DRIVER_H
#define TESTS_DRIVER_H

#include <security/pam_appl.h>
#include <stdio.h>
#include <time.h>

/*
 * Syslog capture. Every line is kept (the last DRIVER_LOG_KEEP of them);
 * with driver_log_to(f, plain) it is also written to f at once, as
 * "SYSLOG prio text" or, plain, "log: text". f NULL: kept only.
 */
#define DRIVER_LOG_KEEP 64
void driver_log_to(FILE *f, int plain);
void driver_log_clear(void);
/* Lines logged since the last clear (all, not only those kept). */
int driver_log_count(void);
/* Is a kept line one that contains needle? */
int driver_log_has(const char *needle);
/* The kept lines, each after prefix. */
void driver_log_dump(FILE *f, const char *prefix);

/* How an echo-off or echo-on prompt is answered. */
enum driver_answer {
	DRIVER_ANSWER_ENTER,       /* "" (Enter) */
	DRIVER_ANSWER_NULL_ARRAY,  /* no response array at all */
	DRIVER_ANSWER_NULL_STRING, /* a NULL string (Ctrl-D in misc_conv) */
};

/*
 * A scripted conversation: the settings above the line, the counts below.
 * Hooks return PAM_SUCCESS to go on; any other code ends the
 * conversation with that code.
 */
struct driver_conv {
	FILE *out;                 /* print each message here (NULL: don't) */
	int plain;                 /* the message text alone, no MSG/END */
	int fail;                  /* fail every call with PAM_CONV_ERR */
	enum driver_answer answer; /* how prompts are answered */
	/* The first message with "Code:" in it, before it is printed. */
	int (*on_code)(struct driver_conv *dc);
	/* Each prompt, before it is answered (after it is printed). */
	int (*on_prompt)(struct driver_conv *dc, const struct pam_message *m);
	void *arg; /* the hooks' own */

	int calls;     /* times the conversation was called */
	int messages;  /* messages seen */
	int prompts;   /* prompts (echo off or on) answered */
	int code_seen; /* a message held "Code:" */
	int qr_seen;   /* and a UTF-8 half-block QR code */
	char code[64]; /* the user code of the first "Code:" line */
};

/* Appdata is a struct driver_conv. */
int driver_conv(int n, const struct pam_message **msg,
    struct pam_response **resp, void *appdata);
/* Zero the counts, keep the settings. */
void driver_conv_reset(struct driver_conv *dc);

/* The symbolic name of a PAM code ("PAM_USER_UNKNOWN"), or "PAM_(n)". */
const char *driver_pam_name(int code);

/* Milliseconds on a clock; since a start on CLOCK_MONOTONIC. */
double driver_clock_ms(clockid_t id);
double driver_ms_since(const struct timespec *t0);

/* Wait until path exists, looking every step_ms, at most max_ms: 0 if
 * it appeared, -1 if not. */
int driver_wait_file(const char *path, int step_ms, int max_ms);

#endif
