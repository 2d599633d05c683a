/*
 * Unit tests of the sessions page (endpoint_sessions.c) with the fake
 * store: the listing as HTML and as the contract's JSON, ending one
 * session, this one, or all others, and every refusal: an unknown, cut
 * or foreign reference (404, nothing ended), the POST guards, no
 * session, a store that cannot answer.
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

#include <cjson/cJSON.h>
#include <cmocka.h>
#include <sodium.h>

#include "fake_store.h"
#include "handler/endpoint.h"
#include "handler/handler.h"
#include "session/password.h"

#include "params.h"

static struct config cfg;
static struct store *st;

/* A session made here: its cookie value and reference. */
struct sess {
	struct token t;
	char	     cookie[TOKEN_COOKIELEN + 1];
	char	     ref[TOKEN_REFLEN + 1];
};

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

static void
make_session(const char *user, const char *addr, const char *agent,
    struct sess *s)
{
	struct store_login in = { addr, agent, 0, 0 };
	struct store_user  u;
	char		   tag[TOKEN_TAGLEN + 1], id[TOKEN_IDLEN + 1];
	int64_t		   c;

	assert_int_equal(store_user_get(st, user, &u), SG_OK);
	user_tag(&cfg.keys, user, strlen(user), tag);
	token_new(&s->t, tag);
	assert_int_equal(store_session_create(st, &u, &s->t, &in, &c, NULL),
	    SG_OK);
	assert_int_equal(token_encode(&s->t, s->cookie, sizeof(s->cookie)), 0);
	token_id(&s->t, id);
	token_ref(id, s->ref);
}

static int
alive(const struct sess *s)
{
	char user[USER_NAME_MAX + 1];

	return store_session_check(st, &s->t, user) == SG_OK;
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
	assert_int_equal(store_user_add(st, "bob", h), SG_OK);
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

/* GET /sessions with the cookie of s (NULL: none) and accept. */
static void
get(const struct sess *s, const char *accept, struct response *r)
{
	char	  c[128];
	struct kv p[] = { { "REQUEST_METHOD", "GET" },
		{ "REQUEST_URI", "/sessions" }, { "HTTP_ACCEPT", accept },
		{ "HTTP_COOKIE", c }, { NULL, NULL } };

	if (accept == NULL)
		p[2].k = "unused";
	if (s != NULL)
		snprintf(c, sizeof(c), "__Host-sid=%s", s->cookie);
	else
		p[3].k = "unused";
	run(p, NULL, r);
}

/* POST body to /sessions, same-site, with the cookie of s. */
static void
post(const struct sess *s, const char *body, struct response *r)
{
	char	  c[128];
	struct kv p[] = { { "REQUEST_METHOD", "POST" },
		{ "REQUEST_URI", "/sessions" },
		{ "CONTENT_TYPE", "application/x-www-form-urlencoded" },
		{ "HTTP_HOST", "example.com" },
		{ "HTTP_ORIGIN", "https://example.com" }, { "HTTPS", "on" },
		{ "REMOTE_ADDR", "192.0.2.9" }, { "HTTP_COOKIE", c },
		{ NULL, NULL } };

	if (s != NULL)
		snprintf(c, sizeof(c), "__Host-sid=%s", s->cookie);
	else
		p[7].k = "unused";
	run(p, body, r);
}

static int
has_header(const struct response *r, const char *line)
{
	return strstr(r->headers, line) != NULL;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static void
test_page(void **state)
{
	struct sess	a, b, bob;
	struct response r = RESPONSE_EMPTY;
	char		want[128];

	(void)state;
	make_session("alice", "192.0.2.1", "Firefox on Linux", &a);
	make_session("alice", "2001:db8::7", "Evil <b>&'", &b);
	make_session("bob", "198.51.100.1", "Chrome on Android", &bob);
	get(&a, "text/html,application/xhtml+xml,*/*;q=0.8", &r);
	assert_int_equal(r.status, 200);
	assert_true(has_header(&r, "Content-Type: text/html; charset=utf-8"));
	assert_true(has_header(&r, "Cache-Control: no-store\r\n"));
	assert_non_null(strstr(r.body, "<title>Your sessions</title>"));
	/* both of alice's, with their forms; nothing of bob's */
	snprintf(want, sizeof(want), "name=\"id\" value=\"%s\"", a.ref);
	assert_non_null(strstr(r.body, want));
	snprintf(want, sizeof(want), "name=\"id\" value=\"%s\"", b.ref);
	assert_non_null(strstr(r.body, want));
	assert_null(strstr(r.body, bob.ref));
	assert_null(strstr(r.body, "198.51.100.1"));
	assert_null(strstr(r.body, "Android"));
	/* newest first; this one marked, once */
	assert_true(strstr(r.body, b.ref) < strstr(r.body, a.ref));
	assert_int_equal(count(r.body, "(this browser)"), 1);
	assert_true(strstr(r.body, "(this browser)") > strstr(r.body, b.ref));
	assert_non_null(strstr(r.body, "Firefox on Linux"));
	assert_non_null(strstr(r.body, "2001:db8::7"));
	/* escaped: the record's text never makes markup */
	assert_non_null(strstr(r.body, "Evil &lt;b&gt;&amp;&#39;"));
	assert_null(strstr(r.body, "<b>"));
	/* a button per session, labelled by its heading; one for the rest */
	assert_int_equal(count(r.body, ">Sign out</button>"), 1);
	assert_int_equal(count(r.body, ">Sign out of this browser</button>"),
	    1);
	snprintf(want, sizeof(want), "<h2 id=\"s-%s\"", b.ref);
	assert_non_null(strstr(r.body, want));
	snprintf(want, sizeof(want), "aria-describedby=\"s-%s\"", b.ref);
	assert_non_null(strstr(r.body, want));
	assert_int_equal(count(r.body, ">Sign out everywhere else</button>"),
	    1);
	assert_non_null(strstr(r.body, "name=\"others\" value=\"1\""));
	assert_null(strstr(r.body, "<script"));
	/* no stored id, no token */
	assert_null(strstr(r.body, a.cookie + TOKEN_TAGLEN + 1));
	response_free(&r);
	/* alone: no "everywhere else" */
	get(&bob, NULL, &r);
	assert_int_equal(r.status, 200);
	assert_int_equal(count(r.body, "Sign out everywhere else"), 0);
	assert_non_null(strstr(r.body, "1 session, newest first"));
	response_free(&r);
	assert_true(alive(&a) && alive(&b) && alive(&bob));
}

static void
test_json(void **state)
{
	static const char *const keys[] = { "id", "created", "last_seen",
		"address", "agent", "current" };
	struct sess		 a, b;
	struct response		 r = RESPONSE_EMPTY;
	cJSON			*root, *arr, *o, *k, *seen;
	time_t			 now = time(NULL);
	size_t			 i, j;

	(void)state;
	make_session("alice", "192.0.2.1", "Firefox on Linux", &a);
	make_session("alice", "192.0.2.2", "Safari on iPhone", &b);
	get(&b, "application/json", &r);
	assert_int_equal(r.status, 200);
	assert_true(has_header(&r, "Content-Type: application/json\r\n"));
	assert_true(has_header(&r, "Cache-Control: no-store\r\n"));
	root = cJSON_ParseWithLength(r.body, r.blen);
	assert_non_null(root);
	assert_int_equal(cJSON_GetArraySize(root), 1);
	arr = cJSON_GetObjectItemCaseSensitive(root, "sessions");
	assert_true(cJSON_IsArray(arr));
	assert_int_equal(cJSON_GetArraySize(arr), 2);
	for (i = 0; i < 2; i++) {
		o = cJSON_GetArrayItem(arr, (int)i);
		assert_int_equal(cJSON_GetArraySize(o), 6);
		for (j = 0; j < 6; j++)
			assert_non_null(
			    cJSON_GetObjectItemCaseSensitive(o, keys[j]));
		/* (the fake's clock counts from 1 ms: created is 0 s) */
		k = cJSON_GetObjectItemCaseSensitive(o, "created");
		assert_true(cJSON_IsNumber(k) && k->valuedouble >= 0);
		/* a fake session is as fresh as when it was made: seen now */
		seen = cJSON_GetObjectItemCaseSensitive(o, "last_seen");
		assert_true(cJSON_IsNumber(seen));
		assert_true(seen->valuedouble >= k->valuedouble);
		assert_true(seen->valuedouble >= (double)now - 5 &&
		    seen->valuedouble <= (double)now + 5);
		assert_true(cJSON_IsBool(
		    cJSON_GetObjectItemCaseSensitive(o, "current")));
	}
	/* newest first: b (this one), then a */
	o = cJSON_GetArrayItem(arr, 0);
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(o, "id")->valuestring, b.ref);
	assert_true(
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "current")));
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(o, "agent")->valuestring,
	    "Safari on iPhone");
	o = cJSON_GetArrayItem(arr, 1);
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(o, "id")->valuestring, a.ref);
	assert_true(
	    cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(o, "current")));
	assert_string_equal(
	    cJSON_GetObjectItemCaseSensitive(o, "address")->valuestring,
	    "192.0.2.1");
	cJSON_Delete(root);
	response_free(&r);
}

static const struct {
	const char *accept;
	int	    json;
} accepts[] = {
	{ NULL, 0 },
	{ "*/*", 0 },
	{ "text/html", 0 },
	{ "text/html, application/json", 0 },
	{ "application/json", 1 },
	{ "application/json, text/html;q=0.5", 1 },
	{ "APPLICATION/JSON", 1 },
	{ "application/json;q=0.9, */*", 1 },
	{ "application/jsonx", 0 }, /* a whole media type only */
	{ "xapplication/json, text/html", 0 },
	{ "text/htmlx, application/json", 1 },
	{ "text/html;q=0.9,application/json", 0 },
};

static void
test_accept(void **state)
{
	struct sess	a;
	struct response r = RESPONSE_EMPTY;
	size_t		i;
	int		json;

	(void)state;
	make_session("alice", "192.0.2.1", "Firefox on Linux", &a);
	for (i = 0; i < sizeof(accepts) / sizeof(accepts[0]); i++) {
		get(&a, accepts[i].accept, &r);
		assert_int_equal(r.status, 200);
		json = has_header(&r, "Content-Type: application/json\r\n");
		if (json != accepts[i].json)
			fail_msg("case %zu: %s", i, accepts[i].accept);
		response_free(&r);
	}
}

static void
test_unauthenticated_and_unavailable(void **state)
{
	struct sess	a;
	struct response r = RESPONSE_EMPTY;

	(void)state;
	/* a page navigation: to the login form, with next */
	get(NULL, "text/html", &r);
	assert_int_equal(r.status, 302);
	assert_true(has_header(&r, "Location: /login?next=/sessions\r\n"));
	response_free(&r);
	/* a script: 401 JSON */
	get(NULL, "application/json", &r);
	assert_int_equal(r.status, 401);
	assert_true(has_header(&r, "Content-Type: application/json\r\n"));
	response_free(&r);
	post(NULL, "others=1", &r);
	assert_int_equal(r.status, 401);
	response_free(&r);
	/* Redis down: 503, a page for a navigation, JSON for a script */
	make_session("alice", "192.0.2.1", "Firefox on Linux", &a);
	fake_fail(st, 1);
	get(&a, "text/html", &r);
	assert_int_equal(r.status, 503);
	assert_true(has_header(&r, "Content-Type: text/html"));
	assert_true(has_header(&r, "Retry-After: 1\r\n"));
	response_free(&r);
	get(&a, "application/json", &r);
	assert_int_equal(r.status, 503);
	assert_true(has_header(&r, "Content-Type: application/json\r\n"));
	response_free(&r);
	post(&a, "others=1", &r);
	assert_int_equal(r.status, 503);
	response_free(&r);
	fake_fail(st, 0);
	assert_true(alive(&a));
}

static void
test_end_one(void **state)
{
	struct sess	a, b;
	struct response r = RESPONSE_EMPTY;
	char		body[64];

	(void)state;
	make_session("alice", "192.0.2.1", "Firefox on Linux", &a);
	make_session("alice", "192.0.2.2", "Chrome on Android", &b);
	snprintf(body, sizeof(body), "id=%s", b.ref);
	post(&a, body, &r);
	assert_int_equal(r.status, 303);
	assert_true(has_header(&r, "Location: /sessions\r\n"));
	assert_null(strstr(r.headers, "Set-Cookie"));
	response_free(&r);
	assert_false(alive(&b));
	assert_true(alive(&a));
	/* again: it is gone, 404 */
	post(&a, body, &r);
	assert_int_equal(r.status, 404);
	response_free(&r);
	assert_true(alive(&a));
}

/*
 * sessions_path under reauth_paths: an old password is confirmed before
 * the page is shown or a session ended there (ASVS 5.0 7.5.2).
 */
static void
test_reauth_opt_in(void **state)
{
	const char     *text = "password_memlimit = 8K\npassword_opslimit = 1\n"
			       "max_sessions = 0\nreauth_paths = /sessions\n"
			       "reauth_timeout = 2s\n";
	struct sess	a, b;
	struct response r = RESPONSE_EMPTY;
	char		body[64], c[128], err[CONFIG_ERRLEN];
	struct kv	p[] = { { "REQUEST_METHOD", "POST" },
		      { "REQUEST_URI", "/sessions" },
		      { "CONTENT_TYPE", "application/x-www-form-urlencoded" },
		      { "HTTP_HOST", "example.com" },
		      { "HTTP_ORIGIN", "https://example.com" }, { "HTTPS", "on" },
		      { "HTTP_ACCEPT", "text/html,*/*;q=0.8" }, { "HTTP_COOKIE", c },
		      { NULL, NULL } };

	(void)state;
	config_free(&cfg);
	assert_int_equal(config_defaults(&cfg), 0);
	assert_int_equal(
	    config_parse(&cfg, "t", text, strlen(text), err, sizeof(err)), 0);
	make_session("alice", "192.0.2.1", "Firefox on Linux", &a);
	make_session("alice", "192.0.2.2", "Chrome on Android", &b);
	snprintf(c, sizeof(c), "__Host-sid=%s", a.cookie);
	snprintf(body, sizeof(body), "id=%s", b.ref);
	/* a fresh password: as ever */
	get(&a, "text/html", &r);
	assert_int_equal(r.status, 200);
	response_free(&r);
	fake_tick(st, 2000);
	/* an old one: the page and the form go to the confirm form */
	get(&a, "text/html", &r);
	assert_int_equal(r.status, 302);
	assert_true(
	    has_header(&r, "Location: /login?next=/sessions&reauth=1\r\n"));
	response_free(&r);
	run(p, body, &r);
	assert_int_equal(r.status, 302);
	assert_true(
	    has_header(&r, "Location: /login?next=/sessions&reauth=1\r\n"));
	response_free(&r);
	assert_true(alive(&b));
	/* an API client: 401, nothing ended */
	get(&a, "application/json", &r);
	assert_int_equal(r.status, 401);
	response_free(&r);
	post(&a, body, &r);
	assert_int_equal(r.status, 401);
	response_free(&r);
	assert_true(alive(&b));
	/* confirmed: the click ends b */
	assert_int_equal(store_session_confirm(st, &a.t, "alice"), SG_OK);
	run(p, body, &r);
	assert_int_equal(r.status, 303);
	response_free(&r);
	assert_false(alive(&b));
}

/* The page holds the newest SESSIONS_PAGE_MAX (50); others=1 ends all. */
static void
test_many_sessions(void **state)
{
	struct sess	a[55];
	struct response r = RESPONSE_EMPTY;
	char		body[64];
	size_t		i;

	(void)state;
	for (i = 0; i < 55; i++)
		make_session("alice", "192.0.2.1", "Firefox on Linux", &a[i]);
	get(&a[54], "text/html", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "the newest 50 sessions are shown"));
	assert_int_equal(count(r.body, "name=\"id\""), 50);
	assert_null(strstr(r.body, a[4].ref)); /* the fifth oldest: cut */
	assert_non_null(strstr(r.body, a[5].ref));
	assert_non_null(strstr(r.body, "Sign out everywhere else"));
	response_free(&r);
	get(&a[54], "application/json", &r);
	assert_int_equal(count(r.body, "\"id\":"), 50);
	response_free(&r);
	/* a session the page does not show is not ended by its REF */
	snprintf(body, sizeof(body), "id=%s", a[0].ref);
	post(&a[54], body, &r);
	assert_int_equal(r.status, 404);
	response_free(&r);
	assert_true(alive(&a[0]));
	/* but everywhere else means every other one */
	post(&a[54], "others=1", &r);
	assert_int_equal(r.status, 303);
	response_free(&r);
	for (i = 0; i < 54; i++)
		assert_false(alive(&a[i]));
	assert_true(alive(&a[54]));
}

static void
test_end_this_one(void **state)
{
	struct sess	a, b;
	struct response r = RESPONSE_EMPTY;
	char		body[64];

	(void)state;
	make_session("alice", "192.0.2.1", "Firefox on Linux", &a);
	make_session("alice", "192.0.2.2", "Chrome on Android", &b);
	snprintf(body, sizeof(body), "id=%s", a.ref);
	post(&a, body, &r);
	assert_int_equal(r.status, 303);
	assert_true(has_header(&r, "Location: /login\r\n"));
	assert_true(has_header(&r,
	    "Set-Cookie: __Host-sid=; Path=/; Max-Age=0; Secure; HttpOnly; "
	    "SameSite=Lax\r\n"));
	response_free(&r);
	assert_false(alive(&a));
	assert_true(alive(&b));
}

static void
test_unknown_and_foreign_refs(void **state)
{
	struct sess	a, b, bob;
	struct response r = RESPONSE_EMPTY;
	char		body[128], cut[TOKEN_REFLEN + 1];
	size_t		i;
	const char     *bad[] = { "AAAAAAAAAAAA", "", "x", "others",
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };

	(void)state;
	make_session("alice", "192.0.2.1", "Firefox on Linux", &a);
	make_session("alice", "192.0.2.2", "Chrome on Android", &b);
	make_session("bob", "198.51.100.1", "Safari on iPhone", &bob);
	/* bob's session, by its exact reference, from alice's: 404 */
	snprintf(body, sizeof(body), "id=%s", bob.ref);
	post(&a, body, &r);
	assert_int_equal(r.status, 404);
	assert_true(has_header(&r, "Content-Type: application/json\r\n"));
	response_free(&r);
	/* a prefix of b's, b's with one more character, b's whole stored id */
	memcpy(cut, b.ref, TOKEN_REFLEN - 1);
	cut[TOKEN_REFLEN - 1] = '\0';
	snprintf(body, sizeof(body), "id=%s", cut);
	post(&a, body, &r);
	assert_int_equal(r.status, 404);
	response_free(&r);
	snprintf(body, sizeof(body), "id=%sA", b.ref);
	post(&a, body, &r);
	assert_int_equal(r.status, 404);
	response_free(&r);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "id=%s", bad[i]);
		post(&a, body, &r);
		if (r.status != 404)
			fail_msg("id=%s: %d", bad[i], r.status);
		response_free(&r);
	}
	assert_true(alive(&a) && alive(&b) && alive(&bob));
	/* bob, posting alice's: 404 too; and a browser gets a page */
	snprintf(body, sizeof(body), "id=%s", b.ref);
	{
		char	  c[128];
		struct kv p[] = { { "REQUEST_METHOD", "POST" },
			{ "REQUEST_URI", "/sessions" },
			{ "CONTENT_TYPE", "application/x-www-form-urlencoded" },
			{ "HTTP_ACCEPT", "text/html" }, { "HTTP_COOKIE", c },
			{ NULL, NULL } };

		snprintf(c, sizeof(c), "__Host-sid=%s", bob.cookie);
		run(p, body, &r);
	}
	assert_int_equal(r.status, 404);
	assert_true(has_header(&r, "Content-Type: text/html"));
	assert_non_null(strstr(r.body, "href=\"/sessions\""));
	response_free(&r);
	assert_true(alive(&a) && alive(&b) && alive(&bob));
}

static void
test_end_others(void **state)
{
	struct sess	a, b, c, bob;
	struct response r = RESPONSE_EMPTY;

	(void)state;
	make_session("alice", "192.0.2.1", "Firefox on Linux", &a);
	make_session("alice", "192.0.2.2", "Chrome on Android", &b);
	make_session("alice", "192.0.2.3", "Edge on Windows", &c);
	make_session("bob", "198.51.100.1", "Safari on iPhone", &bob);
	post(&b, "others=1", &r);
	assert_int_equal(r.status, 303);
	assert_true(has_header(&r, "Location: /sessions\r\n"));
	response_free(&r);
	assert_true(alive(&b) && alive(&bob));
	assert_false(alive(&a));
	assert_false(alive(&c));
	get(&b, "application/json", &r);
	assert_int_equal(count(r.body, "\"id\""), 1);
	response_free(&r);
}

static const struct {
	const char *method, *type, *origin, *body;
	int	    status;
} guards[] = {
	{ "POST", "application/x-www-form-urlencoded", "https://evil.example",
	    "others=1", 403 },
	{ "POST", "application/x-www-form-urlencoded", "null", "others=1",
	    403 },
	{ "POST", "application/json", NULL, "{\"others\":1}", 415 },
	{ "POST", "text/plain", NULL, "others=1", 415 },
	{ "POST", "application/x-www-form-urlencoded", NULL, "others=%4", 400 },
	{ "POST", "application/x-www-form-urlencoded", NULL, "id=%00", 400 },
	{ "POST", "application/x-www-form-urlencoded", NULL, "", 400 },
	{ "POST", NULL, NULL, "", 400 },
	{ "POST", "application/x-www-form-urlencoded", NULL, "nothing=1", 400 },
	{ "POST", "application/x-www-form-urlencoded", NULL, "others=1&id=x",
	    400 },
	/* exactly one field, others only as 1 */
	{ "POST", "application/x-www-form-urlencoded", NULL, "others=0", 400 },
	{ "POST", "application/x-www-form-urlencoded", NULL,
	    "others=1&others=1", 400 },
	{ "POST", "application/x-www-form-urlencoded", NULL, "id=x&id=y", 400 },
	{ "PUT", NULL, NULL, NULL, 405 },
	{ "DELETE", NULL, NULL, NULL, 405 },
};

static void
test_guards(void **state)
{
	struct sess	a, b;
	struct response r = RESPONSE_EMPTY;
	char		c[128], *big;
	size_t		i;

	(void)state;
	make_session("alice", "192.0.2.1", "Firefox on Linux", &a);
	make_session("alice", "192.0.2.2", "Chrome on Android", &b);
	snprintf(c, sizeof(c), "__Host-sid=%s", a.cookie);
	for (i = 0; i < sizeof(guards) / sizeof(guards[0]); i++) {
		struct kv p[] = { { "REQUEST_METHOD", guards[i].method },
			{ "REQUEST_URI", "/sessions" },
			{ "CONTENT_TYPE", guards[i].type },
			{ "HTTP_ORIGIN", guards[i].origin },
			{ "HTTP_HOST", "example.com" }, { "HTTPS", "on" },
			{ "HTTP_COOKIE", c }, { NULL, NULL } };

		if (guards[i].type == NULL)
			p[2].k = "unused";
		if (guards[i].origin == NULL)
			p[3].k = "unused";
		run(p, guards[i].body, &r);
		if (r.status != guards[i].status)
			fail_msg("case %zu: %d", i, r.status);
		if (r.status == 405)
			assert_true(
			    has_header(&r, "Allow: GET, HEAD, POST\r\n"));
		response_free(&r);
		assert_true(alive(&a) && alive(&b));
	}
	/* over 8 KiB: 413, nothing ended */
	big = malloc(REQUEST_BODY_MAX + 16);
	assert_non_null(big);
	memcpy(big, "others=1&x=", 11);
	memset(big + 11, 'a', REQUEST_BODY_MAX);
	big[REQUEST_BODY_MAX + 11] = '\0';
	post(&a, big, &r);
	assert_int_equal(r.status, 413);
	response_free(&r);
	free(big);
	assert_true(alive(&a) && alive(&b));
}

static void
test_config(void **state)
{
	struct config c;
	char	      err[CONFIG_ERRLEN];
	const char   *same = "sessions_path = /login\n",
		   *off = "sessions_path =\n",
		   *elsewhere = "sessions_path = /me/sessions\n",
		   *bad = "sessions_path = //evil\n",
		   *loop = "login_redirect = /me?x=1\nsessions_path = /me\n";
	struct kv	   p[] = { { "REQUEST_METHOD", "GET" },
			 { "REQUEST_URI", "/sessions" }, { NULL, NULL } };
	struct response	   r = RESPONSE_EMPTY;
	struct handler_ctx h;
	struct request	   req;
	struct input	   in = { p, NULL, 0, 0 };

	(void)state;
	assert_int_equal(config_defaults(&c), 0);
	assert_string_equal(c.sessions_path, "/sessions");
	assert_int_equal(
	    config_parse(&c, "t", same, strlen(same), err, sizeof(err)), -1);
	assert_non_null(strstr(err,
	    "t:1: sessions_path: the same path as "
	    "login_path"));
	config_free(&c);
	assert_int_equal(config_defaults(&c), 0);
	assert_int_equal(
	    config_parse(&c, "t", bad, strlen(bad), err, sizeof(err)), -1);
	config_free(&c);
	/* login_redirect's path: a denied page would be sent to itself */
	assert_int_equal(config_defaults(&c), 0);
	assert_int_equal(
	    config_parse(&c, "t", loop, strlen(loop), err, sizeof(err)), -1);
	assert_non_null(strstr(err,
	    "t:2: sessions_path: the path of "
	    "login_redirect"));
	config_free(&c);
	assert_int_equal(config_defaults(&c), 0);
	assert_int_equal(config_parse(&c, "t", elsewhere, strlen(elsewhere),
			     err, sizeof(err)),
	    0);
	config_free(&c);
	/* empty: off, the path is nobody's */
	assert_int_equal(config_defaults(&c), 0);
	assert_int_equal(
	    config_parse(&c, "t", off, strlen(off), err, sizeof(err)), 0);
	h.store = st;
	h.cfg = &c;
	request_init(&req, in_param, in_read, &in);
	response_reset(&r, 0);
	handler_handle(&h, &req, &r);
	assert_int_equal(r.status, 404);
	request_free(&req);
	response_free(&r);
	config_free(&c);
}

/* With a page_template, the page is framed in it, its content escaped. */
static void
test_page_template(void **state)
{
	struct sess	   a;
	struct response	   r = RESPONSE_EMPTY;
	struct config	   c;
	struct handler_ctx h;
	struct request	   req;
	char		   path[] = "/tmp/sg-test-sessions-XXXXXX", text[256],
	     conf[] = "/tmp/sg-test-sessions-conf-XXXXXX", err[CONFIG_ERRLEN],
	     ck[128];
	const char  *tpl = "<!DOCTYPE html><title>{{title}} - Example</title>"
			   "<p>OPERATOR</p>{{content}}";
	struct kv    p[] = { { "REQUEST_METHOD", "GET" },
		   { "REQUEST_URI", "/sessions" }, { "HTTP_ACCEPT", "text/html" },
		   { "HTTP_COOKIE", ck }, { NULL, NULL } };
	struct input in = { p, NULL, 0, 0 };
	int	     fd;

	(void)state;
	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, tpl, strlen(tpl)), (ssize_t)strlen(tpl));
	close(fd);
	assert_true((fd = mkstemp(conf)) != -1);
	snprintf(text, sizeof(text), "page_template = %s\n", path);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	/* config_load reads the template (config_parse only names it) */
	assert_int_equal(config_load(&c, conf, err, sizeof(err)), 0);
	unlink(path);
	unlink(conf);
	make_session("alice", "192.0.2.1", "<i>", &a);
	snprintf(ck, sizeof(ck), "__Host-sid=%s", a.cookie);
	h.store = st;
	h.cfg = &c;
	request_init(&req, in_param, in_read, &in);
	response_reset(&r, 0);
	handler_handle(&h, &req, &r);
	assert_int_equal(r.status, 200);
	assert_non_null(
	    strstr(r.body, "<title>Your sessions - Example</title>"));
	assert_non_null(strstr(r.body, "<p>OPERATOR</p>"));
	assert_non_null(strstr(r.body, "&lt;i&gt;"));
	assert_null(strstr(r.body, "<i>"));
	assert_null(strstr(r.body, "{{content}}"));
	request_free(&req);
	response_free(&r);
	config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_accept, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_unauthenticated_and_unavailable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_end_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reauth_opt_in, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_many_sessions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_end_this_one, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unknown_and_foreign_refs,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_end_others, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_guards, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_page_template, setup,
		    teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
