-- Publishes one node's presence, or only keeps it alive.
-- KEYS[1] live nodes (sorted set); KEYS[2] per-node totals (hash); KEYS[3..5] the node's topics,
-- patterns and users (hashes)
-- ARGV[1] the node; ARGV[2] when its presence expires (ms); ARGV[3] time to live (ms); ARGV[4] its
-- open streams; ARGV[5] '1' to replace the hashes, '0' to keep them; ARGV[6..8] how many pairs
-- follow for topics, patterns and users; then the pairs (name, count), in that order.
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
if ARGV[5] == '1' then
  redis.call('DEL', KEYS[3], KEYS[4], KEYS[5])
  local at = 9
  for k = 3, 5 do
    local pairs_left = tonumber(ARGV[3 + k])
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
  redis.call('PEXPIRE', KEYS[k], ARGV[3])
end
return {1}
