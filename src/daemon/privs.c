/*
 * privs.c: who sessgate runs as.
 *
 * Started as root with `user` set, sessgate binds its socket (a port
 * below 1024, a directory under /run) and then gives root up for good:
 * supplementary groups (the user's, from the group database, so that a
 * group that may reach /run/redis/redis.sock counts), then the gid, then
 * the uid. That root cannot be taken back is checked: if setuid(0) still
 * works, sessgate stops. Without `user`, root stays root (a warning is
 * logged by the caller). Started as another user, `user` and `group` can
 * only name who it is already: anything else is an error, not a silent
 * run under the wrong account.
 */
#include "daemon/privs.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/account.h"

int
privs_resolve(const struct config *cfg, struct privs *p, char *err,
    size_t errlen)
{
	gid_t primary = (gid_t)-1, unused;

	p->uid = p->sock_uid = (uid_t)-1;
	p->gid = p->sock_gid = (gid_t)-1;
	if (cfg->user != NULL && cfg->user[0] != '\0' &&
	    account_user(cfg->user, &p->uid, &primary, err, errlen) == -1)
		return -1;
	if (cfg->group != NULL && cfg->group[0] != '\0') {
		if (account_group(cfg->group, &p->gid, err, errlen) == -1)
			return -1;
	} else if (p->uid != (uid_t)-1) {
		if (primary == (gid_t)-1) {
			snprintf(err, errlen,
			    "user %s has no entry in the password database: "
			    "set group",
			    cfg->user);
			return -1;
		}
		p->gid = primary;
	}
	if (cfg->socket_owner != NULL && cfg->socket_owner[0] != '\0' &&
	    account_user(cfg->socket_owner, &p->sock_uid, &unused, err,
		errlen) == -1)
		return -1;
	if (cfg->socket_group != NULL && cfg->socket_group[0] != '\0' &&
	    account_group(cfg->socket_group, &p->sock_gid, err, errlen) == -1)
		return -1;
	return 0;
}

/* Supplementary groups: the user's own if it has a name, else gid alone. */
static int
set_groups(const struct privs *p)
{
	struct passwd *pw;

	if (p->uid != (uid_t)-1 && (pw = getpwuid(p->uid)) != NULL)
		return initgroups(pw->pw_name, p->gid);
	return setgroups(1, &p->gid);
}

/* Not root: user and group may only name who we are. */
static int
already(const struct privs *p, char *err, size_t errlen)
{
	if (p->uid != (uid_t)-1 && p->uid != geteuid()) {
		snprintf(err, errlen,
		    "user: running as uid %u, not root: cannot become uid %u",
		    (unsigned int)geteuid(), (unsigned int)p->uid);
		return -1;
	}
	if (p->gid != (gid_t)-1 && p->gid != getegid() && p->uid == (uid_t)-1) {
		snprintf(err, errlen,
		    "group: running as gid %u, not root: cannot become gid %u",
		    (unsigned int)getegid(), (unsigned int)p->gid);
		return -1;
	}
	return 0;
}

int
privs_drop(const struct privs *p, char *err, size_t errlen)
{
	if (p->uid == (uid_t)-1 && p->gid == (gid_t)-1)
		return 0;
	if (geteuid() != 0)
		return already(p, err, errlen);
	if (set_groups(p) == -1 || setgid(p->gid) == -1 ||
	    (p->uid != (uid_t)-1 && setuid(p->uid) == -1)) {
		snprintf(err, errlen, "becoming uid %d gid %u: %s",
		    p->uid == (uid_t)-1 ? 0 : (int)p->uid, (unsigned int)p->gid,
		    strerror(errno));
		return -1;
	}
	if (p->uid != (uid_t)-1 && p->uid != 0 && setuid(0) != -1) {
		snprintf(err, errlen, "root could be taken back after setuid");
		return -1;
	}
	return 1;
}

int
privs_check_as_user(const struct privs *p, const char *file, char *err,
    size_t errlen)
{
	struct config cfg;
	int	      pfd[2], st;
	pid_t	      pid;
	ssize_t	      n;

	if (geteuid() != 0 || (p->uid == (uid_t)-1 && p->gid == (gid_t)-1))
		return 0;
	if (pipe(pfd) == -1 || (pid = fork()) == -1) {
		snprintf(err, errlen, "%s:0: checking as user: %s", file,
		    strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		if (privs_drop(p, err, errlen) == -1 ||
		    config_load(&cfg, file, err, errlen) == -1) {
			n = write(pfd[1], err, strlen(err));
			_exit(n > 0 ? 1 : 2);
		}
		config_free(&cfg);
		_exit(0);
	}
	close(pfd[1]);
	n = read(pfd[0], err, errlen - 1);
	err[n > 0 ? n : 0] = '\0';
	close(pfd[0]);
	if (waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0)
		return 0;
	if (n <= 0)
		snprintf(err, errlen, "%s:0: checking as user failed", file);
	return -1;
}
