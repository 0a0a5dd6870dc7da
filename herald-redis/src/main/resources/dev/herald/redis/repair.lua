-- After Redis lost data (a restart without persistence, a failover to a replica that lagged):
-- moves the stream's last id up to the highest id a node had already seen, so that new events get
-- ids above every position a node or client holds, and records everything up to it as gone.
-- KEYS[1] the stream; KEYS[2] the horizon
-- ARGV[1] the highest stream id seen
-- Returns {1} if the stream was moved, {0} if it was already past that id.
local target = ARGV[1]
local function below(a, b)
  local ams, aseq = split_id(a)
  local bms, bseq = split_id(b)
  return ams < bms or (ams == bms and aseq < bseq)
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  -- Creates the stream with one entry and trims it at once: empty, with its last id at the target.
  redis.call('XADD', KEYS[1], 'MAXLEN', 0, target, 'repair', '1')
elseif below(last_generated(KEYS[1]), target) then
  redis.call('XSETID', KEYS[1], target)
else
  return {0}
end
local horizon = redis.call('GET', KEYS[2])
if not horizon or below(horizon, target) then
  redis.call('SET', KEYS[2], target)
end
return {1}
