-- Where a reader of this partition's outbox starts: the sequence number and id of the last entry, read together.
local seq = redis.call('GET', KEYS[4]) or '0'
return {seq, tail()}
