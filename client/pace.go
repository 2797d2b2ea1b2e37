package client

import (
	"context"
	"crypto/sha256"
	"errors"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

const (
	// paceSlack is how long after an announced reset the window is taken as
	// renewed (the header is in whole milliseconds; answers are in flight).
	paceSlack = 50 * time.Millisecond
	// probePatience bounds how long requests wait for the first answer of a
	// token whose limits are not known yet before they go anyway.
	probePatience = time.Second
	// resetTolerance: resets closer than this are the same window.
	resetTolerance = 5 * time.Millisecond
	// maxPaceTokens bounds the number of tokens whose limits are remembered.
	maxPaceTokens = 1024
	// pacePoll and pacePollMax bound how often a window kept elsewhere
	// (Redis), which cannot signal a change, is looked at again while a
	// request waits for an answer: the interval doubles, with jitter, so
	// that many waiting requests do not load Redis.
	pacePoll    = 10 * time.Millisecond
	pacePollMax = 80 * time.Millisecond
)

// pacer holds requests back when the last answers for the same token left no
// room in the rate-limit window, so that LaunchDarkly need not answer 429.
// It is the innermost layer: every upstream attempt passes through it.
type pacer struct {
	next    http.RoundTripper
	o       ResilienceOptions
	windows windowStore
}

// windowStore keeps the rate-limit window of each token: in this process
// (memWindows), or in Redis, shared by the replicas.
type windowStore interface {
	window(tok [sha256.Size]byte) window
}

// window is what is known of one token's rate-limit window.
type window interface {
	// take looks at the window once. When there is room, or force is set, it
	// counts the request as sent and returns a grant that is ok, whose
	// release must be called with the answer. Otherwise the grant says how
	// long until the window resets (wait > 0), or that the request waits
	// for the next answer (wait == 0): changed is closed when one comes
	// (nil: the window cannot tell; look again shortly).
	take(ctx context.Context, force bool) (grant, error)
}

// grant is the outcome of window.take.
type grant struct {
	ok        bool
	wait      time.Duration
	remaining int // requests left as the window saw them
	changed   <-chan struct{}
	release   func(resp *http.Response) // set when ok; resp may be nil
}

func newPacer(next http.RoundTripper, o ResilienceOptions) *pacer {
	return &pacer{next: next, o: o, windows: newMemWindows()}
}

// RoundTrip waits for room in the token's window (never past the request's
// deadline: then it sends anyway and lets LaunchDarkly answer), sends req and
// learns from the answer's rate-limit headers.
func (p *pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	w := p.windows.window(tokenHash(req))
	waited, g, err := acquire(req.Context(), w)
	if waited > 0 {
		p.o.emit(Event{Kind: EventPace, Path: req.URL.Path, Wait: waited, Remaining: g.remaining})
	}
	if err != nil {
		return nil, err
	}
	resp, err := p.next.RoundTrip(req)
	g.release(resp)
	return resp, err
}

// acquire waits for room in w and counts the request as in flight. It
// reports how long it waited and the grant, whose release takes the answer.
func acquire(ctx context.Context, w window) (time.Duration, grant, error) {
	var start time.Time      // set once the request is held
	var askedSince time.Time // polled windows: since when the request waits for an answer
	poll := pacePoll
	force := false
	for {
		g, err := w.take(ctx, force)
		if err == nil && !g.ok && force {
			err = errNotGranted
		}
		if err != nil || g.ok {
			if start.IsZero() {
				return 0, g, err
			}
			return time.Since(start), g, err
		}
		now := time.Now()
		patience := g.wait
		if patience <= 0 {
			patience = probePatience
			if g.changed == nil {
				if askedSince.IsZero() {
					askedSince = now
				}
				patience -= now.Sub(askedSince)
			}
		} else {
			askedSince, poll = time.Time{}, pacePoll
		}
		if dl, has := ctx.Deadline(); has && time.Until(dl) < patience+attemptFloor {
			if g.wait > 0 {
				force = true // the window resets too late: let LaunchDarkly answer
				continue
			}
			if patience = time.Until(dl) - attemptFloor; patience <= 0 {
				force = true
				continue
			}
		}
		if patience <= 0 {
			force = true // the probe takes too long: go anyway
			continue
		}
		if start.IsZero() {
			start = now
		}
		changed, look := g.changed, patience
		if changed == nil && g.wait <= 0 {
			look = min(patience, poll-poll/4+rand.N(poll/2)) // nothing will signal: look again shortly
			poll = min(2*poll, pacePollMax)
		}
		t := time.NewTimer(look)
		select {
		case <-ctx.Done():
			t.Stop()
			return time.Since(start), g, ctx.Err()
		case <-changed:
			t.Stop()
		case <-t.C:
			force = look == patience && g.wait <= 0 // the probe takes too long: go anyway
		}
	}
}

// errNotGranted: a forced take must always be granted.
var errNotGranted = errors.New("client: a forced take of the rate-limit window was refused")

// memWindows keeps the windows of the tokens in this process.
type memWindows struct {
	mu      sync.Mutex
	buckets *simplelru.LRU[[sha256.Size]byte, *bucket]
}

func newMemWindows() *memWindows {
	l, _ := simplelru.NewLRU[[sha256.Size]byte, *bucket](maxPaceTokens, nil)
	return &memWindows{buckets: l}
}

func (m *memWindows) window(k [sha256.Size]byte) window {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.buckets.Get(k)
	if !ok {
		b = &bucket{changed: make(chan struct{})}
		m.buckets.Add(k, b)
	}
	return b
}

// bucket is what is known of one token's rate-limit window, in this process.
//
// Until an answer shows whether the token is limited, one request at a time
// goes (a probe). An answer without limit headers opens the bucket: nothing is
// held back. Once limited, each request takes one from remaining; when none is
// left, requests wait until the window resets and remaining is refilled with
// limit, the largest window size seen. Every answer corrects remaining by what
// LaunchDarkly says, less the requests still in flight (which it may not have
// counted yet), so the estimate errs on the side of waiting.
//
// The same rules, kept in Redis for replicas to share, are redisPaceTake and
// redisPaceLearn (redis.go).
type bucket struct {
	mu        sync.Mutex
	limited   bool          // an answer carried rate-limit headers
	open      bool          // answers carry no rate-limit headers: do not pace
	remaining int           // requests this process may still send in the window
	reset     time.Time     // end of the window; zero when not known
	limit     int           // largest window size seen (remaining+1 of an answer)
	inflight  int           // requests sent and not answered
	changed   chan struct{} // closed and replaced on every answer

	// early counts the requests sent after the announced reset but before
	// the window is taken as renewed (within paceSlack): LaunchDarkly counts
	// them in the new window, so the refill leaves them out.
	early int
}

// acquire waits for room in the window and counts the request as in flight.
// It reports how long it waited and the remaining count it saw last.
func (b *bucket) acquire(ctx context.Context) (waited time.Duration, remaining int, err error) {
	waited, g, err := acquire(ctx, b)
	return waited, g.remaining, err
}

func (b *bucket) take(_ context.Context, force bool) (grant, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	var g grant
	ok := force || b.open
	switch {
	case ok:
	case !b.limited:
		ok = b.inflight == 0
	default:
		if !b.reset.IsZero() && !now.Before(b.reset.Add(paceSlack)) {
			b.remaining, b.reset, b.early = b.limit-b.early, time.Time{}, 0
		}
		switch {
		case b.remaining > 0:
			ok = true
		case b.reset.IsZero():
			ok = b.inflight == 0 // nothing will tell us more: probe
		default:
			g.wait = b.reset.Add(paceSlack).Sub(now)
		}
	}
	g.remaining = b.remaining
	if !ok {
		g.changed = b.changed
		return g, nil
	}
	if b.limited {
		b.remaining--
		if !b.reset.IsZero() && !now.Before(b.reset) {
			b.early++ // counted in the window after the announced reset
		}
	}
	b.inflight++
	g.ok, g.release = true, b.release
	return g, nil
}

// observation is what an answer tells of the window.
type observation struct {
	answered  bool      // false: the attempt got no answer
	remaining int       // -1 when not said
	limit     int       // the window's size when said (v24), else -1
	reset     time.Time // zero when not said
	status    int
}

// observe reads the window's state from an answer (resp may be nil).
func observe(resp *http.Response, now time.Time) observation {
	if resp == nil {
		return observation{remaining: -1, limit: -1}
	}
	l := parseLimitsAt(resp.Header, now)
	o := observation{answered: true, remaining: l.Remaining(), limit: l.Limit(), reset: l.ResetAt(), status: resp.StatusCode}
	if resp.StatusCode == http.StatusTooManyRequests {
		o.remaining = 0
		if o.reset.IsZero() && l.RetryAfter > 0 {
			o.reset = now.Add(l.RetryAfter)
		}
	}
	return o
}

// release counts the request as answered and learns from resp's headers (resp may be nil).
func (b *bucket) release(resp *http.Response) {
	now := time.Now()
	ob := observe(resp, now)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.inflight--
	defer func() {
		close(b.changed)
		b.changed = make(chan struct{})
	}()
	if !ob.answered {
		return
	}
	rem, reset := ob.remaining, ob.reset
	if rem < 0 && reset.IsZero() {
		// No limit headers: the route is not limited (unless this is an error
		// page from something in between). A window still running is kept.
		if ob.status < 500 && (!b.limited || b.reset.IsZero() || !now.Before(b.reset)) {
			b.open, b.limited = true, false
		}
		return
	}
	b.open = false
	switch {
	case ob.limit > 0:
		b.limit = ob.limit // said (v24): better than guessed
	case rem >= 0:
		b.limit = max(b.limit, rem+1)
	}
	if !reset.IsZero() && !reset.After(now) {
		return // an answer from a window that is over
	}
	switch {
	case !b.limited || b.reset.IsZero() || reset.After(b.reset.Add(resetTolerance)):
		// The first answer of a window.
		if rem >= 0 {
			b.remaining = rem - b.inflight
		} else if !b.limited {
			b.remaining = 0
		}
		if !reset.IsZero() {
			b.reset, b.early = reset, 0 // the answer's remaining counts what came early
		}
	case rem >= 0:
		b.remaining = min(b.remaining, rem-b.inflight)
	}
	b.limited = true
}
