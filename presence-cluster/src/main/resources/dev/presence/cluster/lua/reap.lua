-- Ends, as lost connections, one batch of a fenced incarnation's sessions in this partition. KEYS[6] the
-- incarnation's sessions HASH. ARGV: incarnation, grace deadline (node clock), last seen (its last renewal),
-- batch, prefix of the users' sessions HASHes. Marks the incarnation fenced here first, so a session it attaches
-- later is refused and one it attached before is in the HASH being reaped. Returns {reaped, left}.
local inc = ARGV[1]
redis.call('ZADD', KEYS[5], 'NX', now_ms(), inc)
local scan = redis.call('HSCAN', KEYS[6], 0, 'COUNT', tonumber(ARGV[4]))
local pairs_ = scan[2]
local reaped = 0
for i = 1, #pairs_, 2 do
  local field, user = pairs_[i], pairs_[i + 1]
  redis.call('HDEL', KEYS[6], field)
  local sessions = ARGV[5] .. user
  if redis.call('HGET', sessions, field) == inc then
    redis.call('HDEL', sessions, field)
    local st, ver, ls = read_status(user)
    write_status(user, st, ver, math.max(ls, tonumber(ARGV[3])))
    redis.call('ZADD', KEYS[2], 'GT', tonumber(ARGV[2]), user)
    reaped = reaped + 1
  end
end
return {reaped, redis.call('HLEN', KEYS[6])}
