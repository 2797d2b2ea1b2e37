package client

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The resilience tests live in package client (not client_test) so that they
// may reach the layers' unexported parts; their helpers are prefixed rs.

const rsToken = "api-resilience-SECRET-token-0000"

// rsServer starts an httptest server on 127.0.0.1 only.
func rsServer(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h}}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// rsCounter counts the requests a handler saw and when they arrived.
type rsCounter struct {
	mu    sync.Mutex
	times []time.Time
}

func (c *rsCounter) hit() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.times = append(c.times, time.Now())
	return len(c.times)
}

func (c *rsCounter) n() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.times)
}

func (c *rsCounter) at(i int) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.times[i]
}

// rsEvents records the events of a transport.
type rsEvents struct {
	mu  sync.Mutex
	evs []Event
}

func (l *rsEvents) add(e Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.evs = append(l.evs, e)
}

func (l *rsEvents) of(k EventKind) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Event
	for _, e := range l.evs {
		if e.Kind == k {
			out = append(out, e)
		}
	}
	return out
}

func (l *rsEvents) all() []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Event(nil), l.evs...)
}

// rsGet sends a GET with a token through rt and reads the whole answer.
func rsGet(ctx context.Context, rt http.RoundTripper, url, token string) (*http.Response, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, "", err
	}
	req.Header.Set("Authorization", token)
	req.Header.Set("LD-API-Version", "beta")
	resp, err := (&http.Client{Transport: rt}).Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

func rsCtx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// rsFast are options with short waits, for tests.
func rsFast(ev *rsEvents) ResilienceOptions {
	o := ResilienceOptions{BaseBackoff: 10 * time.Millisecond, MaxBackoff: 20 * time.Millisecond, NoCache: true}
	if ev != nil {
		o.OnEvent = ev.add
	}
	return o
}

// The client, wired with the transport, turns a 429 storm into an APIError
// that still says when to retry, before the call's deadline.
func TestResilientClient429StormGivesAPIErrorWithRetryAfter(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.hit()
		w.Header().Set("Retry-After", "7")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"code":"rate_limited","message":"You've exceeded the API rate limit. Try again later."}`)
	})
	var ev rsEvents
	hc := &http.Client{Transport: NewTransport(srv.Client().Transport, ResilienceOptions{OnEvent: ev.add})}
	c := New(srv.URL, Key(rsToken), WithHTTPClient(hc))
	_, err := c.Do(rsCtx(t, 3*time.Second), Lookup("getMauUsage"), Request{})
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusTooManyRequests, ae.Status)
	assert.Equal(t, "rate_limited", ae.Code)
	assert.Equal(t, 7*time.Second, ae.Limits.RetryAfter)
	assert.Equal(t, 1, hits.n(), "a 7 s wait does not fit a 3 s deadline: no retry")
	require.Len(t, ev.of(EventGiveUp), 1)
	assert.Equal(t, 7*time.Second, ev.of(EventGiveUp)[0].Wait)
	assert.NotContains(t, fmt.Sprintf("%+v %#v", ev.all(), ev.all()), rsToken)
}

// Through the client, a second identical call is served from the cache.
func TestResilientClientCaches(t *testing.T) {
	t.Parallel()
	var hits rsCounter
	srv := rsServer(t, func(w http.ResponseWriter, r *http.Request) {
		hits.hit()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"series":[{"time":1700000000000,"0":5}],"metadata":[{}]}`)
	})
	hc := &http.Client{Transport: NewTransport(srv.Client().Transport, ResilienceOptions{})}
	c := New(srv.URL, Key(rsToken), WithHTTPClient(hc))
	ep := Lookup("getMauUsage")
	r := Request{From: time.Now().Add(-48 * time.Hour), To: time.Now()}
	a, err := c.Do(rsCtx(t, 5*time.Second), ep, r)
	require.NoError(t, err)
	b, err := c.Do(rsCtx(t, 5*time.Second), ep, r)
	require.NoError(t, err)
	assert.Equal(t, 1, hits.n())
	assert.Equal(t, "miss", a.Header.Get(CacheHeader))
	assert.Equal(t, "hit", b.Header.Get(CacheHeader))
	assert.Equal(t, a.Raw, b.Raw)
}
