/*
 * account.c: users and groups by name or number. A string of digits is a
 * number, never looked up as a name (useradd refuses all-digit names).
 */
#include "config/account.h"

#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "core/text.h"

/* A number within uid_t/gid_t (both 32-bit on Linux), -1 not allowed. */
static int
account_number(const char *s, unsigned long long *v)
{
	size_t n = strlen(s);

	return n > 0 && strspn(s, "0123456789") == n &&
		text_number(s, n, 10, UINT_MAX - 1, v) == 0 ?
	    0 :
	    -1;
}

int
account_user(const char *s, uid_t *uid, gid_t *gid, char *errbuf, size_t errlen)
{
	struct passwd	  *pw;
	unsigned long long v;

	if (account_number(s, &v) == 0) {
		*uid = (uid_t)v;
		pw = getpwuid(*uid);
		*gid = pw != NULL ? pw->pw_gid : (gid_t)-1;
		return 0;
	}
	if ((pw = getpwnam(s)) == NULL) {
		snprintf(errbuf, errlen, "no such user \"%s\"", s);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

int
account_group(const char *s, gid_t *gid, char *errbuf, size_t errlen)
{
	struct group	  *gr;
	unsigned long long v;

	if (account_number(s, &v) == 0) {
		*gid = (gid_t)v;
		return 0;
	}
	if ((gr = getgrnam(s)) == NULL) {
		snprintf(errbuf, errlen, "no such group \"%s\"", s);
		return -1;
	}
	*gid = gr->gr_gid;
	return 0;
}
