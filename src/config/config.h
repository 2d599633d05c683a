/*
 * config.h: the configuration file, parsed once into one struct. Values
 * that need parsing beyond their type (the listen address, the Redis URL
 * with the password file applied) are held parsed, so that no other
 * module parses them again.
 */
#ifndef SG_CONFIG_CONFIG_H
#define SG_CONFIG_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "config/cidr.h"
#include "config/listen_addr.h"
#include "config/pathlist.h"
#include "config/redisurl.h"
#include "core/user.h"
#include "http/html.h"

#define CONFIG_ERRLEN 512

enum config_limit {
	CONFIG_LIMIT_EVICT_OLDEST,
	CONFIG_LIMIT_REJECT
};

/* Field names follow the configuration file's keys. Durations are ms. */
struct config {
	char		  *listen;
	struct listen_addr listen_addr; /* listen, parsed */
	unsigned int	   socket_mode;
	unsigned int	   threads;
	unsigned int	   workers;
	int64_t		   client_timeout;
	char		  *redis;
	struct redis_url   redis_url; /* redis, parsed, password set */
	char		  *redis_password_file;
	int64_t		   redis_timeout;
	char		  *key_prefix;
	char		  *cookie_name;
	int		   cookie_secure;
	char		  *cookie_samesite;
	int64_t		   idle_timeout;
	int64_t		   absolute_timeout;
	unsigned int	   max_sessions;
	enum config_limit  session_limit;
	char		  *login_path;
	char		  *logout_path;
	char		  *logout_all_path;
	char		  *password_path;
	char		  *auth_path;
	char		  *sessions_path;
	char		  *login_redirect;
	unsigned long long password_opslimit;
	size_t		   password_memlimit;
	unsigned int	   login_max_failures;
	int64_t		   login_failure_window;
	unsigned int	   login_concurrency;
	char		  *login_trusted_addresses;
	struct cidr_list   login_trusted; /* login_trusted_addresses, parsed */
	unsigned int	   login_queue;	  /* per process */
	int64_t		   login_queue_timeout; /* ms */
	char		  *secret_file;
	struct user_keys   keys; /* from secret_file, or the defaults */
	char		  *redis_sentinel_password_file;
	unsigned int	   redis_replicas_ack;
	char		  *audit;	/* syslog, stderr, off or a file path */
	char		  *status_path; /* "": off */
	char		  *ping_path;	/* "": off */
	char		  *socket_owner; /* unset: the starting user */
	char		  *socket_group; /* unset: the starting user's group */
	char		  *user;	 /* unset: stay who we started as */
	char		  *group;	 /* unset: user's primary group */
	char		  *passive_paths;
	struct pathlist	   passive;	     /* passive_paths, parsed */
	int64_t		   remember_timeout; /* 0: off */
	char		  *reauth_paths;
	struct pathlist	   reauth; /* reauth_paths, parsed */
	int64_t		   reauth_timeout;
	/* the lines that set the keys naming files, for FILE:LINE; 0 unset */
	unsigned int redis_password_file_line;
	unsigned int redis_sentinel_password_file_line;
	unsigned int secret_file_line;
	unsigned int audit_line;
	unsigned int listen_line;
	unsigned int page_template_line;
	/* an HTML file (unset: the built-in frame), and the frame it holds */
	char		 *page_template;
	struct html_frame page_frame;
};

/* Fill cfg with the defaults of every key. */
int config_defaults(struct config *cfg);
/* Parse text (named file for messages) on top of the defaults. */
int config_parse(struct config *cfg, const char *file, const char *text,
    size_t len, char *errbuf, size_t errlen);
/* Read and parse a file; errbuf gets "FILE:LINE: message". */
int  config_load(struct config *cfg, const char *file, char *errbuf,
     size_t errlen);
void config_free(struct config *cfg);
/* The name of the i-th configuration key, NULL past the last. */
const char *config_key_name(size_t i);
/*
 * 1 if the i-th key holds different values in a and b (compared as the
 * key's type), 0 if the same, -1 past the last key.
 */
int config_key_changed(size_t i, const struct config *a,
    const struct config *b);
/*
 * The first key that differs between a and b but cannot change on a
 * reload (it takes effect at the next start), or NULL.
 */
const char *config_fixed_changed(const struct config *a,
    const struct config				     *b);
/*
 * The keys of a site secret file: the whole file, at least
 * USER_SECRET_MIN bytes, not readable or writable by others. 0, or -1
 * with "PATH: message" in errbuf.
 */
int config_read_secret(const char *path, struct user_keys *, char *errbuf,
    size_t errlen);
/* Parse "250ms", "24h", "7d" or plain seconds into milliseconds. */
int config_duration(const char *s, int64_t *ms);
/* Parse "64M", "1G", "65536K" or plain bytes. */
int config_size(const char *s, size_t *bytes);

#endif
