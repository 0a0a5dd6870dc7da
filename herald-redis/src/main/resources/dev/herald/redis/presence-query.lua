-- Reads the presence of the other live nodes, forgetting nodes that stopped reporting.
-- KEYS[1] live nodes (sorted set); KEYS[2] per-node totals (hash)
-- ARGV[1] the key prefix of per-node hashes ("{namespace}:"); ARGV[2] this node (left out);
-- ARGV[3] what to read: 'summary', 'topic' or 'user'; ARGV[4] the topic or user
-- Nodes expire on Redis's clock.
-- Returns summary: {nodes, streams}; topic: {exact count, {pattern, count, ...}}; user: {count}.
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', redis_millis())
for _, node in ipairs(dead) do
  redis.call('ZREM', KEYS[1], node)
  redis.call('HDEL', KEYS[2], node)
end
local nodes = redis.call('ZRANGE', KEYS[1], 0, -1)
local prefix, self, what, name = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if what == 'summary' then
  local count, streams = 0, 0
  for _, node in ipairs(nodes) do
    if node ~= self then
      count = count + 1
      streams = streams + tonumber(redis.call('HGET', KEYS[2], node) or '0')
    end
  end
  return {count, streams}
elseif what == 'topic' then
  local exact, patterns, merged = 0, {}, {}
  for _, node in ipairs(nodes) do
    if node ~= self then
      exact = exact + tonumber(redis.call('HGET', prefix .. 'topics:' .. node, name) or '0')
      local all = redis.call('HGETALL', prefix .. 'patterns:' .. node)
      for i = 1, #all, 2 do
        merged[all[i]] = (merged[all[i]] or 0) + tonumber(all[i + 1])
      end
    end
  end
  for pattern, count in pairs(merged) do
    patterns[#patterns + 1] = pattern
    patterns[#patterns + 1] = count
  end
  return {exact, patterns}
else
  local count = 0
  for _, node in ipairs(nodes) do
    if node ~= self then
      count = count + tonumber(redis.call('HGET', prefix .. 'users:' .. node, name) or '0')
    end
  end
  return {count}
end
