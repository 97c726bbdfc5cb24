/*
 * A scripted transport: linked in place of pam_oidc/http.c, it defines
 * every function http.h declares and answers from a script instead of
 * the network. A test queues the requests a login must make, in order,
 * each with what it must carry and the answer it gets; a request that
 * is not the next one queued, or one left unsent at the end, fails the
 * test. The fuzz target answers through a responder function instead.
 *
 * Connections are counted as libcurl would count them for one kept-alive
 * handle: the first request of a handle opens one, and a transport
 * failure (or an oversized answer) closes it, so the next request opens
 * another.
 */
#ifndef OIDC_HTTP_SCRIPT_H
#define OIDC_HTTP_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "http.h"

#define SCRIPT_MAX_FORM 8   /* form checks per step */
#define SCRIPT_MAX_LOG  256 /* requests remembered; more are counted */

struct script_step {
	/* The request expected. */
	const char *method; /* "GET" or "POST" */
	const char *url;
	/* "key=value" pairs the form holds (decoded, compared exactly). */
	const char *form[SCRIPT_MAX_FORM];
	/* Keys the form must not hold. */
	const char *no_form[SCRIPT_MAX_FORM];
	/* The bearer token it must carry; NULL: it must carry none. */
	const char *bearer;
	/* 1: basic credentials must go with it; 0: they must not. */
	int basic;

	/* The answer. */
	int fail; /* 0, or what http_request returns instead of an answer */
	const char *error_text;    /* http_last_error after a failure */
	long status;               /* 0: 200 */
	const char *content_type;  /* NULL: application/json; "": none */
	const char *cache_control; /* the Cache-Control header, or NULL */
	const char *body;          /* NULL: empty */
	size_t len;                /* 0: strlen(body) */
};

/* One request as it was made. */
struct script_call {
	char method[8];
	char url[512];    /* cut to fit */
	int64_t at_ms;    /* oidc_now_ms() when it was made */
	int bearer;       /* a bearer token went with it */
	char token[256];  /* that token, cut to fit */
	int basic;        /* basic credentials went with it */
	const char *form; /* the encoded form; only during a responder call */
	size_t form_len;
};

/*
 * Called for a request when nothing is queued: fill answer (the request
 * fields are ignored) and return 0, or return nonzero to fail the test.
 * The answer's strings must live until the next call.
 */
typedef int (*script_responder)(
    void *ctx, const struct script_call *call, struct script_step *answer);

/* How a broken expectation is reported; NULL: print it and abort(). */
typedef void (*script_fail_fn)(const char *msg);

/* Forget the queue, the log and the counters; set the failure report. */
void script_reset(script_fail_fn fail);

/* Queue one expected request and its answer (every string is copied). */
void script_expect(const struct script_step *step);

/* Answer with fn when nothing is queued (the fuzz target). */
void script_set_responder(script_responder fn, void *ctx);

/* Fail unless every queued request was made. */
void script_verify_done(void);

/* Requests still queued. */
size_t script_pending(void);

/* Requests made since the reset (transport failures included). */
size_t script_requests(void);

/* The i-th request made (0-based), or NULL past SCRIPT_MAX_LOG. */
const struct script_call *script_call(size_t i);

/* Connections opened since the reset, over every handle. */
long script_connections(void);

/* Handles made by http_new and not yet freed. */
int script_live_handles(void);

/* The credentials of the last http_set_basic_auth, or NULL. */
const char *script_basic_user(void);
const char *script_basic_pass(void);

/* The last deadline given to http_set_deadline. */
int64_t script_deadline(void);

#endif
