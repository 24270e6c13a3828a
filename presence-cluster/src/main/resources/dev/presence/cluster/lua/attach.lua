-- A session is live on an incarnation. KEYS[6] the user's sessions HASH field -> incarnation;
-- KEYS[7] the incarnation's sessions HASH in this partition field -> user.
-- ARGV: user, field, incarnation, node now (ms), outbox maxlen, fresh (1: a new session; 0: re-registered),
-- prefix of the per-incarnation HASHes (to move a session off an older incarnation).
local user, field, inc = ARGV[1], ARGV[2], ARGV[3]
if fenced(inc) then
  return redis.error_reply('FENCED ' .. inc)
end
local owner = redis.call('HGET', KEYS[6], field)
if owner and owner ~= inc then
  redis.call('HDEL', ARGV[7] .. owner, field)
end
redis.call('HSET', KEYS[6], field, inc)
redis.call('HSET', KEYS[7], field, user)
local st, ver, ls = read_status(user)
if ARGV[6] == '1' then
  -- a new session cancels pending offline graces, as in PresenceTracker
  redis.call('ZREM', KEYS[2], user)
  ls = math.max(ls, tonumber(ARGV[4]))
end
if st == 0 then
  st = 1
  ver = flip(ARGV[5], user, st, ver, ls)
else
  write_status(user, st, ver, ls)
end
return reply(st, ver, ls)
