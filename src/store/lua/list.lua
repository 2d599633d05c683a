-- list: a user's live sessions, oldest first; prunes dead index entries.
-- KEYS[1] user's session index; ARGV[1] session key prefix.
-- Returns a flat array: id, record, remaining ttl (ms), ...
local out = {}
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local v = redis.call('GET', ARGV[1] .. m)
  if v then
    out[#out + 1] = m
    out[#out + 1] = v
    out[#out + 1] = redis.call('PTTL', ARGV[1] .. m)
  else
    redis.call('ZREM', KEYS[1], m)
  end
end
return out
