/*
 * sessgatectl: administration of users and sessions, against the same
 * Redis (and with the same key layout) as the daemon.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "password.h"
#include "store.h"
#include "user.h"

#define EXIT_USAGE	2

static void
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: sessgatectl [-c FILE] user add|passwd|del NAME\n"
	    "       sessgatectl [-c FILE] session list NAME\n"
	    "       sessgatectl [-c FILE] session revoke NAME [ID]\n"
	    "The password of user add and user passwd is the first line of "
	    "standard input.\n");
	exit(status);
}

/* The first line of stdin, without its newline. */
static int
read_password(char *buf, size_t len)
{
	size_t	 n;

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
	struct password_cost	 cost = { cfg->password_opslimit,
				    cfg->password_memlimit };
	char			 pw[PASSWORD_MAX + 2];
	int			 rv;

	if (read_password(pw, sizeof(pw)) == -1)
		return -1;
	rv = password_hash(hash, pw, strlen(pw), &cost);
	sodium_memzero(pw, sizeof(pw));
	if (rv == -1)
		fprintf(stderr, "sessgatectl: cannot hash the password "
		    "(out of memory?)\n");
	return rv;
}

static int
store_failed(struct store *s, const char *what)
{
	fprintf(stderr, "sessgatectl: %s: %s\n", what, s->err);
	return 1;
}

static int
no_user(const char *name)
{
	fprintf(stderr, "sessgatectl: no such user: %s\n", name);
	return 1;
}

static int
user_add(const struct config *cfg, struct store *s, const char *name)
{
	char	 hash[PASSWORD_HASHLEN];

	if (hash_stdin(cfg, hash) == -1)
		return 1;
	switch (store_user_add(s, name, hash)) {
	case 1:
		return 0;
	case 0:
		fprintf(stderr, "sessgatectl: user exists: %s\n", name);
		return 1;
	default:
		return store_failed(s, "user add");
	}
}

static int
ended(struct store *s, int n, const char *what, const char *name)
{
	if (n == STORE_NO_USER)
		return no_user(name);
	if (n < 0)
		return store_failed(s, what);
	printf("%d session%s ended\n", n, n == 1 ? "" : "s");
	return 0;
}

static int
user_passwd(const struct config *cfg, struct store *s, const char *name)
{
	char	 hash[PASSWORD_HASHLEN];

	if (hash_stdin(cfg, hash) == -1)
		return 1;
	return ended(s, store_user_passwd(s, name, hash), "user passwd", name);
}

static void
iso8601(char *buf, size_t len, int64_t ms)
{
	time_t		 t = (time_t)(ms / 1000);
	struct tm	 tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int
print_session(const struct store_session *ss, void *arg)
{
	char	 c[32], a[32];

	(void)arg;
	iso8601(c, sizeof(c), ss->rec.created);
	iso8601(a, sizeof(a), ss->rec.deadline);
	printf("%s created=%s deadline=%s idle_expires_in=%llds\n", ss->id, c,
	    a, (long long)((ss->ttl + 999) / 1000));
	return 0;
}

static int
session_cmd(struct store *s, int argc, char **argv)
{
	const char	*name = argv[1];
	int		 n;

	if (strcmp(argv[0], "list") == 0 && argc == 2)
		return store_list(s, name, print_session, NULL) == -1 ?
		    store_failed(s, "session list") : 0;
	if (strcmp(argv[0], "revoke") != 0 || argc > 3)
		usage(EXIT_USAGE);
	if (argc == 2)
		return ended(s, store_destroy_all(s, name), "session revoke",
		    name);
	if ((n = store_revoke(s, name, argv[2])) == -1)
		return store_failed(s, "session revoke");
	if (n == 0) {
		fprintf(stderr, "sessgatectl: %s has no session %s\n", name,
		    argv[2]);
		return 1;
	}
	return 0;
}

/* Exit 2 unless argv is one of the commands, with its arguments. */
static void
check_usage(int argc, char **argv)
{
	static const struct {
		const char	*noun, *verb;
		int		 min, max;
	} cmds[] = {
		{ "user", "add", 3, 3 }, { "user", "passwd", 3, 3 },
		{ "user", "del", 3, 3 }, { "session", "list", 3, 3 },
		{ "session", "revoke", 3, 4 },
	};
	size_t	 i;

	for (i = 0; argc >= 2 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[0], cmds[i].noun) == 0 &&
		    strcmp(argv[1], cmds[i].verb) == 0 &&
		    argc >= cmds[i].min && argc <= cmds[i].max)
			return;
	usage(EXIT_USAGE);
}

static int
run(const struct config *cfg, struct store *s, int argc, char **argv)
{
	const char	*name = argv[2];

	if (!user_name_valid(name, strlen(name))) {
		fprintf(stderr, "sessgatectl: invalid user name (1-%d of "
		    "A-Z a-z 0-9 . _ @ + -)\n", USER_NAME_MAX);
		return 1;
	}
	if (strcmp(argv[0], "session") == 0)
		return session_cmd(s, argc - 1, argv + 1);
	if (strcmp(argv[0], "user") != 0 || argc != 3)
		usage(EXIT_USAGE);
	if (strcmp(argv[1], "add") == 0)
		return user_add(cfg, s, name);
	if (strcmp(argv[1], "passwd") == 0)
		return user_passwd(cfg, s, name);
	if (strcmp(argv[1], "del") == 0)
		return ended(s, store_user_del(s, name), "user del", name);
	usage(EXIT_USAGE);
	return EXIT_USAGE;
}

int
main(int argc, char **argv)
{
	struct config	 cfg;
	struct store	*s;
	const char	*file = SYSCONFDIR "/sessgate.conf";
	char		 err[CONFIG_ERRLEN];
	int		 ch, rv;

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
	check_usage(argc, argv);
	if (sodium_init() == -1) {
		fprintf(stderr, "sessgatectl: libsodium failed to start\n");
		return 1;
	}
	if (config_load(&cfg, file, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if ((s = store_redis_new(&cfg)) == NULL) {
		fprintf(stderr, "sessgatectl: out of memory\n");
		config_free(&cfg);
		return 1;
	}
	rv = run(&cfg, s, argc, argv);
	store_free(s);
	config_free(&cfg);
	return rv;
}
