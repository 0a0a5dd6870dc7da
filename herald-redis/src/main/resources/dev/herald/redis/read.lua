-- Reads events after a position, with the stream's bounds, trimming what has grown too old first.
-- KEYS[1] the stream; KEYS[2] the horizon (the newest id trimmed away)
-- ARGV[1] read after this id (exclusive); ARGV[2] the most events to read (0: bounds only);
-- ARGV[3] the oldest id time kept (ms)
-- Returns {last generated id, horizon, entries}; ids '0-0' when there is no stream.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'0-0', redis.call('GET', KEYS[2]) or '0-0', {}}
end
local old = redis.call('XREVRANGE', KEYS[1], '(' .. ARGV[3] .. '-0', '-', 'COUNT', 1)
if #old > 0 then
  redis.call('SET', KEYS[2], old[1][1])
  redis.call('XTRIM', KEYS[1], 'MINID', ARGV[3] .. '-0')
end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local last = '0-0'
for i = 1, #info, 2 do
  if info[i] == 'last-generated-id' then
    last = info[i + 1]
  end
end
local entries = {}
if tonumber(ARGV[2]) > 0 then
  entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])
end
return {last, redis.call('GET', KEYS[2]) or '0-0', entries}
