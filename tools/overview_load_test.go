package tools_test

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// TestOverviewRateLimitBurst: a burst of overview calls, each of a different
// project so that nothing is shared through the cache, against an account
// that allows few requests per window. Every call answers every measure,
// and the overview's requests, paced like any other call's, never make
// LaunchDarkly answer 429. Each request counts in the window the pacer
// released it in (windowAtRelease): what is checked is what pacing decided,
// whatever the load delays between release and arrival (on real clocks a
// request released just before a window's end and carried slowly counts in
// the next, and the test failed once in ~45 runs so). One call first, alone,
// lets the pacer learn the window, so that no request of the burst waits
// on a first answer that a loaded machine is slow to give.
func TestOverviewRateLimitBurst(t *testing.T) {
	leakCheck(t)
	const limit = 6
	fe := newFaultEnv(t, faultOpts{rateLimit: limit, window: 300 * time.Millisecond, callTimeout: 20 * time.Second, maxAttempts: 6, windowAtRelease: true})
	projects := []string{"web-app", "mobile-app", "payments", "web-app-2"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	warm := mcp.CallToolRequest{}
	warm.Params.Name = tools.OverviewTool
	warm.Params.Arguments = map[string]any{"projectKey": "warm-up"}
	res, err := fe.mcp.CallTool(ctx, warm)
	require.NoError(t, err)
	require.Empty(t, decodeOverview(t, res).Summary.Gaps, text(res))
	fe.emu.ResetRequests()
	results := make([]*mcp.CallToolResult, len(projects))
	errs := make([]error, len(projects))
	var wg sync.WaitGroup
	start := time.Now()
	for i, p := range projects {
		wg.Go(func() {
			req := mcp.CallToolRequest{}
			req.Params.Name = tools.OverviewTool
			req.Params.Arguments = map[string]any{"projectKey": p}
			results[i], errs[i] = fe.mcp.CallTool(ctx, req)
		})
	}
	wg.Wait()
	t.Logf("%d overview calls at %d requests per 300ms window: %s, %d upstream requests, %d paced waits",
		len(projects), limit, time.Since(start), fe.emu.Count(), fe.events.count(client.EventPace, -1))
	require.NoError(t, ctx.Err(), "the burst finished within its bound")
	for i, res := range results {
		require.NoError(t, errs[i])
		out := decodeOverview(t, res)
		assert.Empty(t, out.Summary.Gaps, "call %d: %s", i, text(res))
		assert.Equal(t, "get_usage_overview projectKey="+projects[i], out.Summary.Asked)
	}
	paced, forced := fe.limiter.refusals()
	t.Logf("429s: %d of requests released with room known, %d after a second without answers", paced, forced)
	assert.Zero(t, paced, "LaunchDarkly never had to answer 429 to a request the pacer released with room known")
	assert.Equal(t, paced+forced, fe.events.count(client.EventUpstream, http.StatusTooManyRequests), "every 429 the client saw is counted")
	assert.Equal(t, len(projects)*len(billedTools), fe.emu.Count(), "one answered request per measure and call: each 429 retried once")
	assert.Positive(t, fe.events.count(client.EventPace, -1), "the pacing held requests back")
}

// releaseLimiter is LaunchDarkly's fixed-window rate limit in a test of
// pacing, in front of an emulator that has none: each request counts in the
// window of the moment the pacer released it (the stampRelease header), and
// its answer says that window's remaining requests and reset, as the
// emulator's would; over the limit, it answers 429. It counts its 429s apart
// for requests the pacer sent after a second without any answer (its
// probePatience: it goes anyway rather than wait longer for news of the
// window, which a loaded machine can be slow to bring).
type releaseLimiter struct {
	limit  int
	window time.Duration
	mu     sync.Mutex
	count  map[int64]int // requests per window index
	paced  int           // 429s of requests the pacer released with room known
	forced int           // 429s of requests released after its patience ran out
}

// The headers stampRelease sets: the release time (Unix nanoseconds), and
// whether the client had had no answer for a second before it.
const (
	releasedHeader = "X-Test-Released"
	patienceHeader = "X-Test-Patience-Out"
	patience       = time.Second // client.probePatience
)

func (l *releaseLimiter) serve(h http.Handler, w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	if n, err := strconv.ParseInt(r.Header.Get(releasedHeader), 10, 64); err == nil {
		at = time.Unix(0, n)
	}
	win := at.UnixNano() / int64(l.window)
	l.mu.Lock()
	l.count[win]++
	n := l.count[win]
	if n > l.limit {
		if r.Header.Get(patienceHeader) != "" {
			l.forced++
		} else {
			l.paced++
		}
	}
	l.mu.Unlock()
	hd := w.Header()
	remaining := strconv.Itoa(max(l.limit-n, 0))
	hd.Set("X-Ratelimit-Global-Remaining", remaining)
	hd.Set("X-Ratelimit-Route-Remaining", remaining)
	hd.Set("X-Ratelimit-Reset", strconv.FormatInt(time.Unix(0, (win+1)*int64(l.window)).UnixMilli(), 10))
	if n > l.limit {
		hd.Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"code":"rate_limited","message":"You've exceeded the API rate limit. Try again later."}`))
		return
	}
	h.ServeHTTP(w, r)
}

// refusals are the 429s of requests the pacer released with room known,
// and of those it released after its patience ran out.
func (l *releaseLimiter) refusals() (paced, forced int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.paced, l.forced
}

// stampRelease is the innermost transport, below the pacer: it stamps each
// attempt with the moment the pacer let it go, and marks it when no answer
// had come for a second before (the pacer went anyway).
type stampRelease struct {
	next       http.RoundTripper
	mu         sync.Mutex
	lastAnswer time.Time
}

func (s *stampRelease) RoundTrip(r *http.Request) (*http.Response, error) {
	now := time.Now()
	s.mu.Lock()
	quiet := !s.lastAnswer.IsZero() && now.Sub(s.lastAnswer) >= patience-10*time.Millisecond
	s.mu.Unlock()
	r = r.Clone(r.Context())
	r.Header.Set(releasedHeader, strconv.FormatInt(now.UnixNano(), 10))
	if quiet {
		r.Header.Set(patienceHeader, "1")
	}
	resp, err := s.next.RoundTrip(r)
	s.mu.Lock()
	s.lastAnswer = time.Now()
	s.mu.Unlock()
	return resp, err
}
