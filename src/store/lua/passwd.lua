-- passwd: set a user's password hash; end all of the user's sessions.
-- KEYS[1] user key; ARGV[1] new hash, ARGV[2] new generation (random),
-- ARGV[3] the generation under which the current password was verified
-- (POST /password), or '' for an administrator's reset. A change whose
-- verification is no longer current (an administrator reset the password,
-- or the user logged out everywhere, meanwhile) is refused: a holder of
-- the old password cannot undo a reset. The generation is random rather
-- than counted, so that deleting and adding the user again cannot bring
-- an old value back; every session made under the old one ends (check.lua);
-- the caller then removes their records (sweep.lua).
-- Returns 0, -1 if there is no such user, -2 if the generation is not
-- ARGV[3] (nothing changed).
local gen = redis.call('HGET', KEYS[1], 'gen')
if not gen then return -1 end
if ARGV[3] ~= '' and gen ~= ARGV[3] then return -2 end
redis.call('HSET', KEYS[1], 'pw', ARGV[1], 'gen', ARGV[2])
return 0
