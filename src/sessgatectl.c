/*
 * sessgatectl: administration of users and sessions, against the same
 * Redis (and with the same key layout) as the daemon. One table names
 * every command with its arguments and its function; usage is checked
 * from the table before anything is read or opened.
 *
 * Every command that changes something (C_LOG in the table) is logged to
 * syslog, facility authpriv, as "sessgatectl[PID]: user del alice: done
 * (uid 0)": who ran what, and whether it worked. A session is named by
 * its short reference, never more.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sodium.h>

#include "config/config.h"
#include "core/audit.h"
#include "core/json.h"
#include "core/user.h"
#include "ctl_check.h"
#include "session/password.h"
#include "session/secret_id.h"
#include "session/session.h"
#include "session/throttle.h"
#include "store/outage.h"
#include "store/store.h"

#define EXIT_USAGE 2

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: sessgatectl [-c FILE] user add|passwd|del NAME\n"
	    "       sessgatectl [-c FILE] user list [--json]\n"
	    "       sessgatectl [-c FILE] session list NAME|--all [--json]\n"
	    "       sessgatectl [-c FILE] session revoke NAME [ID]\n"
	    "       sessgatectl [-c FILE] session revoke --all\n"
	    "       sessgatectl [-c FILE] users rekey [OLD_SECRET_FILE]\n"
	    "       sessgatectl [-c FILE] throttle list [--json]\n"
	    "       sessgatectl [-c FILE] throttle clear ADDRESS|USER\n"
	    "       sessgatectl [-c FILE] check\n"
	    "The password of user add and user passwd is the first line of "
	    "standard input.\n");
	exit(status);
}

/* The first line of stdin, without its newline. */
static int
read_password(char *buf, size_t len)
{
	size_t n;

	if (fgets(buf, (int)len, stdin) == NULL) {
		fprintf(stderr, "sessgatectl: no password on standard input\n");
		return -1;
	}
	n = strcspn(buf, "\r\n");
	if (n == len - 1 && buf[n] == '\0') {
		fprintf(stderr, "sessgatectl: password longer than %d bytes\n",
		    PASSWORD_MAX);
		return -1;
	}
	buf[n] = '\0';
	if (n == 0) {
		fprintf(stderr, "sessgatectl: empty password\n");
		return -1;
	}
	return 0;
}

static int
hash_stdin(const struct config *cfg, char hash[PASSWORD_HASHLEN])
{
	struct password_cost cost = { cfg->password_opslimit,
		cfg->password_memlimit };
	char		     pw[PASSWORD_MAX + 2];
	int		     rv;

	if (read_password(pw, sizeof(pw)) == -1)
		return -1;
	rv = password_hash(hash, pw, strlen(pw), &cost);
	sodium_memzero(pw, sizeof(pw));
	if (rv == -1)
		fprintf(stderr,
		    "sessgatectl: cannot hash the password "
		    "(out of memory?)\n");
	return rv;
}

static int
store_failed(struct store *s, const char *what)
{
	fprintf(stderr, "sessgatectl: %s: %s\n", what, store_error(s));
	return 1;
}

struct ctl {
	const struct config *cfg;
	struct store	    *store;
	const char	    *name; /* the user (users rekey: the old secret) */
	const char	    *id;   /* session revoke: the session, or NULL */
	int		     all;  /* --all: every user */
	int		     json; /* --json: one JSON document */
};

/*
 * What the fingerprint of the secret in Redis says of this
 * configuration's: nothing when they agree; a warning when they differ
 * (the users were made under another secret_file: this one finds none of
 * them). write: put this configuration's there if there is none (a user
 * was just added or found under its keys).
 */
static void
secret_note(const struct ctl *c, int write)
{
	char mine[USER_SECRET_IDLEN + 1], theirs[USER_SECRET_IDLEN + 1];
	char msg[SECRET_ID_MSGLEN];

	switch (secret_id_match(c->store, &c->cfg->keys, mine, theirs)) {
	case SECRET_ID_NONE:
		if (write &&
		    store_secret_id_write(c->store, 0) == SG_UNAVAILABLE)
			fprintf(stderr,
			    "sessgatectl: warning: the fingerprint of "
			    "secret_file not written: %s\n",
			    store_error(c->store));
		break;
	case SECRET_ID_OTHER:
		secret_id_mismatch(msg, sizeof(msg), c->cfg->key_prefix,
		    "this configuration's", mine, theirs);
		fprintf(stderr, "sessgatectl: warning: %s\n", msg);
		break;
	default:
		break;
	}
}

static int
no_such_user(const struct ctl *c, const char *name)
{
	fprintf(stderr, "sessgatectl: no such user: %s\n", name);
	secret_note(c, 0);
	return 1;
}

/* Exit status and message for a store answer; ended sessions counted. */
static int
ended(const struct ctl *c, enum sg_result rv, int n, const char *what)
{
	switch (rv) {
	case SG_OK:
		printf("%d session%s ended\n", n, n == 1 ? "" : "s");
		return 0;
	case SG_NO_USER:
		return no_such_user(c, c->name);
	default:
		return store_failed(c->store, what);
	}
}

/* An audit line of sessgatectl: no client address, no Host. */
static void
audit(const struct ctl *c, enum audit_event e, const char *user, const char *id,
    const char *reason)
{
	struct audit a = { e, user, NULL, NULL, NULL, reason };
	char	     ref[TOKEN_REFLEN + 1];

	if (id != NULL) {
		token_ref(id, ref);
		a.session = ref;
	}
	audit_write(c->cfg->audit, &a);
}

static int
cmd_user_add(const struct ctl *c)
{
	char hash[PASSWORD_HASHLEN];

	if (hash_stdin(c->cfg, hash) == -1)
		return 1;
	switch (store_user_add(c->store, c->name, hash)) {
	case SG_OK:
		audit(c, AUDIT_USER_ADD, c->name, NULL, NULL);
		secret_note(c, 1);
		return 0;
	case SG_EXISTS:
		fprintf(stderr, "sessgatectl: user exists: %s\n", c->name);
		return 1;
	default:
		return store_failed(c->store, "user add");
	}
}

static int
cmd_user_passwd(const struct ctl *c)
{
	char	       hash[PASSWORD_HASHLEN];
	enum sg_result rv;
	int	       n;

	if (hash_stdin(c->cfg, hash) == -1)
		return 1;
	/* an administrator's reset: whatever the generation is now */
	rv = store_user_passwd(c->store, c->name, hash, NULL, NULL, &n);
	if (rv == SG_OK) {
		audit(c, AUDIT_USER_PASSWD, c->name, NULL, NULL);
		secret_note(c, 1);
	}
	return ended(c, rv, n, "user passwd");
}

static int
cmd_user_del(const struct ctl *c)
{
	enum sg_result rv;
	int	       n;

	rv = store_user_del(c->store, c->name, &n);
	if (rv == SG_OK)
		audit(c, AUDIT_USER_DEL, c->name, NULL, NULL);
	return ended(c, rv, n, "user del");
}

static void
iso8601(char *buf, size_t len, int64_t ms)
{
	time_t	  t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The users of the store, sorted, each once (a SCAN may repeat one). */
struct names {
	char **v;
	size_t n, cap;
};

static int
names_add(const char *name, void *arg)
{
	struct names *l = arg;
	char	    **v;

	if (l->n == l->cap) {
		if ((v = reallocarray(l->v, l->cap * 2 + 16, sizeof(*v))) ==
		    NULL)
			return -1;
		l->v = v;
		l->cap = l->cap * 2 + 16;
	}
	if ((l->v[l->n] = strdup(name)) == NULL)
		return -1;
	l->n++;
	return 0;
}

static int
names_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
names_free(struct names *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Every user, or 1 with a message. */
static int
names_read(const struct ctl *c, struct names *l, const char *what)
{
	size_t i, j;

	memset(l, 0, sizeof(*l));
	if (store_users(c->store, names_add, l) != SG_OK) {
		names_free(l);
		return store_failed(c->store, what);
	}
	if (l->n > 1) /* (no users: l->v is NULL, which qsort may not take) */
		qsort(l->v, l->n, sizeof(*l->v), names_cmp);
	for (i = j = 0; i < l->n; i++)
		if (j == 0 || strcmp(l->v[i], l->v[j - 1]) != 0)
			l->v[j++] = l->v[i];
		else
			free(l->v[i]);
	l->n = j;
	return 0;
}

/* What a listing is being written to: a JSON array, or lines. */
struct listing {
	cJSON	   *array; /* NULL: text */
	const char *user;
	int	    all; /* text lines start with the user */
	int	    count;
};

static int
print_session(const struct store_session *ss, void *arg)
{
	struct listing *l = arg;
	char		c[32], a[32], ref[TOKEN_REFLEN + 1];
	long long	idle = (long long)((ss->ttl + 999) / 1000);
	cJSON	       *o;

	l->count++;
	token_ref(ss->id, ref);
	if (l->array == NULL) {
		iso8601(c, sizeof(c), ss->rec.created);
		iso8601(a, sizeof(a), ss->rec.deadline);
		printf("%s%s%s created=%s deadline=%s idle_expires_in=%llds\n",
		    l->all ? l->user : "", l->all ? " " : "", ref, c, a, idle);
		return 0;
	}
	if ((o = json_append_object(l->array)) == NULL)
		return -1;
	if (cJSON_AddStringToObject(o, "user", l->user) == NULL ||
	    cJSON_AddStringToObject(o, "id", ref) == NULL ||
	    cJSON_AddNumberToObject(o, "created",
		(double)(ss->rec.created / 1000)) == NULL ||
	    cJSON_AddNumberToObject(o, "deadline",
		(double)(ss->rec.deadline / 1000)) == NULL ||
	    cJSON_AddNumberToObject(o, "idle_expires_in", (double)idle) ==
		NULL ||
	    cJSON_AddStringToObject(o, "address", ss->rec.addr) == NULL ||
	    cJSON_AddStringToObject(o, "agent", ss->rec.agent) == NULL)
		return -1;
	return 0;
}

/* Count a user's sessions only. */
static int
count_session(const struct store_session *ss, void *arg)
{
	(void)ss;
	((struct listing *)arg)->count++;
	return 0;
}

/* Print {"KEY":array} on one line; 0, or 1 if out of memory. */
static int
print_json(cJSON *root)
{
	char *s;

	if (root == NULL || (s = cJSON_PrintUnformatted(root)) == NULL) {
		fprintf(stderr, "sessgatectl: out of memory\n");
		cJSON_Delete(root);
		return 1;
	}
	printf("%s\n", s);
	free(s);
	cJSON_Delete(root);
	return 0;
}

/*
 * The end of a listing: with --json and no failure, print root; free it
 * either way. The listing's exit status.
 */
static int
json_done(int json, cJSON *root, int rv)
{
	if (rv == 0 && json)
		return print_json(root);
	cJSON_Delete(root);
	return rv;
}

/* A new {"key":[]} document, its array in *array; NULL if out of memory. */
static cJSON *
json_doc(const char *key, cJSON **array)
{
	cJSON *root = cJSON_CreateObject();

	if (root == NULL ||
	    (*array = cJSON_AddArrayToObject(root, key)) == NULL) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* 0 if the user exists, else 1 with a message. */
static int
user_exists(const struct ctl *c, const char *name, const char *what)
{
	struct store_user u;

	switch (store_user_get(c->store, name, &u)) {
	case SG_OK:
		sodium_memzero(&u, sizeof(u));
		return 0;
	case SG_NO_USER:
		return no_such_user(c, name);
	default:
		return store_failed(c->store, what);
	}
}

/* The sessions of names[0..n-1] into a listing. */
static int
list_users(const struct ctl *c, char *const *names, size_t n)
{
	struct listing l = { NULL, NULL, c->all, 0 };
	cJSON	      *root = NULL;
	size_t	       i;

	if (c->json && (root = json_doc("sessions", &l.array)) == NULL)
		return print_json(NULL);
	for (i = 0; i < n; i++) {
		l.user = names[i];
		if (store_session_list(c->store, names[i], print_session, &l) !=
		    SG_OK) {
			cJSON_Delete(root);
			return store_failed(c->store, "session list");
		}
	}
	return json_done(c->json, root, 0);
}

static int
cmd_session_list(const struct ctl *c)
{
	struct names l;
	char	    *one[1];
	int	     rv;

	if (!c->all) {
		if ((rv = user_exists(c, c->name, "session list")) != 0)
			return rv;
		one[0] = (char *)c->name;
		return list_users(c, one, 1);
	}
	if ((rv = names_read(c, &l, "session list")) != 0)
		return rv;
	rv = list_users(c, l.v, l.n);
	names_free(&l);
	return rv;
}

/* {"name":NAME,"sessions":N} into array: 0, or -1 if out of memory. */
static int
json_user(cJSON *array, const char *name, int sessions)
{
	cJSON *o;

	if ((o = json_append_object(array)) == NULL)
		return -1;
	if (cJSON_AddStringToObject(o, "name", name) == NULL ||
	    cJSON_AddNumberToObject(o, "sessions", sessions) == NULL)
		return -1;
	return 0;
}

static int
cmd_user_list(const struct ctl *c)
{
	struct names   l;
	struct listing n;
	cJSON	      *root = NULL, *array = NULL;
	size_t	       i;
	int	       rv;

	if ((rv = names_read(c, &l, "user list")) != 0)
		return rv;
	if (c->json && (root = json_doc("users", &array)) == NULL)
		rv = print_json(NULL);
	for (i = 0; rv == 0 && i < l.n; i++) {
		memset(&n, 0, sizeof(n));
		if (store_session_list(c->store, l.v[i], count_session, &n) !=
		    SG_OK)
			rv = store_failed(c->store, "user list");
		else if (!c->json)
			printf("%s sessions=%d\n", l.v[i], n.count);
		else if (json_user(array, l.v[i], n.count) == -1) {
			fprintf(stderr, "sessgatectl: out of memory\n");
			rv = 1;
		}
	}
	rv = json_done(c->json, root, rv);
	names_free(&l);
	return rv;
}

/* Find the stored id a reference names among the user's sessions. */
struct find {
	const char *ref;
	char	    id[TOKEN_IDLEN + 1];
	int	    found;
};

static int
find_session(const struct store_session *ss, void *arg)
{
	struct find *f = arg;

	if (strncmp(ss->id, f->ref, TOKEN_REFLEN) == 0) {
		memcpy(f->id, ss->id, sizeof(f->id));
		f->found++;
	}
	return 0;
}

/*
 * One session, by its reference (looked up in the user's listing) or by
 * its whole stored id (revoke.lua on the session key alone, which works
 * while a Redis Cluster slot is being moved).
 */
static int
revoke_one(const struct ctl *c)
{
	struct find f = { c->id, "", 0 };
	size_t	    len = strlen(c->id);

	if (len == TOKEN_IDLEN) {
		memcpy(f.id, c->id, sizeof(f.id));
		f.found = 1;
	} else if (len == TOKEN_REFLEN &&
	    store_session_list(c->store, c->name, find_session, &f) != SG_OK)
		return store_failed(c->store, "session revoke");
	if (f.found == 1) {
		switch (store_session_revoke(c->store, c->name, f.id)) {
		case SG_OK:
			audit(c, AUDIT_REVOKE, c->name, f.id, NULL);
			printf("1 session ended\n");
			return 0;
		case SG_UNAVAILABLE:
			return store_failed(c->store, "session revoke");
		default:
			break;
		}
	}
	fprintf(stderr, "sessgatectl: %s has no session %s\n", c->name, c->id);
	return 1;
}

/* Every session of every user: an incident's last resort. */
static int
revoke_all(const struct ctl *c)
{
	struct names l;
	size_t	     i;
	int	     n, total = 0, rv;

	if ((rv = names_read(c, &l, "session revoke")) != 0)
		return rv;
	for (i = 0; rv == 0 && i < l.n; i++) {
		switch (store_session_destroy_all(c->store, l.v[i], &n)) {
		case SG_OK:
			audit(c, AUDIT_REVOKE, l.v[i], NULL, "all_users");
			total += n;
			break;
		case SG_NO_USER: /* deleted meanwhile: no session left */
			break;
		default:
			rv = store_failed(c->store, "session revoke");
			break;
		}
	}
	printf("%d session%s of %zu user%s ended\n", total,
	    total == 1 ? "" : "s", l.n, l.n == 1 ? "" : "s");
	names_free(&l);
	return rv;
}

static int
cmd_session_revoke(const struct ctl *c)
{
	enum sg_result rv;
	int	       n;

	if (c->all)
		return revoke_all(c);
	if (c->id != NULL)
		return revoke_one(c);
	rv = store_session_destroy_all(c->store, c->name, &n);
	if (rv == SG_OK)
		audit(c, AUDIT_REVOKE, c->name, NULL, "all");
	return ended(c, rv, n, "session revoke");
}

static const char *
plural(int n)
{
	return n == 1 ? "" : "s";
}

/*
 * After a change of secret_file: move every user from the tag of the old
 * secret (OLD_SECRET_FILE, or none: the public key) to the tag of the
 * configured one. Nothing stays under an old tag: sessions there end (a
 * cookie names its slot by its tag), and a user record whose name exists
 * under the new tag already (added again after the change) is deleted.
 */
static int
cmd_users_rekey(const struct ctl *c)
{
	struct user_keys   old;
	struct store_rekey r;
	char		   err[CONFIG_ERRLEN];
	int		   rv = 0;

	if (c->name == NULL)
		user_keys_init(&old, NULL, 0);
	else if (config_read_secret(c->name, &old, err, sizeof(err)) == -1) {
		fprintf(stderr, "sessgatectl: %s\n", err);
		return 1;
	}
	if (store_users_rekey(c->store, &old, &r) != SG_OK)
		rv = store_failed(c->store, "users rekey");
	else if (store_secret_id_write(c->store, 1) != SG_OK)
		rv = store_failed(c->store, "users rekey: the fingerprint");
	if (r.moved + r.removed + r.ended > 0)
		audit(c, AUDIT_REKEY, NULL, NULL, NULL);
	printf("%d user%s moved\n", r.moved, plural(r.moved));
	if (r.removed > 0)
		printf("%d user%s under the old key removed: a user of that "
		       "name exists under the new one\n",
		    r.removed, plural(r.removed));
	printf("%d session%s ended\n", r.ended, plural(r.ended));
	sodium_memzero(&old, sizeof(old));
	return rv;
}

/* The failure counters in force, sorted by kind, then name. */
struct fails {
	struct store_fail *v;
	size_t		   n, cap;
};

static int
fails_add(const struct store_fail *f, void *arg)
{
	struct fails	  *l = arg;
	struct store_fail *v;
	size_t		   i;

	for (i = 0; i < l->n; i++) /* a SCAN may name a key twice */
		if (l->v[i].kind == f->kind &&
		    strcmp(l->v[i].name, f->name) == 0)
			return 0;
	if (l->n == l->cap) {
		if ((v = reallocarray(l->v, l->cap * 2 + 16, sizeof(*v))) ==
		    NULL)
			return -1;
		l->v = v;
		l->cap = l->cap * 2 + 16;
	}
	l->v[l->n++] = *f;
	return 0;
}

static int
fails_cmp(const void *a, const void *b)
{
	const struct store_fail *x = a, *y = b;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return strcmp(x->name, y->name);
}

static const char *
fail_kind(enum store_counter k)
{
	switch (k) {
	case STORE_FAIL_ADDR:
		return "address";
	case STORE_FAIL_USER:
		return "user";
	default:
		return "bucket";
	}
}

/* {"kind":..,"name":..,"count":N,"expires_in":S,"locked":B} into array. */
static int
json_fail(cJSON *array, const struct store_fail *f, long long secs, int locked)
{
	cJSON *o;

	if ((o = json_append_object(array)) == NULL)
		return -1;
	if (cJSON_AddStringToObject(o, "kind", fail_kind(f->kind)) == NULL ||
	    cJSON_AddStringToObject(o, "name", f->name) == NULL ||
	    cJSON_AddNumberToObject(o, "count", (double)f->count) == NULL ||
	    cJSON_AddNumberToObject(o, "expires_in", (double)secs) == NULL ||
	    cJSON_AddBoolToObject(o, "locked", locked) == NULL)
		return -1;
	return 0;
}

/*
 * Every failure counter in force: an address (IPv6: its /64), a user, or
 * a bucket of names that are not users; "locked" once the next attempt
 * would be refused (429).
 */
static int
cmd_throttle_list(const struct ctl *c)
{
	struct fails l = { NULL, 0, 0 };
	cJSON	    *root = NULL, *array = NULL;
	unsigned int max = c->cfg->login_max_failures;
	long long    secs;
	size_t	     i;
	int	     rv = 0, locked;

	if (store_fail_list(c->store, fails_add, &l) != SG_OK) {
		free(l.v);
		return store_failed(c->store, "throttle list");
	}
	qsort(l.v, l.n, sizeof(*l.v), fails_cmp);
	if (c->json && (root = json_doc("throttles", &array)) == NULL)
		rv = print_json(NULL);
	for (i = 0; rv == 0 && i < l.n; i++) {
		secs = (long long)((l.v[i].ttl + 999) / 1000);
		locked = max > 0 && l.v[i].count >= (int64_t)max;
		if (!c->json)
			printf("%s %s count=%lld expires_in=%llds%s\n",
			    fail_kind(l.v[i].kind), l.v[i].name,
			    (long long)l.v[i].count, secs,
			    locked ? " locked" : "");
		else if (json_fail(array, &l.v[i], secs, locked) == -1) {
			fprintf(stderr, "sessgatectl: out of memory\n");
			rv = 1;
		}
	}
	rv = json_done(c->json, root, rv);
	free(l.v);
	return rv;
}

/* ADDR or ADDR/64 (as throttle list shows an IPv6 client): its counter. */
static int
address_counter(const char *arg, char out[THROTTLE_ADDRLEN])
{
	char	      a[INET6_ADDRSTRLEN + 4];
	unsigned char b[16];
	size_t	      n = strlen(arg);

	if (n >= sizeof(a))
		return -1;
	memcpy(a, arg, n + 1);
	if (n > 3 && strcmp(a + n - 3, "/64") == 0 && strchr(a, ':') != NULL)
		a[n - 3] = '\0';
	if (inet_pton(AF_INET, a, b) != 1 && inet_pton(AF_INET6, a, b) != 1)
		return -1;
	throttle_addr(a, out);
	return 0;
}

/*
 * Forget the failures of an address, or of a user (a name that is not a
 * user: the bucket it counts in, shared with other such names). Exit 1
 * if there was nothing to forget.
 */
static int
cmd_throttle_clear(const struct ctl *c)
{
	char		   name[THROTTLE_ADDRLEN];
	enum store_counter kind = STORE_FAIL_ADDR;
	struct store_user  u;

	if (address_counter(c->name, name) == -1) {
		if (!user_name_valid(c->name, strlen(c->name))) {
			fprintf(stderr,
			    "sessgatectl: %s is neither an address nor a user "
			    "name\n",
			    c->name);
			return 1;
		}
		switch (store_user_get(c->store, c->name, &u)) {
		case SG_OK:
			kind = STORE_FAIL_USER;
			snprintf(name, sizeof(name), "%s", c->name);
			sodium_memzero(&u, sizeof(u));
			break;
		case SG_NO_USER:
			kind = STORE_FAIL_UNKNOWN;
			user_bucket(&c->cfg->keys, c->name, strlen(c->name),
			    name);
			break;
		default:
			return store_failed(c->store, "throttle clear");
		}
	}
	switch (store_fail_remove(c->store, kind, name)) {
	case SG_OK:
		printf("%s %s cleared%s\n", fail_kind(kind), name,
		    kind == STORE_FAIL_UNKNOWN ? " (not a user: the bucket "
						 "of names that are not users "
						 "it counts in)" :
						 "");
		return 0;
	case SG_DENY:
		fprintf(stderr,
		    "sessgatectl: no failed logins counted for %s %s\n",
		    fail_kind(kind), name);
		return 1;
	default:
		return store_failed(c->store, "throttle clear");
	}
}

static int
cmd_check(const struct ctl *c)
{
	return ctl_check(c->cfg, c->store);
}

/* What a command accepts besides its words, and whether it is logged. */
#define C_JSON 1 /* --json */
#define C_ALL  2 /* --all instead of NAME, and nothing after it */
#define C_LOG  4 /* it changes something: syslog says who did it */

static const struct command {
	const char *noun, *verb;
	int	    min, max; /* words, with noun and verb */
	int	    named;    /* the third word is a user name */
	int	    flags;
	int (*fn)(const struct ctl *);
} commands[] = {
	{ "user", "add", 3, 3, 1, C_LOG, cmd_user_add },
	{ "user", "passwd", 3, 3, 1, C_LOG, cmd_user_passwd },
	{ "user", "del", 3, 3, 1, C_LOG, cmd_user_del },
	{ "user", "list", 2, 2, 0, C_JSON, cmd_user_list },
	{ "session", "list", 3, 3, 1, C_JSON | C_ALL, cmd_session_list },
	{ "session", "revoke", 3, 4, 1, C_ALL | C_LOG, cmd_session_revoke },
	{ "users", "rekey", 2, 3, 0, C_LOG, cmd_users_rekey },
	{ "throttle", "list", 2, 2, 0, C_JSON, cmd_throttle_list },
	{ "throttle", "clear", 3, 3, 0, C_LOG, cmd_throttle_clear },
	{ "check", NULL, 1, 1, 0, 0, cmd_check },
};

/*
 * The action, its arguments (a session ID cut to its reference) and
 * its outcome, to syslog (authpriv).
 */
static void
log_action(const struct command *cmd, int argc, char **argv, int all, int rv)
{
	char line[512];
	int  i, o;

	o = snprintf(line, sizeof(line), "%s %s%s", cmd->noun, cmd->verb,
	    all ? " --all" : "");
	for (i = 2; i < argc && o > 0 && (size_t)o < sizeof(line); i++)
		o += snprintf(line + o, sizeof(line) - (size_t)o, " %.*s",
		    i == 3 && strcmp(cmd->noun, "session") == 0 ? TOKEN_REFLEN :
								  64,
		    argv[i]);
	openlog("sessgatectl", LOG_PID, LOG_AUTHPRIV);
	syslog(rv == 0 ? LOG_NOTICE : LOG_WARNING, "%s: %s (uid %u)", line,
	    rv == 0 ? "done" : "failed", (unsigned int)getuid());
	closelog();
}

/* Take the options among the words (--json, --all) out of argv. */
static int
take_options(int argc, char **argv, int *json, int *all)
{
	int i, n = 0;

	*json = *all = 0;
	for (i = 0; i < argc; i++) {
		if (i >= 2 && strcmp(argv[i], "--json") == 0)
			*json = 1;
		else if (i == 2 && strcmp(argv[i], "--all") == 0)
			*all = 1;
		else
			argv[n++] = argv[i];
	}
	return n;
}

/* The command argv names, with its arguments; exit 2 if none. */
static const struct command *
command_find(int argc, char **argv, int json, int all)
{
	const struct command *c;
	size_t		      i;

	for (i = 0; argc >= 1 && i < sizeof(commands) / sizeof(commands[0]);
	     i++) {
		c = &commands[i];
		if (strcmp(argv[0], c->noun) != 0 ||
		    (c->verb != NULL &&
			(argc < 2 || strcmp(argv[1], c->verb) != 0)))
			continue;
		if ((json && !(c->flags & C_JSON)) ||
		    (all && !(c->flags & C_ALL)))
			break;
		if (all ? argc == 2 : argc >= c->min && argc <= c->max)
			return c;
	}
	usage(EXIT_USAGE);
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct command *cmd;
	struct config	      cfg;
	struct ctl	      c;
	const char	     *file = SYSCONFDIR "/sessgate.conf";
	char		      err[CONFIG_ERRLEN];
	int		      ch, rv;

	while ((ch = getopt(argc, argv, "+c:h")) != -1) {
		switch (ch) {
		case 'c':
			file = optarg;
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	argc = take_options(argc, argv, &c.json, &c.all);
	cmd = command_find(argc, argv, c.json, c.all);
	if (cmd->named && !c.all &&
	    !user_name_valid(argv[2], strlen(argv[2]))) {
		fprintf(stderr,
		    "sessgatectl: invalid user name (1-%d of "
		    "A-Z a-z 0-9 . _ @ + -)\n",
		    USER_NAME_MAX);
		return 1;
	}
	if (sodium_init() == -1) {
		fprintf(stderr, "sessgatectl: libsodium failed to start\n");
		return 1;
	}
	if (config_load(&cfg, file, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	c.cfg = &cfg;
	c.name = argc > 2 ? argv[2] : NULL;
	c.id = argc > 3 ? argv[3] : NULL;
	if ((c.store = session_store_open(&cfg)) == NULL) {
		fprintf(stderr, "sessgatectl: out of memory\n");
		config_free(&cfg);
		return 1;
	}
	outage_quiet(); /* a failure is said on stderr, by the command */
	rv = cmd->fn(&c);
	if (cmd->flags & C_LOG)
		log_action(cmd, argc, argv, c.all, rv);
	store_close(c.store);
	config_free(&cfg);
	return rv;
}
