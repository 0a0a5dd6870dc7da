-- Publishes one node's presence, or only keeps it alive.
-- KEYS[1] live nodes (sorted set); KEYS[2] per-node totals (hash); KEYS[3..5] the node's topics,
-- patterns and users (hashes)
-- ARGV[1] the node; ARGV[2] time to live (ms); ARGV[3] its open streams; ARGV[4] '1' to replace the
-- hashes, '0' to keep them; ARGV[5..7] how many pairs follow for topics, patterns and users; then
-- the pairs (name, count), in that order.
-- Returns {1}, or {0} when asked to keep hashes that Redis no longer has (send them again).
-- Expiry is on Redis's clock, so nodes whose clocks differ still see each other.
if ARGV[4] == '0' and tonumber(ARGV[3]) > 0 and redis.call('EXISTS', KEYS[3], KEYS[4]) == 0 then
  return {0}
end
redis.call('ZADD', KEYS[1], redis_millis() + tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
if ARGV[4] == '1' then
  redis.call('DEL', KEYS[3], KEYS[4], KEYS[5])
  local at = 8
  for k = 3, 5 do
    local pairs_left = tonumber(ARGV[2 + k])
    while pairs_left > 0 do
      local chunk = {}
      local n = math.min(pairs_left, 500)
      for j = 1, n do
        chunk[#chunk + 1] = ARGV[at]
        chunk[#chunk + 1] = ARGV[at + 1]
        at = at + 2
      end
      redis.call('HSET', KEYS[k], unpack(chunk))
      pairs_left = pairs_left - n
    end
  end
end
for k = 3, 5 do
  redis.call('PEXPIRE', KEYS[k], ARGV[2])
end
return {1}
