package client

// The Redis home of the resilience layers' state, shared by every replica
// that names the same Redis: answers (the cache), flights of identical
// requests (one replica leads, the others wait for its answer) and rate-limit
// windows (pacing). These are adapters of answerStore and windowStore; the
// rules stay those of cache.go and pace.go, the window's as two small Lua
// scripts that mirror bucket.take and bucket.release. This process's memory
// stays in front: whenever Redis is down, slow or fails, the local layers
// answer alone, and Redis is used again once it answers.

import (
	"context"
	"crypto/sha256"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// Defaults of RedisOptions.
const (
	DefaultRedisTimeout       = 250 * time.Millisecond
	DefaultRedisMaxEntryBytes = 1 << 20
)

const (
	// redisPrefix namespaces every key. Keys carry hashes, never a token or a URL.
	redisPrefix = "ld-usage-mcp:v2:"
	// flightLease is how long a flight's lock outlives its leader's last
	// sign of life; the leader renews it every third of it.
	flightLease = 3 * time.Second
	// flightResultTTL is how long a flight's answer waits for its followers.
	flightResultTTL = 10 * time.Second
	// flightPollMin and flightPollMax bound the followers' polling interval.
	flightPollMin = 2 * time.Millisecond
	flightPollMax = 50 * time.Millisecond
	// redisRetryEvery is how often a Redis that is down is tried again.
	redisRetryEvery = time.Second
	// windowKeyTTL is how long a token's window outlives its last use.
	windowKeyTTL = time.Hour
	// maxLostAhead bounds how far ahead a request in flight may be given up
	// for lost: one further ahead in a window (not written by a replica:
	// calls are bounded well below it) is dropped.
	maxLostAhead = 10 * time.Minute
)

// RedisOptions configure NewRedisStore.
type RedisOptions struct {
	// URL is redis://[user[:password]@]host[:port][/db] or rediss://… (TLS).
	URL string
	// Password is used when the URL carries none (e.g. from the environment).
	Password string
	// Timeout bounds one Redis operation (default DefaultRedisTimeout): past
	// it, this process's layers answer alone.
	Timeout time.Duration
	// MaxEntryBytes bounds an answer kept in Redis (default DefaultRedisMaxEntryBytes).
	MaxEntryBytes int
	// Secret is the deployment's secret, the same on every replica (random,
	// MinSecretBytes or more): it authenticates every value written to Redis
	// and keys the hashes in key names. Required.
	Secret []byte
	// OnEvent, when set, is told when Redis goes down or comes back
	// (EventSharedDown, EventSharedUp), of every fallback (EventSharedFallback)
	// and of every value that failed its check (EventSharedRejected).
	OnEvent func(Event)
}

// RedisStore is the state of the resilience layers kept in Redis, for
// ResilienceOptions.Shared. It is safe for concurrent use.
type RedisStore struct {
	rdb  *redis.Client
	o    RedisOptions
	addr string
	seal sealer

	down    atomic.Bool
	everUp  atomic.Bool
	closing chan struct{} // closed by Close: the prober stops
	once    sync.Once
	prober  sync.WaitGroup
}

// quietRedis keeps go-redis's own log lines (one per failed dial) off
// stderr: the store reports an outage once, through OnEvent.
type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

var quietOnce sync.Once

// ParseRedisURL reads a redis:// or rediss:// URL. Its errors never repeat
// the URL, which may hold a password.
func ParseRedisURL(raw, password string) (*redis.Options, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, errors.New("the Redis URL is not like redis://host:6379/0 or rediss://:password@host:6380")
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return nil, errors.New("the Redis URL's scheme must be redis or rediss")
	}
	o, err := redis.ParseURL(raw)
	if err != nil {
		return nil, errors.New("a bad Redis URL: give redis://[user[:password]@]host[:port][/db]")
	}
	if o.Password == "" {
		o.Password = password
	}
	return o, nil
}

// NewRedisStore prepares a store in the Redis at o.URL. It connects lazily:
// a Redis that is not there yet makes no error here (see Ping).
func NewRedisStore(o RedisOptions) (*RedisStore, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultRedisTimeout
	}
	if o.MaxEntryBytes <= 0 {
		o.MaxEntryBytes = DefaultRedisMaxEntryBytes
	}
	seal, err := newSealer(o.Secret)
	if err != nil {
		return nil, err
	}
	ro, err := ParseRedisURL(o.URL, o.Password)
	if err != nil {
		return nil, err
	}
	o.URL, o.Password, o.Secret = "", "", nil // kept in ro and seal only
	quietOnce.Do(func() { redis.SetLogger(quietRedis{}) })
	ro.DialTimeout, ro.ReadTimeout, ro.WriteTimeout, ro.PoolTimeout = o.Timeout, o.Timeout, o.Timeout, o.Timeout
	ro.ContextTimeoutEnabled = true
	ro.MaxRetries = -1   // a failure falls back at once; Redis is tried again later
	ro.DialerRetries = 1 // one dial per attempt
	ro.PoolSize = 64
	ro.DisableIdentity = true
	ro.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return &RedisStore{rdb: redis.NewClient(ro), o: o, addr: ro.Addr, seal: seal, closing: make(chan struct{})}, nil
}

// Addr is the address of the Redis (host:port), without credentials.
func (s *RedisStore) Addr() string { return s.addr }

// Ping checks that Redis answers, and marks it up or down accordingly.
func (s *RedisStore) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, s.o.Timeout)
	defer cancel()
	err := s.rdb.Ping(ctx).Err()
	if err != nil {
		s.failed(context.Background(), err)
		return err
	}
	s.recovered()
	return nil
}

// Close stops the prober and closes the connections; the layers then answer alone.
func (s *RedisStore) Close() error {
	s.once.Do(func() { close(s.closing) })
	s.down.Store(true)
	s.prober.Wait()
	return s.rdb.Close()
}

func (s *RedisStore) closed() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}

func (s *RedisStore) emit(e Event) {
	if s.o.OnEvent != nil {
		s.o.OnEvent(e)
	}
}

// rejected counts a value read from Redis that failed its check (never its content).
func (s *RedisStore) rejected(what string) {
	s.emit(Event{Kind: EventSharedRejected, Path: what, Remaining: -1})
}

// usable reports whether to use Redis now; while it is down, it counts a fallback.
func (s *RedisStore) usable() bool {
	if !s.down.Load() {
		return true
	}
	s.emit(Event{Kind: EventSharedFallback, Remaining: -1})
	return false
}

// failed notes that an operation failed: unless the caller's own context
// ended (not Redis's doing), Redis is down until the prober finds it back.
// It reports whether the operation is to be done locally.
func (s *RedisStore) failed(ctx context.Context, err error) bool {
	if callerEnded(ctx) {
		return false
	}
	if s.closed() {
		return true
	}
	if s.down.CompareAndSwap(false, true) {
		s.emit(Event{Kind: EventSharedDown, Err: err, Remaining: -1})
		s.prober.Go(s.probe)
	}
	s.emit(Event{Kind: EventSharedFallback, Err: err, Remaining: -1})
	return true
}

// callerEnded reports whether ctx has ended or reached its deadline: an
// operation bounded by it that failed then failed for the caller, not for
// Redis (the operation's own timer may fire a moment before ctx's).
func callerEnded(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) <= time.Millisecond
}

// probe pings Redis every redisRetryEvery until it answers or the store is closed.
func (s *RedisStore) probe() {
	t := time.NewTicker(redisRetryEvery)
	defer t.Stop()
	for {
		select {
		case <-s.closing:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), s.o.Timeout)
		err := s.rdb.Ping(ctx).Err()
		cancel()
		if err == nil && !s.closed() {
			s.recovered()
			return
		}
	}
}

func (s *RedisStore) recovered() {
	if s.down.CompareAndSwap(true, false) || s.everUp.CompareAndSwap(false, true) {
		s.everUp.Store(true)
		s.emit(Event{Kind: EventSharedUp, Remaining: -1})
	}
}

// op bounds one Redis operation by the timeout and the caller's context.
func (s *RedisStore) op(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.o.Timeout)
}

// detached is a context for work that must be done even when the caller's
// context has ended (ending a flight, learning from an answer).
func (s *RedisStore) detached() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.o.Timeout)
}

func flightID() string { return strconv.FormatUint(rand.Uint64(), 36) }

// Keys. The hash tag ({…}) keeps the keys of one script in one cluster
// slot. They carry keyed hashes (see sealer.name) of the token and of the
// answer's key, never the token, a bare hash of it, or a URL.

func (s *RedisStore) answerTag(k answerKey) string {
	return redisPrefix + "{" + s.seal.name("token", k.tok[:]) + "." + s.seal.name("answer", []byte(k.sum)) + "}"
}

func (s *RedisStore) windowTag(tok [sha256.Size]byte) string {
	return redisPrefix + "{" + s.seal.name("token", tok[:]) + "}"
}

// answers returns the answerStore of this store, with mem in front.
func (s *RedisStore) answers(mem *memAnswers) answerStore { return &redisAnswers{s: s, mem: mem} }

// windows returns the windowStore of this store, with mem for the fallback.
func (s *RedisStore) windows(mem *memWindows) windowStore { return &redisWindows{s: s, mem: mem} }

type redisAnswers struct {
	s   *RedisStore
	mem *memAnswers
}

func (a *redisAnswers) get(ctx context.Context, k answerKey) *cacheEntry {
	if e := a.mem.lookup(k.sum); e != nil {
		return e
	}
	if !a.s.usable() {
		return nil
	}
	octx, cancel := a.s.op(ctx)
	defer cancel()
	key := a.s.answerTag(k) + ":answer"
	b, err := a.s.rdb.Get(octx, key).Bytes()
	if err != nil {
		if !errors.Is(err, redis.Nil) {
			a.s.failed(ctx, err)
		}
		return nil
	}
	return a.fromRedis(k, key, b)
}

// fromRedis checks and decodes an answer kept in Redis under key and keeps
// it in memory too. One that fails the check, or is not what this server
// keeps (see believe), is a miss.
func (a *redisAnswers) fromRedis(k answerKey, key string, b []byte) *cacheEntry {
	e := a.open(k, key, b)
	if e == nil || e.statusCode != http.StatusOK || e.expires.IsZero() {
		return nil
	}
	a.mem.put(k.sum, e)
	return e
}

// open checks and decodes a value written under key: nil (counted as
// rejected) unless a holder of the secret wrote it there and it is an
// answer this server would keep.
func (a *redisAnswers) open(k answerKey, key string, b []byte) *cacheEntry {
	v, ok := a.s.seal.open(key, b)
	if !ok {
		a.s.rejected("answer")
		return nil
	}
	e, err := decodeEntry(v)
	if err != nil {
		a.s.rejected("answer")
		return nil
	}
	if redirect(e.statusCode) {
		a.s.rejected("answer")
		return nil
	}
	return believe(e, a.mem.o.Now(), k.ttl)
}

// redisLead: a kept answer (0, answer), leadership (1), or the lock value of
// the flight led elsewhere (2, value). KEYS: lock, answer; ARGV: lock value, lease (ms).
var redisLead = redis.NewScript(`
local a = redis.call('GET', KEYS[2])
if a then return {0, a} end
local cur = redis.call('GET', KEYS[1])
if cur then return {2, cur} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return {1}
`)

// redisFinish keeps the answer (for its TTL, when > 0), hands it to the
// flight's followers (result), and ends the flight if it is still this
// leader's. KEYS: lock, answer, result; ARGV: lock value, answer value,
// answer TTL, result TTL (ms), result value (each value sealed for its key).
var redisFinish = redis.NewScript(`
if ARGV[2] ~= '' then
  if tonumber(ARGV[3]) > 0 then redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3]) end
  if tonumber(ARGV[4]) > 0 then redis.call('SET', KEYS[3], ARGV[5], 'PX', ARGV[4]) end
end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1
`)

// redisRenew extends the flight's lock while it is this leader's. KEYS: lock; ARGV: id, lease (ms).
var redisRenew = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`)

func (a *redisAnswers) lead(ctx context.Context, k answerKey) flight {
	if !a.s.usable() {
		return a.mem.lead(ctx, k)
	}
	tag, id := a.s.answerTag(k), flightID()
	lv := a.s.seal.lockValue(tag+":lock", id)
	octx, cancel := a.s.op(ctx)
	res, err := redisLead.Run(octx, a.s.rdb, []string{tag + ":lock", tag + ":answer"}, lv, flightLease.Milliseconds()).Slice()
	cancel()
	if err != nil || len(res) == 0 {
		if err == nil {
			err = errors.New("redis: unexpected answer to the flight script")
		}
		a.s.failed(ctx, err)
		return a.mem.lead(ctx, k)
	}
	switch res[0] {
	case int64(0):
		if s, ok := res[1].(string); ok {
			if e := a.fromRedis(k, tag+":answer", []byte(s)); e != nil {
				return flight{hit: e}
			}
		}
	case int64(2):
		if leader, ok := res[1].(string); ok && a.s.seal.checkLock(tag+":lock", leader) {
			return flight{wait: func(ctx context.Context) (*cacheEntry, error) { return a.follow(ctx, k, tag, leader) }}
		}
		a.s.rejected("lock") // a lock no replica wrote: lead here, alone
		return a.mem.lead(ctx, k)
	}
	if res[0] != int64(1) {
		return a.mem.lead(ctx, k) // a kept answer that would not decode: fetch it anew
	}
	stop := make(chan struct{})
	var renewing sync.WaitGroup
	renewing.Go(func() { a.renew(tag, lv, stop) })
	return flight{leader: true, finish: func(e *cacheEntry) {
		close(stop)
		renewing.Wait()
		a.mem.keep(k, e)
		a.finish(tag, lv, e)
	}}
}

// renew keeps the flight's lock (value lv) while the leader works.
func (a *redisAnswers) renew(tag, lv string, stop <-chan struct{}) {
	t := time.NewTicker(flightLease / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			ctx, cancel := a.s.detached()
			_ = redisRenew.Run(ctx, a.s.rdb, []string{tag + ":lock"}, lv, flightLease.Milliseconds()).Err()
			cancel()
		}
	}
}

// finish keeps e in Redis when it is to be kept, hands it to the followers
// (errors too: they are shared within the flight, never beyond it) and ends
// the flight. Only 200 answers are kept; a redirect is not even handed over;
// each value is sealed for the key it is written under.
func (a *redisAnswers) finish(tag, lv string, e *cacheEntry) {
	var value, result []byte
	var keepMs, resultMs int64
	resultKey := tag + ":result:" + lv
	if e != nil && !e.tooLarge && !redirect(e.statusCode) {
		if b := encodeEntry(e); len(b) <= a.s.o.MaxEntryBytes {
			result, resultMs = a.s.seal.seal(resultKey, b), flightResultTTL.Milliseconds()
			value = []byte{0} // not empty: the script hands result over
			if !e.expires.IsZero() && e.statusCode == http.StatusOK {
				keepMs = max(time.Until(e.expires).Milliseconds(), 0)
				value = a.s.seal.seal(tag+":answer", b)
			}
		}
	}
	ctx, cancel := a.s.detached()
	defer cancel()
	if err := redisFinish.Run(ctx, a.s.rdb, []string{tag + ":lock", tag + ":answer", resultKey},
		lv, value, keepMs, resultMs, result).Err(); err != nil {
		a.s.failed(ctx, err)
	}
}

// follow waits for the answer of the flight led elsewhere (its lock's value
// is leader): nil when its leader went without one (its lock gone or taken
// by another flight), its answer fails the check, or Redis failed; an
// error only when ctx ends.
func (a *redisAnswers) follow(ctx context.Context, k answerKey, tag, leader string) (*cacheEntry, error) {
	resultKey := tag + ":result:" + leader
	delay := flightPollMin
	for {
		octx, cancel := a.s.op(ctx)
		var result *redis.StringCmd
		var lock *redis.StringCmd
		_, err := a.s.rdb.Pipelined(octx, func(p redis.Pipeliner) error {
			result = p.Get(octx, resultKey)
			lock = p.Get(octx, tag+":lock")
			return nil
		})
		cancel()
		if err != nil && !errors.Is(err, redis.Nil) {
			if callerEnded(ctx) {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				return nil, context.DeadlineExceeded
			}
			a.s.failed(ctx, err)
			return nil, nil
		}
		if b, err := result.Bytes(); err == nil {
			return a.open(k, resultKey, b), nil
		}
		if cur, err := lock.Result(); err != nil || cur != leader {
			return nil, nil // the leader went without an answer
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
		delay = min(2*delay, flightPollMax)
	}
}
