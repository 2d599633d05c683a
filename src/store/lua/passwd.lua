-- passwd: set a user's password hash and end all of the user's sessions.
-- KEYS[1] user key, KEYS[2] user's session index; ARGV[1] new hash,
-- ARGV[2] new generation (random), ARGV[3] session key prefix,
-- ARGV[4] the generation under which the current password was verified
-- (POST /password), or '' for an administrator's reset. A change whose
-- verification is no longer current (an administrator reset the password,
-- or the user logged out everywhere, meanwhile) is refused: a holder of
-- the old password cannot undo a reset. The generation is random rather
-- than counted, so that deleting and adding the user again cannot bring
-- an old value back; every session made under the old one ends (check.lua).
-- Returns the number of indexed sessions ended, -1 if there is no such
-- user, -2 if the generation is not ARGV[4] (nothing changed).
local gen = redis.call('HGET', KEYS[1], 'gen')
if not gen then return -1 end
if ARGV[4] ~= '' and gen ~= ARGV[4] then return -2 end
redis.call('HSET', KEYS[1], 'pw', ARGV[1], 'gen', ARGV[2])
local n = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  n = n + redis.call('DEL', ARGV[3] .. m)
end
redis.call('DEL', KEYS[2])
return n
