-- destroy_all: end every session of a user (logout everywhere, revoke all).
-- KEYS[1] user key; ARGV[1] new generation (random).
-- The new generation is what ends the sessions, all of them, those the
-- index lost track of too (check.lua); the caller has removed the
-- indexed records first, one by one (sweep.lua), each script on its own
-- key, so that the count is of the sessions this ended.
-- Returns 0, or -1 if there is no such user.
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
redis.call('HSET', KEYS[1], 'gen', ARGV[1])
return 0
