-- user_move: move a user record to its tag under a new site secret.
-- KEYS[1] the user key under the old tag, KEYS[2] under the new one;
-- ARGV[1] the user name (as the old key names it).
-- Sessions stay behind under the old tag, where no user is left: they
-- are dead (check.lua). Both keys must be on this server (one Redis, not
-- a cluster: the two tags name different slots).
-- Returns 1 if moved, 0 if a user exists under the new key (left as it
-- is), -1 if the old record is not a user of that name.
local name = redis.call('HGET', KEYS[1], 'name')
if name ~= ARGV[1] then return -1 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
return 1
