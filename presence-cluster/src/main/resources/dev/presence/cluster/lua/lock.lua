-- Takes or keeps the housekeeping lock. KEYS[1] the lock. ARGV: incarnation, time to live (ms). Returns 1 if held.
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] or (not holder and redis.call('SET', KEYS[1], ARGV[1], 'NX')) then
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
return 0
