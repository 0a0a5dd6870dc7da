-- Reads the documents the other live nodes share under one name.
-- KEYS[1] live nodes (sorted set, scored by when each node's presence expires on Redis's clock)
-- ARGV[1] the key prefix of per-node keys ("{namespace}:"); ARGV[2] this node (left out);
-- ARGV[3] the name
-- Returns the documents, in the order of the nodes' ids; nodes without one under the name are
-- left out, and so are nodes that stopped reporting, even before their keys expire.
local nodes = redis.call('ZRANGEBYSCORE', KEYS[1], string.format('(%d', redis_millis()), '+inf')
table.sort(nodes)
local prefix, self, name = ARGV[1], ARGV[2], ARGV[3]
local documents = {}
for _, node in ipairs(nodes) do
  if node ~= self then
    local document = redis.call('HGET', prefix .. 'docs:' .. node, name)
    if document then
      documents[#documents + 1] = document
    end
  end
end
return documents
