/*
 * fuzz_handler: a whole request through handler_handle(), from FastCGI
 * params and a body (fuzz_params.h): routing, the session check, the POST
 * guards and the endpoints, over the unit tests' in-memory store
 * (tests/unit/fake_store.c), which holds a user alice (password s3cret)
 * and one live session whose cookie is fixed (fuzz_handler.c prints it
 * with FUZZ_PRINT_COOKIE=1, for the seeds, with the references of
 * alice's second session and of bob's one, for the sessions page's). The
 * param FUZZ_CONFIG (0 to 4) picks one of five configurations, FUZZ_STORE
 * (down, throttled, stale: the password was entered 10 minutes ago) a
 * state of the store.
 *
 * Promises checked: a session check allows (200 with REMOTE_USER) only
 * for a request carrying the live session's secret; bob's session (whose
 * cookie no seed holds) outlives every request that does not carry its
 * secret, whatever reference the sessions page is sent, and alice's
 * second session every request that carries neither its secret nor that
 * of alice's live one; a Location is always
 * a local path; every header line is one line with no control bytes; every
 * answer fits (no 500); the head is well-formed; nothing leaks or crashes;
 * a stale session is never allowed under reauth_paths (a path read the
 * way a server may read it, or that cannot be read).
 */
#include <sodium.h>

#include "config/pathlist.h"
#include "core/user.h"
#include "fake_store.h"
#include "handler/endpoint.h"
#include "handler/handler.h"
#include "http/url.h"
#include "session/password.h"

#include "fuzz_params.h"

#define AMP10	  "&&&&&&&&&&"
#define LONG_PATH /* 199 bytes */ \
	AMP10 AMP10 AMP10 AMP10 AMP10 AMP10 AMP10 AMP10 AMP10 AMP10 AMP10 \
	    AMP10 AMP10 AMP10 AMP10 AMP10 AMP10 AMP10 AMP10 "&&&&&&&&&"
static const char *const config_text[] = {
	"password_memlimit = 8K\npassword_opslimit = 1\n",
	"password_memlimit = 8K\npassword_opslimit = 1\nlogin_redirect =\n"
	"session_limit = reject\nmax_sessions = 1\ncookie_name = sid\n"
	"cookie_secure = no\nlogin_max_failures = 1\n",
	"password_memlimit = 8K\npassword_opslimit = 1\nmax_sessions = 0\n"
	"login_path = /a/login\nauth_path = /a/auth\n"
	"login_redirect = /a/login?from=gate\ncookie_samesite = Strict\n",
	/* the longest paths the configuration accepts, escaping at worst */
	"password_memlimit = 8K\npassword_opslimit = 1\n"
	"login_path = /" LONG_PATH "\nlogin_redirect = /" LONG_PATH "\n",
	/* issue 15: passive paths, keep me signed in, step-up */
	"password_memlimit = 8K\npassword_opslimit = 1\nmax_sessions = 0\n"
	"passive_paths = /poll\nreauth_paths = /admin /" LONG_PATH "\n"
	"reauth_timeout = 1s\nremember_timeout = 30d\n",
};
#define CONFIG_STEPUP 4
#define NCONFIGS      (sizeof(config_text) / sizeof(config_text[0]))

static struct config cfg[NCONFIGS];
static char	     alice_hash[PASSWORD_HASHLEN];
static struct token  live; /* alice's session, the same every run */
static char	     live_cookie[TOKEN_COOKIELEN + 1];
static struct token  second;  /* alice's other session (not at max 1) */
static struct token  foreign; /* bob's */
static char	     foreign_secret[TOKEN_COOKIELEN + 1];
static char	     second_secret[TOKEN_COOKIELEN + 1];

/* A fixed token of user, its secret bytes all fill. */
static void
fixed_token(struct token *t, const char *user, int fill)
{
	user_tag(&cfg[0].keys, user, strlen(user), t->tag);
	memset(t->secret, fill, sizeof(t->secret));
}

/* The sessions page's reference of t. */
static void
print_ref(const char *what, const struct token *t)
{
	char id[TOKEN_IDLEN + 1], ref[TOKEN_REFLEN + 1];

	token_id(t, id);
	token_ref(id, ref);
	printf("%s %s\n", what, ref);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct password_cost pc = { 1, 8192 };
	char		     err[CONFIG_ERRLEN], tag[TOKEN_TAGLEN + 1];
	size_t		     i;

	(void)argc, (void)argv;
	if (sodium_init() < 0)
		abort();
	for (i = 0; i < NCONFIGS; i++)
		if (config_defaults(&cfg[i]) != 0 ||
		    config_parse(&cfg[i], "fuzz", config_text[i],
			strlen(config_text[i]), err, sizeof(err)) != 0) {
			fprintf(stderr, "fuzz_handler: %s\n", err);
			abort();
		}
	if (password_hash(alice_hash, "s3cret", 6, &pc) != 0)
		abort();
	user_tag(&cfg[0].keys, "alice", 5, tag);
	memcpy(live.tag, tag, sizeof(live.tag));
	memset(live.secret, 0x5a, sizeof(live.secret));
	if (token_encode(&live, live_cookie, sizeof(live_cookie)) != 0)
		abort();
	fixed_token(&second, "alice", 0x3c);
	fixed_token(&foreign, "bob", 0x6b);
	if (token_encode(&foreign, foreign_secret, sizeof(foreign_secret)) !=
		0 ||
	    token_encode(&second, second_secret, sizeof(second_secret)) != 0)
		abort();
	if (getenv("FUZZ_PRINT_COOKIE") != NULL) {
		printf("%s\n", live_cookie);
		print_ref("alice's second session", &second);
		print_ref("bob's session", &foreign);
	}
	return 0;
}

/*
 * A fresh store: alice and her live session, nothing else. FUZZ_STORE
 * "down" makes it fail every operation (503), "throttled" gives it ten
 * failed logins already (429).
 */
static struct store *
store_new(const struct config *c, const char *state)
{
	struct store	 *st = fake_store_new(c);
	struct store_user u;
	int64_t		  created, n, ms;
	int		  i;

	if (st == NULL || store_user_add(st, "alice", alice_hash) != SG_OK ||
	    store_user_get(st, "alice", &u) != SG_OK ||
	    store_session_create(st, &u, &live, NULL, &created, NULL) != SG_OK)
		abort();
	/* at max_sessions = 1 (reject) alice has only the one */
	if (store_session_create(st, &u, &second, NULL, &created, NULL) ==
	    SG_UNAVAILABLE)
		abort();
	if (store_user_add(st, "bob", alice_hash) != SG_OK ||
	    store_user_get(st, "bob", &u) != SG_OK ||
	    store_session_create(st, &u, &foreign, NULL, &created, NULL) !=
		SG_OK)
		abort();
	if (state != NULL && strcmp(state, "down") == 0)
		fake_fail(st, 1);
	if (state != NULL && strcmp(state, "stale") == 0)
		fake_tick(st, 600000);
	if (state != NULL && strcmp(state, "throttled") == 0)
		for (i = 0; i < 10; i++)
			if (store_fail_attempt(st, STORE_FAIL_ADDR, "192.0.2.1",
				&n, &ms) != SG_OK ||
			    store_fail_attempt(st, STORE_FAIL_USER, "alice", &n,
				&ms) != SG_OK)
				abort();
	return st;
}

/* Header lines: "Name: value\r\n", no other CR, LF or control byte. */
static void
check_headers(const struct response *resp)
{
	size_t i;

	FUZZ_ASSERT(resp->hlen < sizeof(resp->headers) &&
	    resp->headers[resp->hlen] == '\0');
	for (i = 0; i < resp->hlen; i++) {
		unsigned char c = (unsigned char)resp->headers[i];

		if (c == '\r')
			FUZZ_ASSERT(resp->headers[i + 1] == '\n');
		else if (c == '\n')
			FUZZ_ASSERT(i > 0 && resp->headers[i - 1] == '\r');
		else
			FUZZ_ASSERT((c >= 0x20 && c != 0x7f) || c == '\t');
	}
	FUZZ_ASSERT(resp->hlen == 0 || resp->headers[resp->hlen - 1] == '\n');
}

/*
 * The value of the first header line called name, or NULL (after
 * check_headers(): every line ends in CR LF).
 */
static const char *
header(const struct response *resp, const char *name)
{
	const char *line = resp->headers;
	size_t	    n = strlen(name);

	for (; *line != '\0'; line = strchr(line, '\n') + 1)
		if (strncmp(line, name, n) == 0 && line[n] == ':' &&
		    line[n + 1] == ' ')
			return line + n + 2;
	return NULL;
}

static void
check_response(const struct response *resp, const struct request *req)
{
	char	    head[RESPONSE_HEADERS_MAX + 256];
	const char *loc;

	FUZZ_ASSERT(resp->status >= 200 && resp->status <= 599);
	check_headers(resp);
	if (header(resp, "Variable-REMOTE_USER") != NULL) {
		/*
		 * Only SG_OK allows, and only the live session is SG_OK: the
		 * cookie must carry its secret. (Its tag only places the keys
		 * in Redis, where another tag finds nothing; the fake store
		 * has no slots and ignores it.)
		 */
		FUZZ_ASSERT(resp->status == 200);
		FUZZ_ASSERT(strncmp(header(resp, "Variable-REMOTE_USER"),
				"alice\r\n", 7) == 0);
		FUZZ_ASSERT(req->cookie != NULL &&
		    strstr(req->cookie, live_cookie + TOKEN_TAGLEN + 1) !=
			NULL);
	}
	if ((loc = header(resp, "Location")) != NULL) {
		/* never an open redirect: a local path, whatever next was */
		FUZZ_ASSERT(url_local_path(loc));
		FUZZ_ASSERT(resp->status == 302 || resp->status == 303);
	}
	/* an answer that does not fit would be a 500: never for a client */
	FUZZ_ASSERT(!resp->overflow);
	FUZZ_ASSERT(response_head(resp, head, sizeof(head)) > 0);
}

/* Does the request's Cookie header hold the secret of cookie value v? */
static int
carries(const struct request *req, const char *v)
{
	return req->cookie != NULL &&
	    strstr(req->cookie, v + TOKEN_TAGLEN + 1) != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_params p;
	struct handler_ctx h;
	struct request	   req;
	struct response	   resp = RESPONSE_EMPTY;
	const char	  *which;
	char		   user[USER_NAME_MAX + 1];
	size_t		   c = 0;
	int		   down, had_second;

	fuzz_params_parse(&p, data, size);
	if ((which = fuzz_param("FUZZ_CONFIG", &p)) != NULL &&
	    which[0] >= '0' && which[0] < (char)('0' + NCONFIGS))
		c = (size_t)(which[0] - '0');
	h.cfg = &cfg[c];
	h.store = store_new(h.cfg, fuzz_param("FUZZ_STORE", &p));
	which = fuzz_param("FUZZ_STORE", &p);
	down = which != NULL && strcmp(which, "down") == 0;
	had_second =
	    !down && store_session_check(h.store, &second, user) == SG_OK;
	request_init(&req, fuzz_param, fuzz_read, &p);
	response_reset(&resp, 0);
	handler_handle(&h, &req, &resp);
	check_response(&resp, &req);
	if (down) /* never allows */
		FUZZ_ASSERT(header(&resp, "Variable-REMOTE_USER") == NULL);
	/* no request but bob's own ends bob's session */
	if (!down && !carries(&req, foreign_secret))
		FUZZ_ASSERT(
		    store_session_check(h.store, &foreign, user) == SG_OK);
	/* nor alice's second but one that holds alice's live session */
	if (had_second && !carries(&req, second_secret) &&
	    !carries(&req, live_cookie))
		FUZZ_ASSERT(
		    store_session_check(h.store, &second, user) == SG_OK);
	/* step-up: a check does not confirm; only the password does */
	if (which != NULL && strcmp(which, "stale") == 0 &&
	    c == CONFIG_STEPUP && pathlist_match(&h.cfg->reauth, req.uri) != 0)
		FUZZ_ASSERT(header(&resp, "Variable-REMOTE_USER") == NULL);
	response_free(&resp);
	request_free(&req);
	store_close(h.store);
	fuzz_params_free(&p);
	return 0;
}
