/*
 * session.c: the session service.
 *
 * Every login gets a token made here, never one the client brought: a
 * session cookie sent with the login is ended first (no fixation). Wrong
 * user and wrong password take the same path and about the same time.
 * Password hashing runs behind a gate (password.c) that leaves worker
 * threads free for the session checks, and every attempt is counted before
 * its verification (throttle.c). A write that depends on a verified
 * password carries the generation it was verified under, and the store
 * refuses it if that changed meanwhile.
 */
#include "session/session.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config/pathlist.h"
#include "core/log.h"
#include "core/metrics.h"
#include "http/agent.h"
#include "http/cookie.h"
#include "session/password.h"
#include "session/secret_id.h"
#include "session/throttle.h"

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
	p->keys = cfg->keys;
	p->replicas_ack = cfg->redis_replicas_ack;
}

struct store *
session_store_open(const struct config *cfg)
{
	struct store_params p;
	struct store	   *s;

	session_store_params(&p, cfg);
	s = store_open(&p);
	sodium_memzero(&p, sizeof(p));
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
check_one(const struct session_ctx *c, const struct token *t, void *arg)
{
	struct session_found *f = arg;
	enum sg_result	      rv;

	rv = store_session_seen(c->store, t, c->check_flags, &f->seen);
	if (rv == SG_STALE) /* under an old tag: denied like an unknown one */
		log_warnx("check from %s: %s", c->addr, store_error(c->store));
	if (rv == SG_OK)
		token_id(t, f->id);
	return rv == SG_DENY || rv == SG_STALE ? SG_NO_SESSION : rv;
}

enum sg_result
session_find_seen(const struct session_ctx *c, struct session_found *f)
{
	return each_token(c, check_one, f);
}

enum sg_result
session_find(const struct session_ctx *c, char user[USER_NAME_MAX + 1])
{
	struct session_found f;
	enum sg_result	     rv;

	if ((rv = session_find_seen(c, &f)) == SG_OK)
		memcpy(user, f.seen.user, sizeof(f.seen.user));
	return rv;
}

int
session_reauth_path(const struct config *cfg, const char *uri)
{
	return cfg->reauth.n > 0 && pathlist_match(&cfg->reauth, uri) != 0;
}

int
session_reauth_due(const struct config *cfg, const char *uri,
    const struct store_seen *seen)
{
	/* (the time first: a fresh password needs no reading of the path) */
	return seen->now - seen->confirmed >= cfg->reauth_timeout &&
	    session_reauth_path(cfg, uri);
}

int
session_remembered(const struct config *cfg, const struct store_seen *seen)
{
	return cfg->remember_timeout > 0 && seen->remembered;
}

void
session_audit(const struct session_ctx *c, enum audit_event e, const char *user,
    const char *id, const char *reason)
{
	struct audit a = { e, user, NULL, c->addr, c->host, reason };
	char	     ref[TOKEN_REFLEN + 1];

	if (id != NULL) {
		token_ref(id, ref);
		a.session = ref;
	}
	audit_write(c->cfg->audit, &a);
}

/* arg: the audit reason of the logout (NULL: the user's own). */
static enum sg_result
end_one(const struct session_ctx *c, const struct token *t, void *arg)
{
	char user[USER_NAME_MAX + 1], id[TOKEN_IDLEN + 1];
	char ref[TOKEN_REFLEN + 1];

	if (store_session_destroy(c->store, t, user) != SG_OK)
		return SG_UNAVAILABLE;
	if (user[0] != '\0') {
		token_id(t, id);
		session_audit(c, AUDIT_LOGOUT, user, id, arg);
		if (arg == NULL) { /* one line per logout; the reference only */
			token_ref(id, ref);
			log_info("%s logged out (session %s) from %s", user,
			    ref, c->addr);
		}
	}
	return SG_NO_SESSION; /* on to the next cookie */
}

static enum sg_result
end_presented(const struct session_ctx *c, const char *reason)
{
	if (each_token(c, end_one, (void *)(uintptr_t)reason) == SG_UNAVAILABLE)
		return SG_UNAVAILABLE;
	return SG_OK;
}

enum sg_result
session_end_presented(const struct session_ctx *c)
{
	return end_presented(c, NULL);
}

static struct password_cost
cost(const struct config *cfg)
{
	struct password_cost pc = { cfg->password_opslimit,
		cfg->password_memlimit };

	return pc;
}

/*
 * How many password hashes may run at once in this process:
 * login_concurrency. The daemon runs them on threads of their own (its
 * login lane), never on the threads that answer checks.
 */
static unsigned int
gate_limit(const struct config *cfg)
{
	return cfg->login_concurrency > 0 ? cfg->login_concurrency : 1;
}

/*
 * Past the gate: SG_BUSY, and a log line at most once a second with the
 * number refused since the last one (a flood must not flood the log).
 */
static enum sg_result
gate_enter(const struct config *cfg)
{
	static unsigned long refused;
	static time_t	     logged;
	unsigned int	     n = gate_limit(cfg);
	unsigned long	     k;
	time_t		     now, last;

	if (password_gate_enter(n) == SG_OK)
		return SG_OK;
	__atomic_add_fetch(&refused, 1, __ATOMIC_RELAXED);
	now = time(NULL);
	last = __atomic_load_n(&logged, __ATOMIC_RELAXED);
	if (now != last &&
	    __atomic_compare_exchange_n(&logged, &last, now, 0,
		__ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
		k = __atomic_exchange_n(&refused, 0, __ATOMIC_RELAXED);
		log_warnx("login refused: %u password checks already running "
			  "(login_concurrency); %lu refused since the last "
			  "such line",
		    n, k);
	}
	return SG_BUSY;
}

/*
 * Verify pw for name, each attempt counted first (address, then the name
 * or its bucket): SG_OK (u filled), SG_DENY, SG_THROTTLED, SG_UNAVAILABLE.
 * Names that are not users cost a verification too, at today's cost.
 */
static enum sg_result
verify_counted(const struct session_ctx *c, const char *name, const char *pw,
    struct store_user *u, struct throttle *t, int64_t *retry_ms)
{
	struct password_cost pc = cost(c->cfg);
	enum sg_result	     rv;
	int		     is_user;

	if ((rv = throttle_attempt_addr(c->store, c->cfg, t, c->addr,
		 retry_ms)) != SG_OK)
		return rv;
	rv = SG_NO_USER;
	if (user_name_valid(name, strlen(name)))
		rv = store_user_get(c->store, name, u);
	if (rv != SG_OK && rv != SG_NO_USER)
		return rv;
	is_user = rv == SG_OK;
	if ((rv = throttle_attempt_name(c->store, c->cfg, t, name, is_user,
		 retry_ms)) != SG_OK)
		return rv;
	if (!is_user) {
		password_verify_dummy(pw, strlen(pw), &pc);
		return SG_DENY;
	}
	return password_verify(u->pwhash, pw, strlen(pw));
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
	if (store_user_rehash(c->store, u->name, u->pwhash, u->gen, h) ==
	    SG_UNAVAILABLE)
		log_warnx("rehash of %s: %s", u->name, store_error(c->store));
	else
		log_info("password hash of %s upgraded", u->name);
}

/* A session for u, made under u->gen: SG_OK, or what the store said. */
static enum sg_result
create_session(const struct session_ctx *c, const struct store_user *u,
    struct token *out, int remember)
{
	struct store_login   in = { c->addr, NULL,
		  remember ? c->cfg->remember_timeout : 0, remember };
	struct store_evicted ev;
	char		     tag[TOKEN_TAGLEN + 1], agent[RECORD_AGENT_MAX + 1];
	int64_t		     created;
	enum sg_result	     rv;
	int		     i;

	agent_describe(c->agent, agent, sizeof(agent));
	in.agent = agent;
	user_tag(&c->cfg->keys, u->name, strlen(u->name), tag);
	token_new(out, tag);
	rv = store_session_create(c->store, u, out, &in, &created, &ev);
	if (rv == SG_OK && ev.n > 0)
		metrics_add(M_EVICTION, (uint64_t)ev.n);
	for (i = 0; rv == SG_OK && i < ev.n && i < STORE_EVICTED_MAX; i++)
		session_audit(c, AUDIT_EVICT, u->name, ev.ids[i],
		    "max_sessions");
	return rv;
}

/*
 * The name of a login for the log, from what the throttle found: never a
 * name that is not a user's (it may be a password typed in the wrong
 * field).
 */
static void
login_who(const struct throttle *t, char who[SESSION_WHO_LEN])
{
	switch (t->kind) {
	case STORE_FAIL_USER:
		snprintf(who, SESSION_WHO_LEN, "%s", t->name);
		break;
	case STORE_FAIL_UNKNOWN:
		snprintf(who, SESSION_WHO_LEN, "unknown user (bucket %s)",
		    t->name);
		break;
	default: /* the address was throttled before the name was read */
		snprintf(who, SESSION_WHO_LEN, "%s", SESSION_WHO_NOT_LOOKED_UP);
		break;
	}
}

enum sg_result
session_login(const struct session_ctx *c, const char *user, const char *pw,
    struct token *out, int64_t *retry_ms, char who[SESSION_WHO_LEN])
{
	struct store_user u;
	struct throttle	  t;
	enum sg_result	  rv;

	memset(&t, 0, sizeof(t));
	t.kind = STORE_FAIL_ADDR;
	if (gate_enter(c->cfg) != SG_OK) {
		login_who(&t, who);
		return SG_BUSY;
	}
	if ((rv = verify_counted(c, user, pw, &u, &t, retry_ms)) == SG_OK)
		maybe_rehash(c, &u, pw);
	password_gate_leave();
	login_who(&t, who);
	if (rv == SG_DENY && t.kind == STORE_FAIL_UNKNOWN)
		secret_id_login_hint(c->store, &c->cfg->keys,
		    c->cfg->key_prefix);
	if (rv != SG_OK)
		return rv;
	throttle_success(c->store, c->cfg, &t);
	if (end_presented(c, "login") != SG_OK)
		return SG_UNAVAILABLE;
	/* the user changed password or was deleted since: a failed login */
	if ((rv = create_session(c, &u, out,
		 c->remember && c->cfg->remember_timeout > 0)) == SG_STALE)
		return SG_DENY;
	if (rv == SG_OK) /* the user is under this gate's keys */
		store_secret_id_claim(c->store);
	return rv;
}

/* The password of the session t names, for session_confirm. */
struct confirm_arg {
	const char	     *pw;
	struct session_found *f;
	int64_t		     *retry_ms;
};

static enum sg_result
confirm_one(const struct session_ctx *c, const struct token *t, void *arg)
{
	struct confirm_arg *a = arg;
	struct store_user   u;
	struct throttle	    th;
	enum sg_result	    rv;

	if ((rv = check_one(c, t, a->f)) != SG_OK)
		return rv;
	memset(&th, 0, sizeof(th));
	if (gate_enter(c->cfg) != SG_OK)
		return SG_BUSY;
	rv = verify_counted(c, a->f->seen.user, a->pw, &u, &th, a->retry_ms);
	if (rv == SG_OK)
		maybe_rehash(c, &u, a->pw);
	password_gate_leave();
	if (rv != SG_OK)
		return rv;
	throttle_success(c->store, c->cfg, &th);
	rv = store_session_confirm(c->store, t, a->f->seen.user);
	return rv == SG_DENY ? SG_NO_SESSION : rv;
}

enum sg_result
session_confirm(const struct session_ctx *c, const char *pw,
    struct session_found *f, int64_t *retry_ms)
{
	struct confirm_arg a = { pw, f, retry_ms };
	enum sg_result	   rv;

	f->seen.user[0] = '\0';
	rv = each_token(c, confirm_one, &a);
	return rv == SG_MALFORMED ? SG_NO_SESSION : rv;
}

enum sg_result
session_end_all(const struct session_ctx *c, char user[USER_NAME_MAX + 1])
{
	enum sg_result rv;
	int	       ended;

	if ((rv = session_find(c, user)) != SG_OK)
		return rv == SG_MALFORMED ? SG_NO_SESSION : rv;
	rv = store_session_destroy_all(c->store, user, &ended);
	if ((rv == SG_OK || rv == SG_NO_USER) && ended > 0)
		metrics_add(M_REVOCATION, (uint64_t)ended);
	return rv == SG_NO_USER ? SG_OK : rv;
}

/* Verify the current password, hash the new one (behind the gate). */
static enum sg_result
verify_and_hash(const struct session_ctx *c, const char *user,
    const char *current, const char *new_pw, struct store_user *u,
    char h[PASSWORD_HASHLEN], int64_t *retry_ms)
{
	struct password_cost pc = cost(c->cfg);
	struct throttle	     t;
	enum sg_result	     rv;

	if (gate_enter(c->cfg) != SG_OK)
		return SG_BUSY;
	rv = verify_counted(c, user, current, u, &t, retry_ms);
	if (rv == SG_OK && password_hash(h, new_pw, strlen(new_pw), &pc) == -1)
		rv = SG_UNAVAILABLE;
	password_gate_leave();
	if (rv == SG_OK)
		throttle_success(c->store, c->cfg, &t);
	return rv;
}

enum sg_result
session_password(const struct session_ctx *c, const char *current,
    const char *new_pw, struct token *out, int *remember,
    char user[USER_NAME_MAX + 1], int64_t *retry_ms)
{
	struct session_found f;
	struct store_user    u;
	char		     h[PASSWORD_HASHLEN], gen[STORE_GENLEN];
	size_t		     len = strlen(new_pw);
	enum sg_result	     rv;
	int		     ended;

	*remember = 0;
	if ((rv = session_find_seen(c, &f)) != SG_OK)
		return rv == SG_MALFORMED ? SG_NO_SESSION : rv;
	memcpy(user, f.seen.user, sizeof(f.seen.user));
	*remember = session_remembered(c->cfg, &f.seen);
	if (len == 0 || len > PASSWORD_MAX)
		return SG_INVALID;
	if ((rv = verify_and_hash(c, user, current, new_pw, &u, h, retry_ms)) !=
	    SG_OK)
		return rv;
	/* only if the generation is still the one the password was verified
	 * under: an administrator's reset meanwhile wins */
	rv = store_user_passwd(c->store, user, h, u.gen, gen, &ended);
	sodium_memzero(h, sizeof(h));
	if (rv == SG_NO_USER)
		rv = SG_STALE;
	if (rv != SG_OK)
		return rv;
	if (ended > 0)
		metrics_add(M_REVOCATION, (uint64_t)ended);
	/* the password changed: a failure from here on is not a wrong one */
	memcpy(u.gen, gen, sizeof(u.gen));
	if ((rv = create_session(c, &u, out, *remember)) != SG_OK) {
		log_warnx(
		    "password changed for %s, but no new session (%s): %s",
		    user, sg_result_name(rv), store_error(c->store));
		return SG_RELOGIN;
	}
	return SG_OK;
}
