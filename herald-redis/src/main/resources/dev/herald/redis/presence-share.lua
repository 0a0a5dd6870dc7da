-- Publishes the documents one node shares, or only keeps them alive, with the same time to live
-- as the rest of its presence.
-- KEYS[1] the node's documents (hash: name -> document)
-- ARGV[1] time to live (ms); ARGV[2] how many documents the node shares; ARGV[3] '1' to replace
-- the hash with the pairs (name, document) that follow, '0' to keep it.
-- Returns {1}, or {0} when asked to keep documents that Redis no longer has (send them again).
if ARGV[3] == '0' then
  if tonumber(ARGV[2]) > 0 and redis.call('EXISTS', KEYS[1]) == 0 then
    return {0}
  end
else
  redis.call('DEL', KEYS[1])
  local at = 4
  while at <= #ARGV do
    local chunk = {}
    while at <= #ARGV and #chunk < 1000 do
      chunk[#chunk + 1] = ARGV[at]
      chunk[#chunk + 1] = ARGV[at + 1]
      at = at + 2
    end
    redis.call('HSET', KEYS[1], unpack(chunk))
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return {1}
