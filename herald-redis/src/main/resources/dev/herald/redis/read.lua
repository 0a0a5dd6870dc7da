-- Reads events after a position, with the stream's bounds, trimming what has grown too old first.
-- KEYS[1] the stream; KEYS[2] the horizon (the newest id trimmed away)
-- ARGV[1] read after this id (exclusive); ARGV[2] the most events to read (0: bounds only);
-- ARGV[3] the caller's clock (ms); ARGV[4] the maximum age (ms); ARGV[5] how far a clock may run
-- ahead of Redis's for retention (ms)
-- Returns {last generated id, horizon, entries}; ids '0-0' when there is no stream.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'0-0', redis.call('GET', KEYS[2]) or '0-0', {}}
end
trim_by_age(KEYS[1], KEYS[2], oldest_kept(ARGV[3], ARGV[4], ARGV[5]))
local entries = {}
if tonumber(ARGV[2]) > 0 then
  entries = redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])
end
return {last_generated(KEYS[1]), redis.call('GET', KEYS[2]) or '0-0', entries}
