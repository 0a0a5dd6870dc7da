-- Raises delivery cursors, never lowering one. Positions are compared as decimal strings: they
-- have more digits than a Lua number holds exactly.
-- KEYS[1] the cursors hash; ARGV: cursor key, position, cursor key, position...
local function below(a, b)
  if #a ~= #b then
    return #a < #b
  end
  return a < b
end
for i = 1, #ARGV, 2 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  if not current or below(current, ARGV[i + 1]) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
return {#ARGV / 2}
