-- revoke: end one of a user's sessions by id (as shown by list).
-- KEYS[1] the session key ("P{T}:s:ID", T the user's tag); ARGV[1] the
-- user name. The one key declared is the one touched: in a Redis Cluster
-- the script goes where the session is, even while its slot is being
-- moved and the user's index is already on the other node. The caller
-- takes the id out of the index afterwards (a stale entry is harmless:
-- list.lua and create.lua prune it).
-- Returns 1 if a session of that user ended, 0 if there was none.
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ok, r = pcall(cjson.decode, v)
if not ok or type(r) ~= 'table' or r.u ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
