-- user_add: create a user unless one exists.
-- KEYS[1] user key; ARGV[1] name, ARGV[2] password hash, ARGV[3] generation
-- (random: see passwd.lua).
-- Returns 1 if created, 0 if the user exists.
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'name', ARGV[1], 'pw', ARGV[2], 'gen', ARGV[3])
return 1
