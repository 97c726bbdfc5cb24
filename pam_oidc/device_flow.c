/*
 * RFC 8628 sections 3.2 to 3.5.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "device_flow.h"
#include "json.h"
#include "oidc.h"
#include "sanitize.h"

void
device_auth_free(struct oidc_device_auth *da)
{
	if (da == NULL)
		return;
	oidc_strfree(da->device_code);
	free(da->user_code);
	free(da->verification_uri);
	free(da->verification_uri_complete);
	free(da);
}

static int
copy_url(const char *s, char **out)
{
	if (sanitize_check_url(s, OIDC_MAX_FIELD) != 0)
		return OIDC_ERR_PROTOCOL;
	return (*out = strdup(s)) == NULL ? OIDC_ERR_NOMEM : 0;
}

int
device_flow_parse_auth(const json_t *body, struct oidc_device_auth **out)
{
	struct oidc_device_auth *da;
	const char *dc, *uc, *uri, *complete;
	long long n;
	int r = OIDC_ERR_NOMEM;

	if ((da = calloc(1, sizeof(*da))) == NULL)
		return r;
	r = OIDC_ERR_PROTOCOL;
	dc = json_str(body, "device_code");
	uc = json_str(body, "user_code");
	/* Google names it verification_url. */
	if ((uri = json_str(body, "verification_uri")) == NULL)
		uri = json_str(body, "verification_url");
	complete = json_str(body, "verification_uri_complete");
	if (dc == NULL || *dc == '\0' || strlen(dc) > OIDC_MAX_FIELD ||
	    uc == NULL || *uc == '\0' || strlen(uc) > OIDC_MAX_USER_CODE ||
	    uri == NULL)
		goto out;
	/*
	 * Real providers send a 0, a negative number or a string here. An
	 * interval that is not a positive number is as good as none (RFC
	 * 8628 section 3.2: 5 s); a lifetime that is none, or not positive,
	 * leaves the caller's budget to decide. Both are noted for the log.
	 */
	if (json_int(body, "expires_in", 1, LLONG_MAX, &n) == 0)
		da->expires_in =
		    n > OIDC_MAX_EXPIRES ? OIDC_MAX_EXPIRES : (long)n;
	else
		da->expires_fixed = 1;
	r = json_int(body, "interval", 1, LLONG_MAX, &n);
	if (r == 0)
		da->interval =
		    n > OIDC_MAX_INTERVAL ? OIDC_MAX_INTERVAL : (long)n;
	else
		da->interval = OIDC_DEFAULT_INTERVAL;
	da->interval_fixed =
	    r == OIDC_ERR_PROTOCOL || (r == 0 && n > OIDC_MAX_INTERVAL);
	if ((r = copy_url(uri, &da->verification_uri)) != 0)
		goto out;
	if (complete != NULL &&
	    (r = copy_url(complete, &da->verification_uri_complete)) != 0)
		goto out;
	if ((r = sanitize_text(uc, OIDC_MAX_USER_CODE, &da->user_code)) != 0)
		goto out;
	r = OIDC_ERR_PROTOCOL;
	if (da->user_code[0] == '\0')
		goto out;
	r = OIDC_ERR_NOMEM;
	if ((da->device_code = strdup(dc)) == NULL)
		goto out;
	*out = da;
	da = NULL;
	r = 0;
out:
	device_auth_free(da);
	return r;
}

void
device_flow_poll_init(struct oidc_poll *p, int64_t now_ms, long interval_s,
    long expires_in, int64_t deadline_ms)
{
	memset(p, 0, sizeof(*p));
	p->interval_s = interval_s > 0 ? interval_s : OIDC_DEFAULT_INTERVAL;
	p->next_ms = now_ms + p->interval_s * 1000;
	p->end_ms = now_ms + (int64_t)expires_in * 1000;
	p->expiry_ms = p->end_ms;
	if (deadline_ms > 0 && deadline_ms < p->end_ms)
		p->end_ms = deadline_ms;
}

void
device_flow_poll_now(struct oidc_poll *p, int64_t now_ms)
{
	if (p->polls == 0 && p->next_ms > now_ms)
		p->next_ms = now_ms;
}

static int
on_error(
    struct oidc_poll *p, const json_t *body, const char *err, int64_t now_ms)
{
	long long n;

	if (strcmp(err, "authorization_pending") == 0) {
		p->next_ms = now_ms + p->interval_s * 1000;
		return POLL_AGAIN;
	}
	if (strcmp(err, "slow_down") == 0) {
		/* The server's new interval if it gives a larger one. */
		p->slow_downs++;
		if (json_int(body, "interval", 1, 3600, &n) == 0 &&
		    n > p->interval_s)
			p->interval_s = (long)n;
		else
			p->interval_s += OIDC_SLOW_DOWN_STEP;
		p->next_ms = now_ms + p->interval_s * 1000;
		return POLL_AGAIN;
	}
	if (strcmp(err, "access_denied") == 0)
		return OIDC_ERR_DENIED;
	if (strcmp(err, "expired_token") == 0)
		return OIDC_ERR_EXPIRED;
	if (strcmp(err, "invalid_client") == 0 ||
	    strcmp(err, "unauthorized_client") == 0 ||
	    strcmp(err, "incorrect_client_credentials") == 0 ||
	    strcmp(err, "device_flow_disabled") == 0 ||
	    strcmp(err, "unsupported_grant_type") == 0)
		return OIDC_ERR_CLIENT;
	if (strcmp(err, "invalid_grant") == 0 ||
	    strcmp(err, "incorrect_device_code") == 0 ||
	    strcmp(err, "bad_verification_code") == 0)
		return OIDC_ERR_DENIED;
	return OIDC_ERR_PROTOCOL;
}

int
device_flow_poll_step(struct oidc_poll *p, long status, const json_t *body,
    int64_t now_ms, const char **error)
{
	const char *err;

	*error = NULL;
	p->polls++;
	/* Errors may come with HTTP 200 (GitHub), so look at the body first. */
	if (body != NULL && (err = json_str(body, "error")) != NULL) {
		*error = err;
		if (status >= 500)
			return OIDC_ERR_UNAVAIL;
		return on_error(p, body, err, now_ms);
	}
	if (status >= 500 || status == 429)
		return OIDC_ERR_UNAVAIL;
	if (status == 200 && body != NULL &&
	    json_str(body, "access_token") != NULL)
		return POLL_DONE;
	return OIDC_ERR_PROTOCOL;
}

int64_t
device_flow_wait_ms(const struct oidc_poll *p, int64_t now_ms)
{
	return p->next_ms > now_ms ? p->next_ms - now_ms : 0;
}

int64_t
device_flow_due_ms(const struct oidc_poll *p)
{
	int64_t last = p->end_ms - OIDC_POLL_MARGIN_MS;

	if (p->next_ms > last)
		return -1;
	/* After this poll another would not fit: go as late as allowed. */
	if (p->next_ms + p->interval_s * 1000 > last)
		return last;
	return p->next_ms;
}
