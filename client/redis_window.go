package client

// The rate-limit windows of the tokens in Redis, shared by the replicas:
// the rules of bucket (pace.go) as two Lua scripts, over every replica's
// requests and answers.

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
)

// The rate-limit window of a token in Redis: a hash (limited, open, rem,
// reset, limit: bucket's fields) and a sorted set of the requests in flight,
// scored by when they are given up for lost (a replica that died mid-request
// holds no slot for ever). redisPaceTake is bucket.take and redisPaceLearn
// bucket.release, over every replica's requests and answers.
//
// The arithmetic runs in Redis (atomic across replicas), where no MAC can be
// checked without handing Redis the secret. So the one value that makes a
// call wait a given time, the reset, comes with a MAC made by the replica
// that learnt it from LaunchDarkly (field rsig, over the key and the reset):
// a take told to wait checks it, and a reset without a valid one is a forged
// window, dropped (and counted). The rest is bounded (windowState): a reset
// further ahead than LaunchDarkly's window (MaxResetAhead) is dropped, counts
// are kept within 0..maxLimit and remaining within the window's size, and
// requests in flight that would be lost later than maxLostAhead are dropped.
// A window someone else wrote can hold a call at most until its probe is
// answered (probePatience), never for a reset LaunchDarkly did not give.
const windowState = `
local function num(v, lo, hi)
  local n = tonumber(v)
  if n == nil or n ~= n or n < lo or n > hi then return 0 end
  return math.floor(n)
end
local function state(now, ahead, maxlim)
  local s = redis.call('HMGET', KEYS[1], 'limited', 'open', 'rem', 'reset', 'limit', 'rsig', 'early')
  local limit = num(s[5], 0, maxlim)
  local reset = num(s[4], 0, now + ahead)
  local rem = num(s[3], -maxlim, limit)
  local rsig = s[6]
  if type(rsig) ~= 'string' then rsig = '' end
  local early = num(s[7], 0, limit)
  return s[1] == '1', s[2] == '1', rem, reset, limit, rsig, early
end
local function inflight(now, lostAhead)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '(' .. (now + lostAhead), '+inf')
  return redis.call('ZCARD', KEYS[2])
end
`

// KEYS: window, in flight. ARGV: now (ms), force (0/1), request id, lost at
// (ms), slack (ms), key TTL (ms), reset ahead bound (ms), count bound, lost
// ahead bound (ms). Returns {ok (0/1), wait (ms), remaining seen, reset (ms),
// the reset's MAC}.
var redisPaceTake = redis.NewScript(windowState + `
local now = tonumber(ARGV[1])
local inflight = inflight(now, tonumber(ARGV[9]))
local limited, open, rem, reset, limit, rsig, early = state(now, tonumber(ARGV[7]), tonumber(ARGV[8]))
local slack = tonumber(ARGV[5])
local ok = ARGV[2] == '1' or open
local wait = 0
if not ok then
  if not limited then
    ok = inflight == 0
  else
    -- The window is taken as renewed: what was sent after the announced
    -- reset already counts in it.
    if reset ~= 0 and now >= reset + slack then rem, reset, early = limit - early, 0, 0 end
    if rem > 0 then ok = true
    elseif reset == 0 then ok = inflight == 0
    else wait = reset + slack - now end
  end
end
local seen = rem
if ok then
  if limited then
    rem = rem - 1
    if reset ~= 0 and now >= reset then early = early + 1 end
  end
  redis.call('ZADD', KEYS[2], ARGV[4], ARGV[3])
end
redis.call('HSET', KEYS[1], 'rem', rem, 'reset', reset, 'early', early)
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('PEXPIRE', KEYS[2], ARGV[6])
if ok then return {1, 0, seen, 0, ''} end
return {0, wait, seen, reset, rsig}
`)

// KEYS: window, in flight. ARGV: now (ms), request id, answered (0/1),
// remaining (-1: not said), reset (ms, 0: not said), status, tolerance (ms),
// key TTL (ms), reset ahead bound (ms), count bound, lost ahead bound (ms),
// window size (-1: not said), the reset's MAC.
var redisPaceLearn = redis.NewScript(windowState + `
local now = tonumber(ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[2])
local inflight = inflight(now, tonumber(ARGV[11]))
if ARGV[3] ~= '1' then return 0 end
local limited, _, rem, reset, limit, rsig, early = state(now, tonumber(ARGV[9]), tonumber(ARGV[10]))
local r, rs, status, said = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[12])
redis.call('PEXPIRE', KEYS[1], ARGV[8])
if r < 0 and rs == 0 then
  if status < 500 and (not limited or reset == 0 or now >= reset) then
    redis.call('HSET', KEYS[1], 'open', 1, 'limited', 0)
  end
  return 0
end
if said > 0 then limit = said elseif r >= 0 then limit = math.max(limit, r + 1) end
if rs ~= 0 and rs <= now then
  redis.call('HSET', KEYS[1], 'open', 0, 'limit', limit)
  return 0
end
if not limited or reset == 0 or rs > reset + tonumber(ARGV[7]) then
  if r >= 0 then rem = r - inflight elseif not limited then rem = 0 end
  -- the answer's remaining counts what came early
  if rs ~= 0 then reset, rsig, early = rs, ARGV[13], 0 end
elseif r >= 0 then
  rem = math.min(rem, r - inflight)
end
redis.call('HSET', KEYS[1], 'open', 0, 'limit', limit, 'rem', rem, 'reset', reset, 'rsig', rsig, 'limited', 1, 'early', early)
return 0
`)

type redisWindows struct {
	s   *RedisStore
	mem *memWindows
}

func (w *redisWindows) window(tok [sha256.Size]byte) window {
	return &redisWindow{w: w, tok: tok}
}

type redisWindow struct {
	w   *redisWindows
	tok [sha256.Size]byte
}

func (rw *redisWindow) take(ctx context.Context, force bool) (grant, error) {
	s := rw.w.s
	if !s.usable() {
		return rw.w.mem.window(rw.tok).take(ctx, force)
	}
	tag, id, now := s.windowTag(rw.tok), flightID(), time.Now()
	lost := now.Add(DefaultTimeout)
	if dl, ok := ctx.Deadline(); ok {
		lost = dl.Add(paceSlack)
	}
	keys := []string{tag + ":window", tag + ":inflight"}
	res, err := rw.run(ctx, keys, now, force, id, lost)
	if err == nil && res.ok == 0 && res.wait > 0 && !s.seal.checkReset(keys[0], res.reset, res.rsig) {
		// A reset no replica learnt from LaunchDarkly: the window is
		// forged. Dropped; the request goes (and its answer tells the truth).
		s.rejected("window")
		dctx, cancel := s.op(ctx)
		_ = s.rdb.Del(dctx, keys[0]).Err()
		cancel()
		res, err = rw.run(ctx, keys, now, true, id, lost)
	}
	if err != nil {
		if s.failed(ctx, err) {
			return rw.w.mem.window(rw.tok).take(ctx, force)
		}
		return grant{remaining: -1}, err
	}
	// Bounded here too: a wait longer than a window is not one LaunchDarkly asked for.
	wait := min(time.Duration(res.wait)*time.Millisecond, MaxResetAhead+paceSlack)
	g := grant{ok: res.ok == 1, wait: wait, remaining: int(res.seen)}
	if g.ok {
		g.release = func(resp *http.Response) {
			now := time.Now()
			ob := observe(resp, now)
			var reset int64
			var rsig string
			if !ob.reset.IsZero() {
				reset = ob.reset.UnixMilli()
				rsig = s.seal.resetMAC(keys[0], reset)
			}
			ctx, cancel := s.detached()
			defer cancel()
			if err := redisPaceLearn.Run(ctx, s.rdb, keys, now.UnixMilli(), id, boolArg(ob.answered), ob.remaining, reset,
				ob.status, resetTolerance.Milliseconds(), windowKeyTTL.Milliseconds(),
				MaxResetAhead.Milliseconds(), maxLimit, maxLostAhead.Milliseconds(), ob.limit, rsig).Err(); err != nil {
				s.failed(ctx, err)
			}
		}
	}
	return g, nil
}

// takeResult is what redisPaceTake answers.
type takeResult struct {
	ok, wait, seen, reset int64
	rsig                  string
}

// run runs redisPaceTake once.
func (rw *redisWindow) run(ctx context.Context, keys []string, now time.Time, force bool, id string, lost time.Time) (takeResult, error) {
	s := rw.w.s
	octx, cancel := s.op(ctx)
	defer cancel()
	v, err := redisPaceTake.Run(octx, s.rdb, keys, now.UnixMilli(), boolArg(force), id, lost.UnixMilli(),
		paceSlack.Milliseconds(), windowKeyTTL.Milliseconds(),
		MaxResetAhead.Milliseconds(), maxLimit, maxLostAhead.Milliseconds()).Slice()
	if err != nil {
		return takeResult{}, err
	}
	var r takeResult
	ok := len(v) == 5
	for i, p := range []*int64{&r.ok, &r.wait, &r.seen, &r.reset} {
		if !ok {
			break
		}
		*p, ok = v[i].(int64)
	}
	if ok {
		r.rsig, ok = v[4].(string)
	}
	if !ok {
		return takeResult{}, errors.New("redis: unexpected answer to the window script")
	}
	return r, nil
}

func boolArg(b bool) int {
	if b {
		return 1
	}
	return 0
}
