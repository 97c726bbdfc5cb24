/*
 * The return codes of the built pam_oidc.so through real libpam, in the
 * manner of Linux-PAM's tst-pam_faillock-retval.c: service files written
 * into a private directory, pam_start_confdir(), every entry point
 * asserted, alone and in stacks with pam_permit and pam_deny.
 *
 * Without a provider (the unit run): bad configurations, an unknown user,
 * a provider that cannot be reached, a failing conversation, acct_mgmt
 * and setcred for a user the module did not authenticate, the entry
 * points the module does not have, and how libpam combines the module's
 * codes under required, requisite, sufficient and optional.
 *
 * With the provider (tests/integration/run.sh sets RETVAL_ISSUER and
 * RETVAL_CA, and has the provider approve every code as alice at once):
 * success, an identity mismatch, allowed_roles, no conversation and a
 * conversation that asks to be called again.
 *
 * The local users come from nss_wrapper: the program writes a passwd and
 * a group file, and runs itself again with libnss_wrapper.so preloaded
 * (after the sanitizer's runtime, when it is built with one), so the
 * machine's own users play no part.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <link.h>
#include <netinet/in.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include <security/pam_appl.h>

#include "driver.h"

#ifndef RETVAL_MODULE
#error "RETVAL_MODULE: the absolute path of the built pam_oidc.so"
#endif

#define ENV_DIR "RETVAL_DIR"
/*
 * A user in the passwd file, one the test checks is in no file, and a
 * system account (UID 0), which the module leaves to the rest of the
 * stack before asking the provider.
 */
#define KNOWN   "alice"
#define UNKNOWN "mallory"
#define SYSTEM  "root"

/* The stack that hands the module's own code back to the application. */
#define EXACT "[success=ok ignore=ok default=bad]"

static const char passwd_text[] =
    "root:x:0:0:root:/root:/bin/bash\n"
    "alice:x:2001:2001:Alice:/home/alice:/bin/bash\n"
    "bob:x:2002:2002:Bob:/home/bob:/bin/bash\n";
static const char group_text[] = "root:x:0:\n"
				 "sudo:x:27:\n"
				 "users:x:100:\n"
				 "alice:x:2001:\n"
				 "bob:x:2002:\n";

static struct {
	char dir[256];           /* the private directory */
	char confdir[300];       /* its service files */
	char down[64];           /* an issuer nothing listens at */
	const char *issuer, *ca; /* the provider, when there is one */
	struct driver_conv dc;
	struct pam_conv pc;
} rv;

/* ------------------------------------------------------------ helpers */

/* PATH holds TEXT with MODE, made anew; 0 or -1. */
static int
put_file(const char *path, const char *text, mode_t mode)
{
	size_t len = strlen(text);
	int fd, r = 0;

	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len || fchmod(fd, mode) != 0)
		r = -1;
	if (close(fd) != 0)
		r = -1;
	return r;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	if (put_file(path, text, mode) != 0)
		fail_msg("%s: %s", path, strerror(errno));
}

static void pathf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		fail_msg("path too long");
}

/*
 * conf NAME MODE EXTRA: DIR/NAME.conf for the test client, with the issuer
 * (the provider's, else one nothing listens at) and EXTRA lines; its path
 * in out.
 */
static void
conf(char *out, size_t size, const char *name, mode_t mode, const char *extra)
{
	char text[2048];
	int n;

	pathf(out, size, "%s/%s.conf", rv.dir, name);
	n = snprintf(text, sizeof(text),
	    "issuer = %s\n"
	    "client_id = pam-public\n"
	    "scope = openid email profile roles\n"
	    "%s%s%s"
	    "cache_dir = %s/cache\n"
	    "state_dir = %s/state\n"
	    "device_rate_limit = 0\n"
	    "http_timeout = 2\n"
	    "wait = poll\n"
	    "timeout = 20\n"
	    "%s",
	    rv.issuer != NULL ? rv.issuer : rv.down,
	    rv.ca != NULL ? "ca_file = " : "", rv.ca != NULL ? rv.ca : "",
	    rv.ca != NULL ? "\n" : "", rv.dir, rv.dir, extra);
	if (n < 0 || (size_t)n >= sizeof(text))
		fail_msg("config too long");
	write_file(out, text, mode);
}

/*
 * service NAME TEXT CONF: the service file NAME, where every "pam_oidc.so"
 * in TEXT becomes the built module with config=CONF (CONF NULL: no
 * argument).
 */
static void
service(const char *name, const char *text, const char *cfg)
{
	char path[400], out[4096], mod[600];
	const char *p, *hit;
	size_t n = 0, m;

	pathf(path, sizeof(path), "%s/%s", rv.confdir, name);
	if (cfg != NULL)
		pathf(mod, sizeof(mod), "%s config=%s", RETVAL_MODULE, cfg);
	else
		pathf(mod, sizeof(mod), "%s", RETVAL_MODULE);
	for (p = text; (hit = strstr(p, "pam_oidc.so")) != NULL;
	     p = hit + strlen("pam_oidc.so")) {
		m = (size_t)(hit - p);
		if (n + m + strlen(mod) >= sizeof(out))
			fail_msg("service text too long");
		memcpy(out + n, p, m);
		memcpy(out + n + m, mod, strlen(mod));
		n += m + strlen(mod);
	}
	if (n + strlen(p) >= sizeof(out))
		fail_msg("service text too long");
	memcpy(out + n, p, strlen(p) + 1);
	write_file(path, out, 0644);
}

/* A handle on service NAME for USER (NULL: none) with the test's
 * conversation; the conversation's counts and the log start afresh. */
static pam_handle_t *
start(const char *name, const char *user)
{
	pam_handle_t *pamh = NULL;

	driver_log_clear();
	driver_conv_reset(&rv.dc);
	assert_int_equal(
	    pam_start_confdir(name, user, &rv.pc, rv.confdir, &pamh),
	    PAM_SUCCESS);
	assert_non_null(pamh);
	return pamh;
}

/* What came back must be want; else the module's log and the codes. */
static void
expect(const char *what, int want, int got)
{
	if (want == got)
		return;
	driver_log_dump(stderr, "    | ");
	fail_msg("%s: want %s, got %s", what, driver_pam_name(want),
	    driver_pam_name(got));
}

/* Did the module run? It logs its verdict (or why it cannot run). */
static int
module_ran(void)
{
	return driver_log_has("pam_oidc(");
}

static void
reset_conv(void)
{
	memset(&rv.dc, 0, sizeof(rv.dc));
	rv.pc.conv = driver_conv;
	rv.pc.appdata_ptr = &rv.dc;
}

static int
setup_test(void **state)
{
	(void)state;
	reset_conv();
	return 0;
}

/* ------------------------------------------- without a provider */

static void
test_users_come_from_nss_wrapper(void **state)
{
	const struct passwd *pw;

	pw = getpwnam(KNOWN);
	assert_non_null(pw);
	assert_int_equal(pw->pw_uid, 2001);
	assert_null(getpwnam(UNKNOWN));
}

/* One bad configuration: the service and config as the row says. */
struct bad_config {
	const char *name;
	const char *extra; /* config lines */
	mode_t mode;       /* of the config file */
	const char *args;  /* module arguments after config= */
	int link;          /* config= names a symlink to the file */
	int missing;       /* config= names a file that is not there */
};

static void
test_bad_configuration_is_service_err(void **state)
{
	static const struct bad_config rows[] = {
		{ "unknown-key", "no_such_key = 1\n", 0600, "", 0, 0 },
		{ "bad-value", "qr = big\n", 0600, "", 0, 0 },
		{ "group-writable", "", 0660, "", 0, 0 },
		{ "world-writable", "", 0666, "", 0, 0 },
		{ "secret-readable", "client_secret = s3cret\n", 0644, "", 0,
		    0 },
		{ "symlink", "", 0600, "", 1, 0 },
		{ "missing", "", 0600, "", 0, 1 },
		{ "bad-argument", "", 0600, " nosuchkey=1", 0, 0 },
		{ "secret-argument", "", 0600, " client_secret=s3cret", 0, 0 },
		{ "http-endpoint", "token_endpoint = http://127.0.0.1/t\n",
		    0600, "", 0, 0 },
	};
	char path[400], use[420], text[1200];
	pam_handle_t *pamh;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		conf(path, sizeof(path), rows[i].name, rows[i].mode,
		    rows[i].extra);
		pathf(use, sizeof(use), "%s", path);
		if (rows[i].link) {
			pathf(use, sizeof(use), "%s.link", path);
			(void)unlink(use);
			assert_int_equal(symlink(path, use), 0);
		} else if (rows[i].missing) {
			pathf(use, sizeof(use), "%s.missing", path);
		}
		pathf(text, sizeof(text),
		    "auth required pam_oidc.so%s\n"
		    "account required pam_oidc.so\n",
		    rows[i].args);
		service(rows[i].name, text, use);
		pamh = start(rows[i].name, KNOWN);
		expect(
		    rows[i].name, PAM_SERVICE_ERR, pam_authenticate(pamh, 0));
		/* And the account check passes no one through. */
		expect(rows[i].name, PAM_PERM_DENIED, pam_acct_mgmt(pamh, 0));
		assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
	}
}

/*
 * Root is turned away before the provider is asked: the issuer here is a
 * closed port, which would give PAM_AUTHINFO_UNAVAIL. An unknown user is
 * not told apart from a known one: the provider is asked for both.
 */
static void
test_system_account_is_user_unknown(void **state)
{
	char cfg[400];
	pam_handle_t *pamh;

	conf(cfg, sizeof(cfg), "nouser", 0600, "");
	service("nouser", "auth " EXACT " pam_oidc.so\n", cfg);
	pamh = start("nouser", SYSTEM);
	expect("root", PAM_USER_UNKNOWN, pam_authenticate(pamh, 0));
	assert_true(driver_log_has("root is a system account"));
	assert_false(driver_log_has("openid-configuration"));
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
	driver_log_clear();
	pamh = start("nouser", UNKNOWN);
	expect("unknown user, as a known one", PAM_AUTHINFO_UNAVAIL,
	    pam_authenticate(pamh, 0));
	assert_true(driver_log_has("openid-configuration"));
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
}

static void
test_unreachable_provider_is_authinfo_unavail(void **state)
{
	char cfg[400];
	pam_handle_t *pamh;

	conf(cfg, sizeof(cfg), "down", 0600, "");
	service("down", "auth " EXACT " pam_oidc.so\n", cfg);
	pamh = start("down", KNOWN);
	expect(
	    "provider down", PAM_AUTHINFO_UNAVAIL, pam_authenticate(pamh, 0));
	/* The person is told, once. */
	assert_int_equal(rv.dc.calls, 1);
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
}

/* PAM_SILENT mutes what the person is told; the code stays. */
static void
test_silent_unreachable_provider_same_code_no_message(void **state)
{
	char cfg[400];
	pam_handle_t *pamh;

	conf(cfg, sizeof(cfg), "silent", 0600, "");
	service("silent", "auth " EXACT " pam_oidc.so\n", cfg);
	pamh = start("silent", KNOWN);
	expect("provider down, PAM_SILENT", PAM_AUTHINFO_UNAVAIL,
	    pam_authenticate(pamh, PAM_SILENT));
	assert_int_equal(rv.dc.calls, 0);
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
}

/* Kiosk: no PAM_USER and no prompt for one; the provider is asked. */
static void
test_kiosk_unreachable_provider_is_authinfo_unavail(void **state)
{
	const void *user = NULL;
	char cfg[400];
	pam_handle_t *pamh;

	conf(cfg, sizeof(cfg), "kiosk", 0600, "kiosk = yes\n");
	service("kiosk", "auth " EXACT " pam_oidc.so\n", cfg);
	pamh = start("kiosk", NULL);
	expect("kiosk, provider down", PAM_AUTHINFO_UNAVAIL,
	    pam_authenticate(pamh, 0));
	assert_int_equal(rv.dc.prompts, 0);
	assert_int_equal(pam_get_item(pamh, PAM_USER, &user), PAM_SUCCESS);
	assert_null(user);
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
}

/* Without PAM_USER the module asks for it; a conversation that fails, or
 * gives no answer, is PAM_CONV_ERR. */
static void
test_no_user_and_failing_conversation_is_conv_err(void **state)
{
	char cfg[400];
	pam_handle_t *pamh;

	conf(cfg, sizeof(cfg), "convfail", 0600, "");
	service("convfail", "auth " EXACT " pam_oidc.so\n", cfg);
	rv.dc.fail = 1;
	pamh = start("convfail", NULL);
	expect("conversation fails", PAM_CONV_ERR, pam_authenticate(pamh, 0));
	assert_int_equal(rv.dc.calls, 1);
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
	rv.dc.fail = 0;
	rv.dc.answer = DRIVER_ANSWER_NULL_ARRAY;
	pamh = start("convfail", NULL);
	expect("no answer to the user prompt", PAM_CONV_ERR,
	    pam_authenticate(pamh, 0));
	assert_int_equal(rv.dc.prompts, 1);
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
}

static void
test_acct_mgmt_without_authentication_is_ignore(void **state)
{
	pam_handle_t *pamh;

	/* The module's own code. */
	service("acct-exact", "account " EXACT " pam_oidc.so\n", NULL);
	pamh = start("acct-exact", KNOWN);
	expect("acct, exact", PAM_IGNORE, pam_acct_mgmt(pamh, 0));
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
	/* As conf/pam.d ships it: the next module decides. */
	service("acct-permit",
	    "account required pam_oidc.so\n"
	    "account required pam_permit.so\n",
	    NULL);
	pamh = start("acct-permit", KNOWN);
	expect("acct + pam_permit", PAM_SUCCESS, pam_acct_mgmt(pamh, 0));
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
	service("acct-deny",
	    "account required pam_oidc.so\n"
	    "account required pam_deny.so\n",
	    NULL);
	pamh = start("acct-deny", KNOWN);
	expect("acct + pam_deny", PAM_AUTH_ERR, pam_acct_mgmt(pamh, 0));
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
	/* The pam-auth-update profile's line. */
	service("acct-profile",
	    "account [success=ok ignore=ignore default=bad] pam_oidc.so\n"
	    "account required pam_permit.so\n",
	    NULL);
	pamh = start("acct-profile", KNOWN);
	expect("acct (profile line) + pam_permit", PAM_SUCCESS,
	    pam_acct_mgmt(pamh, 0));
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
	/* Alone, nothing decides: libpam's own failure. */
	service("acct-alone", "account required pam_oidc.so\n", NULL);
	pamh = start("acct-alone", KNOWN);
	expect("acct alone", PAM_PERM_DENIED, pam_acct_mgmt(pamh, 0));
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
}

/* A failed authentication on the same handle does not count. */
static void
test_acct_mgmt_after_failed_authentication_is_ignore(void **state)
{
	char cfg[400];
	pam_handle_t *pamh;

	conf(cfg, sizeof(cfg), "acct-after", 0600, "");
	service("acct-after",
	    "auth " EXACT " pam_oidc.so\n"
	    "account " EXACT " pam_oidc.so\n",
	    cfg);
	pamh = start("acct-after", SYSTEM);
	expect("auth", PAM_USER_UNKNOWN, pam_authenticate(pamh, 0));
	expect("acct after it", PAM_IGNORE, pam_acct_mgmt(pamh, 0));
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
	pamh = start("acct-after", KNOWN);
	expect("auth", PAM_AUTHINFO_UNAVAIL, pam_authenticate(pamh, 0));
	expect("acct after it", PAM_IGNORE, pam_acct_mgmt(pamh, 0));
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
}

/* Nothing to establish is success, whatever the flag. */
static void
test_setcred_with_nothing_to_establish_is_success(void **state)
{
	static const int flags[] = { PAM_ESTABLISH_CRED, PAM_DELETE_CRED,
		PAM_REINITIALIZE_CRED, PAM_REFRESH_CRED };
	char cfg[400];
	pam_handle_t *pamh;
	size_t i;

	conf(cfg, sizeof(cfg), "setcred", 0600, "");
	service("setcred", "auth " EXACT " pam_oidc.so\n", cfg);
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		pamh = start("setcred", KNOWN);
		expect("setcred", PAM_SUCCESS, pam_setcred(pamh, flags[i]));
		assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
	}
}

/*
 * The module has no pam_sm_open_session, pam_sm_close_session or
 * pam_sm_chauthtok: libpam answers PAM_MODULE_UNKNOWN for it, which
 * fails a stack where it is required and is ignored where optional.
 */
static void
test_missing_entry_points_are_module_unknown(void **state)
{
	pam_handle_t *pamh;

	service("nosession",
	    "session required pam_oidc.so\n"
	    "password required pam_oidc.so\n",
	    NULL);
	pamh = start("nosession", KNOWN);
	expect("open_session", PAM_MODULE_UNKNOWN, pam_open_session(pamh, 0));
	expect("close_session", PAM_MODULE_UNKNOWN, pam_close_session(pamh, 0));
	expect("chauthtok", PAM_MODULE_UNKNOWN,
	    pam_chauthtok(pamh, PAM_CHANGE_EXPIRED_AUTHTOK));
	expect("chauthtok", PAM_MODULE_UNKNOWN, pam_chauthtok(pamh, 0));
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
	service("optsession",
	    "session optional pam_oidc.so\n"
	    "session required pam_permit.so\n"
	    "password optional pam_oidc.so\n"
	    "password required pam_permit.so\n",
	    NULL);
	pamh = start("optsession", KNOWN);
	expect(
	    "open_session, optional", PAM_SUCCESS, pam_open_session(pamh, 0));
	expect(
	    "close_session, optional", PAM_SUCCESS, pam_close_session(pamh, 0));
	expect("chauthtok, optional", PAM_SUCCESS, pam_chauthtok(pamh, 0));
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
}

/*
 * How libpam combines the module's code with pam_permit's and pam_deny's.
 * "cfg" is the configuration the module reads: bad (PAM_SERVICE_ERR),
 * or good with the issuer at a closed port (PAM_AUTHINFO_UNAVAIL for a
 * user, PAM_USER_UNKNOWN for root). ran: whether the
 * module must have run (1), must not have (0).
 */
struct stack {
	const char *name;
	const char *text;
	int bad_config;
	const char *user;
	int want;
	int ran;
};

static void
test_stacks_combine_the_module_code_as_libpam_says(void **state)
{
	static const struct stack rows[] = {
		/* requisite: the module's failure ends the stack. */
		{ "requisite-then-sufficient",
		    "auth requisite pam_oidc.so\n"
		    "auth sufficient pam_permit.so\n",
		    0, SYSTEM, PAM_USER_UNKNOWN, 1 },
		{ "requisite-unavail-then-permit",
		    "auth requisite pam_oidc.so\n"
		    "auth required pam_permit.so\n",
		    0, KNOWN, PAM_AUTHINFO_UNAVAIL, 1 },
		/* sufficient first: the module never runs. */
		{ "sufficient-permit-first",
		    "auth sufficient pam_permit.so\n"
		    "auth required pam_oidc.so\n",
		    1, KNOWN, PAM_SUCCESS, 0 },
		/* required: the first failure is the stack's code... */
		{ "deny-then-module",
		    "auth required pam_deny.so\n"
		    "auth required pam_oidc.so\n",
		    0, SYSTEM, PAM_AUTH_ERR, 1 },
		{ "module-then-deny",
		    "auth required pam_oidc.so\n"
		    "auth required pam_deny.so\n",
		    0, SYSTEM, PAM_USER_UNKNOWN, 1 },
		{ "bad-config-then-deny",
		    "auth required pam_oidc.so\n"
		    "auth required pam_deny.so\n",
		    1, KNOWN, PAM_SERVICE_ERR, 1 },
		{ "permit-then-module",
		    "auth required pam_permit.so\n"
		    "auth required pam_oidc.so\n",
		    0, KNOWN, PAM_AUTHINFO_UNAVAIL, 1 },
		/* ... and a later sufficient success does not undo it. */
		{ "module-then-sufficient",
		    "auth required pam_oidc.so\n"
		    "auth sufficient pam_permit.so\n",
		    0, KNOWN, PAM_AUTHINFO_UNAVAIL, 1 },
		/* requisite elsewhere: the module is not reached. */
		{ "requisite-deny-first",
		    "auth requisite pam_deny.so\n"
		    "auth required pam_oidc.so\n",
		    1, KNOWN, PAM_AUTH_ERR, 0 },
		/* sufficient or optional module: the rest decides. */
		{ "sufficient-module-then-permit",
		    "auth sufficient pam_oidc.so\n"
		    "auth required pam_permit.so\n",
		    0, KNOWN, PAM_SUCCESS, 1 },
		{ "sufficient-module-then-deny",
		    "auth sufficient pam_oidc.so\n"
		    "auth required pam_deny.so\n",
		    0, SYSTEM, PAM_AUTH_ERR, 1 },
		{ "optional-module-then-permit",
		    "auth optional pam_oidc.so\n"
		    "auth required pam_permit.so\n",
		    1, KNOWN, PAM_SUCCESS, 1 },
		/* The line README.md gives for sshd: die on failure. */
		{ "readme-sshd-line",
		    "auth [success=done default=die] pam_oidc.so\n"
		    "auth required pam_permit.so\n",
		    0, KNOWN, PAM_AUTHINFO_UNAVAIL, 1 },
	};
	char good[400], bad[400], what[200];
	pam_handle_t *pamh;
	size_t i;

	conf(good, sizeof(good), "stack-good", 0600, "");
	conf(bad, sizeof(bad), "stack-bad", 0600, "no_such_key = 1\n");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		service(rows[i].name, rows[i].text,
		    rows[i].bad_config ? bad : good);
		pamh = start(rows[i].name, rows[i].user);
		pathf(what, sizeof(what), "%s (user %s)", rows[i].name,
		    rows[i].user);
		expect(what, rows[i].want, pam_authenticate(pamh, 0));
		if (module_ran() != rows[i].ran) {
			driver_log_dump(stderr, "    | ");
			fail_msg("%s: the module %s", what,
			    rows[i].ran ? "did not run" : "ran");
		}
		assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
	}
}

/* ----------------------------------------------- with the provider */

/* The provider approves as alice: alice signs in, and every entry point
 * the module has says so. */
static void
test_provider_approved_login_is_success(void **state)
{
	char cfg[400];
	pam_handle_t *pamh;

	conf(cfg, sizeof(cfg), "ok", 0600, "");
	service("ok",
	    "auth " EXACT " pam_oidc.so\n"
	    "account " EXACT " pam_oidc.so\n",
	    cfg);
	pamh = start("ok", "alice");
	expect("auth", PAM_SUCCESS, pam_authenticate(pamh, 0));
	assert_true(rv.dc.code_seen);
	expect("acct", PAM_SUCCESS, pam_acct_mgmt(pamh, 0));
	expect("setcred", PAM_SUCCESS, pam_setcred(pamh, PAM_ESTABLISH_CRED));
	expect(
	    "setcred delete", PAM_SUCCESS, pam_setcred(pamh, PAM_DELETE_CRED));
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
}

/* alice approves bob's login: denied, and acct_mgmt does not pass bob. */
static void
test_provider_identity_mismatch_is_auth_err(void **state)
{
	char cfg[400];
	pam_handle_t *pamh;

	conf(cfg, sizeof(cfg), "mismatch", 0600, "");
	service("mismatch",
	    "auth " EXACT " pam_oidc.so\n"
	    "account " EXACT " pam_oidc.so\n",
	    cfg);
	pamh = start("mismatch", "bob");
	expect("auth", PAM_AUTH_ERR, pam_authenticate(pamh, 0));
	expect("acct", PAM_IGNORE, pam_acct_mgmt(pamh, 0));
	assert_int_equal(pam_end(pamh, PAM_AUTH_ERR), PAM_SUCCESS);
}

/*
 * alice holds role admin; allowed_roles = user turns her away in
 * authentication already, and the account check does not pass her.
 */
static void
test_provider_outside_allowed_roles_is_auth_err(void **state)
{
	char cfg[400];
	pam_handle_t *pamh;

	conf(cfg, sizeof(cfg), "roles", 0600,
	    "role_claim = roles\nallowed_roles = user\n");
	service("roles",
	    "auth " EXACT " pam_oidc.so\n"
	    "account " EXACT " pam_oidc.so\n",
	    cfg);
	pamh = start("roles", "alice");
	expect("auth", PAM_AUTH_ERR, pam_authenticate(pamh, 0));
	expect("acct", PAM_IGNORE, pam_acct_mgmt(pamh, 0));
	assert_int_equal(pam_end(pamh, PAM_AUTH_ERR), PAM_SUCCESS);
}

/* A success under sufficient ends the stack; under requisite it does
 * not save a later failure. */
static void
test_provider_success_in_stacks(void **state)
{
	char cfg[400];
	pam_handle_t *pamh;

	conf(cfg, sizeof(cfg), "okstack", 0600, "");
	service("oksufficient",
	    "auth sufficient pam_oidc.so\n"
	    "auth required pam_deny.so\n",
	    cfg);
	pamh = start("oksufficient", "alice");
	expect("sufficient success, then pam_deny", PAM_SUCCESS,
	    pam_authenticate(pamh, 0));
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
	service("okrequisite",
	    "auth requisite pam_oidc.so\n"
	    "auth required pam_deny.so\n",
	    cfg);
	pamh = start("okrequisite", "alice");
	expect("requisite success, then pam_deny", PAM_AUTH_ERR,
	    pam_authenticate(pamh, 0));
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
}

/* No conversation function at all. */
static void
test_provider_no_conversation_is_conv_err(void **state)
{
	char cfg[400];
	pam_handle_t *pamh;

	conf(cfg, sizeof(cfg), "noconv", 0600, "");
	service("noconv", "auth " EXACT " pam_oidc.so\n", cfg);
	rv.pc.conv = NULL;
	pamh = start("noconv", "alice");
	expect("auth", PAM_CONV_ERR, pam_authenticate(pamh, 0));
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
}

static int
again(struct driver_conv *dc)
{
	(void)dc;
	return PAM_CONV_AGAIN;
}

/* A conversation that asks to be called again: PAM_INCOMPLETE. */
static void
test_provider_conversation_again_is_incomplete(void **state)
{
	char cfg[400];
	pam_handle_t *pamh;

	conf(cfg, sizeof(cfg), "again", 0600, "");
	service("again", "auth " EXACT " pam_oidc.so\n", cfg);
	rv.dc.on_code = again;
	pamh = start("again", "alice");
	expect("auth", PAM_INCOMPLETE, pam_authenticate(pamh, 0));
	assert_int_equal(pam_end(pamh, PAM_SUCCESS), PAM_SUCCESS);
}

/* ------------------------------------------------------------- setup */

/* An issuer at a port on 127.0.0.1 that was just bound and closed. */
static int
closed_port_issuer(char *buf, size_t size)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd, n;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
		(void)close(fd);
		return -1;
	}
	(void)close(fd);
	n = snprintf(buf, size, "https://127.0.0.1:%u", ntohs(a.sin_port));
	return n > 0 && (size_t)n < size ? 0 : -1;
}

static int
setup_group(void **state)
{
	const char *dir = getenv(ENV_DIR);
	char cache[300], other[320];

	(void)state;
	if (dir == NULL || strlen(dir) >= sizeof(rv.dir))
		return -1;
	memcpy(rv.dir, dir, strlen(dir) + 1);
	if (snprintf(rv.confdir, sizeof(rv.confdir), "%s/pam.d", rv.dir) <= 0 ||
	    snprintf(cache, sizeof(cache), "%s/cache", rv.dir) <= 0 ||
	    (mkdir(rv.confdir, 0755) != 0 && errno != EEXIST) ||
	    (mkdir(cache, 0700) != 0 && errno != EEXIST))
		return -1;
	if (closed_port_issuer(rv.down, sizeof(rv.down)) != 0)
		return -1;
	/* So that libpam finds the "other" service it looks for. */
	if (snprintf(other, sizeof(other), "%s/other", rv.confdir) <= 0 ||
	    put_file(other,
		"auth required pam_deny.so\n"
		"account required pam_deny.so\n",
		0644) != 0)
		return -1;
	rv.issuer = getenv("RETVAL_ISSUER");
	rv.ca = getenv("RETVAL_CA");
	driver_log_to(NULL, 0);
	reset_conv();
	return 0;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(path) == 0 || errno == ENOENT ? 0 : -1;
}

/* A path of a loaded object whose name holds name, or NULL. */
struct find_lib {
	const char *name;
	char path[1024];
};

static int
find_lib(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct find_lib *f = arg;
	size_t n;

	(void)size;
	if (info->dlpi_name == NULL || strstr(info->dlpi_name, f->name) == NULL)
		return 0;
	n = strlen(info->dlpi_name);
	if (n >= sizeof(f->path))
		return 0;
	memcpy(f->path, info->dlpi_name, n + 1);
	return 1;
}

/*
 * Run this program again with nss_wrapper over a passwd and a group file
 * in a private directory, and remove the directory when it is done.
 * Returns the exit status to give.
 */
static int
rerun_with_nss_wrapper(char **argv)
{
	struct find_lib asan = { "libasan.so", "" };
	char dir[] = "/tmp/pam_oidc-retval.XXXXXX", path[300], preload[2048];
	const char *old = getenv("LD_PRELOAD");
	pid_t pid;
	int status, n;

	if (mkdtemp(dir) == NULL || chmod(dir, 0755) != 0) {
		perror("test_retval: mkdtemp");
		return 1;
	}
	(void)dl_iterate_phdr(find_lib, &asan);
	n = snprintf(preload, sizeof(preload), "%s%slibnss_wrapper.so%s%s",
	    asan.path, asan.path[0] != '\0' ? " " : "", old != NULL ? " " : "",
	    old != NULL ? old : "");
	if (n < 0 || (size_t)n >= sizeof(preload) ||
	    setenv("LD_PRELOAD", preload, 1) != 0 ||
	    setenv(ENV_DIR, dir, 1) != 0)
		return 1;
	n = snprintf(path, sizeof(path), "%s/passwd", dir);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    put_file(path, passwd_text, 0644) != 0 ||
	    setenv("NSS_WRAPPER_PASSWD", path, 1) != 0)
		return 1;
	n = snprintf(path, sizeof(path), "%s/group", dir);
	if (n < 0 || (size_t)n >= sizeof(path) ||
	    put_file(path, group_text, 0644) != 0 ||
	    setenv("NSS_WRAPPER_GROUP", path, 1) != 0)
		return 1;
	(void)fflush(NULL);
	if ((pid = fork()) < 0) {
		perror("test_retval: fork");
		return 1;
	}
	if (pid == 0) {
		execv("/proc/self/exe", argv);
		perror("test_retval: execv");
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	(void)nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest offline[] = {
		cmocka_unit_test_setup(
		    test_users_come_from_nss_wrapper, setup_test),
		cmocka_unit_test_setup(
		    test_bad_configuration_is_service_err, setup_test),
		cmocka_unit_test_setup(
		    test_system_account_is_user_unknown, setup_test),
		cmocka_unit_test_setup(
		    test_unreachable_provider_is_authinfo_unavail, setup_test),
		cmocka_unit_test_setup(
		    test_silent_unreachable_provider_same_code_no_message,
		    setup_test),
		cmocka_unit_test_setup(
		    test_kiosk_unreachable_provider_is_authinfo_unavail,
		    setup_test),
		cmocka_unit_test_setup(
		    test_no_user_and_failing_conversation_is_conv_err,
		    setup_test),
		cmocka_unit_test_setup(
		    test_acct_mgmt_without_authentication_is_ignore,
		    setup_test),
		cmocka_unit_test_setup(
		    test_acct_mgmt_after_failed_authentication_is_ignore,
		    setup_test),
		cmocka_unit_test_setup(
		    test_setcred_with_nothing_to_establish_is_success,
		    setup_test),
		cmocka_unit_test_setup(
		    test_missing_entry_points_are_module_unknown, setup_test),
		cmocka_unit_test_setup(
		    test_stacks_combine_the_module_code_as_libpam_says,
		    setup_test),
	};
	const struct CMUnitTest provider[] = {
		cmocka_unit_test_setup(
		    test_users_come_from_nss_wrapper, setup_test),
		cmocka_unit_test_setup(
		    test_provider_approved_login_is_success, setup_test),
		cmocka_unit_test_setup(
		    test_provider_identity_mismatch_is_auth_err, setup_test),
		cmocka_unit_test_setup(
		    test_provider_outside_allowed_roles_is_auth_err,
		    setup_test),
		cmocka_unit_test_setup(
		    test_provider_success_in_stacks, setup_test),
		cmocka_unit_test_setup(
		    test_provider_no_conversation_is_conv_err, setup_test),
		cmocka_unit_test_setup(
		    test_provider_conversation_again_is_incomplete, setup_test),
	};

	(void)argc;
	if (getenv(ENV_DIR) == NULL)
		return rerun_with_nss_wrapper(argv);
	if (getenv("RETVAL_ISSUER") != NULL)
		return cmocka_run_group_tests_name(
		    "return codes with the provider", provider, setup_group,
		    NULL);
	printf("# the cases that need a provider run from "
	       "tests/integration/run.sh\n");
	return cmocka_run_group_tests_name(
	    "return codes without a provider", offline, setup_group, NULL);
}
