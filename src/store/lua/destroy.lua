-- destroy: end one session (logout).
-- KEYS[1] session key. Returns the session's user name, for the caller
-- to take the id out of the user's index (another key, perhaps on
-- another node while the slot moves: a script touches only the keys it
-- declares), or 0 if there was no session (or its record is unreadable:
-- deleted all the same).
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
redis.call('DEL', KEYS[1])
local ok, r = pcall(cjson.decode, v)
if ok and type(r) == 'table' and type(r.u) == 'string' then return r.u end
return 0
