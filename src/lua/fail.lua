-- fail: count a failed login against a counter with a fixed window.
-- KEYS[1] counter; ARGV[1] window (ms). Returns {count, ms until reset}.
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
