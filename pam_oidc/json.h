/*
 * Parsing of provider answers: strict JSON objects, or form-encoded bodies
 * turned into an object of strings. No network, no PAM.
 */
#ifndef OIDC_JSON_H
#define OIDC_JSON_H

#include <jansson.h>
#include <stddef.h>

#define OIDC_MAX_JSON_DEPTH 32

/* Strict JSON: one object, no duplicate keys, no NUL, valid UTF-8. */
int json_parse_object(const char *buf, size_t len, json_t **out);

/*
 * Watch jansson's allocations from begin to end (the module does, for
 * each sign-in): end returns OIDC_ERR_NOMEM when any failed. Meanwhile
 * the parsers return OIDC_ERR_NOMEM for a parse during which one failed.
 */
void json_guard_begin(void);
int json_guard_end(void);

/* application/x-www-form-urlencoded into an object of strings. */
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
