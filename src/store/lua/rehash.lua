-- rehash: replace a password hash with a stronger one of the same password,
-- unless the password changed meanwhile.
-- KEYS[1] user key; ARGV[1] hash that was verified, ARGV[2] new hash.
-- Returns 1 if replaced, 0 if not.
if redis.call('HGET', KEYS[1], 'pw') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'pw', ARGV[2])
return 1
