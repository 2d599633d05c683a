-- check: is this session live? Slide its idle expiry; return the user.
-- KEYS[1] session key; ARGV[1] idle timeout (ms).
-- Returns the user name, or nil for no session (absent, revoked, expired).
-- PEXPIRE never recreates a key, so a revoked session cannot come back.
local v = redis.call('GET', KEYS[1])
if not v then return nil end
local ok, r = pcall(cjson.decode, v)
if not ok or type(r) ~= 'table' or type(r.u) ~= 'string' or type(r.a) ~= 'number' then
  return redis.error_reply('ERR sessgate: corrupt session record')
end
local t = redis.call('TIME')
local left = r.a - (tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
if left <= 0 then return nil end
local idle = tonumber(ARGV[1])
if idle < left then left = idle end
redis.call('PEXPIRE', KEYS[1], left)
return r.u
