-- Shared by every partition script (prepended by RedisScripts). Partition keys, all in one hash slot:
-- KEYS[1] status HASH user -> "online,version,lastSeen"; KEYS[2] grace ZSET user -> deadline (node clock ms);
-- KEYS[3] outbox STREAM; KEYS[4] outbox sequence (INCR, for gap detection); KEYS[5] fenced incarnations ZSET (-> when).
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function fmt(x)
  return string.format('%d', x)
end
local function read_status(user)
  local s = redis.call('HGET', KEYS[1], user)
  if not s then
    return 0, 0, 0
  end
  local st, ver, ls = string.match(s, '^(%d),(%d+),(%d+)$')
  return tonumber(st), tonumber(ver), tonumber(ls)
end
local function write_status(user, st, ver, ls)
  redis.call('HSET', KEYS[1], user, st .. ',' .. fmt(ver) .. ',' .. fmt(ls))
end
-- A flip: its version from Redis TIME, and its outbox entry written by the same script as the state.
local function flip(maxlen, user, st, ver, ls)
  local v = math.max(ver + 1, now_ms())
  local n = redis.call('INCR', KEYS[4])
  redis.call('XADD', KEYS[3], 'MAXLEN', '~', maxlen, '*', 'n', n, 'u', user, 'o', st, 'v', fmt(v), 'l', fmt(ls))
  write_status(user, st, v, ls)
  return v
end
-- The outbox's last entry id: a caller that waits for its reader to reach it has seen every event before.
local function tail()
  local last = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
  if #last == 0 then
    return '0-0'
  end
  return last[1][1]
end
local function fenced(inc)
  return redis.call('ZSCORE', KEYS[5], inc) ~= false
end
local function reply(st, ver, ls)
  return {fmt(st), fmt(ver), fmt(ls), tail()}
end
