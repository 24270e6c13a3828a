-- A node that stops: its incarnation is fenced at once and whatever sessions it still holds are reaped as lost
-- (last seen now, graces from now). KEYS as fence.lua. ARGV: incarnation.
local now = now_ms()
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], now, ARGV[1])
redis.call('HSET', KEYS[4], ARGV[1], fmt(now) .. ',' .. fmt(now))
return fmt(now)
