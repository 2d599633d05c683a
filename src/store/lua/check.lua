-- check: is this session live? Slide its idle expiry; return the user.
-- KEYS[1] session key ("P{T}:s:ID"), and in a Redis Cluster KEYS[2] the
-- user key, as the caller read it from the record (declared, so that a
-- slot migration sends the script where both keys are); ARGV[1] idle
-- timeout (ms), ARGV[2] the prefix of user keys in the cookie's slot
-- ("P{T}:user:"), ARGV[3] "1" for a passive check (a page polling in the
-- background: checked like any other, but the idle expiry does not move).
-- A session is live only while its user exists with the generation it
-- was made under (field g of the record, field gen of the user), so that
-- a password change, logout everywhere or the user's deletion ends it
-- even when the user's index lost track of it. The user key is built
-- here from the record's user name (the caller cannot know it before the
-- record is read, and one round trip is all a check may cost); it carries
-- the same hash tag {T} as KEYS[1], so it is in the same cluster slot.
-- Returns {user name, when the password was last entered (ms), now (ms,
-- the clock the other two are on), the session's lifetime (ms from its
-- creation to its deadline: absolute_timeout or remember_timeout), 1 if
-- the user ticked "keep me signed in" at its login (r) else 0}, or nil
-- for no session (absent, revoked, expired, or made under another
-- generation: such a record is deleted).
-- PEXPIRE never recreates a key, so a revoked session cannot come back.
local v = redis.call('GET', KEYS[1])
if not v then return nil end
local ok, r = pcall(cjson.decode, v)
if not ok or type(r) ~= 'table' or type(r.u) ~= 'string' or type(r.a) ~= 'number' then
  return redis.error_reply('ERR sessgate: corrupt session record')
end
local ukey = ARGV[2] .. r.u
if KEYS[2] and KEYS[2] ~= ukey then
  return redis.error_reply('ERR sessgate: session record changed under the check')
end
if type(r.g) ~= 'string' or redis.call('HGET', ukey, 'gen') ~= r.g then
  redis.call('DEL', KEYS[1])
  return nil
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local left = r.a - now
if left <= 0 then return nil end
local p = r.p
if type(p) ~= 'number' then p = r.c end
local life = 0
if type(r.c) == 'number' then life = r.a - r.c end
if ARGV[3] ~= '1' then
  local idle = tonumber(ARGV[1])
  if idle < left then left = idle end
  redis.call('PEXPIRE', KEYS[1], left)
end
local remembered = 0
if r.r == 1 then remembered = 1 end
return {r.u, p, now, life, remembered}
