-- passwd: set a user's password hash and end all of the user's sessions.
-- KEYS[1] user key, KEYS[2] user's session index; ARGV[1] new hash,
-- ARGV[2] new generation (random), ARGV[3] session key prefix. A new 'gen'
-- makes a login that verified the old password before this ran fail to
-- create its session; random rather than counted, so that deleting and
-- adding the user again cannot bring an old value back.
-- Returns the number of sessions ended, or -1 if there is no such user.
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
redis.call('HSET', KEYS[1], 'pw', ARGV[1])
redis.call('HSET', KEYS[1], 'gen', ARGV[2])
local n = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  n = n + redis.call('DEL', ARGV[3] .. m)
end
redis.call('DEL', KEYS[2])
return n
