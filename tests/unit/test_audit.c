/*
 * Unit tests of audit.c: the line builder (one JSON object per line with
 * the contract's fields), and the writer's file destination (appended,
 * one line per write, reopened by a new process).
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "core/audit.h"
#include "core/token.h"

/* 2026-12-05T17:31:09.042Z */
#define T0 1796491869042LL

static cJSON *
parse(const struct audit *a)
{
	char  *line = audit_format(a, T0);
	cJSON *o;

	assert_non_null(line);
	assert_null(strchr(line, '\n'));
	o = cJSON_Parse(line);
	assert_non_null(o);
	free(line);
	return o;
}

static void
assert_field(const cJSON *o, const char *k, const char *v)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, k);

	assert_non_null(f);
	if (v == NULL)
		assert_true(cJSON_IsNull(f));
	else {
		assert_true(cJSON_IsString(f));
		assert_string_equal(f->valuestring, v);
	}
}

static const struct {
	struct audit a;
	const char  *event, *user, *session, *addr, *host;
} cases[] = {
	{ { AUDIT_LOGIN, "alice", "AbCdEfGhIjKl", "192.0.2.1", "example.org",
	      NULL },
	    "login", "alice", "AbCdEfGhIjKl", "192.0.2.1", "example.org" },
	{ { AUDIT_LOGIN_FAILED, NULL, NULL, "2001:db8::1", "", "unknown_user" },
	    "login_failed", NULL, NULL, "2001:db8::1", NULL },
	{ { AUDIT_LOGIN_THROTTLED, "bob", NULL, "", NULL, "address" },
	    "login_throttled", "bob", NULL, NULL, NULL },
	{ { AUDIT_LOGOUT, "a.b@c", "x", "::1", "h", "login" }, "logout",
	    "a.b@c", "x", "::1", "h" },
	{ { AUDIT_LOGOUT_ALL, "u", NULL, NULL, NULL, NULL }, "logout_all", "u",
	    NULL, NULL, NULL },
	{ { AUDIT_PASSWORD_CHANGE, "u", NULL, NULL, NULL, NULL },
	    "password_change", "u", NULL, NULL, NULL },
	{ { AUDIT_EVICT, "u", NULL, NULL, NULL, NULL }, "evict", "u", NULL,
	    NULL, NULL },
	{ { AUDIT_REVOKE, "u", NULL, NULL, NULL, NULL }, "revoke", "u", NULL,
	    NULL, NULL },
	{ { AUDIT_USER_ADD, "u", NULL, NULL, NULL, NULL }, "user_add", "u",
	    NULL, NULL, NULL },
	{ { AUDIT_USER_PASSWD, "u", NULL, NULL, NULL, NULL }, "user_passwd",
	    "u", NULL, NULL, NULL },
	{ { AUDIT_USER_DEL, "u", NULL, NULL, NULL, NULL }, "user_del", "u",
	    NULL, NULL, NULL },
	{ { AUDIT_REKEY, NULL, NULL, NULL, NULL, NULL }, "rekey", NULL, NULL,
	    NULL, NULL },
};

/* Every event: time, event, user, session, addr, host; null if unset. */
static void
test_fields(void **state)
{
	size_t i;
	cJSON *o;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		o = parse(&cases[i].a);
		assert_field(o, "time", "2026-12-05T17:31:09.042Z");
		assert_field(o, "event", cases[i].event);
		assert_field(o, "user", cases[i].user);
		assert_field(o, "session", cases[i].session);
		assert_field(o, "addr", cases[i].addr);
		assert_field(o, "host", cases[i].host);
		if (cases[i].a.reason == NULL)
			assert_null(cJSON_GetObjectItem(o, "reason"));
		else
			assert_field(o, "reason", cases[i].a.reason);
		cJSON_Delete(o);
	}
	/* the names: one per event, in the table's order */
	for (i = 0; i < AUDIT_NEVENTS; i++)
		assert_non_null(audit_event_name((enum audit_event)i));
	assert_string_equal(audit_event_name(AUDIT_NEVENTS), "unknown");
}

/* A whole stored id given by mistake is cut to its reference. */
static void
test_session_cut(void **state)
{
	const char   id[] = "0123456789abcdefghijABCDEFGHIJ-_0123456789a";
	struct audit a = { AUDIT_LOGIN, "u", id, NULL, NULL, NULL };
	char	     ref[TOKEN_REFLEN + 1], *line;

	(void)state;
	assert_int_equal(strlen(id), TOKEN_IDLEN);
	token_ref(id, ref);
	assert_string_equal(ref, "0123456789ab");
	line = audit_format(&a, T0);
	assert_non_null(line);
	assert_non_null(strstr(line, "\"session\":\"0123456789ab\""));
	assert_null(strstr(line, "0123456789abc"));
	free(line);
}

/* Quotes, control characters and a long Host stay one JSON line. */
static void
test_escaping(void **state)
{
	char	     host[1000];
	struct audit a = { AUDIT_LOGIN_FAILED, NULL, NULL, "1.2.3.4", host,
		"password" };
	cJSON	    *o;
	const cJSON *h;

	(void)state;
	memset(host, 'h', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	memcpy(host, "a\"b\n\r\t\\", 7);
	o = parse(&a);
	h = cJSON_GetObjectItem(o, "host");
	assert_true(cJSON_IsString(h));
	assert_int_equal(strlen(h->valuestring), AUDIT_HOST_MAX);
	assert_memory_equal(h->valuestring, "a\"b\n\r\t\\", 7);
	cJSON_Delete(o);
}

/* The syntax of the times: milliseconds, UTC, zero-padded. */
static void
test_time(void **state)
{
	struct audit a = { AUDIT_REKEY, NULL, NULL, NULL, NULL, NULL };
	char	    *line;

	(void)state;
	line = audit_format(&a, 5);
	assert_non_null(line);
	assert_non_null(strstr(line, "\"time\":\"1970-01-01T00:00:00.005Z\""));
	free(line);
}

/* A file: created 0640, appended to, one whole line per event. */
static void
test_file(void **state)
{
	char	     path[] = "/tmp/sg-audit-XXXXXX", buf[4096];
	struct audit a = { AUDIT_USER_ADD, "carol", NULL, NULL, NULL, NULL };
	struct stat  st;
	ssize_t	     n;
	int	     fd;

	(void)state;
	assert_int_not_equal(fd = mkstemp(path), -1);
	close(fd);
	unlink(path);
	assert_int_equal(audit_check("syslog"), 0);
	assert_int_equal(audit_check("off"), 0);
	assert_int_equal(audit_check("/nonexistent-dir/audit.log"), -1);
	assert_int_equal(audit_check(path), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640 & ~(unsigned)umask(022));
	audit_write(path, &a);
	a.event = AUDIT_USER_DEL;
	audit_write(path, &a);
	audit_write("off", &a);
	assert_int_not_equal(fd = open(path, O_RDONLY), -1);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "\"event\":\"user_add\""));
	assert_non_null(strstr(buf, "\"event\":\"user_del\""));
	assert_int_equal(buf[n - 1], '\n');
	assert_ptr_equal(strchr(buf, '\n'), strstr(buf, "}\n{") + 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_session_cut),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
