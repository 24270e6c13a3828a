-- Fences every incarnation whose lease ran out (by Redis TIME) and queues it for reaping with its last renewal
-- (its users' last seen) and when its lease ran out (their graces start there). KEYS[1] nodes ZSET; KEYS[2] last
-- renewals HASH; KEYS[3] fenced ZSET (pruned after a day); KEYS[4] reaping HASH incarnation -> "renewal,lapse".
-- ARGV: at most this many at once.
-- Returns {newly fenced incarnations, reaping as a flat list}.
local now = now_ms()
local found = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now, 'WITHSCORES', 'LIMIT', 0,
  tonumber(ARGV[1]))
local lapsed = {}
for i = 1, #found, 2 do
  local inc, deadline = found[i], found[i + 1]
  local renewed = redis.call('HGET', KEYS[2], inc) or '0'
  redis.call('ZREM', KEYS[1], inc)
  redis.call('HDEL', KEYS[2], inc)
  redis.call('ZADD', KEYS[3], now, inc)
  redis.call('HSET', KEYS[4], inc, renewed .. ',' .. deadline)
  lapsed[#lapsed + 1] = inc
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 86400000)
return {lapsed, redis.call('HGETALL', KEYS[4])}
