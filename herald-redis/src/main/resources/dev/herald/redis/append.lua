-- Appends one event to the stream, or returns the retained event with the same publisher key.
-- KEYS[1] the stream; KEYS[2] the horizon (the newest id trimmed away); KEYS[3] (optional) the
-- publisher key's record
-- ARGV[1] the event time (ms); ARGV[2] the most events kept; ARGV[3] the oldest id time kept (ms);
-- ARGV[4] how long a publisher key is remembered (ms); ARGV[5...] the entry's fields and values
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
for i = 5, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
-- Ids follow the publishers' clocks (so retention by age can trim by id), never going backwards:
-- when this clock is behind the stream's last id, Redis picks the next id itself.
local id = redis.pcall('XADD', KEYS[1], ARGV[1] .. '-*', unpack(fields))
if type(id) == 'table' and id.err then
  id = redis.call('XADD', KEYS[1], '*', unpack(fields))
end
-- Retention: drop the oldest beyond the count, then what is too old, and record the newest id dropped.
local horizon = nil
local excess = redis.call('XLEN', KEYS[1]) - tonumber(ARGV[2])
if excess > 0 then
  local gone = redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', excess)
  horizon = gone[#gone][1]
  redis.call('XTRIM', KEYS[1], 'MAXLEN', ARGV[2])
end
local old = redis.call('XREVRANGE', KEYS[1], '(' .. ARGV[3] .. '-0', '-', 'COUNT', 1)
if #old > 0 then
  horizon = old[1][1]
  redis.call('XTRIM', KEYS[1], 'MINID', ARGV[3] .. '-0')
end
if horizon then
  redis.call('SET', KEYS[2], horizon)
end
if KEYS[3] then
  redis.call('SET', KEYS[3], id, 'PX', ARGV[4])
end
return {1, id}
