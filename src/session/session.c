/*
 * session.c: the session service.
 *
 * Every login gets a token made here, never one the client brought: a
 * session cookie sent with the login is ended first (no fixation). Wrong
 * user and wrong password take the same path and about the same time.
 */
#include "session/session.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "http/cookie.h"
#include "session/password.h"
#include "session/throttle.h"

/* Failure counters are keyed by a valid name; others share this one. */
#define NO_SUCH_NAME "!"

void
session_store_params(struct store_params *p, const struct config *cfg)
{
	memset(p, 0, sizeof(*p));
	p->url = cfg->redis_url;
	p->timeout = cfg->redis_timeout;
	snprintf(p->key_prefix, sizeof(p->key_prefix), "%s", cfg->key_prefix);
	p->idle_timeout = cfg->idle_timeout;
	p->absolute_timeout = cfg->absolute_timeout;
	p->max_sessions = cfg->max_sessions;
	p->reject = cfg->session_limit == CONFIG_LIMIT_REJECT;
	p->login_failure_window = cfg->login_failure_window;
	p->replicas_ack = cfg->redis_replicas_ack;
}

struct store *
session_store_open(const struct config *cfg)
{
	struct store_params p;
	struct store	   *s;

	session_store_params(&p, cfg);
	s = store_open(&p);
	sodium_memzero(&p.url, sizeof(p.url));
	return s;
}

typedef enum sg_result (
    *token_fn)(const struct session_ctx *, const struct token *, void *);

/*
 * Call fn for each well-formed session token in the Cookie header until
 * one answers other than SG_NO_SESSION; SG_MALFORMED for a bad header.
 */
static enum sg_result
each_token(const struct session_ctx *c, token_fn fn, void *arg)
{
	struct token   t;
	const char    *v;
	size_t	       pos = 0, vlen, len;
	enum sg_result rv;
	int	       found = 0, n = 0;

	if (c->cookie == NULL)
		return SG_NO_SESSION;
	len = strlen(c->cookie);
	while (n < SESSION_CANDIDATES &&
	    (found = cookie_next(c->cookie, len, c->cfg->cookie_name, &pos, &v,
		 &vlen)) == 1) {
		if (token_decode(&t, v, vlen) == -1)
			continue;
		n++;
		rv = fn(c, &t, arg);
		token_wipe(&t);
		if (rv != SG_NO_SESSION)
			return rv;
	}
	return found == -1 ? SG_MALFORMED : SG_NO_SESSION;
}

static enum sg_result
check_one(const struct session_ctx *c, const struct token *t, void *user)
{
	enum sg_result rv = store_session_check(c->store, t, user);

	return rv == SG_DENY ? SG_NO_SESSION : rv;
}

enum sg_result
session_find(const struct session_ctx *c, char user[USER_NAME_MAX + 1])
{
	return each_token(c, check_one, user);
}

static enum sg_result
end_one(const struct session_ctx *c, const struct token *t, void *arg)
{
	(void)arg;
	if (store_session_destroy(c->store, t) != SG_OK)
		return SG_UNAVAILABLE;
	return SG_NO_SESSION; /* on to the next cookie */
}

enum sg_result
session_end_presented(const struct session_ctx *c)
{
	if (each_token(c, end_one, NULL) == SG_UNAVAILABLE)
		return SG_UNAVAILABLE;
	return SG_OK;
}

static struct password_cost
cost(const struct config *cfg)
{
	struct password_cost pc = { cfg->password_opslimit,
		cfg->password_memlimit };

	return pc;
}

/*
 * Verify pw for name: SG_OK (u filled), SG_DENY, SG_UNAVAILABLE. Unknown
 * names spend the time of a verification too.
 */
static enum sg_result
verify(const struct session_ctx *c, const char *name, const char *pw,
    struct store_user *u)
{
	struct password_cost pc = cost(c->cfg);
	size_t		     len = strlen(pw);
	enum sg_result	     rv;

	rv = SG_NO_USER;
	if (strcmp(name, NO_SUCH_NAME) != 0)
		rv = store_user_get(c->store, name, u);
	if (rv == SG_NO_USER) {
		password_verify_dummy(pw, len, &pc);
		return SG_DENY;
	}
	if (rv != SG_OK)
		return rv;
	return password_verify(u->pwhash, pw, len);
}

static void
maybe_rehash(const struct session_ctx *c, const struct store_user *u,
    const char *pw)
{
	struct password_cost pc = cost(c->cfg);
	char		     h[PASSWORD_HASHLEN];

	if (password_needs_rehash(u->pwhash, &pc) != 1 ||
	    password_hash(h, pw, strlen(pw), &pc) == -1)
		return;
	if (store_user_rehash(c->store, u->name, u->pwhash, h) ==
	    SG_UNAVAILABLE)
		log_warnx("rehash of %s: %s", u->name, store_error(c->store));
	else
		log_info("password hash of %s upgraded", u->name);
}

/* A session for u; a user changed or gone meanwhile is a wrong login. */
static enum sg_result
create_session(const struct session_ctx *c, const struct store_user *u,
    struct token *out)
{
	char	       tag[TOKEN_TAGLEN + 1];
	int64_t	       created;
	enum sg_result rv;

	user_tag(u->name, strlen(u->name), tag);
	token_new(out, tag);
	rv = store_session_create(c->store, u, out, &created);
	return rv == SG_STALE ? SG_DENY : rv;
}

/* Verify name's password, counting a failure: SG_OK, or why not. */
static enum sg_result
verify_throttled(const struct session_ctx *c, const char *name, const char *pw,
    struct store_user *u, int64_t *retry_ms)
{
	enum sg_result rv;

	if ((rv = throttle_check(c->store, c->cfg, name, c->addr, retry_ms)) !=
	    SG_OK)
		return rv;
	if ((rv = verify(c, name, pw, u)) == SG_DENY)
		throttle_fail(c->store, c->cfg, name, c->addr);
	return rv;
}

enum sg_result
session_login(const struct session_ctx *c, const char *user, const char *pw,
    struct token *out, int64_t *retry_ms)
{
	struct store_user u;
	const char	 *name = user;
	enum sg_result	  rv;

	if (!user_name_valid(user, strlen(user)))
		name = NO_SUCH_NAME;
	if ((rv = verify_throttled(c, name, pw, &u, retry_ms)) != SG_OK)
		return rv;
	maybe_rehash(c, &u, pw);
	if (session_end_presented(c) != SG_OK)
		return SG_UNAVAILABLE;
	if ((rv = create_session(c, &u, out)) == SG_OK)
		throttle_clear(c->store, u.name);
	return rv;
}

enum sg_result
session_end_all(const struct session_ctx *c, char user[USER_NAME_MAX + 1])
{
	enum sg_result rv;
	int	       ended;

	if ((rv = session_find(c, user)) != SG_OK)
		return rv == SG_MALFORMED ? SG_NO_SESSION : rv;
	rv = store_session_destroy_all(c->store, user, &ended);
	return rv == SG_NO_USER ? SG_OK : rv;
}

static enum sg_result
set_password(const struct session_ctx *c, const char *user, const char *new_pw,
    struct token *out)
{
	struct password_cost pc = cost(c->cfg);
	struct store_user    u;
	char		     h[PASSWORD_HASHLEN];
	size_t		     len = strlen(new_pw);
	int		     ended;

	if (len == 0 || len > PASSWORD_MAX)
		return SG_INVALID;
	if (password_hash(h, new_pw, len, &pc) == -1)
		return SG_UNAVAILABLE;
	if (store_user_passwd(c->store, user, h, &ended) != SG_OK ||
	    store_user_get(c->store, user, &u) != SG_OK)
		return SG_UNAVAILABLE;
	return create_session(c, &u, out);
}

enum sg_result
session_password(const struct session_ctx *c, const char *current,
    const char *new_pw, struct token *out, char user[USER_NAME_MAX + 1],
    int64_t *retry_ms)
{
	struct store_user u;
	enum sg_result	  rv;

	if ((rv = session_find(c, user)) != SG_OK)
		return rv == SG_MALFORMED ? SG_NO_SESSION : rv;
	if ((rv = verify_throttled(c, user, current, &u, retry_ms)) != SG_OK)
		return rv;
	return set_password(c, user, new_pw, out);
}
