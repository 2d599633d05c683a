-- destroy: end one session.
-- KEYS[1] session key; ARGV[1] key prefix of the user's index ("...:idx:"),
-- ARGV[2] session id. Returns 1 if a session ended, 0 if there was none.
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
redis.call('DEL', KEYS[1])
local ok, r = pcall(cjson.decode, v)
if ok and type(r) == 'table' and type(r.u) == 'string' then
  redis.call('ZREM', ARGV[1] .. r.u, ARGV[2])
end
return 1
