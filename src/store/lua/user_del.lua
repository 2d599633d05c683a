-- user_del: delete a user, which ends all of the user's sessions
-- (check.lua finds no generation to match), those the index lost track
-- of too; the caller has removed the indexed records first (sweep.lua).
-- KEYS[1] user key. Returns 0, or -1 if there is no such user.
if redis.call('DEL', KEYS[1]) == 0 then return -1 end
return 0
