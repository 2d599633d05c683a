/*
 * config.c: the configuration file.
 *
 * "key = value" lines, '#' comments. Every key is described once in the
 * table below (name, type, where it goes, default); parsing, defaults and
 * freeing walk the table. Cross-checks between keys run after the whole
 * file is read, and every error names FILE:LINE.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "listen.h"
#include "redisurl.h"

enum config_type {
	CT_STRING,
	CT_PATH,		/* a string that must start with '/' */
	CT_BOOL,
	CT_DURATION,
	CT_UINT,
	CT_MODE,
	CT_SIZE,
	CT_ULL,
	CT_LIMIT,
	CT_SAMESITE
};

struct config_key {
	const char	*name;
	enum config_type type;
	size_t		 offset;
	const char	*def;
};

#define K(n, t, d) { #n, t, offsetof(struct config, n), d }
static const struct config_key keys[] = {
	K(listen,		CT_STRING,	"unix:/run/sessgate/sessgate.sock"),
	K(socket_mode,		CT_MODE,	"0660"),
	K(threads,		CT_UINT,	"4"),
	K(redis,		CT_STRING,	"redis://127.0.0.1:6379/0"),
	K(redis_password_file,	CT_STRING,	NULL),
	K(redis_timeout,	CT_DURATION,	"250ms"),
	K(key_prefix,		CT_STRING,	"sg:"),
	K(cookie_name,		CT_STRING,	"__Host-sid"),
	K(cookie_secure,	CT_BOOL,	"yes"),
	K(cookie_samesite,	CT_SAMESITE,	"Lax"),
	K(idle_timeout,		CT_DURATION,	"24h"),
	K(absolute_timeout,	CT_DURATION,	"7d"),
	K(max_sessions,		CT_UINT,	"3"),
	K(session_limit,	CT_LIMIT,	"evict-oldest"),
	K(login_path,		CT_PATH,	"/login"),
	K(logout_path,		CT_PATH,	"/logout"),
	K(logout_all_path,	CT_PATH,	"/logout-all"),
	K(password_path,	CT_PATH,	"/password"),
	K(auth_path,		CT_PATH,	"/auth"),
	K(login_redirect,	CT_STRING,	"/login"),
	K(password_opslimit,	CT_ULL,		"2"),
	K(password_memlimit,	CT_SIZE,	"64M"),
	K(login_max_failures,	CT_UINT,	"10"),
	K(login_failure_window,	CT_DURATION,	"15m"),
};
#undef K
#define NKEYS	(sizeof(keys) / sizeof(keys[0]))
/* Ten years: far beyond any sensible session, well inside Redis's PX. */
#define DURATION_MAX	(3650LL * 86400 * 1000)

static int
scale_number(const char *s, const char *const *units, const int64_t *mult,
    int64_t *out)
{
	char		*end;
	long long	 v;
	size_t		 i;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || v < 0)
		return -1;
	for (i = 0; units[i] != NULL; i++) {
		if (strcmp(end, units[i]) != 0)
			continue;
		if (v > INT64_MAX / mult[i])
			return -1;
		*out = v * mult[i];
		return 0;
	}
	return -1;
}

int
config_duration(const char *s, int64_t *ms)
{
	static const char *const units[] = { "", "ms", "s", "m", "h", "d", NULL };
	static const int64_t mult[] = { 1000, 1, 1000, 60000, 3600000, 86400000 };

	return scale_number(s, units, mult, ms);
}

int
config_size(const char *s, size_t *bytes)
{
	static const char *const units[] = { "", "K", "M", "G", NULL };
	static const int64_t mult[] = { 1, 1024, 1048576, 1073741824 };
	int64_t		 v;

	if (scale_number(s, units, mult, &v) == -1 || (uint64_t)v > SIZE_MAX)
		return -1;
	*bytes = (size_t)v;
	return 0;
}

static int
parse_uint(const char *s, int base, unsigned long long max,
    unsigned long long *out)
{
	char			*end;
	unsigned long long	 v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Store value into the field; returns a message on error, NULL on success. */
static const char *
set_value(struct config *cfg, const struct config_key *k, const char *v)
{
	void			*p = (char *)cfg + k->offset;
	unsigned long long	 u;
	char			*dup;

	switch (k->type) {
	case CT_PATH:
		if (v[0] != '/')
			return "must be a path starting with /";
		/* FALLTHROUGH */
	case CT_STRING:
	case CT_SAMESITE:
		if (k->type == CT_SAMESITE && strcmp(v, "Strict") != 0 &&
		    strcmp(v, "Lax") != 0 && strcmp(v, "None") != 0)
			return "must be Strict, Lax or None";
		if ((dup = strdup(v)) == NULL)
			return "out of memory";
		free(*(char **)p);
		*(char **)p = dup;
		return NULL;
	case CT_BOOL:
		if (strcmp(v, "yes") == 0 || strcmp(v, "on") == 0 ||
		    strcmp(v, "true") == 0)
			*(int *)p = 1;
		else if (strcmp(v, "no") == 0 || strcmp(v, "off") == 0 ||
		    strcmp(v, "false") == 0)
			*(int *)p = 0;
		else
			return "must be yes or no";
		return NULL;
	case CT_DURATION:
		if (config_duration(v, (int64_t *)p) == -1)
			return "must be a duration (e.g. 250ms, 30s, 15m, 24h, 7d)";
		return NULL;
	case CT_UINT:
		if (parse_uint(v, 10, UINT_MAX, &u) == -1)
			return "must be a non-negative integer";
		*(unsigned int *)p = (unsigned int)u;
		return NULL;
	case CT_ULL:
		if (parse_uint(v, 10, ULLONG_MAX, &u) == -1)
			return "must be a non-negative integer";
		*(unsigned long long *)p = u;
		return NULL;
	case CT_MODE:
		if (parse_uint(v, 8, 0777, &u) == -1)
			return "must be an octal mode such as 0660";
		*(unsigned int *)p = (unsigned int)u;
		return NULL;
	case CT_SIZE:
		if (config_size(v, (size_t *)p) == -1)
			return "must be a size (e.g. 64M, 1G)";
		return NULL;
	case CT_LIMIT:
		if (strcmp(v, "evict-oldest") == 0)
			*(enum config_limit *)p = CONFIG_LIMIT_EVICT_OLDEST;
		else if (strcmp(v, "reject") == 0)
			*(enum config_limit *)p = CONFIG_LIMIT_REJECT;
		else
			return "must be evict-oldest or reject";
		return NULL;
	}
	return "unknown type";
}

int
config_defaults(struct config *cfg)
{
	size_t	 i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < NKEYS; i++) {
		if (keys[i].def == NULL)
			continue;
		if (set_value(cfg, &keys[i], keys[i].def) != NULL) {
			config_free(cfg);
			return -1;
		}
	}
	return 0;
}

void
config_free(struct config *cfg)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++) {
		if (keys[i].type == CT_STRING || keys[i].type == CT_PATH ||
		    keys[i].type == CT_SAMESITE) {
			free(*(char **)((char *)cfg + keys[i].offset));
			*(char **)((char *)cfg + keys[i].offset) = NULL;
		}
	}
	if (cfg->redis_password != NULL) {
		sodium_memzero(cfg->redis_password, strlen(cfg->redis_password));
		free(cfg->redis_password);
		cfg->redis_password = NULL;
	}
}

const char *
config_key_name(size_t i)
{
	return i < NKEYS ? keys[i].name : NULL;
}

static const struct config_key *
find_key(const char *name)
{
	size_t	 i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Split one line into key and value; -1 with a message on bad syntax. */
static int
split_line(char *line, char **key, char **val, const char **msg)
{
	char	*eq, *hash;

	if ((hash = strchr(line, '#')) != NULL)
		*hash = '\0';
	line = trim(line);
	if (*line == '\0') {
		*key = NULL;
		return 0;
	}
	if ((eq = strchr(line, '=')) == NULL) {
		*msg = "expected \"key = value\"";
		return -1;
	}
	*eq = '\0';
	*key = trim(line);
	*val = trim(eq + 1);
	if (**key == '\0') {
		*msg = "missing key before '='";
		return -1;
	}
	return 0;
}

static int
errorf(char *errbuf, size_t errlen, const char *file, unsigned int line,
    const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	n = snprintf(errbuf, errlen, "%s:%u: ", file, line);
	if (n < 0 || (size_t)n >= errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(errbuf + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Checks between keys; each message starts with the key it blames. */
static const char *
cross_check(const struct config *cfg)
{
	static __thread char	 msgbuf[200];
	struct redis_url	 url;
	struct listen_addr	 la;
	char			 err[128];
	const char		*n = cfg->cookie_name;
	size_t			 i;

	if (*n == '\0')
		return "cookie_name: must not be empty";
	for (i = 0; n[i] != '\0'; i++)
		if (!isalnum((unsigned char)n[i]) && strchr("!#$%&'*+-.^_`|~",
		    n[i]) == NULL)
			return "cookie_name: not a valid cookie name";
	if ((strncmp(n, "__Host-", 7) == 0 || strncmp(n, "__Secure-", 9) == 0)
	    && !cfg->cookie_secure)
		return "cookie_secure: a __Host- or __Secure- cookie needs cookie_secure yes";
	if (strcmp(cfg->cookie_samesite, "None") == 0 && !cfg->cookie_secure)
		return "cookie_samesite: None requires cookie_secure yes";
	if (cfg->idle_timeout < 1000 || cfg->idle_timeout > DURATION_MAX)
		return "idle_timeout: must be between 1s and 3650d";
	if (cfg->absolute_timeout > DURATION_MAX)
		return "absolute_timeout: must be at most 3650d";
	if (cfg->absolute_timeout < cfg->idle_timeout)
		return "absolute_timeout: must be at least idle_timeout";
	if (cfg->threads == 0 || cfg->threads > 1024)
		return "threads: must be between 1 and 1024";
	if (cfg->redis_timeout <= 0)
		return "redis_timeout: must be greater than zero";
	if (cfg->login_redirect[0] != '\0' && cfg->login_redirect[0] != '/')
		return "login_redirect: must be empty or a local path starting with /";
	if (cfg->key_prefix[0] == '\0' || strlen(cfg->key_prefix) > 63 ||
	    strpbrk(cfg->key_prefix, "{} ") != NULL)
		return "key_prefix: must be 1-63 characters, no braces or spaces";
	if (listen_parse(&la, cfg->listen, err, sizeof(err)) == -1) {
		snprintf(msgbuf, sizeof(msgbuf), "listen: %s", err);
		return msgbuf;
	}
	if (redis_url_parse(&url, cfg->redis, err, sizeof(err)) == -1) {
		snprintf(msgbuf, sizeof(msgbuf), "redis: %s", err);
		return msgbuf;
	}
	if (crypto_pwhash_OPSLIMIT_MIN > cfg->password_opslimit ||
	    cfg->password_opslimit > crypto_pwhash_OPSLIMIT_MAX)
		return "password_opslimit: out of libsodium's range";
	if (crypto_pwhash_MEMLIMIT_MIN > cfg->password_memlimit ||
	    cfg->password_memlimit > crypto_pwhash_MEMLIMIT_MAX)
		return "password_memlimit: out of libsodium's range";
	if (cfg->login_failure_window < 1000 ||
	    cfg->login_failure_window > DURATION_MAX)
		return "login_failure_window: must be between 1s and 3650d";
	if (cfg->redis_timeout > 3600000)
		return "redis_timeout: must be at most 1h";
	return NULL;
}

/*
 * A cross-check message starts with the key it blames; point at the line
 * that set that key, or at the end of the file when it kept its default.
 */
static unsigned int
blame_line(const char *msg, const unsigned int *set_at, unsigned int eof)
{
	size_t	 i, n = strcspn(msg, ":");

	for (i = 0; i < NKEYS; i++)
		if (strlen(keys[i].name) == n &&
		    strncmp(keys[i].name, msg, n) == 0 && set_at[i] != 0)
			return set_at[i];
	return eof ? eof : 1;
}

int
config_parse(struct config *cfg, const char *file, const char *text,
    size_t len, char *errbuf, size_t errlen)
{
	const struct config_key	*k;
	const char		*msg, *p = text, *end = text + len, *nl;
	char			 line[4096], *key, *val;
	unsigned int		 lineno = 0, set_at[NKEYS] = { 0 };

	while (p < end) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if ((size_t)(nl - p) >= sizeof(line))
			return errorf(errbuf, errlen, file, lineno, "line too long");
		if (memchr(p, '\0', (size_t)(nl - p)) != NULL)
			return errorf(errbuf, errlen, file, lineno, "NUL byte");
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		p = nl + 1;
		if (split_line(line, &key, &val, &msg) == -1)
			return errorf(errbuf, errlen, file, lineno, "%s", msg);
		if (key == NULL)
			continue;
		if ((k = find_key(key)) == NULL)
			return errorf(errbuf, errlen, file, lineno,
			    "unknown key \"%s\"", key);
		if ((msg = set_value(cfg, k, val)) != NULL)
			return errorf(errbuf, errlen, file, lineno, "%s: %s",
			    key, msg);
		set_at[k - keys] = lineno;
	}
	if ((msg = cross_check(cfg)) != NULL)
		return errorf(errbuf, errlen, file, blame_line(msg, set_at,
		    lineno), "%s", msg);
	return 0;
}

static char *
read_file(const char *path, size_t max, size_t *lenp)
{
	struct stat	 st;
	char		*buf = NULL;
	ssize_t		 n;
	int		 fd;

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

/* The first line of the password file is the password. */
static int
load_password(struct config *cfg, const char *file, char *errbuf, size_t errlen)
{
	char	*buf;
	size_t	 len;

	if ((buf = read_file(cfg->redis_password_file, 4096, &len)) == NULL)
		return errorf(errbuf, errlen, file, 0, "redis_password_file %s: %s",
		    cfg->redis_password_file, strerror(errno));
	len = strcspn(buf, "\r\n");
	sodium_memzero(buf + len, strlen(buf + len));
	if (len >= 255) {	/* what the Redis store can carry */
		sodium_memzero(buf, len);
		free(buf);
		return errorf(errbuf, errlen, file, 0, "redis_password_file %s: "
		    "longer than 254 bytes", cfg->redis_password_file);
	}
	cfg->redis_password = buf;
	return 0;
}

int
config_load(struct config *cfg, const char *file, char *errbuf, size_t errlen)
{
	char	*text;
	size_t	 len;
	int	 rv;

	if (config_defaults(cfg) == -1)
		return errorf(errbuf, errlen, file, 0, "out of memory");
	if ((text = read_file(file, 1 << 20, &len)) == NULL) {
		snprintf(errbuf, errlen, "%s:0: %s", file, strerror(errno));
		config_free(cfg);
		return -1;
	}
	rv = config_parse(cfg, file, text, len, errbuf, errlen);
	free(text);
	if (rv == 0 && cfg->redis_password_file != NULL &&
	    cfg->redis_password_file[0] != '\0')
		rv = load_password(cfg, file, errbuf, errlen);
	if (rv == -1)
		config_free(cfg);
	return rv;
}
