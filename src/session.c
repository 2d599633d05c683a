/*
 * session.c: the session service.
 *
 * Every login gets a token made here, never one the client brought: a
 * session cookie sent with the login is ended first (no fixation). Wrong
 * user and wrong password take the same path and about the same time.
 */
#include "session.h"

#include <string.h>

#include "cookie.h"
#include "log.h"
#include "password.h"

/* Failure counters are keyed by a valid name; others share this one. */
#define NO_SUCH_NAME	"!"

/* Call fn for each well-formed session token in the Cookie header. */
static int
each_token(const struct session_ctx *c,
    int (*fn)(const struct session_ctx *, const struct token *, void *),
    void *arg)
{
	struct token	 t;
	const char	*v;
	size_t		 pos = 0, vlen, len;
	int		 rv = 0, n = 0;

	if (c->cookie == NULL)
		return 0;
	len = strlen(c->cookie);
	while (n < SESSION_CANDIDATES && (rv = cookie_next(c->cookie, len,
	    c->cfg->cookie_name, &pos, &v, &vlen)) == 1) {
		if (token_decode(&t, v, vlen) == -1)
			continue;
		n++;
		rv = fn(c, &t, arg);
		token_wipe(&t);
		if (rv != 0)
			return rv;
	}
	return rv == -1 ? SESSION_MALFORMED : 0;
}

static int
check_one(const struct session_ctx *c, const struct token *t, void *user)
{
	return store_check(c->store, t, user);
}

int
session_find(const struct session_ctx *c, char user[USER_NAME_MAX + 1])
{
	return each_token(c, check_one, user);
}

static int
end_one(const struct session_ctx *c, const struct token *t, void *arg)
{
	(void)arg;
	return store_destroy(c->store, t) == -1 ? -1 : 0;
}

int
session_end_presented(const struct session_ctx *c)
{
	int	 rv = each_token(c, end_one, NULL);

	return rv == SESSION_MALFORMED ? 0 : rv;
}

static struct password_cost
cost(const struct config *cfg)
{
	struct password_cost	 pc = { cfg->password_opslimit,
				    cfg->password_memlimit };

	return pc;
}

/* 1 if user or address is over the limit (retry_ms set), 0, or -1. */
static int
throttled(const struct session_ctx *c, const char *name, int64_t *retry_ms)
{
	int64_t	 n;

	if (c->cfg->login_max_failures == 0)
		return 0;
	if (store_fail_get(c->store, name, c->addr, &n, retry_ms) == -1)
		return -1;
	return n >= (int64_t)c->cfg->login_max_failures;
}

/* Verify pw for name; 1 match (u filled), 0 no, -1 store error. */
static int
verify(const struct session_ctx *c, const char *name, const char *pw,
    struct store_user *u)
{
	struct password_cost	 pc = cost(c->cfg);
	size_t			 len = strlen(pw);
	int			 found;

	found = store_user_get(c->store, name, u);
	if (found == -1)
		return -1;
	if (found == 0) {
		password_verify_dummy(pw, len, &pc);
		return 0;
	}
	if (password_verify(u->pwhash, pw, len) == 0)
		return 1;
	return 0;
}

static void
maybe_rehash(const struct session_ctx *c, const struct store_user *u,
    const char *pw)
{
	struct password_cost	 pc = cost(c->cfg);
	char			 h[PASSWORD_HASHLEN];

	if (password_needs_rehash(u->pwhash, &pc) != 1 ||
	    password_hash(h, pw, strlen(pw), &pc) == -1)
		return;
	if (store_user_rehash(c->store, u->name, u->pwhash, h) == -1)
		log_warnx("rehash of %s: %s", u->name, c->store->err);
	else
		log_info("password hash of %s upgraded", u->name);
}

/* Count a failure for name and for the address. */
static void
failed(const struct session_ctx *c, const char *name)
{
	if (store_fail_add(c->store, name, c->addr) == -1)
		log_warnx("counting a failed login: %s", c->store->err);
}

static enum session_result
create(const struct session_ctx *c, const struct store_user *u,
    struct token *out)
{
	char	 tag[TOKEN_TAGLEN + 1];
	int64_t	 created;

	user_tag(u->name, strlen(u->name), tag);
	token_new(out, tag);
	switch (store_create(c->store, u, out, &created)) {
	case STORE_CREATE_OK:
		return SESSION_OK;
	case STORE_CREATE_LIMIT:
		return SESSION_LIMIT;
	case STORE_CREATE_STALE:
		return SESSION_DENIED;
	default:
		return SESSION_ERROR;
	}
}

enum session_result
session_login(const struct session_ctx *c, const char *user, const char *pw,
    struct token *out, int64_t *retry_ms)
{
	struct store_user	 u;
	const char		*name = user;
	enum session_result	 rv;
	int			 ok;

	if (!user_name_valid(user, strlen(user)))
		name = NO_SUCH_NAME;
	if ((ok = throttled(c, name, retry_ms)) != 0)
		return ok == -1 ? SESSION_ERROR : SESSION_THROTTLED;
	if (name == user)
		ok = verify(c, name, pw, &u);
	else {
		struct password_cost pc = cost(c->cfg);

		password_verify_dummy(pw, strlen(pw), &pc);
		ok = 0;
	}
	if (ok == -1)
		return SESSION_ERROR;
	if (ok == 0) {
		failed(c, name);
		return SESSION_DENIED;
	}
	maybe_rehash(c, &u, pw);
	if (session_end_presented(c) == -1)
		return SESSION_ERROR;
	if ((rv = create(c, &u, out)) == SESSION_OK &&
	    store_fail_clear(c->store, u.name) == -1)
		log_warnx("clearing failed logins of %s: %s", u.name,
		    c->store->err);
	return rv;
}

enum session_result
session_end_all(const struct session_ctx *c)
{
	char	 user[USER_NAME_MAX + 1];
	int	 rv;

	if ((rv = session_find(c, user)) == -1)
		return SESSION_ERROR;
	if (rv != 1)
		return SESSION_NO_SESSION;
	if (store_destroy_all(c->store, user) < 0)
		return SESSION_ERROR;
	log_info("%s logged out everywhere", user);
	return SESSION_OK;
}

static enum session_result
set_password(const struct session_ctx *c, const char *user,
    const char *new_pw, struct token *out)
{
	struct password_cost	 pc = cost(c->cfg);
	struct store_user	 u;
	char			 h[PASSWORD_HASHLEN];
	size_t			 len = strlen(new_pw);

	if (len == 0 || len > PASSWORD_MAX)
		return SESSION_INVALID;
	if (password_hash(h, new_pw, len, &pc) == -1)
		return SESSION_ERROR;
	if (store_user_passwd(c->store, user, h) < 0 ||
	    store_user_get(c->store, user, &u) != 1)
		return SESSION_ERROR;
	return create(c, &u, out);
}

enum session_result
session_password(const struct session_ctx *c, const char *current,
    const char *new_pw, struct token *out, char user[USER_NAME_MAX + 1],
    int64_t *retry_ms)
{
	struct store_user	 u;
	int			 rv;

	if ((rv = session_find(c, user)) == -1)
		return SESSION_ERROR;
	if (rv != 1)
		return SESSION_NO_SESSION;
	if ((rv = throttled(c, user, retry_ms)) != 0)
		return rv == -1 ? SESSION_ERROR : SESSION_THROTTLED;
	if ((rv = verify(c, user, current, &u)) == -1)
		return SESSION_ERROR;
	if (rv == 0) {
		failed(c, user);
		return SESSION_DENIED;
	}
	return set_password(c, user, new_pw, out);
}
