-- rehash: replace a password hash with a stronger one of the same password,
-- unless the password or the generation changed since it was verified.
-- KEYS[1] user key; ARGV[1] hash that was verified, ARGV[2] new hash,
-- ARGV[3] the generation seen at the verification.
-- Returns 1 if replaced, 0 if not.
local cur = redis.call('HMGET', KEYS[1], 'pw', 'gen')
if cur[1] ~= ARGV[1] or cur[2] ~= ARGV[3] then return 0 end
redis.call('HSET', KEYS[1], 'pw', ARGV[2])
return 1
