-- Reads events after a position, with the stream's bounds, trimming what has grown too old first.
-- KEYS[1] the stream
-- ARGV[1] read after this id (exclusive); ARGV[2] the most events to read (0: bounds only);
-- ARGV[3] the oldest id time kept (ms)
-- Returns {last generated id, first entry id, length, entries}; {'0-0', '0-0', 0, {}} if there is no stream.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'0-0', '0-0', 0, {}}
end
redis.call('XTRIM', KEYS[1], 'MINID', ARGV[3] .. '-0')
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local last, first, length = '0-0', '0-0', 0
for i = 1, #info, 2 do
  local name = info[i]
  if name == 'last-generated-id' then
    last = info[i + 1]
  elseif name == 'recorded-first-entry-id' then
    first = info[i + 1]
  elseif name == 'length' then
    length = info[i + 1]
  end
end
local entries = {}
if tonumber(ARGV[2]) > 0 then
  entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])
end
return {last, first, length, entries}
