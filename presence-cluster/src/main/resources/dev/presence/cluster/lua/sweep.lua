-- Ends the graces that are due in this partition, whoever made them (a dead node cannot run its timers).
-- ARGV: node now (ms), outbox maxlen, batch, prefix of the users' sessions HASHes. Returns how many flipped.
-- Also forgets fence marks older than a day (the global fenced set forgets them then too).
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now_ms() - 86400000)
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local flipped = 0
for _, user in ipairs(due) do
  redis.call('ZREM', KEYS[2], user)
  local st, ver, ls = read_status(user)
  if st == 1 and redis.call('HLEN', ARGV[4] .. user) == 0 then
    flip(ARGV[2], user, 0, ver, ls)
    flipped = flipped + 1
  end
end
return flipped
