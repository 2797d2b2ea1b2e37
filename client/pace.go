package client

import (
	"context"
	"crypto/sha256"
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
)

// pacer holds requests back when the last answers for the same token left no
// room in the rate-limit window, so that LaunchDarkly need not answer 429.
// It is the innermost layer: every upstream attempt passes through it.
type pacer struct {
	next http.RoundTripper
	o    ResilienceOptions

	mu      sync.Mutex
	buckets *simplelru.LRU[[sha256.Size]byte, *bucket]
}

func newPacer(next http.RoundTripper, o ResilienceOptions) *pacer {
	l, _ := simplelru.NewLRU[[sha256.Size]byte, *bucket](maxPaceTokens, nil)
	return &pacer{next: next, o: o, buckets: l}
}

func (p *pacer) bucket(req *http.Request) *bucket {
	k := tokenHash(req)
	p.mu.Lock()
	defer p.mu.Unlock()
	b, ok := p.buckets.Get(k)
	if !ok {
		b = &bucket{changed: make(chan struct{})}
		p.buckets.Add(k, b)
	}
	return b
}

// RoundTrip waits for room in the token's window (never past the request's
// deadline: then it sends anyway and lets LaunchDarkly answer), sends req and
// learns from the answer's rate-limit headers.
func (p *pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	b := p.bucket(req)
	waited, remaining, err := b.acquire(req.Context())
	if waited > 0 {
		p.o.emit(Event{Kind: EventPace, Path: req.URL.Path, Wait: waited, Remaining: remaining})
	}
	if err != nil {
		return nil, err
	}
	resp, err := p.next.RoundTrip(req)
	b.release(resp)
	return resp, err
}

// bucket is what is known of one token's rate-limit window.
//
// Until an answer shows whether the token is limited, one request at a time
// goes (a probe). An answer without limit headers opens the bucket: nothing is
// held back. Once limited, each request takes one from remaining; when none is
// left, requests wait until the window resets and remaining is refilled with
// limit, the largest window size seen. Every answer corrects remaining by what
// LaunchDarkly says, less the requests still in flight (which it may not have
// counted yet), so the estimate errs on the side of waiting.
type bucket struct {
	mu        sync.Mutex
	limited   bool          // an answer carried rate-limit headers
	open      bool          // answers carry no rate-limit headers: do not pace
	remaining int           // requests this process may still send in the window
	reset     time.Time     // end of the window; zero when not known
	limit     int           // largest window size seen (remaining+1 of an answer)
	inflight  int           // requests sent and not answered
	changed   chan struct{} // closed and replaced on every answer
}

// acquire waits for room in the window and counts the request as in flight.
// It reports how long it waited and the remaining count it saw last.
func (b *bucket) acquire(ctx context.Context) (waited time.Duration, remaining int, err error) {
	var start time.Time // set once the request is held
	force := false
	for {
		b.mu.Lock()
		now := time.Now()
		var wait time.Duration // > 0: until the window resets; 0: for the next answer
		ok := force || b.open
		switch {
		case ok:
		case !b.limited:
			ok = b.inflight == 0
		default:
			if !b.reset.IsZero() && !now.Before(b.reset.Add(paceSlack)) {
				b.remaining, b.reset = b.limit, time.Time{}
			}
			switch {
			case b.remaining > 0:
				ok = true
			case b.reset.IsZero():
				ok = b.inflight == 0 // nothing will tell us more: probe
			default:
				wait = b.reset.Add(paceSlack).Sub(now)
			}
		}
		remaining = b.remaining
		patience := wait
		if patience <= 0 {
			patience = probePatience
		}
		if dl, has := ctx.Deadline(); !ok && has && time.Until(dl) < patience+attemptFloor {
			if wait > 0 {
				ok = true // the window resets too late: let LaunchDarkly answer
			} else if patience = time.Until(dl) - attemptFloor; patience <= 0 {
				ok = true
			}
		}
		if ok {
			if b.limited {
				b.remaining--
			}
			b.inflight++
			b.mu.Unlock()
			if start.IsZero() {
				return 0, remaining, nil
			}
			return time.Since(start), remaining, nil
		}
		changed := b.changed
		b.mu.Unlock()

		if start.IsZero() {
			start = now
		}
		t := time.NewTimer(patience)
		select {
		case <-ctx.Done():
			t.Stop()
			return time.Since(start), remaining, ctx.Err()
		case <-changed:
			t.Stop()
		case <-t.C:
			force = wait <= 0 // the probe takes too long: go anyway
		}
	}
}

// release counts the request as answered and learns from resp's headers (resp may be nil).
func (b *bucket) release(resp *http.Response) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.inflight--
	defer func() {
		close(b.changed)
		b.changed = make(chan struct{})
	}()
	if resp == nil {
		return
	}
	now := time.Now()
	l := parseLimits(resp.Header)
	rem, reset := l.Remaining(), l.Reset
	if resp.StatusCode == http.StatusTooManyRequests {
		rem = 0
		if reset.IsZero() && l.RetryAfter > 0 {
			reset = now.Add(l.RetryAfter)
		}
	}
	if rem < 0 && reset.IsZero() {
		// No limit headers: the route is not limited (unless this is an error
		// page from something in between). A window still running is kept.
		if resp.StatusCode < 500 && (!b.limited || b.reset.IsZero() || !now.Before(b.reset)) {
			b.open, b.limited = true, false
		}
		return
	}
	b.open = false
	if rem >= 0 {
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
			b.reset = reset
		}
	case rem >= 0:
		b.remaining = min(b.remaining, rem-b.inflight)
	}
	b.limited = true
}
