/*
 * Unit tests of the handlers and the session service, with the fake store:
 * every status of the session check and of the endpoints, built from
 * tables of FastCGI params.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "fake_store.h"
#include "handler/endpoint.h"
#include "handler/handler.h"
#include "session/password.h"

#include "params.h"

static struct config cfg;
static struct store *st;
static char	     alice[TOKEN_COOKIELEN + 1]; /* a live cookie value */

static int last_reads; /* body reads of the last run() */

/* Run one request; returns the number of store calls it made. */
static int
run(const struct kv *params, const char *body, struct response *resp)
{
	struct handler_ctx h = { st, &cfg };
	struct input	   in = { params, body, 0, 0 };
	struct request	   r;
	int		   before = fake_calls(st);

	request_init(&r, in_param, in_read, &in);
	response_reset(resp, 0);
	handler_handle(&h, &r, resp);
	request_free(&r);
	last_reads = in.reads;
	return fake_calls(st) - before;
}

static int
has_header(const struct response *r, const char *line)
{
	return strstr(r->headers, line) != NULL;
}

static void
new_session(char out[TOKEN_COOKIELEN + 1])
{
	struct store_user u;
	struct token	  t;
	char		  tag[TOKEN_TAGLEN + 1];
	int64_t		  c;

	assert_int_equal(store_user_get(st, "alice", &u), SG_OK);
	user_tag(&cfg.keys, "alice", 5, tag);
	token_new(&t, tag);
	assert_int_equal(store_session_create(st, &u, &t, NULL, &c, NULL),
	    SG_OK);
	assert_int_equal(token_encode(&t, out, TOKEN_COOKIELEN + 1), 0);
}

static int
setup(void **state)
{
	const char	    *text = "password_memlimit = 8K\n"
				    "password_opslimit = 1\nmax_sessions = 0\n";
	struct password_cost pc = { 1, 8192 };
	char		     err[CONFIG_ERRLEN], h[PASSWORD_HASHLEN];

	(void)state;
	assert_int_equal(config_defaults(&cfg), 0);
	assert_int_equal(
	    config_parse(&cfg, "t", text, strlen(text), err, sizeof(err)), 0);
	st = fake_store_new(&cfg);
	assert_int_equal(password_hash(h, "s3cret", 6, &pc), 0);
	assert_int_equal(store_user_add(st, "alice", h), SG_OK);
	new_session(alice);
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

static void
test_check_allows(void **state)
{
	char		c[128];
	struct kv	p[] = { { "FCGI_ROLE", "AUTHORIZER" },
		      { "REQUEST_METHOD", "GET" }, { "REQUEST_URI", "/x" },
		      { "HTTP_COOKIE", c }, { NULL, NULL } };
	struct response r = RESPONSE_EMPTY;
	char		head[8192];

	(void)state;
	snprintf(c, sizeof(c), "a=1; __Host-sid=%s; b=2", alice);
	assert_int_equal(run(p, "never read", &r), 1); /* one store call */
	assert_int_equal(last_reads, 0); /* and not a byte of stdin */
	assert_int_equal(r.status, 200);
	assert_true(has_header(&r, "Variable-REMOTE_USER: alice\r\n"));
	assert_true(response_head(&r, head, sizeof(head)) > 0);
	assert_int_equal(strncmp(head, "Status: 200 OK\r\n", 16), 0);
	response_free(&r);
}

static const struct {
	const char *role, *method, *accept, *cookie;
	int	    status, calls;
	const char *header;
} denials[] = {
	/* page navigations: 302 to the login page with next */
	{ "AUTHORIZER", "GET", "text/html,*/*", NULL, 302, 0,
	    "Location: /login?next=/a%20b%3Fc%3D1%26d\r\n" },
	{ "AUTHORIZER", "HEAD", "TEXT/HTML", NULL, 302, 0, "Location: " },
	/* not navigations: 401 JSON */
	{ "AUTHORIZER", "GET", "application/json", NULL, 401, 0,
	    "Content-Type: application/json\r\n" },
	{ "AUTHORIZER", "GET", NULL, NULL, 401, 0, "Cache-Control: no-store" },
	{ "AUTHORIZER", "POST", "text/html", NULL, 401, 0, "Content-Type" },
	/* the responder check (nginx) never redirects */
	{ "RESPONDER", "GET", "text/html", NULL, 401, 0, "Content-Type" },
	/* cookies that are not tokens never reach the store */
	{ "AUTHORIZER", "GET", NULL, "__Host-sid=junk", 401, 0, NULL },
	{ "AUTHORIZER", "GET", NULL, "__Host-sid=", 401, 0, NULL },
	{ "AUTHORIZER", "GET", NULL, "sid=x; __host-sid=y", 401, 0, NULL },
	/* a well-formed unknown token costs one call */
	{ "AUTHORIZER", "GET", NULL,
	    "__Host-sid=AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
	    401, 1, NULL },
	/* control bytes: malformed, 400 */
	{ "AUTHORIZER", "GET", NULL, "__Host-sid=a\x01", 400, 0, NULL },
};

static void
test_check_denials(void **state)
{
	struct response r = RESPONSE_EMPTY;
	size_t		i;
	int		calls;

	(void)state;
	for (i = 0; i < sizeof(denials) / sizeof(denials[0]); i++) {
		struct kv p[] = { { "FCGI_ROLE", denials[i].role },
			{ "REQUEST_METHOD", denials[i].method },
			{ "REQUEST_URI", "/a b?c=1&d" },
			{ "HTTP_ACCEPT", denials[i].accept },
			{ "HTTP_COOKIE", denials[i].cookie },
			{ "SESSGATE_AUTH", NULL }, { NULL, NULL } };

		if (denials[i].accept == NULL)
			p[3].k = "unused";
		if (denials[i].cookie == NULL)
			p[4].k = "unused";
		if (strcmp(denials[i].role, "RESPONDER") == 0)
			p[5].v = "1"; /* nginx's auth_request */
		else
			p[5].k = "unused";
		calls = run(p, NULL, &r);
		if (r.status != denials[i].status ||
		    calls != denials[i].calls ||
		    (denials[i].header && !has_header(&r, denials[i].header)))
			fail_msg("case %zu: status %d calls %d headers %s", i,
			    r.status, calls, r.headers);
		response_free(&r);
	}
}

static void
test_check_store_error_is_503(void **state)
{
	char		c[128];
	struct kv	p[] = { { "FCGI_ROLE", "AUTHORIZER" },
		      { "REQUEST_METHOD", "GET" }, { "REQUEST_URI", "/" },
		      { "HTTP_ACCEPT", "text/html" }, { "HTTP_COOKIE", c },
		      { NULL, NULL } };
	struct response r = RESPONSE_EMPTY;

	(void)state;
	snprintf(c, sizeof(c), "__Host-sid=%s", alice);
	fake_fail(st, 1);
	run(p, NULL, &r);
	fake_fail(st, 0);
	assert_int_equal(r.status, 503);
	assert_true(has_header(&r, "Retry-After: 1\r\n"));
	response_free(&r);
}

static void
test_check_duplicates_and_candidate_cap(void **state)
{
	char		c[1024];
	const char     *unknown = "__Host-sid=AAAAAAAAAAAAAAAA."
				  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA; ";
	struct kv	p[] = { { "FCGI_ROLE", "AUTHORIZER" },
		      { "REQUEST_METHOD", "GET" }, { "REQUEST_URI", "/" },
		      { "HTTP_COOKIE", c }, { NULL, NULL } };
	struct response r = RESPONSE_EMPTY;

	(void)state;
	snprintf(c, sizeof(c), "__Host-sid=junk; %s__Host-sid=%s", unknown,
	    alice);
	assert_int_equal(run(p, NULL, &r), 2);
	assert_int_equal(r.status, 200);
	response_free(&r);
	/* at most SESSION_CANDIDATES well-formed tokens are tried */
	snprintf(c, sizeof(c), "%s%s%s%s__Host-sid=%s", unknown, unknown,
	    unknown, unknown, alice);
	assert_int_equal(run(p, NULL, &r), 4);
	assert_int_equal(r.status, 401);
	response_free(&r);
}

/* nginx's auth_request: the check by auth_path, wherever nginx puts it. */
static void
test_check_recognised_by_auth_path(void **state)
{
	static const char *const names[] = { "DOCUMENT_URI", "SCRIPT_NAME",
		"SESSGATE_AUTH" };
	char			 c[128];
	struct kv		 p[] = { { "REQUEST_METHOD", "GET" },
			       { "REQUEST_URI", "/private/page" }, { "HTTP_COOKIE", c },
			       { NULL, NULL }, { NULL, NULL } };
	struct response		 r = RESPONSE_EMPTY;
	size_t			 i;

	(void)state;
	snprintf(c, sizeof(c), "__Host-sid=%s", alice);
	for (i = 0; i < 3; i++) {
		p[3].k = names[i];
		p[3].v = i < 2 ? "/auth" : "1";
		assert_int_equal(run(p, NULL, &r), 1);
		assert_int_equal(r.status, 200);
		assert_true(has_header(&r, "Variable-REMOTE_USER: alice\r\n"));
		response_free(&r);
	}
	p[3].k = "DOCUMENT_URI"; /* another path is not the check */
	p[3].v = "/private/page";
	assert_int_equal(run(p, NULL, &r), 0);
	assert_int_equal(r.status, 404);
	response_free(&r);
	p[1].v = "/auth?x=1"; /* REQUEST_URI names it */
	assert_int_equal(run(p, NULL, &r), 1);
	assert_int_equal(r.status, 200);
	response_free(&r);
}

static void
test_error_document_401(void **state)
{
	struct kv	p[] = { { "REQUEST_METHOD", "GET" },
		      { "REQUEST_URI", "/private/doc?x=\"1\"" },
		      { "REDIRECT_STATUS", "401" },
		      { "REDIRECT_URL", "/private/doc" }, { NULL, NULL } };
	struct response r = RESPONSE_EMPTY;

	(void)state;
	run(p, NULL, &r);
	assert_int_equal(r.status, 401);
	assert_non_null(strstr(r.body,
	    "name=\"next\" value=\"/private/doc?x=&quot;1&quot;\""));
	response_free(&r);
	/* lighttpd sends REDIRECT_STATUS=200 on every request */
	p[1].v = "/login?next=/a";
	p[2].v = "200";
	run(p, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "value=\"/a\""));
	response_free(&r);
}

static void
test_login(void **state)
{
	char		c[128];
	struct kv	p[] = { { "REQUEST_METHOD", "POST" },
		      { "REQUEST_URI", "/login" },
		      { "CONTENT_TYPE",
			  "application/x-www-form-urlencoded; charset=UTF-8" },
		      { "HTTP_HOST", "example.com" },
		      { "HTTP_ORIGIN", "https://example.com" }, { "HTTPS", "on" },
		      { "HTTP_COOKIE", c }, { NULL, NULL } };
	struct kv	chk[] = { { "FCGI_ROLE", "AUTHORIZER" },
		      { "REQUEST_METHOD", "GET" }, { "REQUEST_URI", "/" },
		      { "HTTP_COOKIE", c }, { NULL, NULL } };
	struct response r = RESPONSE_EMPTY;
	char		old[TOKEN_COOKIELEN + 1];

	(void)state;
	new_session(old);
	snprintf(c, sizeof(c), "__Host-sid=%s", old);
	run(p, "username=alice&password=s3cret&next=%2Fhome%3Fa%3Db", &r);
	assert_int_equal(r.status, 303);
	assert_true(has_header(&r, "Location: /home?a=b\r\n"));
	assert_non_null(strstr(r.headers, "Set-Cookie: __Host-sid="));
	assert_true(has_header(&r,
	    "; Path=/; Max-Age=604800; Secure; "
	    "HttpOnly; SameSite=Lax\r\n"));
	assert_null(strstr(r.headers, old));
	response_free(&r);
	run(chk, NULL, &r); /* the presented session ended */
	assert_int_equal(r.status, 401);
	response_free(&r);
	run(p, "username=alice&password=wrong", &r);
	assert_int_equal(r.status, 401);
	assert_non_null(strstr(r.body, "Wrong user name or password."));
	assert_null(strstr(r.headers, "Set-Cookie"));
	response_free(&r);
	run(p, "username=nobody&password=wrong", &r);
	assert_int_equal(r.status, 401);
	assert_non_null(strstr(r.body, "Wrong user name or password."));
	response_free(&r);
}

static const struct {
	const char *method, *uri, *type, *origin, *referer, *body;
	int	    status, calls;
} posts[] = {
	/* a malformed Cookie header (control bytes): 400, like the check */
	{ "POST", "/logout", "application/x-www-form-urlencoded", NULL, NULL,
	    "\x01cookie", 400, 0 },
	{ "POST", "/login", "application/x-www-form-urlencoded",
	    "https://evil.example", NULL, "username=a&password=b", 403, 0 },
	{ "POST", "/logout", "application/x-www-form-urlencoded", "null", NULL,
	    "", 403, 0 },
	{ "POST", "/logout-all", "application/x-www-form-urlencoded", NULL,
	    "https://evil.example/x", "", 403, 0 },
	{ "POST", "/login", "application/x-www-form-urlencoded",
	    "https://example.com:8443", NULL, "", 403, 0 },
	/* issue 8, item 9: http:// posting to this https:// site */
	{ "POST", "/login", "application/x-www-form-urlencoded",
	    "http://example.com", NULL, "username=a&password=b", 403, 0 },
	{ "POST", "/logout", "application/x-www-form-urlencoded", NULL,
	    "http://example.com/page", "", 403, 0 },
	{ "POST", "/login", "application/json", NULL, NULL, "{}", 415, 0 },
	{ "POST", "/login", "application/x-www-form-urlencodedX", NULL, NULL,
	    "", 415, 0 },
	/* issue 14: no type and no body is an empty form (fetch's POST) */
	{ "POST", "/login", NULL, NULL, NULL, "", 400, 0 },
	{ "POST", "/logout", NULL, NULL, NULL, "", 303, 0 },
	{ "POST", "/logout-all", NULL, NULL, NULL, "", 303, 0 },
	{ "POST", "/logout", NULL, "https://evil.example", NULL, "", 403, 0 },
	{ "POST", "/logout", NULL, NULL, NULL, "a=1", 415, 0 },
	{ "POST", "/login", "application/x-www-form-urlencoded", NULL, NULL,
	    "username=%4", 400, 0 },
	{ "POST", "/login", "application/x-www-form-urlencoded", NULL, NULL,
	    "password=x", 400, 0 },
	{ "POST", "/password", "application/x-www-form-urlencoded", NULL, NULL,
	    "current_password=a&new_password=b", 401, 0 },
	{ "GET", "/logout", NULL, NULL, NULL, NULL, 405, 0 },
	{ "DELETE", "/login", NULL, NULL, NULL, NULL, 405, 0 },
	{ "GET", "/elsewhere", NULL, NULL, NULL, NULL, 404, 0 },
	{ "POST", "/logout", "application/x-www-form-urlencoded",
	    "https://example.com:443", NULL, "", 303, 0 },
	{ "POST", "/logout", "application/x-www-form-urlencoded", NULL,
	    "https://example.com/page", "", 303, 0 },
};

static void
test_post_guards(void **state)
{
	struct response r = RESPONSE_EMPTY;
	size_t		i;
	int		calls;

	(void)state;
	for (i = 0; i < sizeof(posts) / sizeof(posts[0]); i++) {
		struct kv   p[] = { { "REQUEST_METHOD", posts[i].method },
			  { "REQUEST_URI", posts[i].uri },
			  { "CONTENT_TYPE", posts[i].type },
			  { "HTTP_ORIGIN", posts[i].origin },
			  { "HTTP_REFERER", posts[i].referer },
			  { "HTTP_HOST", "example.com" }, { "HTTPS", "on" },
			  { "HTTP_COOKIE", "a=1; __Host-sid=x\x01" },
			  { NULL, NULL } };
		const char *body;
		size_t	    j;

		/* the first case's body is the marker for a bad Cookie */
		if (posts[i].body == NULL || posts[i].body[0] != '\x01')
			p[7].k = "unused";

		for (j = 2; j <= 4; j++)
			if (p[j].v == NULL)
				p[j].k = "unused";
		body = posts[i].body;
		if (body != NULL && body[0] == '\x01')
			body = "";
		calls = run(p, body, &r);
		if (r.status != posts[i].status || calls != posts[i].calls)
			fail_msg("case %zu (%s %s): status %d calls %d", i,
			    posts[i].method, posts[i].uri, r.status, calls);
		response_free(&r);
	}
}

static void
test_body_too_large(void **state)
{
	struct kv	p[] = { { "REQUEST_METHOD", "POST" },
		      { "REQUEST_URI", "/login" },
		      { "CONTENT_TYPE", "application/x-www-form-urlencoded" },
		      { NULL, NULL } };
	struct response r = RESPONSE_EMPTY;
	char	       *big = malloc(REQUEST_BODY_MAX + 2);

	(void)state;
	memset(big, 'a', REQUEST_BODY_MAX + 1);
	big[REQUEST_BODY_MAX + 1] = '\0';
	assert_int_equal(run(p, big, &r), 0);
	assert_int_equal(r.status, 413);
	response_free(&r);
	free(big);
}

static void
test_logout_clears_cookie(void **state)
{
	char		c[128], v[TOKEN_COOKIELEN + 1];
	struct kv	p[] = { { "REQUEST_METHOD", "POST" },
		      { "REQUEST_URI", "/logout" },
		      { "CONTENT_TYPE", "application/x-www-form-urlencoded" },
		      { "HTTP_COOKIE", c }, { NULL, NULL } };
	struct response r = RESPONSE_EMPTY;

	(void)state;
	new_session(v);
	snprintf(c, sizeof(c), "__Host-sid=%s", v);
	run(p, "", &r);
	assert_int_equal(r.status, 303);
	assert_true(has_header(&r, "Location: /login\r\n"));
	assert_true(has_header(&r,
	    "Set-Cookie: __Host-sid=; Path=/; "
	    "Max-Age=0; Secure; HttpOnly; SameSite=Lax\r\n"));
	response_free(&r);
	p[1].v = "/logout";
	run(p, "", &r); /* again: nothing left to end, same answer */
	assert_int_equal(r.status, 303);
	response_free(&r);
}

/* POST path with body, as a same-site form from addr with cookie. */
static int
post_form(const char *path, const char *cookie, const char *addr,
    const char *body, struct response *resp)
{
	char	  c[256];
	struct kv p[] = { { "REQUEST_METHOD", "POST" }, { "REQUEST_URI", path },
		{ "CONTENT_TYPE", "application/x-www-form-urlencoded" },
		{ "REMOTE_ADDR", addr }, { "HTTP_COOKIE", c }, { NULL, NULL } };

	if (cookie != NULL)
		snprintf(c, sizeof(c), "__Host-sid=%s", cookie);
	else
		p[4].k = "unused";
	return run(p, body, resp);
}

/* The session check on a cookie value: its status. */
static int
check_status(const char *cookie)
{
	char		c[128];
	struct kv	p[] = { { "FCGI_ROLE", "AUTHORIZER" },
		      { "REQUEST_METHOD", "GET" }, { "REQUEST_URI", "/" },
		      { "HTTP_COOKIE", c }, { NULL, NULL } };
	struct response r = RESPONSE_EMPTY;
	int		status;

	snprintf(c, sizeof(c), "__Host-sid=%s", cookie);
	run(p, NULL, &r);
	status = r.status;
	response_free(&r);
	return status;
}

/* The cookie value a response sets, into out ("" if none). */
static void
set_cookie(const struct response *r, char out[TOKEN_COOKIELEN + 1])
{
	const char *v = strstr(r->headers, "Set-Cookie: __Host-sid=");

	out[0] = '\0';
	if (v != NULL && v[23] != ';')
		snprintf(out, TOKEN_COOKIELEN + 1, "%.*s", TOKEN_COOKIELEN,
		    v + 23);
}

/* A user with a password and one session, for the password tests. */
static void
user_with_session(const char *name, const char *pw,
    char cookie[TOKEN_COOKIELEN + 1])
{
	struct password_cost pc = { 1, 8192 };
	char		     h[PASSWORD_HASHLEN], body[128];
	struct response	     r = RESPONSE_EMPTY;

	assert_int_equal(password_hash(h, pw, strlen(pw), &pc), 0);
	assert_int_equal(store_user_add(st, name, h), SG_OK);
	snprintf(body, sizeof(body), "username=%s&password=%s", name, pw);
	post_form("/login", NULL, "192.0.2.200", body, &r);
	assert_int_equal(r.status, 303);
	set_cookie(&r, cookie);
	assert_int_equal(strlen(cookie), TOKEN_COOKIELEN);
	response_free(&r);
}

static void
admin_reset(struct store *s, void *arg)
{
	int n;

	assert_int_equal(
	    store_user_passwd(s, arg, "$admin-hash", NULL, NULL, &n), SG_OK);
}

/*
 * An administrator resets the password between the verification of the
 * current one and the write: the user's change is refused (409), the
 * reset stands, and the session it ended stays ended.
 */
static void
test_password_change_loses_to_an_admin_reset(void **state)
{
	char		  v[TOKEN_COOKIELEN + 1];
	struct response	  r = RESPONSE_EMPTY;
	struct store_user u;

	(void)state;
	user_with_session("pia", "old-pw", v);
	fake_hook(st, "user_passwd", admin_reset, (void *)(uintptr_t) "pia");
	post_form("/password", v, "192.0.2.201",
	    "current_password=old-pw&new_password=mine", &r);
	assert_int_equal(r.status, 409);
	assert_true(has_header(&r, "Max-Age=0"));
	response_free(&r);
	assert_int_equal(store_user_get(st, "pia", &u), SG_OK);
	assert_string_equal(u.pwhash, "$admin-hash");
	assert_int_equal(check_status(v), 401);
}

static void
fail_store(struct store *s, void *arg)
{
	(void)arg;
	fake_fail(s, 1);
}

/*
 * The password changed, but the new session could not be made (the
 * store failed, or another reset came first): the client is sent to the
 * login page with its cookie cleared, not told "wrong password" or 503.
 */
static void
test_password_changed_without_a_session(void **state)
{
	char		v[TOKEN_COOKIELEN + 1], w[TOKEN_COOKIELEN + 1];
	struct response r = RESPONSE_EMPTY;

	(void)state;
	user_with_session("quinn", "old-pw", v);
	fake_hook(st, "create", fail_store, NULL);
	post_form("/password", v, "192.0.2.202",
	    "current_password=old-pw&new_password=new-pw", &r);
	fake_fail(st, 0);
	assert_int_equal(r.status, 303);
	assert_true(has_header(&r, "Location: /login\r\n"));
	assert_true(has_header(&r, "Max-Age=0"));
	response_free(&r);
	assert_int_equal(check_status(v), 401);
	post_form("/login", NULL, "192.0.2.202",
	    "username=quinn&password=new-pw", &r);
	assert_int_equal(r.status, 303); /* the change did happen */
	set_cookie(&r, w);
	response_free(&r);
	/* a reset racing the new session: the same answer */
	fake_hook(st, "create", admin_reset, (void *)(uintptr_t) "quinn");
	post_form("/password", w, "192.0.2.202",
	    "current_password=new-pw&new_password=newer-pw", &r);
	assert_int_equal(r.status, 303);
	assert_true(has_header(&r, "Location: /login\r\n"));
	response_free(&r);
	/* and without a race: a new cookie */
	user_with_session("rudi", "pw1", v);
	post_form("/password", v, "192.0.2.202",
	    "current_password=pw1&new_password=pw2", &r);
	assert_int_equal(r.status, 303);
	set_cookie(&r, w);
	assert_int_equal(strlen(w), TOKEN_COOKIELEN);
	response_free(&r);
	assert_int_equal(check_status(w), 200);
	assert_int_equal(check_status(v), 401);
}

/*
 * login_concurrency password checks at once, never all threads: past it
 * a login gets 503 with Retry-After at once, without touching the store
 * (nothing counted), while the checks go on.
 */
static void
test_login_busy(void **state)
{
	struct response r = RESPONSE_EMPTY;
	int		i, calls;

	(void)state;
	assert_int_equal(cfg.threads, 4);
	assert_int_equal(cfg.login_concurrency, 2);
	for (i = 0; i < 2; i++)
		assert_int_equal(password_gate_enter(100), SG_OK);
	calls = post_form("/login", NULL, "192.0.2.210",
	    "username=alice&password=s3cret", &r);
	assert_int_equal(r.status, 503);
	assert_true(has_header(&r, "Retry-After: 1\r\n"));
	assert_int_equal(calls, 0);
	response_free(&r);
	assert_int_equal(check_status(alice), 200);
	password_gate_leave();
	post_form("/login", NULL, "192.0.2.210",
	    "username=alice&password=wrong", &r);
	assert_int_equal(r.status, 401);
	response_free(&r);
	password_gate_leave();
	/*
	 * On a thread that answers checks (the daemon closes the gate there)
	 * a login is 503 at once, the gate empty or not, and counts nothing.
	 */
	assert_int_equal(password_gate_inside(), 0);
	password_gate_thread(1);
	calls = post_form("/login", NULL, "192.0.2.210",
	    "username=alice&password=s3cret", &r);
	password_gate_thread(0);
	assert_int_equal(r.status, 503);
	assert_true(has_header(&r, "Retry-After: 1\r\n"));
	assert_int_equal(calls, 0);
	response_free(&r);
	assert_int_equal(password_gate_inside(), 0);
}

/* Lines of stderr holding needle while fn runs. */
static int
stderr_lines(void (*fn)(void), const char *needle)
{
	char  path[] = "/tmp/sg-stderr-XXXXXX", line[512];
	int   fd, saved, n = 0;
	FILE *f;

	assert_true((fd = mkstemp(path)) != -1);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	fn();
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_non_null(f = fdopen(fd, "r"));
	rewind(f);
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, needle) != NULL;
	fclose(f);
	unlink(path);
	return n;
}

static void
busy_login(void)
{
	struct response r = RESPONSE_EMPTY;

	post_form("/login", NULL, "192.0.2.211",
	    "username=alice&password=wrong", &r);
	assert_int_equal(r.status, 503);
	response_free(&r);
}

/* Five refused logins, then one more in the next second. */
static void
six_busy_logins(void)
{
	time_t t;
	int    i;

	for (i = 0; i < 2; i++)
		assert_int_equal(password_gate_enter(100), SG_OK);
	for (i = 0; i < 5; i++)
		busy_login();
	for (t = time(NULL); time(NULL) == t;)
		usleep(10000);
	busy_login(); /* a new second: logged */
	password_gate_leave();
	password_gate_leave();
}

/* A flood of refused logins logs at most a line a second, not one each. */
static void
test_login_busy_log_is_bounded(void **state)
{
	int n;

	(void)state;
	n = stderr_lines(six_busy_logins, "login refused");
	assert_true(n >= 1 && n <= 3); /* one a second, not six */
}

static void
forged_content_type(void)
{
	struct kv	p[] = { { "REQUEST_METHOD", "POST" },
		      { "REQUEST_URI", "/logout" },
		      { "CONTENT_TYPE", "text/plain\nsessgate: forged line" },
		      { "REMOTE_ADDR", "192.0.2.9" }, { NULL, NULL } };
	struct response r = RESPONSE_EMPTY;

	run(p, "x", &r);
	assert_int_equal(r.status, 415);
	response_free(&r);
}

/* What a client sent is logged on one line: a newline cannot forge one. */
static void
test_log_lines_are_not_forged(void **state)
{
	(void)state;
	/* one line, the newline shown as '?' */
	assert_int_equal(stderr_lines(forged_content_type,
			     "Content-Type text/plain?sessgate: forged line"),
	    1);
}

/* IPv6 clients count per /64; names that are not users in buckets. */
static void
test_login_counters(void **state)
{
	struct response r = RESPONSE_EMPTY;
	char		b[5];
	int64_t		before = fake_counter(st, STORE_FAIL_USER, "alice");

	(void)state;
	post_form("/login", NULL, "2001:db8:5:5::1",
	    "username=ghost&password=x", &r);
	assert_int_equal(r.status, 401);
	response_free(&r);
	post_form("/login", NULL, "2001:db8:5:5:ffff::2",
	    "username=alice&password=x", &r);
	assert_int_equal(r.status, 401);
	response_free(&r);
	assert_int_equal(fake_counter(st, STORE_FAIL_ADDR, "2001:db8:5:5::/64"),
	    2);
	assert_int_equal(fake_counter(st, STORE_FAIL_USER, "ghost"), 0);
	user_bucket(&cfg.keys, "ghost", 5, b);
	assert_int_equal(fake_counter(st, STORE_FAIL_UNKNOWN, b), 1);
	assert_int_equal(fake_counter(st, STORE_FAIL_USER, "alice"),
	    before + 1);
	/* a right password takes the address's attempt back */
	post_form("/login", NULL, "2001:db8:5:5::3",
	    "username=alice&password=s3cret", &r);
	assert_int_equal(r.status, 303);
	response_free(&r);
	assert_int_equal(fake_counter(st, STORE_FAIL_ADDR, "2001:db8:5:5::/64"),
	    2);
	assert_int_equal(fake_counter(st, STORE_FAIL_USER, "alice"), 0);
}

/* A request with these params; its answer in r. */
static void
nav(const char *role, const char *method, const char *uri, const char *accept,
    const char *cookie, struct response *r)
{
	char	  c[256];
	struct kv p[] = { { "FCGI_ROLE", role }, { "REQUEST_METHOD", method },
		{ "REQUEST_URI", uri }, { "HTTP_ACCEPT", accept },
		{ "HTTP_COOKIE", c }, { NULL, NULL } };

	if (accept == NULL)
		p[3].k = "unused";
	if (cookie != NULL)
		snprintf(c, sizeof(c), "__Host-sid=%s", cookie);
	else
		p[4].k = "unused";
	run(p, NULL, r);
}

static int
is_html(const struct response *r)
{
	return has_header(r, "Content-Type: text/html; charset=utf-8\r\n") &&
	    r->body != NULL && strstr(r->body, "<!DOCTYPE html>") != NULL;
}

/*
 * Issue 14: a page navigation that is denied or cannot be served gets a
 * page; JSON only for clients that ask for it.
 */
static void
test_navigation_gets_pages(void **state)
{
	static const char *const json[] = { NULL, "application/json",
		"text/html, application/json", "*/*" };
	struct response		 r = RESPONSE_EMPTY;
	char			*saved = cfg.login_redirect;
	size_t			 i;

	(void)state;
	/* the store down: 503, "try again in a moment", Retry-After */
	fake_fail(st, 1);
	nav("AUTHORIZER", "GET", "/p", "text/html,*/*;q=0.8", alice, &r);
	assert_int_equal(r.status, 503);
	assert_true(is_html(&r));
	assert_non_null(strstr(r.body, "Try again in a moment."));
	assert_true(has_header(&r, "Retry-After: 1\r\n"));
	assert_true(has_header(&r, "Cache-Control: no-store\r\n"));
	/* no page of sessgate's may be framed (clickjacking), or sniffed */
	assert_true(has_header(&r, "X-Frame-Options: DENY\r\n"));
	assert_true(has_header(&r,
	    "Content-Security-Policy: frame-ancestors 'none'\r\n"));
	assert_true(has_header(&r, "X-Content-Type-Options: nosniff\r\n"));
	response_free(&r);
	for (i = 0; i < sizeof(json) / sizeof(json[0]); i++) {
		nav("AUTHORIZER", "GET", "/p", json[i], alice, &r);
		assert_int_equal(r.status, 503);
		if (!has_header(&r, "Content-Type: application/json\r\n"))
			fail_msg("Accept %s: %s", json[i], r.headers);
		assert_true(has_header(&r, "Retry-After: 1\r\n"));
		assert_false(has_header(&r, "X-Frame-Options"));
		assert_true(has_header(&r, "X-Content-Type-Options: nosniff"));
		response_free(&r);
	}
	/* nginx's check (a Responder) too */
	nav("RESPONDER", "GET", "/auth", "text/html", alice, &r);
	assert_int_equal(r.status, 503);
	assert_true(is_html(&r));
	response_free(&r);
	fake_fail(st, 0);
	/* no login_redirect: a 401 page that links to the login form */
	cfg.login_redirect = (char *)"";
	nav("AUTHORIZER", "GET", "/a<b>", "text/html", NULL, &r);
	cfg.login_redirect = saved;
	assert_int_equal(r.status, 401);
	assert_true(is_html(&r));
	assert_non_null(strstr(r.body, "href=\"/login?next=/a%3Cb%3E\""));
	assert_null(strstr(r.body, "<b>"));
	response_free(&r);
	/* a malformed cookie: 400, a page */
	nav("AUTHORIZER", "GET", "/", "text/html", "x\x01", &r);
	assert_int_equal(r.status, 400);
	assert_true(is_html(&r));
	response_free(&r);
	/* the endpoints: 405 keeps its Allow, 404 */
	nav("RESPONDER", "GET", "/logout", "text/html", NULL, &r);
	assert_int_equal(r.status, 405);
	assert_true(is_html(&r));
	assert_true(has_header(&r, "Allow: POST\r\n"));
	response_free(&r);
	nav("RESPONDER", "GET", "/nowhere", "text/html", NULL, &r);
	assert_int_equal(r.status, 404);
	assert_true(is_html(&r));
	response_free(&r);
	nav("RESPONDER", "GET", "/nowhere", NULL, NULL, &r);
	assert_int_equal(r.status, 404);
	assert_true(has_header(&r, "Content-Type: application/json\r\n"));
	response_free(&r);
}

/* Issue 14: a login that finds the store down answers with the form. */
static void
test_login_unavailable_form(void **state)
{
	struct response r = RESPONSE_EMPTY;

	(void)state;
	fake_fail(st, 1);
	post_form("/login", NULL, "192.0.2.230",
	    "username=alice&password=s3cret&next=/x", &r);
	fake_fail(st, 0);
	assert_int_equal(r.status, 503);
	assert_true(is_html(&r));
	assert_non_null(strstr(r.body, "<form method=\"post\""));
	assert_non_null(strstr(r.body, "Try again in a moment."));
	assert_non_null(strstr(r.body, "name=\"next\" value=\"/x\""));
	assert_true(has_header(&r, "Retry-After: 1\r\n"));
	assert_null(strstr(r.headers, "Set-Cookie"));
	response_free(&r);
}

/* Issue 14: the password change page, behind a session. */
static void
test_password_page(void **state)
{
	struct response r = RESPONSE_EMPTY;
	char		c[128];
	struct kv	p[] = { { "REQUEST_METHOD", "POST" },
		      { "REQUEST_URI", "/password" },
		      { "CONTENT_TYPE", "application/x-www-form-urlencoded" },
		      { "HTTP_ACCEPT", "text/html" }, { "HTTP_COOKIE", c },
		      { NULL, NULL } };

	(void)state;
	nav("RESPONDER", "GET", "/password", "text/html", alice, &r);
	assert_int_equal(r.status, 200);
	assert_true(is_html(&r));
	assert_non_null(
	    strstr(r.body, "<form method=\"post\" action=\"/password\">"));
	assert_non_null(strstr(r.body, "name=\"current_password\""));
	assert_non_null(strstr(r.body, "name=\"new_password\""));
	assert_non_null(strstr(r.body, "value=\"alice\""));
	assert_true(has_header(&r, "Cache-Control: no-store\r\n"));
	response_free(&r);
	nav("RESPONDER", "HEAD", "/password", NULL, alice, &r);
	assert_int_equal(r.status, 200);
	response_free(&r);
	/* without a session: as any unauthenticated request */
	nav("RESPONDER", "GET", "/password", "text/html", NULL, &r);
	assert_int_equal(r.status, 302);
	assert_true(has_header(&r, "Location: /login?next=/password\r\n"));
	response_free(&r);
	nav("RESPONDER", "GET", "/password", NULL,
	    "AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &r);
	assert_int_equal(r.status, 401);
	assert_true(has_header(&r, "Content-Type: application/json\r\n"));
	response_free(&r);
	fake_fail(st, 1);
	nav("RESPONDER", "GET", "/password", "text/html", alice, &r);
	fake_fail(st, 0);
	assert_int_equal(r.status, 503);
	assert_true(is_html(&r));
	response_free(&r);
	/* a wrong current password: the form again for a browser, 403 */
	snprintf(c, sizeof(c), "__Host-sid=%s", alice);
	run(p, "current_password=nope&new_password=x", &r);
	assert_int_equal(r.status, 403);
	assert_true(is_html(&r));
	assert_non_null(strstr(r.body, "The current password is not right."));
	response_free(&r);
	p[3].v = "application/json";
	run(p, "current_password=nope&new_password=x", &r);
	assert_int_equal(r.status, 403);
	assert_true(has_header(&r, "Content-Type: application/json\r\n"));
	response_free(&r);
	assert_int_equal(check_status(alice), 200);
}

/* An answer's body starts with what the template test_page_template set. */
static void
framed(const struct response *r, int status, const char *title)
{
	char want[128];

	snprintf(want, sizeof(want), "<site>%s|<h1>%s</h1>\n", title, title);
	assert_int_equal(r->status, status);
	assert_true(
	    has_header(r, "Content-Type: text/html; charset=utf-8\r\n"));
	if (r->body == NULL || strncmp(r->body, want, strlen(want)) != 0)
		fail_msg("not framed: %s", r->body ? r->body : "(none)");
	assert_int_equal(r->blen, strlen(r->body));
	assert_non_null(strstr(r->body, "|</site>\n"));
	assert_null(strstr(r->body, "<!DOCTYPE html>"));
}

/* Issue 15: every page goes through the configuration's page_template. */
static void
test_page_template(void **state)
{
	const char     *tpl = "<site>{{title}}|{{content}}|</site>\n";
	struct response r = RESPONSE_EMPTY;
	char		err[256];

	(void)state;
	assert_int_equal(html_frame_parse(&cfg.page_frame, tpl, strlen(tpl),
			     err, sizeof(err)),
	    0);
	nav("RESPONDER", "GET", "/login?next=/a%22%3E%3Cscript%3E", "text/html",
	    NULL, &r);
	framed(&r, 200, "Sign in");
	assert_non_null(strstr(r.body, "value=\"/a&quot;&gt;&lt;script&gt;\""));
	assert_null(strstr(r.body, "<script"));
	response_free(&r);
	post_form("/login", NULL, "192.0.2.240", "username=alice&password=no",
	    &r);
	framed(&r, 401, "Sign in");
	assert_non_null(strstr(r.body, "role=\"alert\""));
	response_free(&r);
	nav("RESPONDER", "GET", "/password", "text/html", alice, &r);
	framed(&r, 200, "Change password");
	response_free(&r);
	nav("RESPONDER", "GET", "/nowhere", "text/html", NULL, &r);
	framed(&r, 404, "Not found");
	response_free(&r);
	fake_fail(st, 1);
	nav("AUTHORIZER", "GET", "/p", "text/html", alice, &r);
	fake_fail(st, 0);
	framed(&r, 503, "Service unavailable");
	assert_true(has_header(&r, "Retry-After: 1\r\n"));
	response_free(&r);
	html_frame_free(&cfg.page_frame);
	nav("RESPONDER", "GET", "/login", "text/html", NULL, &r);
	assert_true(is_html(&r)); /* the built-in again */
	response_free(&r);
}

/*
 * login_trusted_addresses: attempts from those addresses are not counted
 * per address (a proxy would lock everyone out), per user they are.
 */
static void
test_login_trusted_address(void **state)
{
	struct password_cost pc = { 1, 8192 };
	struct response	     r = RESPONSE_EMPTY;
	char		     h[PASSWORD_HASHLEN], err[128];
	int		     i;

	(void)state;
	assert_int_equal(cidr_list_parse(&cfg.login_trusted,
			     "198.51.100.0/24 2001:db8:77::/48", err,
			     sizeof(err)),
	    0);
	assert_int_equal(password_hash(h, "pw", 2, &pc), 0);
	assert_int_equal(store_user_add(st, "trent", h), SG_OK);
	for (i = 0; i < 10; i++) {
		post_form("/login", NULL,
		    i % 2 ? "198.51.100.9" : "2001:db8:77::9",
		    "username=trent&password=wrong", &r);
		assert_int_equal(r.status, 401);
		response_free(&r);
	}
	assert_int_equal(fake_counter(st, STORE_FAIL_ADDR, "198.51.100.9"), 0);
	assert_int_equal(fake_counter(st, STORE_FAIL_ADDR, "2001:db8:77::/64"),
	    0);
	assert_int_equal(fake_counter(st, STORE_FAIL_USER, "trent"), 10);
	/* the user's budget is spent: 429, from a trusted address too */
	post_form("/login", NULL, "198.51.100.9", "username=trent&password=pw",
	    &r);
	assert_int_equal(r.status, 429);
	response_free(&r);
	/* another user from the same address is not locked out */
	post_form("/login", NULL, "198.51.100.9",
	    "username=alice&password=s3cret", &r);
	assert_int_equal(r.status, 303);
	response_free(&r);
	assert_int_equal(fake_counter(st, STORE_FAIL_ADDR, "198.51.100.9"), 0);
	/* an address outside the list still counts */
	post_form("/login", NULL, "198.51.101.9", "username=ghost&password=x",
	    &r);
	assert_int_equal(r.status, 401);
	response_free(&r);
	assert_int_equal(fake_counter(st, STORE_FAIL_ADDR, "198.51.101.9"), 1);
	cfg.login_trusted.n = 0;
}

/*
 * An answer started over a response that still holds a body frees it
 * (LeakSanitizer fails the test otherwise): the check's allow and
 * redirect, the login form, a redirect after a POST.
 */
static void
test_answer_over_a_body(void **state)
{
	char		   c[128];
	struct kv	   allow[] = { { "FCGI_ROLE", "AUTHORIZER" },
			 { "REQUEST_METHOD", "GET" }, { "REQUEST_URI", "/x" },
			 { "HTTP_COOKIE", c }, { NULL, NULL } };
	struct kv	   nav[] = { { "FCGI_ROLE", "AUTHORIZER" },
			 { "REQUEST_METHOD", "GET" }, { "REQUEST_URI", "/x" },
			 { "HTTP_ACCEPT", "text/html" }, { NULL, NULL } };
	struct kv	   form[] = { { "REQUEST_METHOD", "GET" },
			 { "REQUEST_URI", "/login" }, { NULL, NULL } };
	const struct kv	  *reqs[] = { allow, nav, form };
	const int	   want[] = { 200, 302, 200 };
	struct handler_ctx h = { st, &cfg };
	struct input	   in;
	struct request	   req;
	struct response	   r = RESPONSE_EMPTY;
	size_t		   i;

	(void)state;
	snprintf(c, sizeof(c), "__Host-sid=%s", alice);
	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		response_error(&r, 400, "an earlier answer");
		assert_non_null(r.body);
		in = (struct input){ reqs[i], NULL, 0, 0 };
		request_init(&req, in_param, in_read, &in);
		handler_handle(&h, &req, &r);
		request_free(&req);
		assert_int_equal(r.status, want[i]);
		assert_false(has_header(&r, "Content-Type: application/json"));
	}
	response_error(&r, 400, "an earlier answer");
	endpoint_see_other(&r, "/next");
	assert_int_equal(r.status, 303);
	assert_null(r.body);
	assert_true(has_header(&r, "Location: /next\r\n"));
	response_free(&r);
	response_free(&r); /* a freed response may be freed again */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_allows),
		cmocka_unit_test(test_check_denials),
		cmocka_unit_test(test_check_store_error_is_503),
		cmocka_unit_test(test_check_duplicates_and_candidate_cap),
		cmocka_unit_test(test_check_recognised_by_auth_path),
		cmocka_unit_test(test_error_document_401),
		cmocka_unit_test(test_login),
		cmocka_unit_test(test_post_guards),
		cmocka_unit_test(test_body_too_large),
		cmocka_unit_test(test_logout_clears_cookie),
		cmocka_unit_test(test_password_change_loses_to_an_admin_reset),
		cmocka_unit_test(test_password_changed_without_a_session),
		cmocka_unit_test(test_login_busy),
		cmocka_unit_test(test_login_busy_log_is_bounded),
		cmocka_unit_test(test_log_lines_are_not_forged),
		cmocka_unit_test(test_login_counters),
		cmocka_unit_test(test_login_trusted_address),
		cmocka_unit_test(test_navigation_gets_pages),
		cmocka_unit_test(test_login_unavailable_form),
		cmocka_unit_test(test_password_page),
		cmocka_unit_test(test_page_template),
		cmocka_unit_test(test_answer_over_a_body),
	};

	if (sodium_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
