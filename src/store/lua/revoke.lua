-- revoke: end one of a user's sessions by id (as shown by list).
-- KEYS[1] user's session index; ARGV[1] session id, ARGV[2] session key prefix.
-- Returns 1 if a live session ended, 0 if the user has no such session.
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 0 end
redis.call('ZREM', KEYS[1], ARGV[1])
return redis.call('DEL', ARGV[2] .. ARGV[1])
