-- Compare-and-set end of one user's grace: still due, still no session. KEYS[6] the user's sessions HASH.
-- ARGV: user, node now (ms), outbox maxlen.
local user = ARGV[1]
local deadline = redis.call('ZSCORE', KEYS[2], user)
if not deadline or tonumber(deadline) > tonumber(ARGV[2]) then
  return {'NOOP', '0', '0', tail()}
end
redis.call('ZREM', KEYS[2], user)
local st, ver, ls = read_status(user)
if st == 1 and redis.call('HLEN', KEYS[6]) == 0 then
  st = 0
  ver = flip(ARGV[3], user, st, ver, ls)
end
return reply(st, ver, ls)
