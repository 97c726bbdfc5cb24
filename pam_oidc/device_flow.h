/*
 * The device authorization grant (RFC 8628): parsing the authorization
 * answer and the polling state machine. An answer goes in, the next
 * action comes out; no clock, network or PAM inside.
 */
#ifndef OIDC_DEVICE_FLOW_H
#define OIDC_DEVICE_FLOW_H

#include <jansson.h>
#include <stdint.h>

struct oidc_device_auth {
	char *device_code; /* secret: wiped on free */
	char *user_code;   /* sanitised for display */
	char *verification_uri;
	char *verification_uri_complete; /* NULL when not given */
	long expires_in; /* 0: the answer gave no usable lifetime */
	long interval;
	int expires_fixed;  /* expires_in was missing or not positive */
	int interval_fixed; /* interval was not a positive number, or capped */
};

/*
 * The last poll goes out this long before the end: providers count a
 * code's life in whole seconds from when they issued it, a little before
 * the answer reached us, and the request itself takes time to arrive.
 */
#define OIDC_POLL_MARGIN_MS 1000

struct oidc_poll {
	int64_t next_ms;   /* do not poll before this */
	int64_t end_ms;    /* code expiry or overall deadline */
	int64_t expiry_ms; /* the code's own expiry (end_ms <= it) */
	long interval_s;
	int polls;
	int slow_downs;
};

enum poll_result { POLL_AGAIN = 0, POLL_DONE = 1 };

void device_auth_free(struct oidc_device_auth *da);

/* Parse a device authorization answer (accepts Google's verification_url). */
int device_flow_parse_auth(const json_t *body, struct oidc_device_auth **out);

/* Start polling at now_ms; the earliest first poll is one interval later. */
void device_flow_poll_init(struct oidc_poll *p, int64_t now_ms, long interval_s,
    long expires_in, int64_t deadline_ms);

/*
 * Feed the token endpoint's answer (HTTP status and parsed body) received
 * at now_ms. Returns POLL_DONE when it holds tokens, POLL_AGAIN with
 * next_ms set, or a negative OIDC_ERR_*; *error names the OAuth error
 * (pointing into body) for the log.
 */
int device_flow_poll_step(struct oidc_poll *p, long status, const json_t *body,
    int64_t now_ms, const char **error);

/*
 * The person pressed Enter, saying they approved: the first poll is due
 * now. RFC 8628 section 3.5 spaces polls by the interval; the device
 * authorization answer is not a poll. Later polls keep the interval.
 */
void device_flow_poll_now(struct oidc_poll *p, int64_t now_ms);

/* Milliseconds to wait before the next poll (0 if due). */
int64_t device_flow_wait_ms(const struct oidc_poll *p, int64_t now_ms);

/*
 * When the next poll goes out, or -1 when none can before the end: then
 * the code runs out at end_ms, and nothing is asked any more.
 * Polls follow the interval (next_ms), except the last one: when only
 * one more poll fits before end_ms - OIDC_POLL_MARGIN_MS, it waits until
 * that moment, so that an approval in the code's last seconds still
 * counts. The gap before the last poll is thus between one and two
 * intervals; no gap is ever shorter than the interval.
 */
int64_t device_flow_due_ms(const struct oidc_poll *p);

#endif
