-- Appends one event to the stream, or returns the retained event with the same publisher key.
-- KEYS[1] the stream; KEYS[2] the horizon (the newest id trimmed away); KEYS[3] (optional) the
-- publisher key's record
-- ARGV[1] the event time (ms, the publisher's clock); ARGV[2] the most events kept; ARGV[3] the
-- maximum age (ms); ARGV[4] how far a clock may run ahead of Redis's for retention (ms); ARGV[5]
-- how long a publisher key is remembered (ms); ARGV[6...] the entry's fields and values
-- Returns {1, id} for a new event, {0, id, fields} for the retained one with the same key.
if KEYS[3] then
  local previous = redis.call('GET', KEYS[3])
  if previous then
    local found = redis.call('XRANGE', KEYS[1], previous, previous)
    if #found > 0 then
      return {0, found[1][1], found[1][2]}
    end
  end
end
local fields = {}
for i = 6, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
-- Ids follow the publishers' clocks (so retention by age can trim by id), never going backwards.
-- When this clock is behind the stream's last id, the event takes the next id after it, carrying
-- into the next millisecond before the sequence reaches a million (event ids have room for less).
local id = redis.pcall('XADD', KEYS[1], ARGV[1] .. '-*', unpack(fields))
if type(id) == 'table' and id.err then
  local ms, seq = split_id(last_generated(KEYS[1]))
  if seq + 1 >= 1000000 then
    ms, seq = ms + 1, 0
  else
    seq = seq + 1
  end
  id = redis.call('XADD', KEYS[1], format_id(ms, seq), unpack(fields))
end
-- Retention: drop the oldest beyond the count, then what is too old; record the newest id dropped.
local excess = redis.call('XLEN', KEYS[1]) - tonumber(ARGV[2])
if excess > 0 then
  local gone = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', excess)
  redis.call('XTRIM', KEYS[1], 'MAXLEN', ARGV[2])
  redis.call('SET', KEYS[2], gone[#gone][1])
end
trim_by_age(KEYS[1], KEYS[2], oldest_kept(ARGV[1], ARGV[3], ARGV[4]))
if KEYS[3] then
  redis.call('SET', KEYS[3], id, 'PX', ARGV[5])
end
return {1, id}
