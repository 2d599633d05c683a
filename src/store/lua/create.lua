-- create: store a new session for a user, under the per-user cap.
-- KEYS[1] new session key, KEYS[2] user's session index (zset), KEYS[3]
-- user key, KEYS[4...] the session keys of the index's members as the
-- caller read them just before (ZRANGE): every key this script touches
-- is declared, so that in a Redis Cluster it runs where all of them are.
-- ARGV[1] user, ARGV[2] session key prefix (prefix .. id = session key),
-- ARGV[3] new session id, ARGV[4] idle ms, ARGV[5] absolute ms,
-- ARGV[6] max sessions (0: no limit), ARGV[7] 'evict-oldest' or 'reject',
-- ARGV[8] the user's generation seen when the password was verified,
-- ARGV[9] the client's address, ARGV[10] its browser's short description
-- (for the user's sessions page; either may be empty), ARGV[11] '1' if
-- the user ticked "keep me signed in" (the record gets r = 1: a password
-- change's new session keeps it). ARGV[5] is this
-- session's lifetime: absolute_timeout, or remember_timeout.
-- The record keeps that generation (g): check.lua ends the session once
-- the user's generation changes. The index lives as long as its longest
-- session: its TTL only ever grows (another sessgate, or this one before
-- a reload, may run with a longer absolute_timeout).
-- A member added since the caller's read (a login in parallel) has no
-- declared key: it counts as live (it is new); if the cap evicts it, it
-- leaves the index here and its id is returned for the caller to end
-- (revoke.lua), so that parallel logins never leave more than the cap.
-- Returns {1, created_us, evicted, the evicted ids..., id to end...} (the
-- evicted ids for the audit log, oldest first) | {0, live} at the cap
-- with reject | {-2} the user is gone or changed password since |
-- {-3} id collision.
local gen = redis.call('HGET', KEYS[3], 'gen')
if not gen or gen ~= ARGV[8] then return {-2} end
local t = redis.call('TIME')
local now_us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now = math.floor(now_us / 1000)
local declared = {}
for i = 4, #KEYS do declared[KEYS[i]] = true end
-- live: the record is there and was made under the current generation
local live = {}
for _, m in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local k = ARGV[2] .. m
  if not declared[k] then
    live[#live + 1] = m
  else
    local v = redis.call('GET', k)
    local ok, r = false, nil
    if v then ok, r = pcall(cjson.decode, v) end
    if ok and type(r) == 'table' and r.g == gen then
      live[#live + 1] = m
    else
      if v then redis.call('DEL', k) end
      redis.call('ZREM', KEYS[2], m)
    end
  end
end
local max, evicted, out, gone = tonumber(ARGV[6]), 0, {}, {}
if max > 0 and #live >= max then
  if ARGV[7] == 'reject' then return {0, #live} end
  evicted = #live - max + 1
  for i = 1, evicted do
    gone[#gone + 1] = live[i]
    local k = ARGV[2] .. live[i]
    if declared[k] then
      redis.call('DEL', k)
    else
      out[#out + 1] = live[i]
    end
    redis.call('ZREM', KEYS[2], live[i])
  end
end
local idle, abs = tonumber(ARGV[4]), tonumber(ARGV[5])
local rec = cjson.encode({u = ARGV[1], c = now, a = now + abs, g = gen,
  p = now, ip = ARGV[9], ua = ARGV[10], r = (ARGV[11] == '1') and 1 or nil})
if not redis.call('SET', KEYS[1], rec, 'PX', math.min(idle, abs), 'NX') then
  return {-3}
end
local ttl = redis.call('PTTL', KEYS[2])
redis.call('ZADD', KEYS[2], now_us, ARGV[3])
if ttl == -2 or (ttl >= 0 and ttl < abs) then
  redis.call('PEXPIRE', KEYS[2], abs)
end
local reply = {1, now_us, evicted}
for _, m in ipairs(gone) do reply[#reply + 1] = m end
for _, m in ipairs(out) do reply[#reply + 1] = m end
return reply
