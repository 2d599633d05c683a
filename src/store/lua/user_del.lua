-- user_del: delete a user and end all of the user's sessions.
-- KEYS[1] user key, KEYS[2] user's session index; ARGV[1] session key prefix.
-- Returns the number of sessions ended, or -1 if there is no such user.
if redis.call('DEL', KEYS[1]) == 0 then return -1 end
local n = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  n = n + redis.call('DEL', ARGV[1] .. m)
end
redis.call('DEL', KEYS[2])
return n
