-- Helpers shared by Herald's functions (loaded once, ahead of them, in the same library).

-- The Redis server's time, in milliseconds.
local function redis_millis()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- A stream id's two parts, as numbers (a millisecond time fits a Lua number exactly).
local function split_id(id)
  local dash = string.find(id, '-', 1, true)
  return tonumber(string.sub(id, 1, dash - 1)), tonumber(string.sub(id, dash + 1))
end

local function format_id(ms, seq)
  return string.format('%d-%d', ms, seq)
end

-- The id just before this one in Herald's id space (sequences stay below a million).
local function previous_id(id)
  local ms, seq = split_id(id)
  if seq > 0 then
    return format_id(ms, seq - 1)
  end
  return format_id(ms - 1, 999999)
end

-- The stream's last generated id.
local function last_generated(stream)
  local info = redis.call('XINFO', 'STREAM', stream)
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then
      return info[i + 1]
    end
  end
  return '0-0'
end

-- The oldest time (ms) retention keeps: the caller's clock less the maximum age, but never ahead
-- of Redis's own clock by more than the tolerance, so one node whose clock runs ahead cannot trim
-- the cluster's history early. At least 1.
local function oldest_kept(clock_ms, max_age_ms, tolerance_ms)
  local now = math.min(tonumber(clock_ms), redis_millis() + tonumber(tolerance_ms))
  return math.max(1, now - tonumber(max_age_ms))
end

-- Drops entries older than the cutoff (ms) and records the newest id dropped as the horizon.
-- Looks only at the oldest entry when there is nothing to drop.
local function trim_by_age(stream, horizon_key, cutoff)
  local first = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
  if #first == 0 or split_id(first[1][1]) >= cutoff then
    return
  end
  redis.call('XTRIM', stream, 'MINID', format_id(cutoff, 0))
  local next = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
  if #next > 0 then
    redis.call('SET', horizon_key, previous_id(next[1][1]))
  else
    redis.call('SET', horizon_key, last_generated(stream))
  end
end
