-- list: a user's live sessions, oldest first; prunes dead index entries.
-- KEYS[1] user's session index, KEYS[2] user key; ARGV[1] session key prefix.
-- Live as for check.lua: made under the user's current generation.
-- Returns a flat array: id, record, remaining ttl (ms), ...
local out = {}
local gen = redis.call('HGET', KEYS[2], 'gen')
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local v = redis.call('GET', ARGV[1] .. m)
  local ok, r = false, nil
  if v then ok, r = pcall(cjson.decode, v) end
  if ok and type(r) == 'table' and gen and r.g == gen then
    out[#out + 1] = m
    out[#out + 1] = v
    out[#out + 1] = redis.call('PTTL', ARGV[1] .. m)
  else
    if v then redis.call('DEL', ARGV[1] .. m) end
    redis.call('ZREM', KEYS[1], m)
  end
end
return out
