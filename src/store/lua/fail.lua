-- fail: a failed-login counter with a fixed window, counted first.
-- KEYS[1] counter; ARGV[1] window (ms); ARGV[2] the operation:
-- 'try' counts an attempt before its password is verified (so parallel
-- attempts can never all pass a check made before any of them counted),
-- 'undo' takes one back (a login that succeeded), 'clear' forgets.
-- Returns {count, ms until the window resets}; 'clear' returns
-- {1, 0} if there was a counter to forget, else {0, 0}.
local op = ARGV[2]
if op == 'clear' then
  return {redis.call('DEL', KEYS[1]), 0}
end
if op == 'undo' then
  local n = tonumber(redis.call('GET', KEYS[1]) or '0')
  if n <= 1 then
    redis.call('DEL', KEYS[1])
    return {0, 0}
  end
  n = redis.call('DECR', KEYS[1])
  return {n, redis.call('PTTL', KEYS[1])}
end
if op ~= 'try' then return redis.error_reply('ERR sessgate: fail op') end
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
