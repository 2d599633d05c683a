-- fail: a failed-login counter with a fixed window.
-- KEYS[1] counter; ARGV[1] window (ms); ARGV[2] 'add' counts a failure,
-- 'peek' only reads. Returns {count, ms until reset}.
local n, ttl
if ARGV[2] == 'add' then
  n = redis.call('INCR', KEYS[1])
else
  n = tonumber(redis.call('GET', KEYS[1]) or '0')
end
ttl = redis.call('PTTL', KEYS[1])
if ARGV[2] == 'add' and ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
