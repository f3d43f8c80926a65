-- Sliding window rate limiter with per-field expiry.
local key = KEYS[1]
local field = ARGV[1]
local count = redis.call('HINCRBY', key, field, 1)
if count == 1 then
  redis.call('HEXPIRE', key, ARGV[2], 'FIELDS', 1, field) -- expect: HEXPIRE
end
-- redis.call('FT.SEARCH', 'idx', '*') is commented out
--[[ redis.call('JSON.SET', key, '$', '{}') ]]
local seen = redis.call('bf.exists', 'seen', field) -- expect: BF.EXISTS
return { count, seen }
