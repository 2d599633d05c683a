-- destroy_all: end every session of a user (logout everywhere).
-- KEYS[1] user's session index; ARGV[1] session key prefix.
-- Returns the number of live sessions ended.
local n = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  n = n + redis.call('DEL', ARGV[1] .. m)
end
redis.call('DEL', KEYS[1])
return n
