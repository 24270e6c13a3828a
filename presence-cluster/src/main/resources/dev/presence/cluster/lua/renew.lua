-- Renews a lease, unless the incarnation was fenced (or Redis no longer knows it: it lost its data).
-- KEYS[1] nodes ZSET; KEYS[2] last renewals HASH; KEYS[3] fenced ZSET. ARGV: incarnation, lease (ms).
if redis.call('ZSCORE', KEYS[3], ARGV[1]) then
  return {'FENCED', '0'}
end
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return {'UNKNOWN', '0'}
end
local now = now_ms()
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], fmt(now))
return {'OK', fmt(now)}
