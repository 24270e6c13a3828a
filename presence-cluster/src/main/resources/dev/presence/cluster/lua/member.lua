-- A membership change for every node. KEYS[3] the membership STREAM; KEYS[4] its sequence (KEYS[1], KEYS[2]:
-- the same keys, unused). ARGV: kind (j|l), thread, user, origin, maxlen.
local n = redis.call('INCR', KEYS[4])
return redis.call('XADD', KEYS[3], 'MAXLEN', '~', tonumber(ARGV[5]), '*', 'n', n, 'k', ARGV[1], 't', ARGV[2],
  'u', ARGV[3], 'f', ARGV[4])
