-- The id of the retained event first published with a publisher key, after trimming what has grown
-- too old (as a read does), so that a key whose event retention dropped is not found.
-- KEYS[1] the stream; KEYS[2] the horizon (the newest id trimmed away); KEYS[3] the publisher key's
-- record
-- ARGV[1] the caller's clock (ms); ARGV[2] the maximum age (ms); ARGV[3] how far a clock may run
-- ahead of Redis's for retention (ms)
-- Returns {id}, or {} when no retained event has the key.
local previous = redis.call('GET', KEYS[3])
if not previous or redis.call('EXISTS', KEYS[1]) == 0 then
  return {}
end
trim_by_age(KEYS[1], KEYS[2], oldest_kept(ARGV[1], ARGV[2], ARGV[3]))
local found = redis.call('XRANGE', KEYS[1], previous, previous)
if #found == 0 then
  return {}
end
return {found[1][1]}
