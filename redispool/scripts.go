package redispool

// This file owns the Lua scripts: each is one atomic step of the protocol, run on Redis's
// clock where time matters. Every script that may create a job's key first checks that the
// job still exists and gives the key the job's time to live, so that a job whose coordinator
// is gone leaves only keys that expire.

import "github.com/redis/go-redis/v9"

// enqueueScript adds items to the work stream, each sequence number once (a retried enqueue
// adds nothing twice) and each pushed URL once: an item with a URL key is added only when the
// job's seen hash holds no other seq for that key (it claims the key when none holds it).
// KEYS: job, work, queued, seen. ARGV: eight per item (see itemArgs). Returns {added, then a
// pair per item refused as a pushed URL held by another seq: its seq, the holder's}, or {-1}
// when the job is gone.
var enqueueScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local out = {0}
for i = 1, #ARGV, 8 do
  local fresh = true
  local key = ARGV[i+7]
  if key ~= '' then
    local held = redis.call('HGET', KEYS[4], key)
    if not held then
      redis.call('HSET', KEYS[4], key, ARGV[i])
    else
      local seq = tonumber(string.match(held, '^%d+'))
      if seq ~= tonumber(ARGV[i]) then
        fresh = false
        out[#out+1] = tonumber(ARGV[i])
        out[#out+1] = seq
      end
    end
  end
  if fresh and redis.call('SETBIT', KEYS[3], ARGV[i], 1) == 0 then
    redis.call('XADD', KEYS[2], '*', 's', ARGV[i], 'u', ARGV[i+1], 'i', ARGV[i+2], 'k', ARGV[i+3],
      'd', ARGV[i+4], 'p', ARGV[i+5], 'q', ARGV[i+6])
    out[1] = out[1] + 1
  end
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[3], ttl)
  if redis.call('EXISTS', KEYS[4]) == 1 then redis.call('PEXPIRE', KEYS[4], ttl) end
end
return out
`)

// beginScript hands a job the URLs its coordinator's frontier pushed before the run: the
// next Seq (ARGV[1]) and key, seq pairs (ARGV[2...]). KEYS: job, seen, next. Returns 0, or
// -1 when the job is gone.
var beginScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 1 then ttl = 60000 end
redis.call('SET', KEYS[3], ARGV[1], 'PX', ttl)
for i = 2, #ARGV, 2 do
  redis.call('HSETNX', KEYS[2], ARGV[i], ARGV[i+1])
end
if #ARGV > 1 then redis.call('PEXPIRE', KEYS[2], ttl) end
return 0
`)

// admitScript admits a pushed URL key (ARGV[1]) unless the job's seen hash holds it: a new
// one takes the next Seq. KEYS: job, seen, next. Returns {1, seq} when admitted, {0, seq of
// the holder} when held, {-1, 0} when the job is gone.
var admitScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1, 0} end
local held = redis.call('HGET', KEYS[2], ARGV[1])
if held then return {0, tonumber(string.match(held, '^%d+'))} end
local seq = redis.call('INCR', KEYS[3]) - 1
redis.call('HSET', KEYS[2], ARGV[1], seq)
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then
  redis.call('PEXPIRE', KEYS[2], ttl)
  redis.call('PEXPIRE', KEYS[3], ttl)
end
return {1, seq}
`)

// settleScript stores the outcome ARGV[2] of the pushed URL key ARGV[1]. KEYS: job, seen.
// Returns 0, or -1 when the job is gone.
var settleScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 0
`)

// heartbeatScript renews the job's keys (KEYS, the job's hash first) for ARGV[1] ms, unless
// the last renewal was more than ARGV[2] ms (a lease) ago. Returns {1, the refusal a worker
// published in the job hash's field "refused" ("" for none)}, {-1} when the job's hash is
// gone, or {-2} when the last renewal was too long ago: the job's workers left it.
var heartbeatScript = redis.NewScript(`
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -2 then return {-1} end
if ttl >= 0 and ttl < tonumber(ARGV[1]) - tonumber(ARGV[2]) then return {-2} end
for i = 1, #KEYS do redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
return {1, redis.call('HGET', KEYS[1], 'refused') or ''}
`)

// refuseScript publishes a worker's refusal to run a job on (ARGV[1], JSON) in the job hash's
// field "refused", unless one is there; the coordinator stops the run with it. KEYS: job.
// Returns 1 when published, 0 when one was there or the job is gone.
var refuseScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
return redis.call('HSETNX', KEYS[1], 'refused', ARGV[1])
`)

// closeScript ends a job that still exists: its state becomes ARGV[1], its hash lives ARGV[2]
// ms more, and its other keys are deleted. KEYS: the job's keys, its hash first.
var closeScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
return 1
`)

// publishScript adds a batch of records to the results stream, then acknowledges and deletes
// the work entries they answer: a worker that dies before it has its records published leaves
// its entries pending, to be claimed again. KEYS: job, results, work. ARGV: worker, batch,
// entry ids... Returns 0, or -1 when the job is gone.
var publishScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
redis.call('XADD', KEYS[2], '*', 'w', ARGV[1], 'r', ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
if #ARGV > 2 then
  redis.call('XACK', KEYS[3], 'workers', unpack(ARGV, 3))
  redis.call('XDEL', KEYS[3], unpack(ARGV, 3))
end
return 0
`)

// acquireScript takes a semaphore slot for ARGV[2] when fewer than ARGV[1] unexpired slots
// are held, with a lease of ARGV[3] ms on Redis's clock. KEYS: job, sem. Returns 1 when
// taken, 0 when every slot is held, -1 when the job is gone.
var acquireScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1
`)

// renewScript extends the leases of the slots ARGV[2...] still held to ARGV[1] ms from now.
// KEYS: sem. Returns how many were renewed.
var renewScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = 0
for i = 2, #ARGV do
  n = n + redis.call('ZADD', KEYS[1], 'XX', 'CH', now + tonumber(ARGV[1]), ARGV[i])
end
return n
`)

// reserveScript reserves the next start of a GCRA (the generic cell rate algorithm) of one
// start per ARGV[1] µs with bursts of ARGV[2], on Redis's clock: the start may go at
// slot = max(now, tat − (burst−1)·interval), and the theoretical arrival time tat moves one
// interval on. Its intended time is its place in the schedule of the job's starts, as
// ratelimit.Pacer reckons it: origin (the first start's slot) + shift +
// max(0, index−burst+1)·interval, or the slot when that is earlier; a slot up to ARGV[3] µs
// past it moves the schedule (shift) with it. KEYS: job, rate (a hash: tat, origin, shift,
// µs), starts. Returns {slot, now, index, intended, tat after, shift before}, or {-1, 0, 0, 0,
// 0, 0} when the job is gone.
var reserveScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1, 0, 0, 0, 0, 0} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval, burst, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local st = redis.call('HMGET', KEYS[2], 'tat', 'origin', 'shift')
local tat = tonumber(st[1] or '0')
if tat < now then tat = now end
local slot = tat - (burst - 1) * interval
if slot < now then slot = now end
local index = redis.call('INCR', KEYS[3]) - 1
local origin = tonumber(st[2] or string.format('%.0f', slot))
local shift = tonumber(st[3] or '0')
local before = shift
local intended = origin + shift + math.max(0, index - burst + 1) * interval
local late = slot - intended
if late <= 0 then
  intended = slot
elseif late <= tolerance then
  shift = shift + late
  intended = slot
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 1 then ttl = 60000 end
local f = function(x) return string.format('%.0f', x) end
redis.call('HSET', KEYS[2], 'tat', f(tat + interval), 'origin', f(origin), 'shift', f(shift))
redis.call('PEXPIRE', KEYS[2], ttl)
redis.call('PEXPIRE', KEYS[3], ttl)
return {f(slot), f(now), index, f(intended), f(tat + interval), f(before)}
`)

// giveBackScript gives back the reservation of a start that was not taken, when it is still
// the latest one (tat is ARGV[1]): tat moves back by ARGV[2] µs, the shift back to ARGV[3],
// the starts back by one, and the first start's origin is forgotten when it was the first.
// A later reservation already counts on its slot: then it is lost, as a cancelled
// rate.Reservation's token is. KEYS: rate, starts. Returns 1 when given back, else 0.
var giveBackScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'tat') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', tonumber(ARGV[1]) - tonumber(ARGV[2])), 'shift', ARGV[3])
if redis.call('DECR', KEYS[2]) == 0 then redis.call('HDEL', KEYS[1], 'origin') end
return 1
`)

// handBackScript returns up to ARGV[2] of the work entries pending for the consumer ARGV[1]
// to the pool: each is added again at the stream's end, for any worker to read, and
// acknowledged and deleted where it was. KEYS: job, work. Returns {handed back, pending
// entries looked at}, or {-1, 0} when the job is gone.
var handBackScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1, 0} end
local n = 0
local pending = redis.call('XPENDING', KEYS[2], 'workers', '-', '+', tonumber(ARGV[2]), ARGV[1])
for _, p in ipairs(pending) do
  local e = redis.call('XRANGE', KEYS[2], p[1], p[1])
  if #e > 0 then
    redis.call('XADD', KEYS[2], '*', unpack(e[1][2]))
    n = n + 1
  end
  redis.call('XACK', KEYS[2], 'workers', p[1])
  redis.call('XDEL', KEYS[2], p[1])
end
return {n, #pending}
`)

// adaptInitScript opens a job's adaptive limit unless it is open: the rule ARGV[1] (JSON,
// opaque here), its limit as slots ARGV[2] and the window's size ARGV[3], version 0, a window
// open from now (µs), no hold. KEYS: job, adapt. Returns 1 when opened, 0 when it was open,
// -1 when the job is gone.
var adaptInitScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local t = redis.call('TIME')
local us = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('HSET', KEYS[2], 'rule', ARGV[1], 'slots', ARGV[2], 'target', ARGV[3], 'ver', 0,
  'start', string.format('%.0f', us), 'peak', 0, 'hold', 0)
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1
`)

// adaptAcquireScript takes a slot of the adaptive limit for ARGV[1], with a lease of ARGV[2]
// ms, when no Retry-After holds admissions and fewer unexpired slots than the limit are held;
// it keeps the window's peak. KEYS: job, sem, adapt. Returns {1 taken, 0 refused, -1 the job
// gone, -2 the limit not open; the limit in slots; µs until the hold ends (0: none); now in
// µs}.
var adaptAcquireScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1, 0, 0, 0} end
local t = redis.call('TIME')
local us = tonumber(t[1]) * 1000000 + tonumber(t[2])
local now = math.floor(us / 1000)
local st = redis.call('HMGET', KEYS[3], 'slots', 'hold', 'peak')
local slots = tonumber(st[1])
if not slots then return {-2, 0, 0, us} end
local hold = tonumber(st[2] or '0')
if us < hold then return {0, slots, hold - us, us} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local n = redis.call('ZCARD', KEYS[2])
if n >= slots then return {0, slots, 0, us} end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
if n + 1 > tonumber(st[3] or '0') then redis.call('HSET', KEYS[3], 'peak', n + 1) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return {1, slots, 0, us}
`)

// adaptReleaseScript gives back the slot ARGV[1] of the adaptive limit with the outcome of
// its request: ARGV[2] "s" served in ARGV[3] µs, admitted at ARGV[4] (µs, Redis's clock),
// "d" shed by the server, anything else ignored. A served request admitted since the window
// opened joins its latencies. KEYS: job, sem, adapt, lat. Returns {0} when the caller has
// nothing more to do; {1, version, now µs, rule, peak, latencies...} when the window is full
// (the caller closes it); {2, version, now µs, rule} for a drop (the caller applies it); {-1}
// when the job is gone.
var adaptReleaseScript = redis.NewScript(`
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local st = redis.call('HMGET', KEYS[3], 'rule', 'ver', 'start', 'target', 'peak')
if not st[1] then return {0} end
local t = redis.call('TIME')
local us = string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
if ARGV[2] == 'd' then return {2, st[2], us, st[1]} end
if ARGV[2] ~= 's' or tonumber(ARGV[4]) < tonumber(st[3]) then return {0} end
local n = redis.call('RPUSH', KEYS[4], ARGV[3])
if n == 1 then
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then redis.call('PEXPIRE', KEYS[4], ttl) end
end
if n < tonumber(st[4]) then return {0} end
local out = {1, st[2], us, st[1], st[5]}
for _, l in ipairs(redis.call('LRANGE', KEYS[4], 0, -1)) do out[#out+1] = l end
return out
`)

// adaptReadScript reads the adaptive limit's rule. KEYS: job, adapt. Returns {version, now
// µs, rule}, or {-1} when the job or the limit is gone.
var adaptReadScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local st = redis.call('HMGET', KEYS[2], 'rule', 'ver')
if not st[1] then return {-1} end
local t = redis.call('TIME')
return {st[2], string.format('%.0f', tonumber(t[1]) * 1000000 + tonumber(t[2])), st[1]}
`)

// adaptSetScript stores a new rule of the adaptive limit when its version is still ARGV[1]
// (compare and set): the rule ARGV[2], its limit as slots ARGV[3], the window's size ARGV[4];
// a new window opens at ARGV[5] (µs, when the rule was applied) with the slots held now as
// its peak and no latency; a hold until ARGV[6] µs (0: none) extends the hold. KEYS: job,
// sem, adapt, lat. Returns 1 when stored, 0 when another process stored one first, -1 when
// the job is gone.
var adaptSetScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HGET', KEYS[3], 'ver') ~= ARGV[1] then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('HSET', KEYS[3], 'rule', ARGV[2], 'slots', ARGV[3], 'target', ARGV[4],
  'ver', tonumber(ARGV[1]) + 1, 'start', ARGV[5], 'peak', redis.call('ZCARD', KEYS[2]))
if tonumber(ARGV[6]) > tonumber(redis.call('HGET', KEYS[3], 'hold') or '0') then
  redis.call('HSET', KEYS[3], 'hold', ARGV[6])
end
redis.call('DEL', KEYS[4])
return 1
`)
