/*
 * sessgatectl: administration of users and sessions, against the same
 * Redis (and with the same key layout) as the daemon. One table names
 * every command with its arguments and its function; usage is checked
 * from the table before anything is read or opened.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "config/config.h"
#include "core/user.h"
#include "session/password.h"
#include "session/session.h"
#include "store/store.h"

#define EXIT_USAGE 2

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: sessgatectl [-c FILE] user add|passwd|del NAME\n"
	    "       sessgatectl [-c FILE] session list NAME\n"
	    "       sessgatectl [-c FILE] session revoke NAME [ID]\n"
	    "       sessgatectl [-c FILE] users rekey [OLD_SECRET_FILE]\n"
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

/* Exit status and message for a store answer; ended sessions counted. */
static int
ended(struct store *s, enum sg_result rv, int n, const char *what,
    const char *name)
{
	switch (rv) {
	case SG_OK:
		printf("%d session%s ended\n", n, n == 1 ? "" : "s");
		return 0;
	case SG_NO_USER:
		fprintf(stderr, "sessgatectl: no such user: %s\n", name);
		return 1;
	default:
		return store_failed(s, what);
	}
}

struct ctl {
	const struct config *cfg;
	struct store	    *store;
	const char	    *name; /* the user (users rekey: the old secret) */
	const char	    *id;   /* session revoke: the session, or NULL */
};

static int
cmd_user_add(const struct ctl *c)
{
	char hash[PASSWORD_HASHLEN];

	if (hash_stdin(c->cfg, hash) == -1)
		return 1;
	switch (store_user_add(c->store, c->name, hash)) {
	case SG_OK:
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
	return ended(c->store, rv, n, "user passwd", c->name);
}

static int
cmd_user_del(const struct ctl *c)
{
	enum sg_result rv;
	int	       n;

	rv = store_user_del(c->store, c->name, &n);
	return ended(c->store, rv, n, "user del", c->name);
}

static void
iso8601(char *buf, size_t len, int64_t ms)
{
	time_t	  t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
print_session(const struct store_session *ss, void *arg)
{
	char c[32], a[32];

	(void)arg;
	iso8601(c, sizeof(c), ss->rec.created);
	iso8601(a, sizeof(a), ss->rec.deadline);
	printf("%s created=%s deadline=%s idle_expires_in=%llds\n", ss->id, c,
	    a, (long long)((ss->ttl + 999) / 1000));
	return 0;
}

static int
cmd_session_list(const struct ctl *c)
{
	if (store_session_list(c->store, c->name, print_session, NULL) ==
	    SG_UNAVAILABLE)
		return store_failed(c->store, "session list");
	return 0;
}

static int
cmd_session_revoke(const struct ctl *c)
{
	enum sg_result rv;
	int	       n;

	if (c->id == NULL) {
		rv = store_session_destroy_all(c->store, c->name, &n);
		return ended(c->store, rv, n, "session revoke", c->name);
	}
	switch (store_session_revoke(c->store, c->name, c->id)) {
	case SG_OK:
		printf("1 session ended\n");
		return 0;
	case SG_UNAVAILABLE:
		return store_failed(c->store, "session revoke");
	default:
		fprintf(stderr, "sessgatectl: %s has no session %s\n", c->name,
		    c->id);
		return 1;
	}
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
	printf("%d user%s moved\n", r.moved, plural(r.moved));
	if (r.removed > 0)
		printf("%d user%s under the old key removed: a user of that "
		       "name exists under the new one\n",
		    r.removed, plural(r.removed));
	printf("%d session%s ended\n", r.ended, plural(r.ended));
	sodium_memzero(&old, sizeof(old));
	return rv;
}

static const struct command {
	const char *noun, *verb;
	int	    min, max; /* words, with noun and verb */
	int	    named;    /* the third word is a user name */
	int (*fn)(const struct ctl *);
} commands[] = {
	{ "user", "add", 3, 3, 1, cmd_user_add },
	{ "user", "passwd", 3, 3, 1, cmd_user_passwd },
	{ "user", "del", 3, 3, 1, cmd_user_del },
	{ "session", "list", 3, 3, 1, cmd_session_list },
	{ "session", "revoke", 3, 4, 1, cmd_session_revoke },
	{ "users", "rekey", 2, 3, 0, cmd_users_rekey },
};

/* The command argv names, with its arguments; exit 2 if none. */
static const struct command *
command_find(int argc, char **argv)
{
	size_t i;

	for (i = 0; argc >= 2 && i < sizeof(commands) / sizeof(commands[0]);
	     i++)
		if (strcmp(argv[0], commands[i].noun) == 0 &&
		    strcmp(argv[1], commands[i].verb) == 0 &&
		    argc >= commands[i].min && argc <= commands[i].max)
			return &commands[i];
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

	while ((ch = getopt(argc, argv, "c:h")) != -1) {
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
	cmd = command_find(argc, argv);
	if (cmd->named && !user_name_valid(argv[2], strlen(argv[2]))) {
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
	rv = cmd->fn(&c);
	store_close(c.store);
	config_free(&cfg);
	return rv;
}
