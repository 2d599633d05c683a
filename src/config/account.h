/*
 * account.h: users and groups named in the configuration (user, group,
 * socket_owner, socket_group), by name or by number.
 */
#ifndef SG_CONFIG_ACCOUNT_H
#define SG_CONFIG_ACCOUNT_H

#include <sys/types.h>

/*
 * A user by name or number: its uid, and its primary group (the user's
 * gid from the password database; for a number without an entry, -1).
 * 0, or -1 with a message in errbuf.
 */
int account_user(const char *, uid_t *, gid_t *, char *errbuf, size_t errlen);
/* A group by name or number: its gid. 0, or -1 with a message in errbuf. */
int account_group(const char *, gid_t *, char *errbuf, size_t errlen);

#endif
