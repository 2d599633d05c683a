-- list: a user's live sessions, oldest first; prunes dead index entries.
-- KEYS[1] user's session index, KEYS[2] user key, KEYS[3...] the session
-- keys of the index's members as the caller read them just before
-- (ZRANGE); ARGV[1] session key prefix, ARGV[2] the user (a record of
-- another user's is no session of this one). A member added since has no key
-- declared: it is left out of this listing (it is newer than the read).
-- Only the declared keys are looked at (the caller may have read the
-- newest members only): the work is bounded by what was read.
-- Live as for check.lua: made under the user's current generation.
-- Returns a flat array: id, record, remaining ttl (ms), ...
local out = {}
local gen = redis.call('HGET', KEYS[2], 'gen')
for i = 3, #KEYS do
  local k = KEYS[i]
  local m = string.sub(k, #ARGV[1] + 1)
  if string.sub(k, 1, #ARGV[1]) == ARGV[1] then
    local v = redis.call('GET', k)
    local ok, r = false, nil
    if v then ok, r = pcall(cjson.decode, v) end
    if ok and type(r) == 'table' and gen and r.g == gen and r.u == ARGV[2] then
      out[#out + 1] = m
      out[#out + 1] = v
      out[#out + 1] = redis.call('PTTL', k)
    else
      if v then redis.call('DEL', k) end
      redis.call('ZREM', KEYS[1], m)
    end
  end
end
return out
