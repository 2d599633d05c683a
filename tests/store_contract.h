/*
 * store_contract.h: the store's contract, as cases every store must pass.
 * Included by tests/integration/test_store.c (the Redis store, against a
 * real redis-server) and tests/unit/test_fake_store.c (the in-memory
 * store the handler tests use), so that the fake cannot drift away from
 * the scripts it stands in for. The cases that need Redis itself (time
 * passing, connections, keys read with an admin connection, MONITOR,
 * parallel clients) stay in test_store.c.
 *
 * The includer defines, before including this file:
 *   static struct store *contract_open(const char *extra);
 * a new store, holding nothing, with these configuration lines on top of
 * the defaults;
 *   static void contract_tick(void);
 * lets the store's clock move on (Redis's: a few ms); and calls
 * user_keys_init(&pub, NULL, 0) in main().
 */
#ifndef SG_TESTS_STORE_CONTRACT_H
#define SG_TESTS_STORE_CONTRACT_H

#include <string.h>

#include "core/token.h"
#include "core/user.h"
#include "store/store.h"

#define HASH "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"

static struct user_keys pub; /* no secret_file: the public tag key */

struct listed {
	int	      n;
	char	      ids[4][TOKEN_IDLEN + 1];
	struct record rec[4];
	int64_t	      ttl[4];
};

static void
add_user(struct store *s, const char *name, struct store_user *u)
{
	assert_int_equal(store_user_add(s, name, HASH), SG_OK);
	assert_int_equal(store_user_get(s, name, u), SG_OK);
}

static void
new_session(struct store *s, const struct store_user *u, struct token *t)
{
	char	tag[TOKEN_TAGLEN + 1];
	int64_t created;

	user_tag(&pub, u->name, strlen(u->name), tag);
	token_new(t, tag);
	assert_int_equal(store_session_create(s, u, t, NULL, &created, NULL),
	    SG_OK);
}

static enum sg_result
check(struct store *s, const struct token *t)
{
	char user[USER_NAME_MAX + 1];

	return store_session_check(s, t, user);
}

static void
test_users(void **state)
{
	int		  n;
	struct store	 *s;
	struct store_user u;
	char		  gen1[STORE_GENLEN];

	(void)state;
	s = contract_open("");
	assert_int_equal(store_user_get(s, "alice", &u), SG_NO_USER);
	assert_int_equal(store_user_add(s, "alice", HASH), SG_OK);
	assert_int_equal(store_user_add(s, "alice", "other"), SG_EXISTS);
	assert_int_equal(store_user_get(s, "alice", &u), SG_OK);
	assert_string_equal(u.name, "alice");
	assert_string_equal(u.pwhash, HASH);
	assert_int_equal(strlen(u.gen), 16);
	snprintf(gen1, sizeof(gen1), "%s", u.gen);
	assert_int_equal(store_user_rehash(s, "alice", "stale", u.gen, "new"),
	    SG_DENY);
	assert_int_equal(store_user_rehash(s, "alice", HASH, "0123", "new"),
	    SG_DENY); /* another generation */
	assert_int_equal(store_user_rehash(s, "alice", HASH, u.gen, "$new"),
	    SG_OK);
	assert_int_equal(store_user_get(s, "alice", &u), SG_OK);
	assert_string_equal(u.pwhash, "$new");
	assert_string_equal(u.gen, gen1); /* same password, same gen */
	assert_int_equal(store_user_passwd(s, "alice", HASH, NULL, NULL, &n),
	    SG_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_user_get(s, "alice", &u), SG_OK);
	assert_string_not_equal(u.gen, gen1);
	assert_int_equal(store_user_passwd(s, "nobody", HASH, NULL, NULL, &n),
	    SG_NO_USER);
	assert_int_equal(store_user_del(s, "alice", &n), SG_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_user_del(s, "alice", &n), SG_NO_USER);
	assert_int_equal(store_user_get(s, "alice", &u), SG_NO_USER);
	store_close(s);
}

static void
test_create_check_destroy(void **state)
{
	struct store	 *s;
	struct store_user u;
	struct token	  t, forged;
	char		  user[USER_NAME_MAX + 1];

	(void)state;
	s = contract_open("");
	add_user(s, "bob", &u);
	new_session(s, &u, &t);
	assert_int_equal(store_session_check(s, &t, user), SG_OK);
	assert_string_equal(user, "bob");
	assert_int_equal(store_session_check(s, &t, user),
	    SG_OK); /* idempotent */
	forged = t;
	forged.secret[5] ^= 0x40;
	assert_int_equal(check(s, &forged), SG_DENY);
	assert_int_equal(store_session_destroy(s, &t, NULL), SG_OK);
	assert_int_equal(check(s, &t), SG_DENY);
	assert_int_equal(store_session_destroy(s, &t, NULL), SG_OK);
	store_close(s);
}

static void
test_logout_everywhere(void **state)
{
	int		  n;
	struct store	 *s;
	struct store_user u;
	struct token	  t[3], other;
	struct store_user v;
	int		  i;

	(void)state;
	s = contract_open("max_sessions = 0\n");
	add_user(s, "gina", &u);
	add_user(s, "hank", &v);
	for (i = 0; i < 3; i++)
		new_session(s, &u, &t[i]);
	new_session(s, &v, &other);
	assert_int_equal(store_session_destroy_all(s, "gina", &n), SG_OK);
	assert_int_equal(n, 3);
	for (i = 0; i < 3; i++)
		assert_int_equal(check(s, &t[i]), SG_DENY);
	assert_int_equal(check(s, &other), SG_OK);
	assert_int_equal(store_session_destroy_all(s, "gina", &n), SG_OK);
	assert_int_equal(n, 0);
	store_close(s);
}

static void
test_password_change_ends_sessions(void **state)
{
	int		  n;
	struct store	 *s;
	struct store_user u, stale;
	struct token	  t[2], late;
	int64_t		  created;

	(void)state;
	s = contract_open("");
	add_user(s, "ivan", &u);
	new_session(s, &u, &t[0]);
	new_session(s, &u, &t[1]);
	stale = u;
	assert_int_equal(store_user_passwd(s, "ivan", "$other", NULL, NULL, &n),
	    SG_OK);
	assert_int_equal(n, 2);
	assert_int_equal(check(s, &t[0]), SG_DENY);
	assert_int_equal(check(s, &t[1]), SG_DENY);
	/* A login that verified the old password cannot land afterwards. */
	token_new(&late, t[0].tag);
	assert_int_equal(
	    store_session_create(s, &stale, &late, NULL, &created, NULL),
	    SG_STALE);
	assert_int_equal(check(s, &late), SG_DENY);
	assert_int_equal(store_user_get(s, "ivan", &u), SG_OK);
	new_session(s, &u, &late);
	assert_int_equal(check(s, &late), SG_OK);
	assert_int_equal(store_user_del(s, "ivan", &n), SG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(check(s, &late), SG_DENY);
	/* deleted and added again: a login that verified before cannot land */
	stale = u;
	assert_int_equal(store_user_add(s, "ivan", HASH), SG_OK);
	token_new(&late, t[0].tag);
	assert_int_equal(
	    store_session_create(s, &stale, &late, NULL, &created, NULL),
	    SG_STALE);
	store_close(s);
}

static int
collect(const struct store_session *ss, void *arg)
{
	struct listed *l = arg;

	if (l->n < 4) {
		memcpy(l->ids[l->n], ss->id, sizeof(ss->id));
		l->rec[l->n] = ss->rec;
		l->ttl[l->n] = ss->ttl;
	}
	l->n++;
	return 0;
}

static void
test_list_and_revoke(void **state)
{
	struct store	 *s;
	struct store_user u, v;
	struct token	  t[2], other;
	struct listed	  l = { 0 };
	char		  id[TOKEN_IDLEN + 1];

	(void)state;
	s = contract_open("idle_timeout = 1h\nabsolute_timeout = 2h\n");
	add_user(s, "mona", &u);
	add_user(s, "nate", &v);
	new_session(s, &u, &t[0]);
	new_session(s, &u, &t[1]);
	new_session(s, &v, &other);
	assert_int_equal(store_session_list(s, "mona", collect, &l), SG_OK);
	assert_int_equal(l.n, 2);
	token_id(&t[0], id);
	assert_string_equal(l.ids[0], id); /* oldest first */
	assert_string_equal(l.rec[0].user, "mona");
	assert_int_equal(l.rec[0].deadline - l.rec[0].created, 7200000);
	assert_true(l.ttl[0] > 3590000 && l.ttl[0] <= 3600000);
	/* another user's id is not mona's to revoke */
	token_id(&other, id);
	assert_int_equal(store_session_revoke(s, "mona", id), SG_DENY);
	assert_int_equal(check(s, &other), SG_OK);
	assert_int_equal(store_session_revoke(s, "mona", l.ids[0]), SG_OK);
	assert_int_equal(check(s, &t[0]), SG_DENY);
	assert_int_equal(check(s, &t[1]), SG_OK);
	assert_int_equal(store_session_revoke(s, "mona", l.ids[0]), SG_DENY);
	l.n = 0;
	assert_int_equal(store_session_list(s, "mona", collect, &l), SG_OK);
	assert_int_equal(l.n, 1);
	store_close(s);
}

/*
 * A password change carries the generation its current password was
 * verified under: an administrator's reset (or logout everywhere) in
 * between wins.
 */
static void
test_password_change_needs_its_generation(void **state)
{
	struct store	 *s;
	struct store_user u, v;
	char		  gen[STORE_GENLEN];
	int		  n;

	(void)state;
	s = contract_open("");
	add_user(s, "walt", &u); /* the user verified under u.gen ... */
	assert_int_equal(store_user_passwd(s, "walt", "$admin", NULL, NULL, &n),
	    SG_OK); /* ... the administrator resets ... */
	assert_int_equal(store_user_passwd(s, "walt", "$mine", u.gen, gen, &n),
	    SG_STALE); /* ... and the user's change is refused */
	assert_int_equal(store_user_get(s, "walt", &v), SG_OK);
	assert_string_equal(v.pwhash, "$admin");
	assert_int_equal(store_user_passwd(s, "walt", "$mine", v.gen, gen, &n),
	    SG_OK);
	assert_string_not_equal(gen, v.gen);
	assert_int_equal(store_user_get(s, "walt", &u), SG_OK);
	assert_string_equal(u.gen, gen);
	assert_string_equal(u.pwhash, "$mine");
	assert_int_equal(store_session_destroy_all(s, "walt", &n), SG_OK);
	assert_int_equal(store_user_passwd(s, "walt", "$x", u.gen, gen, &n),
	    SG_STALE);
	assert_int_equal(store_user_passwd(s, "nobody", "$x", u.gen, gen, &n),
	    SG_NO_USER);
	assert_int_equal(store_session_destroy_all(s, "nobody", &n),
	    SG_NO_USER);
	store_close(s);
}

/* With max_sessions, one login past the cap ends the oldest session. */
static void
test_contract_cap_evict_oldest(void **state)
{
	struct store	 *s;
	struct store_user u;
	struct token	  t[5];
	int64_t		  created, last = 0;
	char		  tag[TOKEN_TAGLEN + 1];
	int		  i;

	(void)state;
	s = contract_open("max_sessions = 3\n");
	add_user(s, "cleo", &u);
	user_tag(&pub, "cleo", 4, tag);
	for (i = 0; i < 5; i++) {
		token_new(&t[i], tag);
		assert_int_equal(
		    store_session_create(s, &u, &t[i], NULL, &created, NULL),
		    SG_OK);
		assert_true(created > last); /* one after the other */
		last = created;
	}
	for (i = 0; i < 5; i++)
		assert_int_equal(check(s, &t[i]), i < 2 ? SG_DENY : SG_OK);
	store_close(s);
}

/* session_limit reject: at the cap a login is refused, nothing ends. */
static void
test_contract_cap_reject(void **state)
{
	struct store	 *s;
	struct store_user u;
	struct token	  t[4];
	int64_t		  created;
	int		  i;

	(void)state;
	s = contract_open("max_sessions = 3\nsession_limit = reject\n");
	add_user(s, "dora", &u);
	for (i = 0; i < 3; i++)
		new_session(s, &u, &t[i]);
	token_new(&t[3], t[0].tag);
	assert_int_equal(
	    store_session_create(s, &u, &t[3], NULL, &created, NULL), SG_LIMIT);
	for (i = 0; i < 4; i++)
		assert_int_equal(check(s, &t[i]), i < 3 ? SG_OK : SG_DENY);
	/* a session ended makes room */
	assert_int_equal(store_session_destroy(s, &t[0], NULL), SG_OK);
	assert_int_equal(
	    store_session_create(s, &u, &t[3], NULL, &created, NULL), SG_OK);
	assert_int_equal(check(s, &t[3]), SG_OK);
	store_close(s);
}

/* Failure counters: counted first, within the window; undo; clear. */
static void
test_contract_failure_counters(void **state)
{
	struct store *s;
	int64_t	      n, retry;

	(void)state;
	s = contract_open("login_failure_window = 30s\n");
	assert_int_equal(
	    store_fail_attempt(s, STORE_FAIL_USER, "rita", &n, &retry), SG_OK);
	assert_int_equal(n, 1); /* counted first: this attempt included */
	assert_true(retry > 29000 && retry <= 30000);
	assert_int_equal(
	    store_fail_attempt(s, STORE_FAIL_USER, "rita", &n, &retry), SG_OK);
	assert_int_equal(n, 2);
	assert_true(retry > 29000 && retry <= 30000);
	/* each counter apart: another kind, another name */
	assert_int_equal(store_fail_attempt(s, STORE_FAIL_ADDR,
			     "2001:db8:1:2::/64", &n, &retry),
	    SG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(
	    store_fail_attempt(s, STORE_FAIL_UNKNOWN, "0a1f", &n, &retry),
	    SG_OK);
	assert_int_equal(n, 1);
	assert_int_equal(
	    store_fail_attempt(s, STORE_FAIL_USER, "rita2", &n, &retry), SG_OK);
	assert_int_equal(n, 1);
	/* undo takes one back, never below zero; clear forgets */
	assert_int_equal(store_fail_undo(s, STORE_FAIL_USER, "rita"), SG_OK);
	assert_int_equal(
	    store_fail_attempt(s, STORE_FAIL_USER, "rita", &n, &retry), SG_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_fail_clear(s, STORE_FAIL_USER, "rita"), SG_OK);
	assert_int_equal(store_fail_undo(s, STORE_FAIL_USER, "rita"), SG_OK);
	assert_int_equal(store_fail_undo(s, STORE_FAIL_USER, "nobody"), SG_OK);
	assert_int_equal(
	    store_fail_attempt(s, STORE_FAIL_USER, "rita", &n, &retry), SG_OK);
	assert_int_equal(n, 1);
	/* names that are not counter names never reach the backend */
	assert_int_equal(
	    store_fail_attempt(s, STORE_FAIL_ADDR, "a b{x}", &n, &retry),
	    SG_UNAVAILABLE);
	assert_int_equal(
	    store_fail_attempt(s, STORE_FAIL_USER, "bad name", &n, &retry),
	    SG_UNAVAILABLE);
	store_close(s);
}

/* The cases above, for the includer's list of tests. */
/*
 * What a login records for the user's sessions page (address, browser,
 * lifetime), and step-up: confirm records a later password time in the
 * same live session of the same user, and never brings one back.
 */
static void
test_login_record_and_confirm(void **state)
{
	struct store_login in = { "192.0.2.7", "Firefox on Linux", 5000000, 1 };
	struct store	  *s;
	struct store_user  u, v;
	struct store_seen  seen, again;
	struct token	   t, plain;
	struct listed	   l = { 0 };
	char		   tag[TOKEN_TAGLEN + 1];
	int64_t		   created;

	(void)state;
	s = contract_open("idle_timeout = 1h\nabsolute_timeout = 2h\n");
	add_user(s, "olga", &u);
	add_user(s, "pete", &v);
	user_tag(&pub, "olga", 4, tag);
	token_new(&t, tag);
	assert_int_equal(store_session_create(s, &u, &t, &in, &created, NULL),
	    SG_OK);
	new_session(s, &u, &plain);
	assert_int_equal(store_session_list(s, "olga", collect, &l), SG_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.rec[0].addr, "192.0.2.7");
	assert_string_equal(l.rec[0].agent, "Firefox on Linux");
	assert_int_equal(l.rec[0].deadline - l.rec[0].created, 5000000);
	assert_int_equal(l.rec[0].confirmed, l.rec[0].created);
	assert_string_equal(l.rec[1].addr, ""); /* nothing given */
	assert_int_equal(l.rec[1].deadline - l.rec[1].created, 7200000);
	assert_int_equal(store_session_seen(s, &t, 0, &seen), SG_OK);
	assert_string_equal(seen.user, "olga");
	assert_int_equal(seen.confirmed, l.rec[0].confirmed);
	assert_true(seen.now >= seen.confirmed);
	assert_int_equal(seen.lifetime, 5000000);
	assert_true(seen.remembered); /* the box was ticked */
	assert_int_equal(store_session_seen(s, &t, STORE_CHECK_PASSIVE, &again),
	    SG_OK);
	assert_int_equal(again.confirmed, seen.confirmed);
	assert_true(again.now >= seen.now);
	assert_int_equal(store_session_seen(s, &plain, 0, &again), SG_OK);
	assert_int_equal(again.lifetime, 7200000);
	assert_false(again.remembered);
	/* not pete's session; then olga's, later */
	assert_int_equal(store_session_confirm(s, &t, "pete"), SG_DENY);
	contract_tick();
	assert_int_equal(store_session_confirm(s, &t, "olga"), SG_OK);
	assert_int_equal(store_session_seen(s, &t, 0, &again), SG_OK);
	assert_true(again.remembered); /* kept by the confirmation */
	assert_true(again.confirmed > seen.confirmed);
	l.n = 0;
	assert_int_equal(store_session_list(s, "olga", collect, &l), SG_OK);
	assert_int_equal(l.rec[0].confirmed, again.confirmed);
	assert_int_equal(l.rec[0].deadline - l.rec[0].created, 5000000);
	assert_string_equal(l.rec[0].agent, "Firefox on Linux");
	/* an ended session is not confirmed back to life */
	assert_int_equal(store_session_destroy(s, &t, NULL), SG_OK);
	assert_int_equal(store_session_confirm(s, &t, "olga"), SG_DENY);
	assert_int_equal(check(s, &t), SG_DENY);
	/* what cannot be stored is left out, not refused */
	in.addr = "a\"b";
	in.agent = "x\ny";
	token_new(&t, tag);
	assert_int_equal(store_session_create(s, &u, &t, &in, &created, NULL),
	    SG_OK);
	l.n = 0;
	assert_int_equal(store_session_list(s, "olga", collect, &l), SG_OK);
	assert_string_equal(l.rec[l.n - 1].addr, "");
	assert_string_equal(l.rec[l.n - 1].agent, "");
	store_close(s);
}

#define STORE_CONTRACT_TESTS \
	cmocka_unit_test(test_users), \
	    cmocka_unit_test(test_create_check_destroy), \
	    cmocka_unit_test(test_logout_everywhere), \
	    cmocka_unit_test(test_password_change_ends_sessions), \
	    cmocka_unit_test(test_list_and_revoke), \
	    cmocka_unit_test(test_password_change_needs_its_generation), \
	    cmocka_unit_test(test_contract_cap_evict_oldest), \
	    cmocka_unit_test(test_contract_cap_reject), \
	    cmocka_unit_test(test_contract_failure_counters), \
	    cmocka_unit_test(test_login_record_and_confirm)

#endif
