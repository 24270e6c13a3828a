-- A node that stops: its incarnation is fenced at once and whatever sessions it still holds are reaped as lost
-- (last seen now, graces from now); it hands the housekeeping lock on at once. KEYS as fence.lua, then the lock.
-- ARGV: incarnation.
local now = now_ms()
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZADD', KEYS[3], now, ARGV[1])
redis.call('HSET', KEYS[4], ARGV[1], fmt(now) .. ',' .. fmt(now))
if redis.call('GET', KEYS[5]) == ARGV[1] then
  redis.call('DEL', KEYS[5])
end
return fmt(now)
