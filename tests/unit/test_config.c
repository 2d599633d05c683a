/* Unit tests of config.c: defaults, keys, durations, errors with lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "config/config.h"

static void
test_defaults(void **state)
{
	struct config c;

	(void)state;
	assert_int_equal(config_defaults(&c), 0);
	assert_string_equal(c.listen, "unix:/run/sessgate/sessgate.sock");
	assert_int_equal(c.socket_mode, 0660);
	assert_int_equal(c.threads, 4);
	assert_int_equal(c.workers, 2);
	assert_int_equal(c.client_timeout, 10000);
	assert_string_equal(c.redis, "redis://127.0.0.1:6379/0");
	assert_null(c.redis_password_file);
	assert_null(c.redis_sentinel_password_file);
	assert_int_equal(c.redis_replicas_ack, 0);
	assert_int_equal(c.redis_timeout, 250);
	assert_string_equal(c.key_prefix, "sg:");
	assert_string_equal(c.cookie_name, "__Host-sid");
	assert_int_equal(c.cookie_secure, 1);
	assert_string_equal(c.cookie_samesite, "Lax");
	assert_int_equal(c.idle_timeout, 24LL * 3600 * 1000);
	assert_int_equal(c.absolute_timeout, 7LL * 86400 * 1000);
	assert_int_equal(c.max_sessions, 3);
	assert_int_equal(c.session_limit, CONFIG_LIMIT_EVICT_OLDEST);
	assert_string_equal(c.login_path, "/login");
	assert_string_equal(c.logout_path, "/logout");
	assert_string_equal(c.logout_all_path, "/logout-all");
	assert_string_equal(c.password_path, "/password");
	assert_string_equal(c.auth_path, "/auth");
	assert_string_equal(c.login_redirect, "/login");
	assert_int_equal(c.login_concurrency, 2);
	assert_null(c.secret_file);
	assert_false(c.keys.secret); /* the public tag key */
	config_free(&c);
}

static const struct {
	const char *in;
	int	    rv;
	int64_t	    ms;
} durations[] = {
	{ "250ms", 0, 250 },
	{ "30", 0, 30000 },
	{ "30s", 0, 30000 },
	{ "15m", 0, 900000 },
	{ "24h", 0, 86400000 },
	{ "7d", 0, 604800000 },
	{ "0", 0, 0 },
	{ "", -1, 0 },
	{ "s", -1, 0 },
	{ "-1s", -1, 0 },
	{ "1.5h", -1, 0 },
	{ "10 s", -1, 0 },
	{ "5w", -1, 0 },
	{ "1hh", -1, 0 },
	{ "99999999999999999999", -1, 0 },
	{ "9999999999999999d", -1, 0 },
};

static void
test_durations(void **state)
{
	size_t	i;
	int64_t ms;

	(void)state;
	for (i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
		ms = -7;
		assert_int_equal(config_duration(durations[i].in, &ms),
		    durations[i].rv);
		if (durations[i].rv == 0)
			assert_int_equal(ms, durations[i].ms);
	}
}

static void
test_sizes(void **state)
{
	size_t b;

	(void)state;
	assert_int_equal(config_size("64M", &b), 0);
	assert_int_equal(b, 64u << 20);
	assert_int_equal(config_size("1G", &b), 0);
	assert_int_equal(b, 1u << 30);
	assert_int_equal(config_size("512K", &b), 0);
	assert_int_equal(b, 512u << 10);
	assert_int_equal(config_size("8192", &b), 0);
	assert_int_equal(b, 8192);
	assert_int_equal(config_size("64MB", &b), -1);
	assert_int_equal(config_size("M", &b), -1);
}

static const struct {
	const char *text;
	const char *error; /* NULL: accepted */
} files[] = {
	{ "", NULL },
	{ "# only a comment\n\n   \n", NULL },
	{ "idle_timeout = 30s\nabsolute_timeout = 1h # trailing\n", NULL },
	{ "threads=8\r\n", NULL },
	{ "cookie_name = sid\ncookie_secure = no\n", NULL },
	{ "cookie_samesite = Strict\n", NULL },
	{ "session_limit = reject\nmax_sessions = 0\n", NULL },
	{ "redis = unix:/run/redis.sock?db=2\n", NULL },
	{ "redis = redis://:pw@[::1]:6380/3\n", NULL },
	{ "login_redirect =\n", NULL },
	{ "socket_mode = 0600\n", NULL },
	{ "password_memlimit = 8M\npassword_opslimit = 1\n", NULL },
	{ "login_concurrency = 16\n", NULL },
	{ "login_concurrency = 0\n",
	    "f.conf:1: login_concurrency: must be between 1 and 1024" },
	{ "\nbogus = 1\n", "f.conf:2: unknown key \"bogus\"" },
	{ "threads\n", "f.conf:1: expected \"key = value\"" },
	{ "= 4\n", "f.conf:1: missing key before '='" },
	{ "threads = four\n",
	    "f.conf:1: threads: must be a non-negative integer" },
	{ "threads = 0\n", "f.conf:1: threads: must be between 1 and 1024" },
	{ "workers = 0\n", "f.conf:1: workers: must be between 1 and 64" },
	{ "workers = 65\n", "f.conf:1: workers: must be between 1 and 64" },
	{ "client_timeout = 500ms\n",
	    "f.conf:1: client_timeout: must be between 1s and 1h" },
	{ "client_timeout = 2h\n",
	    "f.conf:1: client_timeout: must be between 1s and 1h" },
	{ "workers = 1\nclient_timeout = 1s\n", NULL },
	{ "idle_timeout = 1x\n", "f.conf:1: idle_timeout: must be a duration" },
	{ "cookie_secure = maybe\n",
	    "f.conf:1: cookie_secure: must be yes or no" },
	{ "cookie_samesite = lax\n",
	    "f.conf:1: cookie_samesite: must be Strict" },
	{ "session_limit = drop\n",
	    "f.conf:1: session_limit: must be evict-oldest" },
	{ "socket_mode = 0999\n", "f.conf:1: socket_mode: must be an octal" },
	{ "socket_mode = 01000\n",
	    "f.conf:1: socket_mode: must be between 0000 and 0777" },
	{ "login_path = login\n",
	    "f.conf:1: login_path: must be a local path" },
	{ "logout_path = //evil.example/x\n",
	    "f.conf:1: logout_path: must be a local path" },
	{ "# x\ncookie_secure = no\n",
	    "f.conf:2: cookie_secure: a __Host- or __Secure- cookie needs" },
	{ "cookie_name = __Secure-x\ncookie_secure = no\n",
	    "f.conf:2: cookie_secure: a __Host- or __Secure-" },
	{ "cookie_name = sid\ncookie_secure = no\ncookie_samesite = None\n",
	    "f.conf:3: cookie_samesite: None requires cookie_secure yes" },
	{ "idle_timeout = 2h\nabsolute_timeout = 1h\n",
	    "f.conf:2: absolute_timeout: must be at least idle_timeout" },
	{ "idle_timeout = 0\n", "f.conf:1: idle_timeout: must be between" },
	{ "idle_timeout = 500ms\n", "f.conf:1: idle_timeout: must be between" },
	{ "absolute_timeout = 3651d\n",
	    "f.conf:1: absolute_timeout: must be between 1s and 3650d" },
	{ "login_failure_window = 0\n",
	    "f.conf:1: login_failure_window: must be" },
	{ "cookie_name = a b\n",
	    "f.conf:1: cookie_name: not a valid cookie name" },
	{ "cookie_name = a;b\n", "f.conf:1: cookie_name: not a valid" },
	{ "redis = http://x\n", "f.conf:1: redis: expected redis://" },
	{ "redis = redis://host:99999\n", "f.conf:1: redis: bad port" },
	{ "redis = sentinel://a:1\n", "f.conf:1: redis: sentinel: expected" },
	{ "redis = sentinel://a:1,/m\n",
	    "f.conf:1: redis: missing or too long host" },
	{ "redis = sentinel://a:1/m\nredis_replicas_ack = 65\n",
	    "f.conf:2: redis_replicas_ack: must be between 0 and 64" },
	{ "redis_sentinel_password_file = /x\n",
	    "f.conf:1: redis_sentinel_password_file: needs a sentinel://" },
	{ "redis = sentinel://a:1/m\nredis_sentinel_password_file = /x\n"
	  "redis_replicas_ack = 1\n",
	    NULL },
	{ "key_prefix = a{b}\n", "f.conf:1: key_prefix: must be 1-63" },
	{ "login_redirect = https://evil/\n",
	    "f.conf:1: login_redirect: must be" },
	/* issue 8, item 8: an open redirect for every denied page */
	{ "login_redirect = //evil.example/x\n",
	    "f.conf:1: login_redirect: must be a local path" },
	{ "# x\nlogin_redirect = /\\evil.example/x\n",
	    "f.conf:2: login_redirect: must be a local path" },
	{ "login_redirect = /a b\n",
	    "f.conf:1: login_redirect: must be printable ASCII" },
	{ "login_redirect = /caf\xc3\xa9\n",
	    "f.conf:1: login_redirect: must be printable ASCII" },
	{ "login_redirect = /\n", NULL },
	{ "login_redirect = /sso/login?from=gate\n", NULL },
	{ "login_redirect = /a%2F/b\n", NULL },
	/* issue 8, item 8: ":PORT" listened on every address */
	{ "listen = :19999\n", "f.conf:1: listen: HOST:PORT needs a host" },
	{ "\nlisten=:9000 # all\n",
	    "f.conf:2: listen: HOST:PORT needs a host" },
	{ "listen = 0.0.0.0:19999\n", NULL },
	{ "listen = 127.0.0.1:19999\n", NULL },
	{ "listen = localhost:19999\n", NULL },
	{ "password_memlimit = 1K\n",
	    "f.conf:1: password_memlimit: must be between 8192 and" },
	{ "redis_timeout = 0\n",
	    "f.conf:1: redis_timeout: must be between 1ms and 1h" },
	{ "redis_timeout = 2h\n", "f.conf:1: redis_timeout: must be between" },
	{ "threads = 1025\n", "f.conf:1: threads: must be between 1 and 1024" },
	{ "listen = unix:relative\n",
	    "f.conf:1: listen: unix: needs an absolute path" },
	{ "listen = 127.0.0.1:0\n", "f.conf:1: listen: bad port" },
	{ "cookie_samesite = Loose\n",
	    "f.conf:1: cookie_samesite: must be Strict, Lax or None" },
	/* issue 14: a near miss names the key meant */
	{ "idle_timout = 1h\n",
	    "f.conf:1: unknown key \"idle_timout\" (did you mean "
	    "idle_timeout?)" },
	{ "\nlogin_max_failure = 3\n",
	    "f.conf:2: unknown key \"login_max_failure\" (did you mean "
	    "login_max_failures?)" },
	/* issue 14: a '#' that would cut a value is named */
	{ "redis = redis://:pa#ss@127.0.0.1:6379/0\n",
	    "f.conf:1: redis: a # starts a comment here: quote the value" },
	{ "key_prefix = sg#1\n", "f.conf:1: key_prefix: a # starts a comment" },
	{ "key_prefix = \"sg#1\n",
	    "f.conf:1: key_prefix: a quoted value "
	    "needs its closing \"" },
	{ "key_prefix = \"sg\" x\n",
	    "f.conf:1: key_prefix: text after the closing quote" },
	{ "key_prefix = sg # a comment after a blank\n", NULL },
	{ "  # an indented comment\n", NULL },
	{ "key_prefix # = x\n", "f.conf:1: expected \"key = value\"" },
	/* issue 14: yes and no in any case */
	{ "cookie_name = sid\ncookie_secure = No\n", NULL },
	{ "cookie_secure = YES\n", NULL },
	{ "cookie_secure = nope\n",
	    "f.conf:1: cookie_secure: must be yes or no" },
	/* passive_paths, reauth_paths, remember_timeout, reauth_timeout */
	{ "passive_paths = /api/poll, /status/\nreauth_paths = /admin\n"
	  "reauth_timeout = 30s\nremember_timeout = 30d\n",
	    NULL },
	{ "\npassive_paths = /ok api/poll\n",
	    "f.conf:2: passive_paths: \"api/poll\": must start with /" },
	{ "reauth_paths = /a/../admin\n",
	    "f.conf:1: reauth_paths: \"/a/../admin\": has an empty, . or .." },
	{ "reauth_paths = /%61dmin\n",
	    "f.conf:1: reauth_paths: \"/%61dmin\": must be printable ASCII "
	    "without %" },
	{ "reauth_timeout = 0\n",
	    "f.conf:1: reauth_timeout: must be between 1s and 3650d" },
	{ "idle_timeout = 1h\nabsolute_timeout = 2h\nremember_timeout = 2h\n",
	    "f.conf:3: remember_timeout: must be 0 (off) or longer than "
	    "absolute_timeout" },
	{ "remember_timeout = 1h\n",
	    "f.conf:1: remember_timeout: must be 0 (off) or longer than "
	    "absolute_timeout" },
	{ "remember_timeout = 0\n", NULL },
	/* login_trusted_addresses */
	{ "login_trusted_addresses = 192.0.2.7, 10.0.0.0/8 2001:db8::/32\n",
	    NULL },
	{ "login_trusted_addresses = 10.1.0.0/8\n",
	    "f.conf:1: login_trusted_addresses: \"10.1.0.0/8\": host bits" },
	{ "login_trusted_addresses = 192.0.2.7/33\n",
	    "f.conf:1: login_trusted_addresses: \"192.0.2.7/33\": a prefix" },
	{ "login_trusted_addresses = proxy.example\n",
	    "f.conf:1: login_trusted_addresses: \"proxy.example\": not an" },
};

static void
test_files(void **state)
{
	struct config c;
	char	      err[CONFIG_ERRLEN];
	size_t	      i;
	int	      rv;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		assert_int_equal(config_defaults(&c), 0);
		err[0] = '\0';
		rv = config_parse(&c, "f.conf", files[i].text,
		    strlen(files[i].text), err, sizeof(err));
		if (files[i].error == NULL) {
			if (rv != 0)
				fail_msg("case %zu: unexpected error %s", i,
				    err);
		} else {
			assert_int_equal(rv, -1);
			if (strncmp(err, files[i].error,
				strlen(files[i].error)) != 0)
				fail_msg("case %zu: got \"%s\", want \"%s\"", i,
				    err, files[i].error);
		}
		config_free(&c);
	}
}

/* A path key must leave room for ?next= in a Location: 200 bytes. */
static void
test_path_length(void **state)
{
	struct config c;
	char	      text[300], err[CONFIG_ERRLEN];
	int	      n;

	(void)state;
	for (n = 199; n <= 201; n++) {
		snprintf(text, sizeof(text), "login_redirect = /%0*d\n", n - 1,
		    0);
		assert_int_equal(config_defaults(&c), 0);
		assert_int_equal(
		    config_parse(&c, "f", text, strlen(text), err, sizeof(err)),
		    n <= 200 ? 0 : -1);
		if (n <= 200)
			assert_int_equal(strlen(c.login_redirect), n);
		else
			assert_string_equal(err,
			    "f:1: login_redirect: must be at most 200 bytes");
		config_free(&c);
	}
}

static void
test_values_set(void **state)
{
	struct config c;
	char	      err[CONFIG_ERRLEN];
	const char   *t =
	    "idle_timeout = 2s\nabsolute_timeout = 5s\n"
	    "max_sessions = 7\nsession_limit = reject\nkey_prefix = t1:\n"
	    "redis_timeout = 100ms\nlogin_redirect =\n";

	(void)state;
	assert_int_equal(config_defaults(&c), 0);
	assert_int_equal(config_parse(&c, "f", t, strlen(t), err, sizeof(err)),
	    0);
	assert_int_equal(c.idle_timeout, 2000);
	assert_int_equal(c.absolute_timeout, 5000);
	assert_int_equal(c.max_sessions, 7);
	assert_int_equal(c.session_limit, CONFIG_LIMIT_REJECT);
	assert_string_equal(c.key_prefix, "t1:");
	assert_int_equal(c.redis_timeout, 100);
	assert_string_equal(c.login_redirect, "");
	config_free(&c);
}

static void
test_load(void **state)
{
	struct config c;
	char	      dir[] = "/tmp/sg-config-XXXXXX", path[64], pwpath[64];
	char	      err[CONFIG_ERRLEN];
	FILE	     *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sessgate.conf", dir);
	snprintf(pwpath, sizeof(pwpath), "%s/pw", dir);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "sessgate.conf:0: No such file"));
	f = fopen(pwpath, "w");
	fputs("default s3cret\nignored\n", f);
	fclose(f);
	f = fopen(path, "w");
	fprintf(f, "# a comment\nthreads = 1\nredis_password_file = %s\n",
	    pwpath);
	fclose(f);
	/* like secret_file: no one else may read or write it, and the
	 * error names the key's line */
	assert_int_equal(chmod(pwpath, 0604), 0);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "sessgate.conf:3: redis_password_file"));
	assert_non_null(strstr(err, "readable or writable by others"));
	assert_int_equal(chmod(pwpath, 0602), 0);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
	assert_int_equal(chmod(pwpath, 0640), 0);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), 0);
	assert_string_equal(c.redis_url.user, "default");
	assert_string_equal(c.redis_url.password, "s3cret");
	config_free(&c);
	/* sentinel://: the URL's login is the Sentinels', the file's wins */
	f = fopen(path, "w");
	fprintf(f,
	    "redis = sentinel://:url-pw@a/m\n"
	    "redis_password_file = %s\n"
	    "redis_sentinel_password_file = %s\n",
	    pwpath, pwpath);
	fclose(f);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), 0);
	assert_string_equal(c.redis_url.password, "s3cret");
	assert_string_equal(c.redis_url.sentinel_user, "default");
	assert_string_equal(c.redis_url.sentinel_password, "s3cret");
	config_free(&c);
	/* the Sentinels' password file too, at its line */
	assert_int_equal(chmod(pwpath, 0644), 0);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "sessgate.conf:2: redis_password_file"));
	f = fopen(path, "w");
	fprintf(f,
	    "redis = sentinel://a/m\n"
	    "redis_sentinel_password_file = %s\n",
	    pwpath);
	fclose(f);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(
	    strstr(err, "sessgate.conf:2: redis_sentinel_password_file"));
	assert_int_equal(chmod(pwpath, 0600), 0);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), 0);
	config_free(&c);
	unlink(pwpath);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(
	    strstr(err, "sessgate.conf:2: redis_sentinel_password_file"));
	assert_non_null(strstr(err, "No such file"));
	unlink(path);
	rmdir(dir);
}

static void
write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

/*
 * secret_file: the whole file keys the user tags; at least 32 bytes, not
 * readable by others; the same file gives the same keys every time.
 */
static void
test_secret_file(void **state)
{
	struct config	 c;
	struct user_keys pub;
	char		 dir[] = "/tmp/sg-config-XXXXXX", path[64], sec[64];
	char err[CONFIG_ERRLEN], t1[TOKEN_TAGLEN + 1], t2[TOKEN_TAGLEN + 1];
	unsigned char bytes[40];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sessgate.conf", dir);
	snprintf(sec, sizeof(sec), "%s/secret", dir);
	memset(bytes, 0xa5, sizeof(bytes));
	bytes[3] = '\n'; /* any bytes: the whole file is the secret */
	bytes[9] = '\0';
	write_file(path, "secret_file = ", 14, 0644);
	{
		FILE *f = fopen(path, "a");

		fprintf(f, "%s\n", sec);
		fclose(f);
	}
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "sessgate.conf:1: secret_file"));
	assert_non_null(strstr(err, "No such file"));
	write_file(sec, bytes, 31, 0600);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "at least 32 bytes"));
	write_file(sec, bytes, 32, 0644);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "readable or writable by others"));
	write_file(sec, bytes, sizeof(bytes), 0640);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), 0);
	assert_true(c.keys.secret);
	user_tag(&c.keys, "alice", 5, t1);
	config_free(&c);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), 0);
	user_tag(&c.keys, "alice", 5, t2);
	assert_string_equal(t1, t2);
	assert_int_equal(user_keys_init(&pub, NULL, 0), 0);
	user_tag(&pub, "alice", 5, t2);
	assert_string_not_equal(t1, t2);
	config_free(&c);
	assert_true(sodium_is_zero(c.keys.tag, sizeof(c.keys.tag)));
	assert_int_equal(config_read_secret(sec, &pub, err, sizeof(err)), 0);
	unlink(sec);
	unlink(path);
	rmdir(dir);
}

/*
 * page_template: read with the configuration, at most 64 KiB, with
 * {{content}} once; each failure names the file and the key's line.
 */
static void
test_page_template(void **state)
{
	static const struct {
		const char *text, *msg; /* msg: what follows "PATH: " */
	} cases[] = {
		{ "<html>\n", "no {{content}}, where sessgate's page goes" },
		{ "<p>\n{{content}}\n{{content}}\n",
		    "a second {{content}} at line 3: it must be there once" },
		{ NULL, "larger than 64 KiB" },
		{ "", "not a regular file" }, /* the path is a directory */
		{ "", "No such file or directory" },
	};
	struct config c;
	char	      dir[] = "/tmp/sg-config-XXXXXX", path[64], tpl[64];
	char	      err[CONFIG_ERRLEN], conf[256], want[512], *big;
	size_t	      i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sessgate.conf", dir);
	snprintf(tpl, sizeof(tpl), "%s/page.html", dir);
	snprintf(conf, sizeof(conf), "threads = 2\npage_template = %s\n", tpl);
	write_file(path, conf, strlen(conf), 0644);
	assert_non_null(big = malloc(HTML_TEMPLATE_MAX + 1));
	memset(big, 'x', HTML_TEMPLATE_MAX + 1);
	memcpy(big, "{{content}}", 11);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unlink(tpl);
		rmdir(tpl);
		if (cases[i].text == NULL)
			write_file(tpl, big, HTML_TEMPLATE_MAX + 1, 0644);
		else if (strcmp(cases[i].msg, "not a regular file") == 0)
			assert_int_equal(mkdir(tpl, 0755), 0);
		else if (strstr(cases[i].msg, "No such") == NULL)
			write_file(tpl, cases[i].text, strlen(cases[i].text),
			    0644);
		assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s:2: page_template %s: %s", path,
		    tpl, cases[i].msg);
		assert_string_equal(err, want);
	}
	rmdir(tpl);
	/* exactly 64 KiB is fine, and the frame is what the file holds */
	write_file(tpl, big, HTML_TEMPLATE_MAX, 0644);
	if (config_load(&c, path, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c.page_frame.len, HTML_TEMPLATE_MAX);
	assert_memory_equal(c.page_frame.text, big, HTML_TEMPLATE_MAX);
	config_free(&c);
	assert_null(c.page_frame.text);
	/* a relative path is refused by the parser, as audit's is */
	write_file(path, "page_template = page.html\n", 26, 0644);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want),
	    "%s:1: page_template: must be an absolute file path", path);
	assert_string_equal(err, want);
	/* empty: the built-in frame */
	write_file(path, "page_template =\n", 16, 0644);
	assert_int_equal(config_load(&c, path, err, sizeof(err)), 0);
	assert_null(c.page_frame.text);
	config_free(&c);
	free(big);
	unlink(tpl);
	unlink(path);
	rmdir(dir);
}

/* conf/sessgate.conf names every key, each at its default. */
static void
test_sample_config(void **state)
{
	struct config def, c;
	char	      path[1024], line[512], text[16384], err[CONFIG_ERRLEN];
	const char   *top = getenv("top_srcdir");
	size_t	      n = 0, i, found;
	FILE	     *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/conf/sessgate.conf", top ? top : ".");
	assert_non_null(f = fopen(path, "r"));
	text[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		/* "#key = value" lines are the commented-out settings */
		if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z' &&
		    strstr(line, " =") != NULL) {
			strncat(text, line + 1,
			    sizeof(text) - strlen(text) - 1);
			n++;
		}
	}
	fclose(f);
	for (i = 0; config_key_name(i) != NULL; i++) {
		char want[128];

		snprintf(want, sizeof(want), "\n%s =", config_key_name(i));
		found = strncmp(text, want + 1, strlen(want + 1)) == 0 ||
		    strstr(text, want) != NULL;
		if (!found)
			fail_msg("conf/sessgate.conf lacks %s",
			    config_key_name(i));
	}
	assert_int_equal(n, i);
	assert_int_equal(config_defaults(&def), 0);
	assert_int_equal(config_defaults(&c), 0);
	if (config_parse(&c, path, text, strlen(text), err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(c.listen, def.listen);
	assert_string_equal(c.redis, def.redis);
	assert_true(
	    c.redis_password_file == NULL || c.redis_password_file[0] == '\0');
	assert_string_equal(c.cookie_name, def.cookie_name);
	assert_string_equal(c.cookie_samesite, def.cookie_samesite);
	assert_string_equal(c.login_redirect, def.login_redirect);
	assert_string_equal(c.auth_path, def.auth_path);
	assert_int_equal(c.idle_timeout, def.idle_timeout);
	assert_int_equal(c.absolute_timeout, def.absolute_timeout);
	assert_int_equal(c.redis_timeout, def.redis_timeout);
	assert_int_equal(c.socket_mode, def.socket_mode);
	assert_int_equal(c.threads, def.threads);
	assert_int_equal(c.max_sessions, def.max_sessions);
	assert_int_equal(c.password_memlimit, def.password_memlimit);
	assert_int_equal(c.password_opslimit, def.password_opslimit);
	assert_int_equal(c.login_max_failures, def.login_max_failures);
	assert_int_equal(c.login_failure_window, def.login_failure_window);
	assert_int_equal(c.login_concurrency, def.login_concurrency);
	assert_true(c.secret_file == NULL || c.secret_file[0] == '\0');
	config_free(&c);
	config_free(&def);
}

/* listen and socket_mode need a restart; the rest reloads. */
static void
test_fixed_keys(void **state)
{
	struct config a, b;
	char	      err[CONFIG_ERRLEN];
	const char   *t1 = "threads = 8\nworkers = 3\nclient_timeout = 5s\n"
			   "socket_mode = 0600\n";
	const char   *t2 = "listen = 127.0.0.1:9000\n";

	(void)state;
	assert_int_equal(config_defaults(&a), 0);
	assert_int_equal(config_defaults(&b), 0);
	assert_null(config_fixed_changed(&a, &b));
	assert_int_equal(
	    config_parse(&b, "f", "idle_timeout = 1h\n", 18, err, sizeof(err)),
	    0);
	assert_null(config_fixed_changed(&a, &b));
	assert_int_equal(
	    config_parse(&b, "f", t1, strlen(t1), err, sizeof(err)), 0);
	assert_string_equal(config_fixed_changed(&a, &b), "socket_mode");
	config_free(&b);
	assert_int_equal(config_defaults(&b), 0);
	assert_int_equal(
	    config_parse(&b, "f", t2, strlen(t2), err, sizeof(err)), 0);
	assert_string_equal(config_fixed_changed(&a, &b), "listen");
	assert_false(b.listen_addr.is_unix);
	assert_string_equal(b.listen_addr.port, "9000");
	assert_true(a.listen_addr.is_unix);
	assert_string_equal(a.redis_url.host, "127.0.0.1");
	assert_int_equal(a.redis_url.port, 6379);
	config_free(&a);
	config_free(&b);
}

/* The index of key name, for config_key_changed(). */
static size_t
key_index(const char *name)
{
	size_t i;

	for (i = 0; config_key_name(i) != NULL; i++)
		if (strcmp(config_key_name(i), name) == 0)
			return i;
	fail_msg("no key %s", name);
	return 0;
}

/*
 * Two values of one key that differ only above the low 32 bits, or in a
 * field that is not an unsigned int, are a change: each key compares as
 * its own type.
 */
static const struct {
	const char *key, *a, *b;
} changes[] = {
	{ "login_failure_window", "1s", "4294968296ms" }, /* 1000 + 2^32 */
	{ "password_memlimit", "8K", "4194312K" },	  /* 8192 + 2^32 */
	{ "password_opslimit", "2", "3" },
	{ "cookie_secure", "yes", "no" },
	{ "session_limit", "evict-oldest", "reject" },
	{ "socket_mode", "0660", "0600" },
	{ "cookie_samesite", "Lax", "Strict" },
	{ "redis_password_file", "", "/x" },
};

static void
set_one(struct config *c, const char *key, const char *v)
{
	char err[CONFIG_ERRLEN], text[256];
	int  n;

	/* a plain cookie name, so that cookie_secure may be no */
	n = snprintf(text, sizeof(text), "cookie_name = sid\n%s = %s\n", key,
	    v);
	assert_int_equal(config_defaults(c), 0);
	if (config_parse(c, "f", text, (size_t)n, err, sizeof(err)) != 0)
		fail_msg("%s", err);
}

static void
test_key_changed(void **state)
{
	struct config a, b;
	size_t	      i, j, k;

	(void)state;
	assert_int_equal(config_defaults(&a), 0);
	assert_int_equal(config_defaults(&b), 0);
	for (i = 0; config_key_name(i) != NULL; i++)
		assert_int_equal(config_key_changed(i, &a, &b), 0);
	assert_int_equal(config_key_changed(i, &a, &b), -1);
	config_free(&a);
	config_free(&b);
	for (i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		set_one(&a, changes[i].key, changes[i].a);
		set_one(&b, changes[i].key, changes[i].b);
		k = key_index(changes[i].key);
		for (j = 0; config_key_name(j) != NULL; j++)
			if (config_key_changed(j, &a, &b) != (j == k))
				fail_msg("%s %s -> %s: %s changed %d",
				    changes[i].key, changes[i].a, changes[i].b,
				    config_key_name(j),
				    config_key_changed(j, &a, &b));
		assert_int_equal(config_key_changed(k, &b, &b), 0);
		config_free(&a);
		config_free(&b);
	}
}

/* Values that hold a '#': quoted, or escaped. */
static void
test_values_with_hash(void **state)
{
	struct config c;
	char	      err[CONFIG_ERRLEN];
	const char   *text = "key_prefix = \"a#b\\\"c\" # quoted\n"
			     "redis = redis://:p\\#w@127.0.0.1:6379/0\n"
			     "cookie_name = sid\ncookie_secure = No\n";

	(void)state;
	assert_int_equal(config_defaults(&c), 0);
	if (config_parse(&c, "f.conf", text, strlen(text), err, sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(c.key_prefix, "a#b\"c");
	assert_string_equal(c.redis_url.password, "p#w");
	assert_int_equal(c.cookie_secure, 0);
	config_free(&c);
	/* a key far from every other: no guess */
	assert_int_equal(config_defaults(&c), 0);
	assert_int_equal(config_parse(&c, "f.conf", "frobnicate = 1\n", 15, err,
			     sizeof(err)),
	    -1);
	assert_string_equal(err, "f.conf:1: unknown key \"frobnicate\"");
	config_free(&c);
}

/* The matcher of login_trusted_addresses. */
static void
test_trusted_addresses(void **state)
{
	static const struct {
		const char *addr;
		int	    in;
	} cases[] = {
		{ "192.0.2.7", 1 },
		{ "192.0.2.8", 0 },
		{ "::ffff:192.0.2.7", 1 }, /* IPv4-mapped: as IPv4 */
		{ "10.255.1.2", 1 },
		{ "11.0.0.1", 0 },
		{ "172.16.31.255", 1 },
		{ "172.16.32.0", 0 }, /* /19: the 20th bit differs */
		{ "2001:db8:1::1", 1 },
		{ "2001:db9::1", 0 },
		{ "fe80::1", 0 },
		{ "", 0 },
		{ "unknown", 0 },
		{ "192.0.2.7 ", 0 },
	};
	struct config c;
	char	      err[CONFIG_ERRLEN];
	const char   *text = "login_trusted_addresses = 192.0.2.7,10.0.0.0/8 "
			     "172.16.0.0/19 2001:db8::/32\n";
	size_t	      i;

	(void)state;
	assert_int_equal(config_defaults(&c), 0);
	assert_int_equal(c.login_trusted.n, 0);
	assert_int_equal(cidr_list_match(&c.login_trusted, "192.0.2.7"), 0);
	assert_int_equal(
	    config_parse(&c, "f.conf", text, strlen(text), err, sizeof(err)),
	    0);
	assert_int_equal(c.login_trusted.n, 4);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (cidr_list_match(&c.login_trusted, cases[i].addr) !=
		    cases[i].in)
			fail_msg("%s: want %d", cases[i].addr, cases[i].in);
	assert_int_equal(cidr_list_match(&c.login_trusted, NULL), 0);
	config_free(&c);
	/* everything: 0.0.0.0/0 and ::/0 */
	assert_int_equal(config_defaults(&c), 0);
	text = "login_trusted_addresses = 0.0.0.0/0 ::/0\n";
	assert_int_equal(
	    config_parse(&c, "f.conf", text, strlen(text), err, sizeof(err)),
	    0);
	assert_int_equal(cidr_list_match(&c.login_trusted, "203.0.113.9"), 1);
	assert_int_equal(cidr_list_match(&c.login_trusted, "2001:db8::9"), 1);
	config_free(&c);
}

/* user, group, socket_owner, socket_group: names or numbers that exist. */
static void
test_accounts(void **state)
{
	struct config c, d;
	char	      err[CONFIG_ERRLEN];
	const char   *ok = "user = root\ngroup = 0\nsocket_owner = 0\n"
			   "socket_group = root\n";
	const char   *bad = "threads = 2\nuser = no-such-user-here\n";
	const char   *badg = "socket_group = no-such-group-here\n";

	(void)state;
	assert_int_equal(config_defaults(&c), 0);
	assert_null(c.user);
	assert_null(c.socket_group);
	assert_int_equal(
	    config_parse(&c, "f", ok, strlen(ok), err, sizeof(err)), 0);
	assert_string_equal(c.user, "root");
	assert_string_equal(c.socket_group, "root");
	assert_int_equal(config_defaults(&d), 0);
	assert_string_equal(config_fixed_changed(&d, &c), "socket_owner");
	config_free(&d);
	config_free(&c);
	assert_int_equal(config_defaults(&c), 0);
	assert_int_equal(
	    config_parse(&c, "f", bad, strlen(bad), err, sizeof(err)), -1);
	assert_string_equal(err,
	    "f:2: user: no such user \"no-such-user-here\"");
	config_free(&c);
	assert_int_equal(config_defaults(&c), 0);
	assert_int_equal(
	    config_parse(&c, "f", badg, strlen(badg), err, sizeof(err)), -1);
	assert_string_equal(err,
	    "f:1: socket_group: no such group \"no-such-group-here\"");
	config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_keys),
		cmocka_unit_test(test_key_changed),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_path_length),
		cmocka_unit_test(test_values_set),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_secret_file),
		cmocka_unit_test(test_page_template),
		cmocka_unit_test(test_sample_config),
		cmocka_unit_test(test_values_with_hash),
		cmocka_unit_test(test_trusted_addresses),
		cmocka_unit_test(test_accounts),
	};

	if (sodium_init() == -1)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
