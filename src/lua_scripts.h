/* lua_scripts.h: the Redis scripts of src/lua/, embedded at build time. */
#ifndef SG_LUA_SCRIPTS_H
#define SG_LUA_SCRIPTS_H

struct lua_script {
	const char	*name;
	const char	*sha1;	/* hex SHA1 of text, for EVALSHA */
	const char	*text;
};

extern const struct lua_script lua_check, lua_create, lua_destroy,
    lua_destroy_all, lua_passwd, lua_user_add, lua_user_del, lua_rehash,
    lua_list, lua_revoke, lua_fail;

#endif
