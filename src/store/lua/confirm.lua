-- confirm: the password was entered again in a live session (step-up):
-- record the time in the session, which keeps its ID, deadline and idle
-- expiry. KEYS[1] session key, ARGV[1] the user the check saw.
-- Returns 1, or 0 if the session is gone or is another user's. SET
-- KEEPTTL on a key that exists: a session that ended is never recreated.
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
local ok, r = pcall(cjson.decode, v)
if not ok or type(r) ~= 'table' or r.u ~= ARGV[1] then return 0 end
local t = redis.call('TIME')
r.p = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('SET', KEYS[1], cjson.encode(r), 'KEEPTTL', 'XX')
return 1
