/*
 * Parsing of provider answers: strict JSON objects, or form-encoded bodies
 * turned into an object of strings. No network, no PAM.
 */
#ifndef OIDC_JSON_H
#define OIDC_JSON_H

#include <jansson.h>
#include <stddef.h>

#define OIDC_MAX_JSON_DEPTH 32

/*
 * Strict JSON (RFC 8259): one object, nothing after it but white space,
 * at most OIDC_MAX_JSON_DEPTH levels below it, no duplicate keys, no NUL
 * (raw or \u0000), valid UTF-8, no lone surrogate, integers that fit a
 * long long, finite reals (read in the "C" locale whatever the process
 * uses). OIDC_ERR_NOMEM when an allocation failed, OIDC_ERR_PROTOCOL for
 * anything else refused; *out is set only on success. Threads may parse
 * at once: it allocates through jansson's allocator and sets no hooks,
 * locale or other process-wide state.
 */
int json_parse_object(const char *buf, size_t len, json_t **out);

/* Is s (n bytes) valid UTF-8 (RFC 3629: no overlong form, no surrogate)? */
int json_utf8_valid(const char *s, size_t n);

/*
 * application/x-www-form-urlencoded into an object of strings (valid
 * UTF-8, no NUL, no duplicate or empty key); errors as above.
 */
int json_parse_form(const char *buf, size_t len, json_t **out);

/* Pick the parser from the Content-Type (JSON unless it says form). */
int json_parse_body(
    const char *buf, size_t len, const char *content_type, json_t **out);

/* A string member, or NULL when absent or not a string. */
const char *json_str(const json_t *obj, const char *key);

/*
 * An integer member within [min, max]; strings of digits are accepted
 * because some providers quote numbers. Returns 0, or -1 if absent,
 * OIDC_ERR_PROTOCOL if malformed.
 */
int json_int(const json_t *obj, const char *key, long long min, long long max,
    long long *out);

/* Zero every string inside j (tokens, codes), then drop the reference. */
void json_wipe_decref(json_t *j);
#endif
