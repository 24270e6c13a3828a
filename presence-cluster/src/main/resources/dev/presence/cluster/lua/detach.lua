-- A session ended. KEYS[6] the user's sessions HASH; KEYS[7] the incarnation's sessions HASH.
-- ARGV: user, field, incarnation, node now (ms), outbox maxlen, grace deadline (0: not graced), last heard (ms).
-- A session owned by another incarnation (or none) is left alone: a late end never ends a newer session.
local user, field, inc = ARGV[1], ARGV[2], ARGV[3]
if fenced(inc) then
  return redis.error_reply('FENCED ' .. inc)
end
redis.call('HDEL', KEYS[7], field)
if redis.call('HGET', KEYS[6], field) ~= inc then
  return {'NOOP', '0', '0', tail()}
end
redis.call('HDEL', KEYS[6], field)
local st, ver, ls = read_status(user)
ls = math.max(ls, tonumber(ARGV[7]))
local deadline = tonumber(ARGV[6])
if deadline > 0 then
  redis.call('ZADD', KEYS[2], 'GT', deadline, user)
  write_status(user, st, ver, ls)
elseif st == 1 and redis.call('HLEN', KEYS[6]) == 0 and not redis.call('ZSCORE', KEYS[2], user) then
  st = 0
  ver = flip(ARGV[5], user, st, ver, ls)
else
  write_status(user, st, ver, ls)
end
return reply(st, ver, ls)
