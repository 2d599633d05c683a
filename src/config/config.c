/*
 * config.c: the configuration file.
 *
 * "key = value" lines, '#' comments. Every key is described once, in the
 * table below: its type, default, bounds or words, an optional check that
 * also parses the value into its final form, and whether a reload may
 * change it. Parsing, defaults, freeing and reload comparisons walk the
 * table. Checks between keys run after the whole file is read, and every
 * error names FILE:LINE.
 */
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "config/account.h"
#include "core/audit.h"
#include "core/text.h"

enum config_type {
	CT_STRING,
	CT_PATH, /* a local path: see local_path() */
	CT_WORD, /* a string, one of words */
	CT_ENUM, /* one of words, stored as its index */
	CT_BOOL,
	CT_DURATION, /* int64_t ms, within min..max */
	CT_UINT,     /* unsigned int, within min..max */
	CT_ULL,	     /* unsigned long long, within min..max */
	CT_MODE,     /* unsigned int, octal */
	CT_SIZE	     /* size_t bytes, within min..max */
};

typedef const char *(
    *config_check)(struct config *, const char *, char *, size_t);

struct config_key {
	const char	  *name;
	size_t		   offset;
	enum config_type   type;
	const char	  *def;
	unsigned long long min, max;
	const char	  *words; /* CT_WORD, CT_ENUM: "a|b|c" */
	config_check	   check; /* strings: validate, parse */
	int		   fixed; /* a reload cannot change it */
};

/* Ten years: far beyond any sensible session, well inside Redis's PX. */
#define DAYS(n)	     ((n)*86400000ULL)
#define DURATION_MAX DAYS(3650)
/* A path key: with ?next= (up to URL_MAX) it fits a Location header. */
#define LOCAL_PATH_MAX 200

static const char *check_listen(struct config *, const char *, char *, size_t);
static const char *check_redis(struct config *, const char *, char *, size_t);
static const char *check_cookie_name(struct config *, const char *, char *,
    size_t);
static const char *check_key_prefix(struct config *, const char *, char *,
    size_t);
static const char *check_local_or_empty(struct config *, const char *, char *,
    size_t);
static const char *check_audit(struct config *, const char *, char *, size_t);
static const char *check_template(struct config *, const char *, char *,
    size_t);
static const char *check_trusted(struct config *, const char *, char *, size_t);
static const char *check_user(struct config *, const char *, char *, size_t);
static const char *check_group(struct config *, const char *, char *, size_t);
static const char *check_passive(struct config *, const char *, char *, size_t);
static const char *check_reauth(struct config *, const char *, char *, size_t);

/* clang-format off */
#define OFF(n)		#n, offsetof(struct config, n)
#define STR(n, d, chk)	{ OFF(n), CT_STRING, d, 0, 0, NULL, chk, 0 }
#define PATH(n, d)	{ OFF(n), CT_PATH, d, 0, 0, NULL, NULL, 0 }
#define NUM(n, t, d, lo, hi) { OFF(n), t, d, lo, hi, NULL, NULL, 0 }
static const struct config_key keys[] = {
	{ OFF(listen), CT_STRING, "unix:/run/sessgate/sessgate.sock", 0, 0,
	    NULL, check_listen, 1 },
	{ OFF(socket_mode), CT_MODE, "0660", 0, 0777, NULL, NULL, 1 },
	NUM(threads, CT_UINT, "4", 1, 1024),
	NUM(workers, CT_UINT, "2", 1, 64),
	NUM(client_timeout, CT_DURATION, "10s", 1000, 3600000),
	STR(redis, "redis://127.0.0.1:6379/0", check_redis),
	STR(redis_password_file, NULL, NULL),
	NUM(redis_timeout, CT_DURATION, "250ms", 1, 3600000),
	STR(key_prefix, "sg:", check_key_prefix),
	STR(cookie_name, "__Host-sid", check_cookie_name),
	NUM(cookie_secure, CT_BOOL, "yes", 0, 1),
	{ OFF(cookie_samesite), CT_WORD, "Lax", 0, 0, "Strict|Lax|None",
	    NULL, 0 },
	NUM(idle_timeout, CT_DURATION, "24h", 1000, DURATION_MAX),
	NUM(absolute_timeout, CT_DURATION, "7d", 1000, DURATION_MAX),
	NUM(max_sessions, CT_UINT, "3", 0, UINT_MAX),
	{ OFF(session_limit), CT_ENUM, "evict-oldest", 0, 0,
	    "evict-oldest|reject", NULL, 0 },
	PATH(login_path, "/login"),
	PATH(logout_path, "/logout"),
	PATH(logout_all_path, "/logout-all"),
	PATH(password_path, "/password"),
	PATH(auth_path, "/auth"),
	STR(login_redirect, "/login", check_local_or_empty),
	NUM(password_opslimit, CT_ULL, "2", crypto_pwhash_OPSLIMIT_MIN,
	    crypto_pwhash_OPSLIMIT_MAX),
	NUM(password_memlimit, CT_SIZE, "64M", crypto_pwhash_MEMLIMIT_MIN,
	    crypto_pwhash_MEMLIMIT_MAX),
	NUM(login_max_failures, CT_UINT, "10", 0, UINT_MAX),
	NUM(login_failure_window, CT_DURATION, "15m", 1000, DURATION_MAX),
	NUM(login_concurrency, CT_UINT, "2", 1, 1024),
	STR(login_trusted_addresses, "", check_trusted),
	NUM(login_queue, CT_UINT, "64", 0, 100000),
	NUM(login_queue_timeout, CT_DURATION, "5s", 1000, 3600000),
	STR(secret_file, NULL, NULL),
	STR(redis_sentinel_password_file, NULL, NULL),
	NUM(redis_replicas_ack, CT_UINT, "0", 0, 64),
	STR(audit, "syslog", check_audit),
	STR(status_path, "", check_local_or_empty),
	STR(ping_path, "", check_local_or_empty),
	STR(page_template, NULL, check_template),
	STR(sessions_path, "/sessions", check_local_or_empty),
	{ OFF(socket_owner), CT_STRING, NULL, 0, 0, NULL, check_user, 1 },
	{ OFF(socket_group), CT_STRING, NULL, 0, 0, NULL, check_group, 1 },
	{ OFF(user), CT_STRING, NULL, 0, 0, NULL, check_user, 1 },
	{ OFF(group), CT_STRING, NULL, 0, 0, NULL, check_group, 1 },
	STR(passive_paths, "", check_passive),
	NUM(remember_timeout, CT_DURATION, "0", 0, DURATION_MAX),
	STR(reauth_paths, "", check_reauth),
	NUM(reauth_timeout, CT_DURATION, "5m", 1000, DURATION_MAX),
};
#undef OFF
#undef STR
#undef PATH
#undef NUM
/* clang-format on */
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const char *
check_listen(struct config *cfg, const char *v, char *buf, size_t len)
{
	char err[128];

	if (listen_addr_parse(&cfg->listen_addr, v, err, sizeof(err)) == 0)
		return NULL;
	snprintf(buf, len, "%s", err);
	return buf;
}

static const char *
check_redis(struct config *cfg, const char *v, char *buf, size_t len)
{
	char err[128];

	if (redis_url_parse(&cfg->redis_url, v, err, sizeof(err)) == 0)
		return NULL;
	snprintf(buf, len, "%s", err);
	return buf;
}

static const char *
check_cookie_name(struct config *cfg, const char *v, char *buf, size_t len)
{
	size_t i;

	(void)cfg, (void)buf, (void)len;
	if (*v == '\0')
		return "must not be empty";
	for (i = 0; v[i] != '\0'; i++)
		if (!isalnum((unsigned char)v[i]) &&
		    strchr("!#$%&'*+-.^_`|~", v[i]) == NULL)
			return "not a valid cookie name";
	return NULL;
}

static const char *
check_key_prefix(struct config *cfg, const char *v, char *buf, size_t len)
{
	(void)cfg, (void)buf, (void)len;
	if (v[0] == '\0' || strlen(v) > 63 || strpbrk(v, "{} ") != NULL)
		return "must be 1-63 characters, no braces or spaces";
	return NULL;
}

/*
 * The paths of the endpoints, and login_redirect, which every denied page
 * is sent to, are local paths as url_local_path() has them: not "//host"
 * nor "/\\host", which browsers read as another site. They go into
 * Location headers and the form's action as they are: printable ASCII
 * without spaces, short enough that ?next= still fits after them.
 */
static const char *
local_path(const char *v)
{
	size_t i;

	if (v[0] != '/' || v[1] == '/' || v[1] == '\\')
		return "must be a local path (starting with / but not // or /\\)";
	for (i = 0; v[i] != '\0'; i++)
		if ((unsigned char)v[i] <= 0x20 || (unsigned char)v[i] >= 0x7f)
			return "must be printable ASCII without spaces "
			       "(percent-encode the rest)";
	if (i > LOCAL_PATH_MAX)
		return "must be at most 200 bytes";
	return NULL;
}

static const char *
check_local_or_empty(struct config *cfg, const char *v, char *buf, size_t len)
{
	(void)cfg, (void)buf, (void)len;
	return v[0] == '\0' ? NULL : local_path(v);
}

/* syslog, stderr, off, or a file: an absolute path (workers run in /). */
static const char *
check_audit(struct config *cfg, const char *v, char *buf, size_t len)
{
	(void)cfg, (void)buf, (void)len;
	if (strcmp(v, "syslog") == 0 || strcmp(v, "stderr") == 0 ||
	    strcmp(v, "off") == 0 || v[0] == '/')
		return NULL;
	return "must be syslog, stderr, off or an absolute file path";
}

/* page_template: unset, or an absolute path (workers run in /). */
static const char *
check_template(struct config *cfg, const char *v, char *buf, size_t len)
{
	(void)cfg, (void)buf, (void)len;
	if (v[0] == '\0' || v[0] == '/')
		return NULL;
	return "must be an absolute file path";
}

/* Addresses and networks whose login attempts count per user only. */
static const char *
check_trusted(struct config *cfg, const char *v, char *buf, size_t len)
{
	if (cidr_list_parse(&cfg->login_trusted, v, buf, len) == 0)
		return NULL;
	return buf;
}

/* passive_paths, reauth_paths: path prefixes (pathlist.h). */
static const char *
check_passive(struct config *cfg, const char *v, char *buf, size_t len)
{
	if (pathlist_parse(&cfg->passive, v, buf, len) == 0)
		return NULL;
	return buf;
}

static const char *
check_reauth(struct config *cfg, const char *v, char *buf, size_t len)
{
	if (pathlist_parse(&cfg->reauth, v, buf, len) == 0)
		return NULL;
	return buf;
}

/* user, socket_owner: empty (unset), a user's name or number. */
static const char *
check_user(struct config *cfg, const char *v, char *buf, size_t len)
{
	uid_t uid;
	gid_t gid;

	(void)cfg;
	if (v[0] == '\0' || account_user(v, &uid, &gid, buf, len) == 0)
		return NULL;
	return buf;
}

/* group, socket_group: empty (unset), a group's name or number. */
static const char *
check_group(struct config *cfg, const char *v, char *buf, size_t len)
{
	gid_t gid;

	(void)cfg;
	if (v[0] == '\0' || account_group(v, &gid, buf, len) == 0)
		return NULL;
	return buf;
}

/* Leading digits of s, then a unit from units; -1 if none matches. */
static int
scale_number(const char *s, const char *const *units, const int64_t *mult,
    int64_t *out)
{
	unsigned long long v;
	size_t		   n = strspn(s, "0123456789"), i;

	if (text_number(s, n, 10, INT64_MAX, &v) == -1)
		return -1;
	for (i = 0; units[i] != NULL; i++) {
		if (strcmp(s + n, units[i]) != 0)
			continue;
		if (v > (unsigned long long)(INT64_MAX / mult[i]))
			return -1;
		*out = (int64_t)v * mult[i];
		return 0;
	}
	return -1;
}

int
config_duration(const char *s, int64_t *ms)
{
	static const char *const units[] = { "", "ms", "s", "m", "h", "d",
		NULL };
	static const int64_t	 mult[] = { 1000, 1, 1000, 60000, 3600000,
		    86400000 };

	return scale_number(s, units, mult, ms);
}

int
config_size(const char *s, size_t *bytes)
{
	static const char *const units[] = { "", "K", "M", "G", NULL };
	static const int64_t	 mult[] = { 1, 1024, 1048576, 1073741824 };
	int64_t			 v;

	if (scale_number(s, units, mult, &v) == -1 || (uint64_t)v > SIZE_MAX)
		return -1;
	*bytes = (size_t)v;
	return 0;
}

/* A duration for messages, in the largest unit that divides it. */
static void
duration_text(char *buf, size_t len, unsigned long long ms)
{
	static const char *const	units[] = { "d", "h", "m", "s" };
	static const unsigned long long mult[] = { 86400000, 3600000, 60000,
		1000 };
	size_t				i;

	for (i = 0; i < 4; i++)
		if (ms % mult[i] == 0) {
			snprintf(buf, len, "%llu%s", ms / mult[i], units[i]);
			return;
		}
	snprintf(buf, len, "%llums", ms);
}

/* "must be between MIN and MAX", or NULL if v is within the key's bounds. */
static const char *
bounds(const struct config_key *k, unsigned long long v, char *buf, size_t len)
{
	char lo[32], hi[32];

	if (v >= k->min && v <= k->max)
		return NULL;
	if (k->type == CT_DURATION) {
		duration_text(lo, sizeof(lo), k->min);
		duration_text(hi, sizeof(hi), k->max);
	} else if (k->type == CT_MODE) {
		snprintf(lo, sizeof(lo), "%04llo", k->min);
		snprintf(hi, sizeof(hi), "%04llo", k->max);
	} else {
		snprintf(lo, sizeof(lo), "%llu", k->min);
		snprintf(hi, sizeof(hi), "%llu", k->max);
	}
	snprintf(buf, len, "must be between %s and %s", lo, hi);
	return buf;
}

/* The index of v in words ("a|b|c"), or -1; buf gets "must be a, b or c". */
static int
word_index(const char *words, const char *v, char *buf, size_t len)
{
	const char *w;
	size_t	    n, o;
	int	    i, last;
	const char *sep;

	for (w = words, i = 0;; w += n + 1, i++) {
		n = strcspn(w, "|");
		if (strlen(v) == n && strncmp(w, v, n) == 0)
			return i;
		if (w[n] == '\0')
			break;
	}
	o = (size_t)snprintf(buf, len, "must be ");
	for (w = words; o < len; w += n + 1) {
		n = strcspn(w, "|");
		last = w[n] == '\0';
		if (last)
			sep = "";
		else if (strchr(w + n + 1, '|') == NULL)
			sep = " or ";
		else
			sep = ", ";
		o += (size_t)snprintf(buf + o, len - o, "%.*s%s", (int)n, w,
		    sep);
		if (last)
			break;
	}
	return -1;
}

static const char *
set_string(struct config *cfg, const struct config_key *k, const char *v,
    char *buf, size_t len)
{
	char	  **p = (char **)((char *)cfg + k->offset), *dup;
	const char *msg;

	if (k->type == CT_PATH && (msg = local_path(v)) != NULL)
		return msg;
	if (k->type == CT_WORD && word_index(k->words, v, buf, len) == -1)
		return buf;
	if (k->check != NULL && (msg = k->check(cfg, v, buf, len)) != NULL)
		return msg;
	if ((dup = strdup(v)) == NULL)
		return "out of memory";
	free(*p);
	*p = dup;
	return NULL;
}

static const char *
set_number(struct config *cfg, const struct config_key *k, const char *v,
    char *buf, size_t len)
{
	void		  *p = (char *)cfg + k->offset;
	unsigned long long u;
	int64_t		   ms;
	size_t		   sz;

	switch (k->type) {
	case CT_DURATION:
		if (config_duration(v, &ms) == -1)
			return "must be a duration (e.g. 250ms, 30s, 15m, 24h, 7d)";
		u = (unsigned long long)ms;
		break;
	case CT_SIZE:
		if (config_size(v, &sz) == -1)
			return "must be a size (e.g. 64M, 1G)";
		u = sz;
		break;
	case CT_MODE:
		if (text_number(v, strlen(v), 8, ULLONG_MAX, &u) == -1 ||
		    v[0] != '0')
			return "must be an octal mode such as 0660";
		break;
	default:
		if (text_number(v, strlen(v), 10, ULLONG_MAX, &u) == -1)
			return "must be a non-negative integer";
		break;
	}
	if (bounds(k, u, buf, len) != NULL)
		return buf;
	if (k->type == CT_DURATION)
		*(int64_t *)p = (int64_t)u;
	else if (k->type == CT_SIZE)
		*(size_t *)p = (size_t)u;
	else if (k->type == CT_ULL)
		*(unsigned long long *)p = u;
	else
		*(unsigned int *)p = (unsigned int)u;
	return NULL;
}

/* Store value into the field; returns a message on error, NULL on success. */
static const char *
set_value(struct config *cfg, const struct config_key *k, const char *v,
    char *buf, size_t len)
{
	int i;

	switch (k->type) {
	case CT_STRING:
	case CT_PATH:
	case CT_WORD:
		return set_string(cfg, k, v, buf, len);
	case CT_ENUM:
		if ((i = word_index(k->words, v, buf, len)) == -1)
			return buf;
		*(int *)((char *)cfg + k->offset) = i;
		return NULL;
	case CT_BOOL:
		/* as Apache and lighttpd take them: any case */
		if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0 ||
		    strcasecmp(v, "true") == 0)
			i = 1;
		else if (strcasecmp(v, "no") == 0 ||
		    strcasecmp(v, "off") == 0 || strcasecmp(v, "false") == 0)
			i = 0;
		else
			return "must be yes or no";
		*(int *)((char *)cfg + k->offset) = i;
		return NULL;
	default:
		return set_number(cfg, k, v, buf, len);
	}
}

static int
is_string(const struct config_key *k)
{
	return k->type == CT_STRING || k->type == CT_PATH || k->type == CT_WORD;
}

int
config_defaults(struct config *cfg)
{
	char   buf[200];
	size_t i;

	memset(cfg, 0, sizeof(*cfg));
	if (user_keys_init(&cfg->keys, NULL, 0) == -1)
		return -1;
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].def == NULL)
			continue;
		if (set_value(cfg, &keys[i], keys[i].def, buf, sizeof(buf)) !=
		    NULL) {
			config_free(cfg);
			return -1;
		}
	}
	return 0;
}

void
config_free(struct config *cfg)
{
	size_t i;
	char **p;

	for (i = 0; i < NKEYS; i++) {
		if (!is_string(&keys[i]))
			continue;
		p = (char **)((char *)cfg + keys[i].offset);
		free(*p);
		*p = NULL;
	}
	sodium_memzero(&cfg->redis_url, sizeof(cfg->redis_url));
	sodium_memzero(&cfg->keys, sizeof(cfg->keys));
	html_frame_free(&cfg->page_frame);
}

const char *
config_key_name(size_t i)
{
	return i < NKEYS ? keys[i].name : NULL;
}

/* Two strings of the table, either of which may be unset (NULL). */
static int
string_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

/* 1 if k holds different values in a and b, each read as its type. */
static int
key_differs(const struct config_key *k, const struct config *a,
    const struct config *b)
{
	const char *pa = (const char *)a + k->offset;
	const char *pb = (const char *)b + k->offset;

	switch (k->type) {
	case CT_STRING:
	case CT_PATH:
	case CT_WORD:
		return string_differs(*(char *const *)pa, *(char *const *)pb);
	case CT_ENUM:
	case CT_BOOL:
		return *(const int *)pa != *(const int *)pb;
	case CT_DURATION:
		return *(const int64_t *)pa != *(const int64_t *)pb;
	case CT_UINT:
	case CT_MODE:
		return *(const unsigned int *)pa != *(const unsigned int *)pb;
	case CT_ULL:
		return *(const unsigned long long *)pa !=
		    *(const unsigned long long *)pb;
	case CT_SIZE:
		return *(const size_t *)pa != *(const size_t *)pb;
	}
	return 1; /* a type this function does not know: call it changed */
}

int
config_key_changed(size_t i, const struct config *a, const struct config *b)
{
	return i < NKEYS ? key_differs(&keys[i], a, b) : -1;
}

const char *
config_fixed_changed(const struct config *a, const struct config *b)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (keys[i].fixed && key_differs(&keys[i], a, b))
			return keys[i].name;
	return NULL;
}

static const struct config_key *
find_key(const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/*
 * A value in double quotes, from q (just past the opening quote), copied
 * into out: \" and \\ (any \X) stand for X. What follows the closing
 * quote may only be blanks and a comment. 0, or -1 with a message.
 */
static int
unquote(char *q, char *out, const char **msg)
{
	char *w = out;

	for (; *q != '"'; q++) {
		if (*q == '\\' && q[1] != '\0')
			q++;
		else if (*q == '\0') {
			*msg = "a quoted value needs its closing \"";
			return -1;
		}
		*w++ = *q;
	}
	*w = '\0';
	q += 1 + strspn(q + 1, " \t\r");
	if (*q != '\0' && *q != '#') {
		*msg = "text after the closing quote";
		return -1;
	}
	return 0;
}

/*
 * An unquoted value, in place: "\#" is a '#', any other '#' starts a
 * comment. One right after a character of the value (no blank before
 * it) is refused: it most likely cut a value that holds a '#', such as a
 * password in a Redis URL. Trailing blanks go.
 */
static int
unescape(char *v, const char **msg)
{
	char *r = v, *w = v;

	for (; *r != '\0'; r++) {
		if (r[0] == '\\' && r[1] == '#') {
			*w++ = *++r;
			continue;
		}
		if (*r == '#') {
			if (r > v && r[-1] != ' ' && r[-1] != '\t') {
				*msg = "a # starts a comment here: quote the "
				       "value (\"...\") or write \\#";
				return -1;
			}
			break;
		}
		*w++ = *r;
	}
	while (w > v && (w[-1] == ' ' || w[-1] == '\t' || w[-1] == '\r'))
		w--;
	*w = '\0';
	return 0;
}

/*
 * Split one line into key and value; -1 with a message on bad syntax. A
 * line whose first non-blank character is '#' is a comment.
 */
static int
split_line(char *line, char **key, char **val, const char **msg)
{
	char *eq, *v;

	*key = NULL;
	line = trim(line);
	if (*line == '\0' || *line == '#') {
		*key = NULL;
		return 0;
	}
	if ((eq = strpbrk(line, "=#")) == NULL || *eq == '#') {
		*msg = "expected \"key = value\"";
		return -1;
	}
	*eq = '\0';
	*key = trim(line);
	if (**key == '\0') {
		*key = NULL;
		*msg = "missing key before '='";
		return -1;
	}
	v = eq + 1;
	v += strspn(v, " \t");
	*val = v;
	if (*v == '"')
		return unquote(v + 1, v, msg);
	return unescape(v, msg);
}

/* Edit distance of a and b (each at most 63 bytes), or 99 if longer. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[64], prev, cur;

	if (la >= 64 || lb >= 64)
		return 99;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		prev = d[0];
		d[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = d[j];
			d[j] = prev + (a[i - 1] != b[j - 1]);
			if (d[j] > cur + 1)
				d[j] = cur + 1;
			if (d[j] > d[j - 1] + 1)
				d[j] = d[j - 1] + 1;
			prev = cur;
		}
	}
	return d[lb];
}

/* The key nearest to name, within an edit distance of 2, or NULL. */
static const char *
nearest_key(const char *name)
{
	const char *best = NULL;
	size_t	    i, d, bestd = 3;

	for (i = 0; i < NKEYS; i++)
		if ((d = distance(name, keys[i].name)) < bestd) {
			bestd = d;
			best = keys[i].name;
		}
	return best;
}

static int
errorf(char *errbuf, size_t errlen, const char *file, unsigned int line,
    const char *fmt, ...)
{
	va_list ap;
	int	n;

	n = snprintf(errbuf, errlen, "%s:%u: ", file, line);
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(errbuf + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Checks between keys; each message starts with the key it blames. */
/* Two endpoints at one path: the second would never be reached. */
static const char *
path_collision(const struct config *cfg)
{
#define SAME(k) \
	{ \
		cfg->k, "sessions_path: the same path as " #k \
	}
	const struct {
		const char *path, *msg;
	} p[] = { SAME(login_path), SAME(logout_path), SAME(logout_all_path),
		SAME(password_path), SAME(auth_path), SAME(status_path),
		SAME(ping_path) };
#undef SAME
	const char *s = cfg->sessions_path, *r = cfg->login_redirect;
	size_t	    i;

	if (s == NULL || s[0] == '\0')
		return NULL;
	for (i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		if (p[i].path != NULL && strcmp(p[i].path, s) == 0)
			return p[i].msg;
	/* denied, it would send a navigation to itself, again and again */
	if (r != NULL && strlen(s) == strcspn(r, "?") &&
	    strncmp(r, s, strlen(s)) == 0)
		return "sessions_path: the path of login_redirect";
	return NULL;
}

static const char *
cross_check(const struct config *cfg)
{
	const char *n = cfg->cookie_name;

	if ((strncmp(n, "__Host-", 7) == 0 ||
		strncmp(n, "__Secure-", 9) == 0) &&
	    !cfg->cookie_secure)
		return "cookie_secure: a __Host- or __Secure- cookie needs cookie_secure yes";
	if (strcmp(cfg->cookie_samesite, "None") == 0 && !cfg->cookie_secure)
		return "cookie_samesite: None requires cookie_secure yes";
	if (cfg->absolute_timeout < cfg->idle_timeout)
		return "absolute_timeout: must be at least idle_timeout";
	/* a ticked box that shortened the session would be a trap; and the
	 * lifetime tells a remembered session from another (password change) */
	if (cfg->remember_timeout != 0 &&
	    cfg->remember_timeout <= cfg->absolute_timeout)
		return "remember_timeout: must be 0 (off) or longer than "
		       "absolute_timeout";
	if (cfg->redis_sentinel_password_file != NULL &&
	    cfg->redis_sentinel_password_file[0] != '\0' &&
	    !cfg->redis_url.is_sentinel)
		return "redis_sentinel_password_file: needs a sentinel:// redis URL";
	return path_collision(cfg);
}

/*
 * A cross-check message starts with the key it blames; point at the line
 * that set that key, or at the end of the file when it kept its default.
 */
static unsigned int
blame_line(const char *msg, const unsigned int *set_at, unsigned int eof)
{
	size_t i, n = strcspn(msg, ":");

	for (i = 0; i < NKEYS; i++)
		if (strlen(keys[i].name) == n &&
		    strncmp(keys[i].name, msg, n) == 0 && set_at[i] != 0)
			return set_at[i];
	return eof ? eof : 1;
}

int
config_parse(struct config *cfg, const char *file, const char *text, size_t len,
    char *errbuf, size_t errlen)
{
	const struct config_key *k;
	const char		*msg, *p = text, *end = text + len, *nl;
	char			 line[4096], *key, *val, buf[200];
	unsigned int		 lineno = 0, set_at[NKEYS] = { 0 };

	while (p < end) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((size_t)(nl - p) >= sizeof(line))
			return errorf(errbuf, errlen, file, lineno,
			    "line too long");
		if (memchr(p, '\0', (size_t)(nl - p)) != NULL)
			return errorf(errbuf, errlen, file, lineno, "NUL byte");
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		p = nl + 1;
		if (split_line(line, &key, &val, &msg) == -1)
			return errorf(errbuf, errlen, file, lineno, "%s%s%s",
			    key ? key : "", key ? ": " : "", msg);
		if (key == NULL)
			continue;
		if ((k = find_key(key)) == NULL)
			return errorf(errbuf, errlen, file, lineno,
			    "unknown key \"%s\"%s%s%s", key,
			    nearest_key(key) ? " (did you mean " : "",
			    nearest_key(key) ? nearest_key(key) : "",
			    nearest_key(key) ? "?)" : "");
		if ((msg = set_value(cfg, k, val, buf, sizeof(buf))) != NULL)
			return errorf(errbuf, errlen, file, lineno, "%s: %s",
			    key, msg);
		set_at[k - keys] = lineno;
	}
	if ((msg = cross_check(cfg)) != NULL)
		return errorf(errbuf, errlen, file,
		    blame_line(msg, set_at, lineno), "%s", msg);
	cfg->redis_password_file_line =
	    set_at[find_key("redis_password_file") - keys];
	cfg->redis_sentinel_password_file_line =
	    set_at[find_key("redis_sentinel_password_file") - keys];
	cfg->secret_file_line = set_at[find_key("secret_file") - keys];
	cfg->audit_line = set_at[find_key("audit") - keys];
	cfg->listen_line = set_at[find_key("listen") - keys];
	cfg->page_template_line = set_at[find_key("page_template") - keys];
	return 0;
}

static char *
read_file(const char *path, size_t max, size_t *lenp)
{
	struct stat st;
	char	   *buf = NULL;
	ssize_t	    n;
	int	    fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1)
		goto fail;
	if (st.st_size < 0 || (size_t)st.st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto fail;
	if ((n = read(fd, buf, (size_t)st.st_size)) != st.st_size) {
		if (n >= 0)
			errno = EIO;
		goto fail;
	}
	buf[n] = '\0';
	*lenp = (size_t)n;
	close(fd);
	return buf;
fail:
	free(buf);
	close(fd);
	return NULL;
}

/*
 * A file that holds a secret (the site secret, a Redis password): read
 * only if no one but its owner and group may read or write it. Its
 * contents, or NULL with "PATH: message" in msg.
 */
static char *
read_private(const char *path, size_t *lenp, char *msg, size_t msglen)
{
	struct stat st;
	char	   *buf;

	if (stat(path, &st) == -1 ||
	    (buf = read_file(path, 4096, lenp)) == NULL) {
		snprintf(msg, msglen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (st.st_mode & (S_IROTH | S_IWOTH)) {
		snprintf(msg, msglen,
		    "%s: readable or writable by others (chmod 0640)", path);
		sodium_memzero(buf, *lenp);
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * The first line of a password file, "PASSWORD" or "USER PASSWORD", given
 * to set (the data nodes' or the Sentinels' login). Errors name the line
 * of the key.
 */
typedef int (*password_setter)(struct redis_url *, const char *);

static int
load_password(struct config *cfg, const char *file, unsigned int line,
    const char *key, const char *path, password_setter set, char *errbuf,
    size_t errlen)
{
	char   msg[CONFIG_ERRLEN - 64];
	char  *buf;
	size_t len;
	int    rv;

	if ((buf = read_private(path, &len, msg, sizeof(msg))) == NULL)
		return errorf(errbuf, errlen, file, line, "%s %s", key, msg);
	buf[strcspn(buf, "\r\n")] = '\0';
	if ((rv = set(&cfg->redis_url, buf)) == -1)
		errorf(errbuf, errlen, file, line,
		    "%s %s: too long a user or password", key, path);
	sodium_memzero(buf, len);
	free(buf);
	return rv;
}

static int
is_set(const char *s)
{
	return s != NULL && s[0] != '\0';
}

int
config_read_secret(const char *path, struct user_keys *k, char *errbuf,
    size_t errlen)
{
	char  *buf;
	size_t len;
	int    rv;

	if ((buf = read_private(path, &len, errbuf, errlen)) == NULL)
		return -1;
	if ((rv = user_keys_init(k, (unsigned char *)buf, len)) == -1)
		snprintf(errbuf, errlen, "%s: must hold at least %d bytes",
		    path, USER_SECRET_MIN);
	sodium_memzero(buf, len);
	free(buf);
	return rv;
}

static int
load_secret(struct config *cfg, const char *file, char *errbuf, size_t errlen)
{
	char msg[CONFIG_ERRLEN - 64];

	if (config_read_secret(cfg->secret_file, &cfg->keys, msg,
		sizeof(msg)) == -1)
		return errorf(errbuf, errlen, file, cfg->secret_file_line,
		    "secret_file %s", msg);
	return 0;
}

/* An audit file must be open to us now: a start or reload fails early. */
static int
check_audit_file(const struct config *cfg, const char *file, char *errbuf,
    size_t errlen)
{
	if (audit_check(cfg->audit) == 0)
		return 0;
	return errorf(errbuf, errlen, file, cfg->audit_line, "audit %s: %s",
	    cfg->audit, strerror(errno));
}

/* The page template's text, or NULL with a message in msg. */
static char *
template_read(const char *path, size_t *len, char *msg, size_t msglen)
{
	struct stat st;
	char	   *text;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(msg, msglen, "not a regular file");
		return NULL;
	}
	if ((text = read_file(path, HTML_TEMPLATE_MAX, len)) != NULL)
		return text;
	if (errno == EFBIG)
		snprintf(msg, msglen, "larger than %d KiB",
		    HTML_TEMPLATE_MAX / 1024);
	else
		snprintf(msg, msglen, "%s", strerror(errno));
	return NULL;
}

/*
 * The page template, read by whoever loads the configuration: sessgate -n
 * as root checks it as user, who will read it again at each reload.
 */
static int
load_template(struct config *cfg, const char *file, char *errbuf, size_t errlen)
{
	char   msg[CONFIG_ERRLEN - 64];
	char  *text;
	size_t len;
	int    rv = -1;

	if ((text = template_read(cfg->page_template, &len, msg,
		 sizeof(msg))) != NULL)
		rv = html_frame_parse(&cfg->page_frame, text, len, msg,
		    sizeof(msg));
	free(text);
	if (rv == -1)
		return errorf(errbuf, errlen, file, cfg->page_template_line,
		    "page_template %s: %s", cfg->page_template, msg);
	return 0;
}

int
config_load(struct config *cfg, const char *file, char *errbuf, size_t errlen)
{
	char  *text;
	size_t len;
	int    rv;

	if (config_defaults(cfg) == -1)
		return errorf(errbuf, errlen, file, 0, "out of memory");
	if ((text = read_file(file, 1 << 20, &len)) == NULL) {
		snprintf(errbuf, errlen, "%s:0: %s", file, strerror(errno));
		config_free(cfg);
		return -1;
	}
	rv = config_parse(cfg, file, text, len, errbuf, errlen);
	free(text);
	if (rv == 0 && is_set(cfg->redis_password_file))
		rv = load_password(cfg, file, cfg->redis_password_file_line,
		    "redis_password_file", cfg->redis_password_file,
		    redis_url_password, errbuf, errlen);
	if (rv == 0 && is_set(cfg->redis_sentinel_password_file))
		rv = load_password(cfg, file,
		    cfg->redis_sentinel_password_file_line,
		    "redis_sentinel_password_file",
		    cfg->redis_sentinel_password_file,
		    redis_url_sentinel_password, errbuf, errlen);
	if (rv == 0 && is_set(cfg->secret_file))
		rv = load_secret(cfg, file, errbuf, errlen);
	if (rv == 0)
		rv = check_audit_file(cfg, file, errbuf, errlen);
	if (rv == 0 && is_set(cfg->page_template))
		rv = load_template(cfg, file, errbuf, errlen);
	if (rv == -1)
		config_free(cfg);
	return rv;
}
