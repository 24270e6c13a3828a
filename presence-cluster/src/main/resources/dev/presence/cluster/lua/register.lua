-- A node run takes an incarnation with a lease. KEYS[1] nodes ZSET incarnation -> lease deadline (Redis TIME);
-- KEYS[2] HASH incarnation -> last renewal. ARGV: incarnation, lease (ms). Returns the Redis time.
local now = now_ms()
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], fmt(now))
return fmt(now)
