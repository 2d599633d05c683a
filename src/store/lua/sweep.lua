-- sweep: remove the record of one of a user's indexed sessions, for the
-- operations that end them all: before destroy_all and user_del, after
-- passwd (which must first find the generation it expects).
-- KEYS[1] session key; ARGV[1] '' (remove it), or passwd's new
-- generation: a record made under it is a session made since (a login
-- after the change), which is kept.
-- Returns 1 if a record was removed, 0 if there was none, -1 if kept.
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ok, r = pcall(cjson.decode, v)
if ARGV[1] ~= '' and ok and type(r) == 'table' and r.g == ARGV[1] then
  return -1
end
redis.call('DEL', KEYS[1])
return 1
