package client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/cenkalti/backoff/v5"
)

const (
	// attemptFloor is the least time an attempt needs before the deadline: a
	// wait that leaves less is not taken.
	attemptFloor = 50 * time.Millisecond
	// maxKeptBody bounds the body kept of a retryable answer, in case it has to
	// be returned after the next attempt failed.
	maxKeptBody = 1 << 20
	// maxDrain bounds what is read of a discarded body to reuse its connection.
	maxDrain = 64 << 10
	// resetJitter spreads the retries of requests told to wait for the same reset.
	resetJitter = 50 * time.Millisecond
)

// retrier retries GETs that failed in a way that may pass (see RoundTrip).
type retrier struct {
	next http.RoundTripper
	o    ResilienceOptions
}

// RoundTrip sends req, retrying a GET or HEAD on 429, 502, 503, 504 and on
// connection failures (reset, refused, EOF, attempt timeout). It waits as
// LaunchDarkly says (Retry-After, else X-Ratelimit-Reset) or, when it says
// nothing, with capped exponential backoff with jitter. It never waits past
// the request's context deadline: when the next wait would pass it, it returns
// the last answer as it came (status, headers, body), so that the caller can
// tell when to try again.
func (r *retrier) RoundTrip(req *http.Request) (*http.Response, error) {
	if (req.Method != http.MethodGet && req.Method != http.MethodHead) || (req.Body != nil && req.Body != http.NoBody) {
		return r.next.RoundTrip(req)
	}
	ctx := req.Context()
	bo := &backoff.ExponentialBackOff{
		InitialInterval:     r.o.BaseBackoff,
		RandomizationFactor: 0.5,
		Multiplier:          2,
		MaxInterval:         r.o.MaxBackoff,
	}
	var kept *http.Response // the last answer, body in memory, once a retry has begun
	for attempt := 1; ; attempt++ {
		resp, err := r.attempt(req)
		ev := Event{Path: req.URL.Path, Attempt: attempt, Err: err, Remaining: -1}
		var lim Limits
		if resp != nil {
			lim = parseLimits(resp.Header)
			ev.Status, ev.Remaining, ev.Reset = resp.StatusCode, lim.Remaining(), lim.ResetAt()
		}
		ev.Kind = EventUpstream
		r.o.emit(ev)

		switch {
		case err != nil && ctx.Err() != nil:
			// The caller's context ended: a kept answer says more than the context's error.
			if kept != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return kept, nil
			}
			return nil, err
		case err != nil && !retryableError(err):
			return nil, err
		case err == nil && !retryableStatus(resp.StatusCode):
			return resp, nil
		}

		wait := serverWait(lim, time.Now())
		if wait <= 0 {
			wait = min(bo.NextBackOff(), r.o.MaxBackoff)
		}
		ev.Wait = wait
		if attempt >= r.o.MaxAttempts || passesDeadline(ctx, wait) {
			ev.Kind = EventGiveUp
			r.o.emit(ev)
			if resp != nil {
				return resp, nil
			}
			if kept != nil {
				return kept, nil
			}
			return nil, err
		}
		ev.Kind = EventRetry
		r.o.emit(ev)
		if resp != nil {
			kept = keep(resp, req) // closes resp's body and releases its attempt
		}
		if !sleep(ctx, wait) {
			if kept != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return kept, nil
			}
			return nil, ctx.Err()
		}
	}
}

// attempt makes one attempt under AttemptTimeout. The returned response's
// body releases the attempt's context when closed.
func (r *retrier) attempt(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	actx, cancel := context.WithTimeout(ctx, r.o.AttemptTimeout)
	resp, err := r.next.RoundTrip(req.Clone(actx))
	if err != nil {
		timedOut := actx.Err() != nil && ctx.Err() == nil
		cancel()
		if timedOut {
			err = &attemptTimeoutError{d: r.o.AttemptTimeout, err: err}
		}
		return nil, err
	}
	resp.Request = req
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// attemptTimeoutError is an attempt that took longer than AttemptTimeout.
type attemptTimeoutError struct {
	d   time.Duration
	err error
}

func (e *attemptTimeoutError) Error() string {
	return "no answer within the attempt timeout of " + e.d.String()
}
func (e *attemptTimeoutError) Unwrap() error { return e.err }
func (e *attemptTimeoutError) Timeout() bool { return true }

// cancelBody releases the attempt's context when the body is closed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// retryableStatus: rate limited, or a gateway or the service is briefly unavailable.
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableError: the connection failed in a way a new one may not.
func retryableError(err error) bool {
	var te *attemptTimeoutError
	if errors.As(err, &te) {
		return true
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.IsTimeout || dns.IsTemporary
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// serverWait is how long LaunchDarkly asked to wait: Retry-After, else until
// the binding window resets (X-Ratelimit-Reset, or X-Ratelimit-Auth-Token-Reset
// for an access token's own window; with a little jitter), else zero.
func serverWait(l Limits, now time.Time) time.Duration {
	if l.RetryAfter > 0 {
		return l.RetryAfter
	}
	if r := l.ResetAt(); !r.IsZero() {
		if d := r.Sub(now); d > 0 {
			return d + rand.N(resetJitter)
		}
	}
	return 0
}

// passesDeadline reports whether waiting d would leave the next attempt too
// little time before ctx's deadline.
func passesDeadline(ctx context.Context, d time.Duration) bool {
	dl, ok := ctx.Deadline()
	return ok && time.Until(dl) < d+attemptFloor
}

// sleep waits d, or until ctx ends (then it returns false). No goroutine is left behind.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// keep reads resp's body into memory (bounded) and closes it, returning an
// answer that may still be read after its attempt's context has ended.
func keep(resp *http.Response, req *http.Request) *http.Response {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxKeptBody))
	drain(resp.Body)
	cp := *resp
	cp.Header = resp.Header.Clone()
	cp.Body = io.NopCloser(bytes.NewReader(b))
	cp.ContentLength = int64(len(b))
	cp.Request = req
	return &cp
}

// drain reads a little of a discarded body, so its connection may be reused, and closes it.
func drain(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrain))
	_ = body.Close()
}
