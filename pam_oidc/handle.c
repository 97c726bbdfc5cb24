/*
 * The PAM handle (see handle.h). Answers are wiped: the person may type a
 * password at a prompt that asked only for Enter.
 */
#include <security/pam_appl.h>
#include <security/pam_modules.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handle.h"
#include "host.h"
#include "oidc.h"

static int
converse(pam_handle_t *pamh, int style, const char *text, int want_answer)
{
	const struct pam_conv *conv = NULL;
	struct pam_message msg;
	const struct pam_message *msgs[1];
	struct pam_response *resp = NULL;
	int rc;

	if (pam_get_item(pamh, PAM_CONV, (const void **)&conv) != PAM_SUCCESS ||
	    conv == NULL || conv->conv == NULL)
		return OIDC_ERR_CONV;
	msg.msg_style = style;
	msg.msg = text;
	msgs[0] = &msg;
	rc = conv->conv(1, msgs, &resp, conv->appdata_ptr);
	if (resp != NULL) {
		/*
		 * No answer to a prompt (Ctrl-D at misc_conv's prompt) is
		 * the person giving up, not an Enter.
		 */
		if (resp[0].resp == NULL && rc == PAM_SUCCESS && want_answer)
			rc = PAM_CONV_ERR;
		if (resp[0].resp != NULL)
			oidc_strfree(resp[0].resp);
		free(resp);
	} else if (rc == PAM_SUCCESS && want_answer) {
		/* A prompt with no answer is a broken conversation. */
		return OIDC_ERR_CONV;
	}
	if (rc == PAM_CONV_AGAIN)
		return OIDC_ERR_CONV_AGAIN;
	if (rc == PAM_BUF_ERR)
		return OIDC_ERR_NOMEM;
	return rc == PAM_SUCCESS ? 0 : OIDC_ERR_CONV;
}

int
handle_info(void *pamh, const char *text)
{
	return converse((pam_handle_t *)pamh, PAM_TEXT_INFO, text, 0);
}

int
handle_enter(void *pamh, const char *text)
{
	return converse((pam_handle_t *)pamh, PAM_PROMPT_ECHO_OFF, text, 1);
}

#define DATA_LANG "pam_oidc_lang"

static void
cleanup_lang(pam_handle_t *pamh, void *data, int status)
{
	(void)pamh;
	(void)status;
	lang_unload(data);
	free(data);
}

/* LC_ALL, LC_MESSAGES, LC_CTYPE and LANG of the PAM environment. */
static void
lang_env(pam_handle_t *pamh, struct oidc_lang_env *env)
{
	env->lc_all = pam_getenv(pamh, "LC_ALL");
	env->lc_messages = pam_getenv(pamh, "LC_MESSAGES");
	env->lc_ctype = pam_getenv(pamh, "LC_CTYPE");
	env->lang = pam_getenv(pamh, "LANG");
}

int
handle_lang(pam_handle_t *pamh, const struct oidc_config *cfg,
    const char *service, const struct oidc_log *lg,
    const struct oidc_lang **out)
{
	struct oidc_lang_env env;
	struct oidc_lang *l;
	int r;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return OIDC_ERR_NOMEM;
	lang_env(pamh, &env);
	lang_choose(&env, service, cfg->language, l);
	if ((r = lang_load(l, cfg->locale_dir)) != 0) {
		free(l);
		return r;
	}
	log_msg(lg, LOG_DEBUG, "language %s (%s terminal): %s%s", l->name,
	    l->utf8 ? "UTF-8" : "ASCII",
	    l->path[0] != '\0' ? "catalog " : "English, no catalog", l->path);
	if (pam_set_data(pamh, DATA_LANG, l, cleanup_lang) != PAM_SUCCESS) {
		cleanup_lang(pamh, l, 0);
		return OIDC_ERR_SYSTEM;
	}
	*out = l;
	return 0;
}

void
handle_error(pam_handle_t *pamh, const char *text)
{
	struct oidc_lang_env env;
	struct oidc_lang own;
	const void *data = NULL;
	const struct oidc_lang *l = NULL;

	memset(&own, 0, sizeof(own));
	if (pam_get_data(pamh, DATA_LANG, &data) == PAM_SUCCESS && data != NULL)
		l = data;
	else {
		/* Not authenticated here: no configuration, the defaults. */
		lang_env(pamh, &env);
		lang_choose(&env, NULL, NULL, &own);
		if (lang_load(&own, OIDC_LOCALEDIR) == 0)
			l = &own;
	}
	(void)converse(pamh, PAM_ERROR_MSG, lang_get(l, text), 0);
	lang_unload(&own);
}

#define DATA_SESSION "pam_oidc_user"

static void
cleanup_session(pam_handle_t *pamh, void *data, int status)
{
	(void)pamh;
	(void)status;
	session_free(data);
}

int
handle_conv(pam_handle_t *pamh)
{
	const struct pam_conv *conv = NULL;

	if (pam_get_item(pamh, PAM_CONV, (const void **)&conv) != PAM_SUCCESS ||
	    conv == NULL || conv->conv == NULL)
		return OIDC_ERR_CONV;
	return 0;
}

int
handle_user(pam_handle_t *pamh, const struct oidc_config *cfg, char **user)
{
	const char *u = NULL;
	int r;

	*user = NULL;
	if (pam_get_item(pamh, PAM_USER, (const void **)&u) != PAM_SUCCESS)
		u = NULL;
	if ((u == NULL || *u == '\0') && !cfg->kiosk &&
	    (r = pam_get_user(pamh, &u, NULL)) != PAM_SUCCESS)
		return r == PAM_CONV_AGAIN
		    ? OIDC_ERR_CONV_AGAIN
		    : (r == PAM_BUF_ERR ? OIDC_ERR_NOMEM : OIDC_ERR_CONV);
	/* An empty name is kiosk mode only where kiosk = yes says so. */
	if (u == NULL || *u == '\0')
		return cfg->kiosk ? 0 : OIDC_ERR_USER_UNKNOWN;
	/* The application may change PAM_USER while the login runs. */
	return (*user = strdup(u)) == NULL ? OIDC_ERR_NOMEM : 0;
}

int
handle_user_kept(pam_handle_t *pamh, const char *user)
{
	const char *u = NULL;

	if (pam_get_item(pamh, PAM_USER, (const void **)&u) != PAM_SUCCESS)
		return 0;
	if (user == NULL)
		return u == NULL || *u == '\0';
	return u != NULL && strcmp(u, user) == 0;
}

void
handle_forget(pam_handle_t *pamh)
{
	(void)pam_set_data(pamh, DATA_SESSION, NULL, NULL);
}

int
handle_keep_session(pam_handle_t *pamh, const struct oidc_config *cfg,
    const struct oidc_log *lg, struct oidc_identity *id)
{
	struct oidc_session *s;
	char env[sizeof(HANDOFF_ENV) + HANDOFF_ID_LEN + 1];

	if ((s = session_new(id->username, cfg->cache_dir, cfg->group_mode,
		 id->allowed, &id->groups)) == NULL)
		return OIDC_ERR_NOMEM;
	if (session_hand_off(s, time(NULL), lg, env, sizeof(env)) == 0 &&
	    pam_putenv(pamh, env) != PAM_SUCCESS)
		session_spend_handoff(s, time(NULL));
	if (pam_set_data(pamh, DATA_SESSION, s, cleanup_session) !=
	    PAM_SUCCESS) {
		session_free(s);
		return OIDC_ERR_SYSTEM;
	}
	return 0;
}

struct oidc_session *
handle_session(pam_handle_t *pamh)
{
	const char *user = NULL;
	const void *data = NULL;
	struct oidc_session *s;

	if (pam_get_data(pamh, DATA_SESSION, &data) != PAM_SUCCESS ||
	    data == NULL ||
	    pam_get_item(pamh, PAM_USER, (const void **)&user) != PAM_SUCCESS ||
	    user == NULL)
		return NULL;
	s = (struct oidc_session *)data;
	return strcmp(user, s->user) == 0 ? s : NULL;
}

const char *
handle_handoff(pam_handle_t *pamh)
{
	return pam_getenv(pamh, HANDOFF_ENV);
}

int
handle_adopt(pam_handle_t *pamh, const struct oidc_config *cfg,
    const struct oidc_log *lg, struct oidc_session **out)
{
	const char *id = pam_getenv(pamh, HANDOFF_ENV), *user = NULL;
	int r = 0;

	*out = NULL;
	if (cfg != NULL && id != NULL &&
	    pam_get_item(pamh, PAM_USER, (const void **)&user) == PAM_SUCCESS &&
	    user != NULL &&
	    (r = session_from_handoff(
		 cfg->cache_dir, id, user, cfg->group_mode, lg, out)) == 0 &&
	    *out != NULL &&
	    pam_set_data(pamh, DATA_SESSION, *out, cleanup_session) !=
		PAM_SUCCESS) {
		session_free(*out);
		*out = NULL;
		r = OIDC_ERR_SYSTEM;
	}
	/* The name is spent; keep it out of the session's environment. */
	(void)pam_putenv(pamh, HANDOFF_ENV);
	return r;
}

void
handle_spend_handoff(pam_handle_t *pamh, struct oidc_session *s)
{
	if (s->handoff[0] == '\0' || pam_getenv(pamh, HANDOFF_ENV) == NULL)
		return;
	session_spend_handoff(s, time(NULL));
	(void)pam_putenv(pamh, HANDOFF_ENV);
}

int
handle_held(pam_handle_t *pamh, const struct oidc_log *lg)
{
	const char *user = NULL;

	if (pam_get_item(pamh, PAM_USER, (const void **)&user) != PAM_SUCCESS ||
	    !host_held(user))
		return 0;
	log_msg(lg, LOG_NOTICE,
	    "%s is held for a first sign-in through pam_oidc: refused", user);
	return 1;
}
