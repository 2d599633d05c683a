-- destroy_all: end every session of a user (logout everywhere, revoke all).
-- KEYS[1] user key, KEYS[2] user's session index; ARGV[1] new generation
-- (random), ARGV[2] session key prefix. The new generation ends the
-- sessions the index lost track of too (check.lua).
-- Returns the number of indexed live sessions ended, or -1 if there is no
-- such user (its indexed sessions are removed all the same).
local n = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  n = n + redis.call('DEL', ARGV[2] .. m)
end
redis.call('DEL', KEYS[2])
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
redis.call('HSET', KEYS[1], 'gen', ARGV[1])
return n
