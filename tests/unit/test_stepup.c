/*
 * Unit tests of issue 15's session policies through the handlers, with
 * the fake store (its clock is moved by hand): passive checks, the
 * "keep me signed in" cookie, and step-up (the denial, the confirm form,
 * the confirmation and its throttle).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "fake_store.h"
#include "handler/endpoint.h"
#include "handler/handler.h"
#include "session/password.h"

#include "params.h"

static struct config cfg;
static struct store *st;
static char	     cookie[TOKEN_COOKIELEN + 64]; /* "__Host-sid=..." */

static void
run(const struct kv *params, const char *body, struct response *resp)
{
	struct handler_ctx h = { st, &cfg };
	struct input	   in = { params, body, 0, 0 };
	struct request	   r;

	request_init(&r, in_param, in_read, &in);
	response_reset(resp, 0);
	handler_handle(&h, &r, resp);
	request_free(&r);
}

static int
has(const struct response *r, const char *s)
{
	return strstr(r->headers, s) != NULL ||
	    (r->body != NULL && strstr(r->body, s) != NULL);
}

static void
load(const char *text)
{
	char err[CONFIG_ERRLEN];

	assert_int_equal(config_defaults(&cfg), 0);
	if (config_parse(&cfg, "t", text, strlen(text), err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static int
setup(void **state)
{
	struct password_cost pc = { 1, 8192 };
	struct store_user    u;
	struct token	     t;
	char		     h[PASSWORD_HASHLEN], tag[TOKEN_TAGLEN + 1], v[64];
	int64_t		     c;

	(void)state;
	load(
	    "password_memlimit = 8K\npassword_opslimit = 1\n"
	    "max_sessions = 0\nlogin_max_failures = 3\n"
	    "passive_paths = /poll, /status/\n"
	    "reauth_paths = /admin\nreauth_timeout = 2s\n"
	    "idle_timeout = 1h\nabsolute_timeout = 1h\nremember_timeout = 30d\n");
	st = fake_store_new(&cfg);
	assert_int_equal(password_hash(h, "s3cret", 6, &pc), 0);
	assert_int_equal(store_user_add(st, "alice", h), SG_OK);
	assert_int_equal(store_user_get(st, "alice", &u), SG_OK);
	user_tag(&cfg.keys, "alice", 5, tag);
	token_new(&t, tag);
	assert_int_equal(store_session_create(st, &u, &t, NULL, &c, NULL),
	    SG_OK);
	assert_int_equal(token_encode(&t, v, sizeof(v)), 0);
	snprintf(cookie, sizeof(cookie), "__Host-sid=%s", v);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	store_close(st);
	config_free(&cfg);
	return 0;
}

/* An authorizer's check of uri; passive: SESSGATE_PASSIVE's value. */
static void
check(const char *uri, const char *accept, const char *passive,
    struct response *r)
{
	struct kv p[] = { { "FCGI_ROLE", "AUTHORIZER" },
		{ "REQUEST_METHOD", "GET" }, { "REQUEST_URI", uri },
		{ "HTTP_COOKIE", cookie }, { "HTTP_ACCEPT", accept },
		{ "SESSGATE_PASSIVE", passive }, { NULL, NULL } };

	if (passive == NULL)
		p[5].k = NULL;
	run(p, NULL, r);
}

static void
test_passive(void **state)
{
	static const struct {
		const char *uri, *param;
		unsigned    flags;
	} cases[] = {
		{ "/poll", NULL, STORE_CHECK_PASSIVE },
		{ "/poll/x?y=1", NULL, STORE_CHECK_PASSIVE },
		{ "/status", NULL, STORE_CHECK_PASSIVE },
		{ "/x/../poll/", NULL, STORE_CHECK_PASSIVE },
		{ "/polling", NULL, 0 },
		{ "/page", NULL, 0 },
		{ "/%zz/poll", NULL, 0 }, /* unreadable: not passive */
		{ "/page", "1", STORE_CHECK_PASSIVE },
		{ "/page", "", 0 },
	};
	struct response r = RESPONSE_EMPTY;
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check(cases[i].uri, "*/*", cases[i].param, &r);
		/* passive or not, the same decision */
		assert_int_equal(r.status, 200);
		assert_true(has(&r, "Variable-REMOTE_USER: alice\r\n"));
		if (fake_check_flags(st) != cases[i].flags)
			fail_msg("%s: flags %u", cases[i].uri,
			    fake_check_flags(st));
	}
	response_free(&r);
}

static void
test_reauth_check(void **state)
{
	static const char *const under[] = { "/admin", "/admin/x?y", "/%61dmin",
		"/x/../admin", "/a%zz" };
	struct response		 r = RESPONSE_EMPTY;
	struct kv		 nginx[] = { { "REQUEST_METHOD", "GET" },
			       { "REQUEST_URI", "/admin/x" }, { "SESSGATE_AUTH", "1" },
			       { "HTTP_COOKIE", cookie }, { "HTTP_ACCEPT", "text/html" },
			       { NULL, NULL } };
	size_t			 i;

	(void)state;
	check("/admin/x", "text/html", NULL, &r); /* just signed in */
	assert_int_equal(r.status, 200);
	fake_tick(st, 1999);
	check("/admin/x", "text/html", NULL, &r);
	assert_int_equal(r.status, 200);
	fake_tick(st, 1);
	for (i = 0; i < sizeof(under) / sizeof(under[0]); i++) {
		check(under[i], "application/json", NULL, &r);
		assert_int_equal(r.status, 401);
		assert_true(has(&r, "{\"error\":\"unauthenticated\"}"));
	}
	check("/admin/x?a=b", "text/html", NULL, &r);
	assert_int_equal(r.status, 302);
	assert_true(
	    has(&r, "Location: /login?next=/admin/x%3Fa%3Db&reauth=1\r\n"));
	/* passive or not, no exception */
	check("/admin/x", "text/html", "1", &r);
	assert_int_equal(r.status, 302);
	/* other paths are unaffected */
	check("/administrator", "text/html", NULL, &r);
	assert_int_equal(r.status, 200);
	check("/x?next=/admin", "text/html", NULL, &r);
	assert_int_equal(r.status, 200);
	/* nginx's subrequest: 401, its snippet sends the browser on */
	run(nginx, NULL, &r);
	assert_int_equal(r.status, 401);
	response_free(&r);
}

/* GET the login form, as a page navigation. */
static void
form(const char *uri, const char *c, const char *redirect_status,
    struct response *r)
{
	struct kv p[] = { { "REQUEST_METHOD", "GET" }, { "REQUEST_URI", uri },
		{ "HTTP_ACCEPT", "text/html" }, { "HTTP_COOKIE", c },
		{ "REDIRECT_STATUS", redirect_status }, { NULL, NULL } };

	if (redirect_status == NULL)
		p[4].k = NULL;
	if (c == NULL)
		p[3] = p[4], p[4].k = NULL;
	run(p, NULL, r);
}

static void
test_confirm_form(void **state)
{
	struct response r = RESPONSE_EMPTY;

	(void)state;
	/* the authorizer's redirect, and nginx's (next under reauth_paths) */
	form("/login?next=/admin/x&reauth=1", cookie, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_true(has(&r, "<h1>Confirm your password</h1>"));
	assert_true(has(&r, "Signed in as <strong>alice</strong>"));
	assert_true(has(&r, "name=\"reauth\" value=\"1\""));
	assert_true(has(&r, "name=\"next\" value=\"/admin/x\""));
	assert_false(has(&r, "id=\"username\""));
	assert_false(has(&r, "name=\"remember\""));
	form("/login?next=/admin/x", cookie, NULL, &r);
	assert_true(has(&r, "Confirm your password"));
	form("/login?next=/other&reauth=1", cookie, NULL, &r);
	assert_true(has(&r, "Confirm your password"));
	/* Apache's ErrorDocument 401: the denied URL, 401 */
	form("/admin/x", cookie, "401", &r);
	assert_int_equal(r.status, 401);
	assert_true(has(&r, "Confirm your password"));
	/* the ordinary form: no session, or nothing asks for it */
	form("/login?next=/admin/x&reauth=1", NULL, NULL, &r);
	assert_true(has(&r, "id=\"username\""));
	assert_false(has(&r, "Confirm your password"));
	assert_true(has(&r, "name=\"remember\" value=\"1\""));
	form("/login?next=/other", cookie, NULL, &r);
	assert_false(has(&r, "Confirm your password"));
	form("/login?next=/admin&reauth=1", "__Host-sid=AAAA", NULL, &r);
	assert_false(has(&r, "Confirm your password"));
	response_free(&r);
}

/* POST a form to /login with the session cookie (c may be NULL). */
static void
post(const char *body, const char *c, struct response *r)
{
	char	  len[24];
	struct kv p[] = { { "REQUEST_METHOD", "POST" },
		{ "REQUEST_URI", "/login" },
		{ "CONTENT_TYPE", "application/x-www-form-urlencoded" },
		{ "CONTENT_LENGTH", len }, { "REMOTE_ADDR", "192.0.2.9" },
		{ "HTTP_COOKIE", c }, { NULL, NULL } };

	snprintf(len, sizeof(len), "%zu", strlen(body));
	if (c == NULL)
		p[5].k = NULL;
	run(p, body, r);
}

static void
test_confirm(void **state)
{
	struct response r = RESPONSE_EMPTY;

	(void)state;
	fake_tick(st, 5000);
	check("/admin", "application/json", NULL, &r);
	assert_int_equal(r.status, 401);
	/* a wrong password: the confirm form again, counted, still denied */
	post("reauth=1&password=nope&next=%2Fadmin", cookie, &r);
	assert_int_equal(r.status, 401);
	assert_true(has(&r, "Wrong password."));
	assert_true(has(&r, "Confirm your password"));
	assert_false(has(&r, "Set-Cookie"));
	assert_int_equal(fake_counter(st, STORE_FAIL_USER, "alice"), 1);
	assert_int_equal(fake_counter(st, STORE_FAIL_ADDR, "192.0.2.9"), 1);
	check("/admin", "application/json", NULL, &r);
	assert_int_equal(r.status, 401);
	/* the right one: back to next, the same cookie opens /admin */
	post("reauth=1&password=s3cret&next=%2Fadmin%3Fx", cookie, &r);
	assert_int_equal(r.status, 303);
	assert_true(has(&r, "Location: /admin?x\r\n"));
	assert_false(has(&r, "Set-Cookie"));
	/* as a login's: the user's failures are forgotten */
	assert_int_equal(fake_counter(st, STORE_FAIL_USER, "alice"), 0);
	check("/admin", "application/json", NULL, &r);
	assert_int_equal(r.status, 200);
	/* next must be local */
	post("reauth=1&password=s3cret&next=%2F%2Fevil", cookie, &r);
	assert_true(has(&r, "Location: /\r\n"));
	/* no session: the ordinary form */
	post("reauth=1&password=s3cret&next=%2Fadmin", NULL, &r);
	assert_int_equal(r.status, 401);
	assert_true(has(&r, "id=\"username\""));
	assert_true(has(&r, "Your session has ended"));
	/* no password: 400 */
	post("reauth=1&next=%2Fadmin", cookie, &r);
	assert_int_equal(r.status, 400);
	/* the throttle: three failures of this address in the window (one
	 * above, two here), then 429, the right password too */
	post("reauth=1&password=nope", cookie, &r);
	post("reauth=1&password=nope", cookie, &r);
	assert_int_equal(r.status, 401);
	post("reauth=1&password=s3cret", cookie, &r);
	assert_int_equal(r.status, 429);
	assert_true(has(&r, "Retry-After: "));
	/* a store that cannot answer: 503, never a confirmation */
	fake_fail(st, 1);
	post("reauth=1&password=s3cret", cookie, &r);
	assert_int_equal(r.status, 503);
	fake_fail(st, 0);
	response_free(&r);
}

static void
test_remember_cookie(void **state)
{
	struct response r = RESPONSE_EMPTY;
	char		sc[256];

	(void)state;
	post("username=alice&password=s3cret&remember=1", NULL, &r);
	assert_int_equal(r.status, 303);
	assert_true(has(&r, "; Max-Age=2592000;"));
	post("username=alice&password=s3cret", NULL, &r);
	assert_int_equal(r.status, 303);
	assert_true(has(&r, "Set-Cookie: __Host-sid="));
	assert_false(has(&r, "Max-Age"));
	post("username=alice&password=s3cret&remember=yes", NULL, &r);
	assert_false(has(&r, "Max-Age"));
	/* remember_timeout 0: no box, Max-Age = absolute_timeout, always */
	config_free(&cfg);
	load("password_memlimit = 8K\npassword_opslimit = 1\n"
	     "max_sessions = 0\nidle_timeout = 1h\nabsolute_timeout = 1h\n");
	post("username=alice&password=s3cret&remember=1", NULL, &r);
	assert_int_equal(r.status, 303);
	snprintf(sc, sizeof(sc), "; Max-Age=3600;");
	assert_true(has(&r, sc));
	form("/login", NULL, NULL, &r);
	assert_false(has(&r, "remember"));
	response_free(&r);
}

/* A password change keeps the kind of session the box made. */
static void
test_password_change_keeps_the_kind(void **state)
{
	struct response r = RESPONSE_EMPTY;
	char		len[24];
	const char *body = "current_password=s3cret&new_password=n3w-s3cret";
	struct kv   p[] = { { "REQUEST_METHOD", "POST" },
		  { "REQUEST_URI", "/password" },
		  { "CONTENT_TYPE", "application/x-www-form-urlencoded" },
		  { "CONTENT_LENGTH", len }, { "REMOTE_ADDR", "192.0.2.9" },
		  { "HTTP_COOKIE", cookie }, { NULL, NULL } };

	(void)state;
	snprintf(len, sizeof(len), "%zu", strlen(body));
	/*
	 * The review's case: a session made without the box under
	 * absolute_timeout 1h; a reload makes remember_timeout that long.
	 * Its lifetime equals remember_timeout, yet it was not remembered:
	 * the new cookie is a browser-session one all the same.
	 */
	config_free(&cfg);
	load("password_memlimit = 8K\npassword_opslimit = 1\n"
	     "max_sessions = 0\nidle_timeout = 10m\nabsolute_timeout = 30m\n"
	     "remember_timeout = 1h\n");
	run(p, body, &r);
	assert_int_equal(r.status, 303);
	assert_true(has(&r, "Set-Cookie: __Host-sid="));
	assert_false(has(&r, "Max-Age"));
	response_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_passive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reauth_check, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_confirm_form, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_confirm, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_password_change_keeps_the_kind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remember_cookie, setup,
		    teardown),
	};

	if (sodium_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
