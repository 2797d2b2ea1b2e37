package client

import (
	"crypto/sha256"
	"net/http"
	"net/url"
	"time"
)

// ResilienceOptions configure NewTransport. The zero value is usable: every
// zero field takes the default named in its comment.
type ResilienceOptions struct {
	// MaxAttempts bounds the attempts of one GET, first included (default 6).
	MaxAttempts int
	// BaseBackoff and MaxBackoff shape the capped exponential backoff with
	// jitter used when LaunchDarkly does not say how long to wait
	// (defaults 200ms and 5s).
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// AttemptTimeout bounds one attempt, reading the body included
	// (default DefaultTimeout); the request's context deadline bounds it too.
	AttemptTimeout time.Duration

	// CacheTTL says how long a 200 answer to a URL stays fresh; zero or less
	// means "do not cache". Nil means DefaultCacheTTL.
	CacheTTL func(u *url.URL) time.Duration
	// CacheSize bounds the number of cached answers (default 256).
	CacheSize int
	// CacheBytes bounds the total size of cached bodies (default 64 MiB).
	CacheBytes int64
	// MaxBody bounds a body the cache holds or shares (default DefaultMaxBody).
	// Keep it at least the client's WithMaxBody: a longer body is not cached and
	// reading past MaxBody fails with ErrTooLarge.
	MaxBody int64
	// NoCache turns the cache off, and with it the collapsing of identical
	// concurrent requests: every call goes upstream.
	NoCache bool
	// Shared, when set, keeps the answers, the flights of identical requests
	// and the rate-limit windows in Redis, shared by every replica that
	// names the same Redis; this process's memory stays in front of it and
	// answers alone whenever Redis fails. Nil: this process only.
	Shared *RedisStore

	// Now is the clock of the cache (expiry and the TTL policy); default time.Now.
	// Waits for retries and pacing always use the real clock, since they
	// compare LaunchDarkly's reset times with real timers.
	Now func() time.Time
	// OnEvent, when set, is called synchronously for every event (see Event).
	// It must be quick and safe for concurrent use. Events never hold the token.
	OnEvent func(Event)
}

// Defaults of ResilienceOptions.
const (
	DefaultMaxAttempts = 6
	DefaultBaseBackoff = 200 * time.Millisecond
	DefaultMaxBackoff  = 5 * time.Second
	DefaultCacheSize   = 256
	DefaultCacheBytes  = 64 << 20
)

func (o ResilienceOptions) withDefaults() ResilienceOptions {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = DefaultBaseBackoff
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = DefaultMaxBackoff
	}
	o.MaxBackoff = max(o.MaxBackoff, o.BaseBackoff)
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = DefaultTimeout
	}
	if o.CacheSize <= 0 {
		o.CacheSize = DefaultCacheSize
	}
	if o.CacheBytes <= 0 {
		o.CacheBytes = DefaultCacheBytes
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

func (o *ResilienceOptions) emit(e Event) {
	if o.OnEvent != nil {
		o.OnEvent(e)
	}
}

// NewTransport stacks the resilience middlewares over base (nil means
// http.DefaultTransport), outermost first:
//
//   - cache: identical GETs (same token, same URL) within a TTL are answered
//     from memory, and identical concurrent GETs share one upstream call;
//   - retry: 429, 502, 503, 504 and connection failures of a GET are retried,
//     waiting as LaunchDarkly says (Retry-After, X-Ratelimit-Reset) or with
//     capped exponential backoff, never past the request's context deadline;
//   - pacing: each upstream attempt waits for the rate-limit window to reset
//     when the last answers for the same token left no requests in it.
//
// Use it as the Transport of an http.Client without a Timeout: the request's
// context deadline is the budget of a call, and AttemptTimeout bounds each attempt.
//
//	hc := &http.Client{Transport: client.NewTransport(nil, client.ResilienceOptions{})}
//	c := client.New(client.Commercial, key, client.WithHTTPClient(hc))
func NewTransport(base http.RoundTripper, o ResilienceOptions) http.RoundTripper {
	o = o.withDefaults()
	if base == nil {
		base = http.DefaultTransport
	}
	mem, memW := newMemAnswers(o), newMemWindows()
	var answers answerStore = mem
	var windows windowStore = memW
	if o.Shared != nil {
		answers, windows = o.Shared.answers(mem), o.Shared.windows(memW)
	}
	var rt http.RoundTripper = &pacer{next: base, o: o, windows: windows}
	rt = &retrier{next: rt, o: o}
	if !o.NoCache {
		rt = newCacheWith(rt, o, mem, answers)
	}
	return rt
}

// EventKind says what an Event reports.
type EventKind int

const (
	// EventUpstream: one attempt went to LaunchDarkly. Status (0 when there was
	// no answer, then Err says why), Remaining and Reset are set.
	EventUpstream EventKind = iota + 1
	// EventRetry: the attempt will be made again after Wait (Status or Err say why).
	EventRetry
	// EventGiveUp: no further attempt, because the next Wait would pass the
	// request's deadline or the attempts ran out; the last answer (Status) is returned.
	EventGiveUp
	// EventPace: a request was held for Wait so as not to exceed the rate limit.
	EventPace
	// EventCacheHit: the answer came from the cache.
	EventCacheHit
	// EventCacheMiss: the answer was not in the cache; the request goes
	// upstream or joins an identical request already in flight.
	EventCacheMiss
	// EventSharedDown: Redis (ResilienceOptions.Shared) failed (Err says
	// how); until it is back, this process's layers answer alone. Once per outage.
	EventSharedDown
	// EventSharedUp: Redis answers again (or for the first time); sharing resumes.
	EventSharedUp
	// EventSharedFallback: one operation was done by this process's layers
	// alone because Redis was down or failed.
	EventSharedFallback
	// EventSharedRejected: a value read from Redis failed its check (no
	// replica holding the deployment's secret wrote it there, or it is not
	// what replicas keep) and was taken as a miss. Path says what it was
	// ("answer", "lock", "window"), never its content.
	EventSharedRejected
)

func (k EventKind) String() string {
	switch k {
	case EventUpstream:
		return "upstream"
	case EventRetry:
		return "retry"
	case EventGiveUp:
		return "give_up"
	case EventPace:
		return "pace"
	case EventCacheHit:
		return "cache_hit"
	case EventCacheMiss:
		return "cache_miss"
	case EventSharedDown:
		return "redis_down"
	case EventSharedUp:
		return "redis_up"
	case EventSharedFallback:
		return "redis_fallback"
	case EventSharedRejected:
		return "redis_rejected"
	}
	return "unknown"
}

// Event is one thing the resilience layers did, for metrics and logs. It
// never holds the token, the query string or a body.
type Event struct {
	Kind      EventKind
	Path      string        // URL path, without the query
	Attempt   int           // 1 for the first attempt (Upstream, Retry, GiveUp)
	Status    int           // HTTP status of the attempt, 0 when there was none
	Err       error         // why an attempt failed without an answer
	Wait      time.Duration // the wait before the next attempt (Retry, GiveUp) or spent pacing (Pace)
	Remaining int           // requests left in the rate-limit window, -1 when unknown
	Reset     time.Time     // when the rate-limit window resets, zero when unknown
}

// tokenHash hashes the Authorization header (the token is never kept as such).
func tokenHash(req *http.Request) [sha256.Size]byte {
	return sha256.Sum256([]byte(req.Header.Get("Authorization")))
}
