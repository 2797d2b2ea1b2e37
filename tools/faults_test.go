package tools_test

// Fault injection through the whole stack: MCP client → tools → client.Client
// over the resilience transport (client.NewTransport) → the emulator on
// 127.0.0.1 with one of its fault switches on. Each test asserts the exact
// outcome, that the next normal call succeeds, and that no goroutine is left.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	mcpclient "github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// faultOpts shapes a faultEnv. Zero values take the defaults of newFaultEnv.
type faultOpts struct {
	key         string        // the server's token (default testKey)
	emuKeys     []string      // tokens the emulator accepts (default: key)
	callTimeout time.Duration // default 5s
	noKeepAlive bool          // a fresh connection per request
	noCache     bool
	maxBody     int64 // client.WithMaxBody, 0 = default
	maxAttempts int   // default 3
	rateLimit   int
	window      time.Duration // emulator window, default 300ms
	logger      *slog.Logger
	onEvent     func(client.Event)
	onCall      func(tools.CallInfo)
	noMCP       bool // do not connect an in-process MCP client
	// windowAtRelease: each request counts in the rate-limit window of the
	// moment the pacer let it go, not of its arrival (releaseLimiter), so
	// that a test of pacing checks its decisions, not how fast a loaded
	// machine carries requests across a window's end.
	windowAtRelease bool
}

// faultEnv is an emulator behind a real loopback HTTP server, a tool server
// whose client goes through the resilience transport, and an MCP client.
type faultEnv struct {
	emu    *emulator.Emulator
	srv    *httptest.Server
	base   *http.Transport
	ts     *tools.Server
	mcp    *mcpclient.Client
	events *eventLog
	// limiter is the rate limit of windowAtRelease (nil otherwise).
	limiter *releaseLimiter
	// ended receives the path of every request whose context ended before
	// the emulator's handler returned: the client abandoned it.
	ended chan string
}

// eventLog keeps the resilience transport's events.
type eventLog struct {
	mu  sync.Mutex
	evs []client.Event
}

func (l *eventLog) add(e client.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.evs = append(l.evs, e)
}

func (l *eventLog) count(kind client.EventKind, status int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, e := range l.evs {
		if e.Kind == kind && (status < 0 || e.Status == status) {
			n++
		}
	}
	return n
}

// leakCheck verifies, when the test's cleanups have run, that no goroutine
// started during the test is left. Register it before anything else.
func leakCheck(t *testing.T) {
	t.Helper()
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
}

func newFaultEnv(t *testing.T, o faultOpts) *faultEnv {
	t.Helper()
	if o.key == "" {
		o.key = testKey
	}
	if o.emuKeys == nil {
		o.emuKeys = []string{o.key}
	}
	if o.callTimeout == 0 {
		o.callTimeout = 5 * time.Second
	}
	if o.maxAttempts == 0 {
		o.maxAttempts = 3
	}
	if o.window == 0 {
		o.window = 300 * time.Millisecond
	}
	fe := &faultEnv{events: &eventLog{}, ended: make(chan string, 64)}
	// The emulator runs on the real clock: the retry and pacing layers
	// compare its reset times with real timers.
	eo := emulator.Options{Keys: o.emuKeys, RateLimit: o.rateLimit, Window: o.window}
	var limiter *releaseLimiter
	if o.windowAtRelease {
		limiter = &releaseLimiter{limit: o.rateLimit, window: o.window, count: map[int64]int{}}
		eo.RateLimit = 0
	}
	fe.emu = emulator.New(eo)
	fe.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if limiter != nil {
			limiter.serve(fe.emu, w, r)
		} else {
			fe.emu.ServeHTTP(w, r)
		}
		if r.Context().Err() != nil {
			select {
			case fe.ended <- r.URL.Path:
			default:
			}
		}
	}))
	t.Cleanup(fe.srv.Close)
	fe.base = http.DefaultTransport.(*http.Transport).Clone()
	fe.base.DisableKeepAlives = o.noKeepAlive
	t.Cleanup(fe.base.CloseIdleConnections)

	onEvent := func(e client.Event) {
		fe.events.add(e)
		if o.onEvent != nil {
			o.onEvent(e)
		}
	}
	var next http.RoundTripper = fe.base
	if limiter != nil {
		next = &stampRelease{next: fe.base}
		fe.limiter = limiter
	}
	rt := client.NewTransport(next, client.ResilienceOptions{
		MaxAttempts: o.maxAttempts,
		BaseBackoff: 20 * time.Millisecond,
		MaxBackoff:  80 * time.Millisecond,
		NoCache:     o.noCache,
		OnEvent:     onEvent,
	})
	opts := []client.Option{client.WithHTTPClient(&http.Client{Transport: rt}), client.WithUserAgent("ld-usage-mcp/test")}
	if o.maxBody > 0 {
		opts = append(opts, client.WithMaxBody(o.maxBody))
	}
	ts, err := tools.New(tools.Config{
		Client:      client.New(fe.srv.URL, client.Key(o.key), opts...),
		CallTimeout: o.callTimeout,
		Logger:      o.logger,
		OnCall:      o.onCall,
	})
	require.NoError(t, err)
	fe.ts = ts
	if !o.noMCP {
		fe.mcp = connect(t, ts)
	}
	return fe
}

// day is a date n days before today (UTC), as a tool argument.
func day(n int) string { return time.Now().UTC().AddDate(0, 0, -n).Format("2006-01-02") }

// mauArgs is a valid get_mau_usage call with a fixed range, so that two
// identical calls make the same request and get the same answer.
func mauArgs() map[string]any { return map[string]any{"from": day(10), "to": day(3)} }

func (fe *faultEnv) call(t *testing.T, name string, args map[string]any) (*mcp.CallToolResult, time.Duration) {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = name
	req.Params.Arguments = args
	start := time.Now()
	res, err := fe.mcp.CallTool(context.Background(), req)
	require.NoError(t, err, "a tool call never ends in a protocol error")
	return res, time.Since(start)
}

// assertAnswer checks that res is a success whose raw body is what the
// emulator answers, with no fault, to the last request it received.
func (fe *faultEnv) assertAnswer(t *testing.T, res *mcp.CallToolResult) {
	t.Helper()
	require.False(t, res.IsError, text(res))
	reqs := fe.emu.Requests()
	require.NotEmpty(t, reqs)
	last := reqs[len(reqs)-1]
	fe.emu.SetFault(emulator.Fault{})
	req, err := http.NewRequest(http.MethodGet, fe.srv.URL+last.Path+"?"+last.RawQuery, nil)
	require.NoError(t, err)
	req.Header = last.Header.Clone()
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var want any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&want))
	assert.Equal(t, want, structuredOf(t, res)["raw"], "raw is the emulator's answer")
}

// assertRecovers checks that a normal call made after the fault succeeds.
func (fe *faultEnv) assertRecovers(t *testing.T) {
	t.Helper()
	fe.emu.SetFault(emulator.Fault{})
	res, _ := fe.call(t, "get_mau_usage", mauArgs())
	fe.assertAnswer(t, res)
}

func TestFault429ThenSuccess(t *testing.T) {
	leakCheck(t)
	fe := newFaultEnv(t, faultOpts{})
	// No Retry-After: the emulator's X-Ratelimit-Reset (one 300ms window ahead) says when.
	fe.emu.SetFault(emulator.Fault{Kind: emulator.RateLimited, Times: 1})
	res, _ := fe.call(t, "get_mau_usage", mauArgs())
	require.False(t, res.IsError, text(res))
	assert.Equal(t, 2, fe.emu.Count(), "one 429, then the retry")
	assert.Equal(t, 1, fe.events.count(client.EventRetry, http.StatusTooManyRequests))
	fe.assertAnswer(t, res)
	fe.assertRecovers(t)
}

func TestFault429StormPastDeadline(t *testing.T) {
	leakCheck(t)
	const timeout = 1500 * time.Millisecond
	fe := newFaultEnv(t, faultOpts{callTimeout: timeout})
	fe.emu.SetFault(emulator.Fault{Kind: emulator.RateLimited, RetryAfter: 30 * time.Second})
	res, took := fe.call(t, "get_mau_usage", mauArgs())
	require.True(t, res.IsError)
	txt := text(res)
	assert.Contains(t, txt, "429")
	assert.Contains(t, txt, "retry in 30 seconds", txt)
	assert.Less(t, took, timeout+time.Second, "answered before the call's deadline (plus slack)")
	// Waiting 30s would pass the 1.5s deadline: the first answer is returned as it is.
	assert.Equal(t, 1, fe.emu.Count(), "no retry that could not finish in time")
	assert.Equal(t, 1, fe.events.count(client.EventGiveUp, http.StatusTooManyRequests))
	assert.Nil(t, res.StructuredContent)
	// The window announced by the storm resets after the next call's deadline:
	// the pacer lets it go at once, and it gets through.
	fe.assertRecovers(t)
}

func TestFault503ThenSuccess(t *testing.T) {
	leakCheck(t)
	fe := newFaultEnv(t, faultOpts{})
	fe.emu.SetFault(emulator.Fault{Kind: emulator.Unavailable, Times: 1})
	res, _ := fe.call(t, "get_mau_usage", mauArgs())
	require.False(t, res.IsError, text(res))
	assert.Equal(t, 2, fe.emu.Count())
	assert.Equal(t, 1, fe.events.count(client.EventRetry, http.StatusServiceUnavailable))
	fe.assertAnswer(t, res)
	fe.assertRecovers(t)
}

func TestFaultDropPermanent(t *testing.T) {
	leakCheck(t)
	fe := newFaultEnv(t, faultOpts{})
	fe.emu.SetFault(emulator.Fault{Kind: emulator.Drop})
	res, _ := fe.call(t, "get_mau_usage", mauArgs())
	require.True(t, res.IsError)
	txt := text(res)
	assert.Contains(t, txt, "Could not reach LaunchDarkly at "+fe.srv.URL, txt)
	assert.Contains(t, txt, "retry")
	// Every attempt of the retrier failed without an answer (Go's transport may
	// add a silent retry of its own on a reused connection, hence at least).
	assert.Equal(t, 3, fe.events.count(client.EventUpstream, 0), "three attempts, none answered")
	assert.GreaterOrEqual(t, fe.emu.Count(), 3)
	fe.assertRecovers(t)
}

func TestFaultDropOnceRecovered(t *testing.T) {
	leakCheck(t)
	// Keep-alives off: with a reused connection Go's client would retry the
	// dropped GET itself, and the retrier would never see the drop.
	fe := newFaultEnv(t, faultOpts{noKeepAlive: true})
	fe.emu.SetFault(emulator.Fault{Kind: emulator.Drop, Times: 1})
	res, _ := fe.call(t, "get_mau_usage", mauArgs())
	require.False(t, res.IsError, text(res))
	assert.Equal(t, 2, fe.emu.Count(), "the dropped request and the retrier's retry")
	assert.Equal(t, 1, fe.events.count(client.EventRetry, 0), "one retry after an attempt without an answer")
	fe.assertAnswer(t, res)
	fe.assertRecovers(t)
}

// A 200 whose body is cut in half is final for the retrier (it judges
// answers by their status; the body is decoded above it), so the call is a
// tool error saying so. The bad body must not be cached: the same call made
// again, as the error text advises, gets the whole answer.
func TestFaultTruncated(t *testing.T) {
	leakCheck(t)
	fe := newFaultEnv(t, faultOpts{})
	fe.emu.SetFault(emulator.Fault{Kind: emulator.Truncated, Times: 1})
	res, _ := fe.call(t, "get_mau_usage", mauArgs())
	require.True(t, res.IsError)
	txt := text(res)
	assert.Contains(t, txt, "answered get_mau_usage with 200 but the body was not a usage response", txt)
	assert.Contains(t, txt, "retry")
	assert.Equal(t, 1, fe.emu.Count(), "not retried: a 200 is the retrier's final answer")
	fe.assertRecovers(t)                                                              // same arguments, same URL, cache on
	assert.Equal(t, 2, fe.emu.Count()-1, "the retry went upstream, not to the cache") // -1: assertAnswer's own fetch
}

func TestFaultNonJSONErrorPage(t *testing.T) {
	t.Run("once", func(t *testing.T) {
		leakCheck(t)
		fe := newFaultEnv(t, faultOpts{})
		fe.emu.SetFault(emulator.Fault{Kind: emulator.NonJSON, Times: 1})
		res, _ := fe.call(t, "get_mau_usage", mauArgs())
		require.False(t, res.IsError, text(res))
		assert.Equal(t, 2, fe.emu.Count(), "the 502 page, then the retry")
		assert.Equal(t, 1, fe.events.count(client.EventRetry, http.StatusBadGateway))
		fe.assertAnswer(t, res)
	})
	t.Run("permanent", func(t *testing.T) {
		leakCheck(t)
		fe := newFaultEnv(t, faultOpts{})
		fe.emu.SetFault(emulator.Fault{Kind: emulator.NonJSON})
		res, _ := fe.call(t, "get_mau_usage", mauArgs())
		require.True(t, res.IsError)
		txt := text(res)
		assert.Contains(t, txt, "502 Bad Gateway", txt)
		assert.Contains(t, txt, "non-JSON body (text/html)")
		assert.NotContains(t, txt, "<html>", "the page is described, not pasted")
		assert.Equal(t, 3, fe.emu.Count(), "every attempt")
		fe.assertRecovers(t)
	})
}

func TestFaultOversized(t *testing.T) {
	leakCheck(t)
	fe := newFaultEnv(t, faultOpts{maxBody: 64 << 10})
	fe.emu.SetFault(emulator.Fault{Kind: emulator.Oversized, Size: 1 << 20, Times: 1})
	res, _ := fe.call(t, "get_mau_usage", mauArgs())
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "larger than this server accepts", text(res))
	assert.Equal(t, 1, fe.emu.Count(), "a 200 that is too large is not retried")
	fe.assertRecovers(t)
}

func TestFaultSlowerThanDeadline(t *testing.T) {
	leakCheck(t)
	const timeout = 700 * time.Millisecond
	fe := newFaultEnv(t, faultOpts{callTimeout: timeout})
	fe.emu.SetFault(emulator.Fault{Kind: emulator.Slow, Delay: 10 * time.Second, Times: 1})
	res, took := fe.call(t, "get_mau_usage", mauArgs())
	require.True(t, res.IsError)
	assert.Contains(t, text(res), "did not answer get_mau_usage within 700ms", text(res))
	assert.Less(t, took, timeout+time.Second, "the deadline ends the call promptly")
	select {
	case p := <-fe.ended:
		assert.Equal(t, "/api/v2/usage/mau", p)
	case <-time.After(2 * time.Second):
		t.Error("the emulator did not see the slow request abandoned")
	}
	fe.assertRecovers(t)
}

// lineTap copies every line written through it to a channel, and passes it on.
type lineTap struct {
	w     io.WriteCloser
	mu    sync.Mutex
	buf   bytes.Buffer
	lines chan string
}

func newLineTap(w io.WriteCloser) *lineTap { return &lineTap{w: w, lines: make(chan string, 64)} }

func (l *lineTap) Write(p []byte) (int, error) {
	l.mu.Lock()
	l.buf.Write(p)
	for {
		line, err := l.buf.ReadString('\n')
		if err != nil {
			l.buf.WriteString(line) // keep the incomplete rest
			break
		}
		select {
		case l.lines <- line:
		default:
		}
	}
	l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lineTap) Close() error { return l.w.Close() }

// waitLine waits for a line containing all of want.
func waitLine(t *testing.T, ch <-chan string, d time.Duration, want ...string) string {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case line := <-ch:
			ok := true
			for _, w := range want {
				ok = ok && strings.Contains(line, w)
			}
			if ok {
				return line
			}
		case <-deadline:
			t.Fatalf("no line with %q within %s", want, d)
			return ""
		}
	}
}

// TestFaultCancelled runs the server over stdio (pipes) so that the only way
// a cancellation reaches it is the notifications/cancelled the MCP client
// sends when the call's context is cancelled. The upstream request must be
// abandoned (the emulator sees its context end), and the server keep serving.
func TestFaultCancelled(t *testing.T) {
	leakCheck(t)
	calls := make(chan tools.CallInfo, 8)
	fe := newFaultEnv(t, faultOpts{noMCP: true, callTimeout: 20 * time.Second, onCall: func(ci tools.CallInfo) { calls <- ci }})

	inR, inW := io.Pipe()   // client → server
	outR, outW := io.Pipe() // server → client
	toServer, fromServer := newLineTap(inW), newLineTap(outW)
	srvCtx, stopSrv := context.WithCancel(context.Background())
	defer stopSrv()
	listened := make(chan error, 1)
	go func() { listened <- server.NewStdioServer(fe.ts.MCP()).Listen(srvCtx, inR, fromServer) }()
	c := mcpclient.NewClient(transport.NewIO(outR, toServer, nil))
	require.NoError(t, c.Start(context.Background()))
	defer func() {
		_ = c.Close() // closes the server's stdin: Listen returns
		select {
		case err := <-listened:
			assert.NoError(t, err)
		case <-time.After(5 * time.Second):
			t.Error("the stdio server did not stop when its input closed")
		}
		_ = outW.Close() // ends the client's reader
		_ = inR.Close()
	}()
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "test", Version: "1"}
	_, err := c.Initialize(context.Background(), init)
	require.NoError(t, err)

	fe.emu.SetFault(emulator.Fault{Kind: emulator.Slow, Delay: 30 * time.Second, Times: 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := mcp.CallToolRequest{}
	req.Params.Name = "get_mau_usage"
	req.Params.Arguments = mauArgs()
	callErr := make(chan error, 1)
	go func() {
		_, err := c.CallTool(ctx, req)
		callErr <- err
	}()
	// Cancel once the request has reached LaunchDarkly.
	for i := 0; i < 200 && fe.emu.Count() == 0; i++ {
		time.Sleep(10 * time.Millisecond)
	}
	require.Equal(t, 1, fe.emu.Count(), "the call reached the emulator")
	cancel()
	select {
	case err := <-callErr:
		assert.ErrorIs(t, err, context.Canceled)
	case <-time.After(5 * time.Second):
		t.Fatal("CallTool did not return when its context was cancelled")
	}
	waitLine(t, toServer.lines, 5*time.Second, `"notifications/cancelled"`, `"requestId"`)
	select {
	case p := <-fe.ended:
		assert.Equal(t, "/api/v2/usage/mau", p, "the upstream request was abandoned")
	case <-time.After(5 * time.Second):
		t.Fatal("the emulator never saw the upstream request end")
	}
	// The handler ends with a tool error that says why (the client has
	// stopped waiting for it, so it is only seen on the wire).
	waitLine(t, fromServer.lines, 5*time.Second, `"isError":true`, "The call was cancelled before LaunchDarkly answered.")
	select {
	case ci := <-calls:
		assert.Equal(t, "upstream_error", ci.Outcome)
		assert.Less(t, ci.Duration, 20*time.Second, "ended by the cancellation, not the deadline")
	case <-time.After(5 * time.Second):
		t.Fatal("the cancelled call did not finish")
	}

	// The server keeps serving on the same session.
	res, err := c.CallTool(context.Background(), req)
	require.NoError(t, err)
	require.False(t, res.IsError, text(res))
	assert.Equal(t, 2, fe.emu.Count())
	<-calls
}

// TestRateLimitBurst is the done-when test: an account that allows N
// requests per window, a burst of 5×N concurrent calls with distinct
// arguments and the cache off: every call gets its answer, and pacing keeps
// LaunchDarkly from having to answer 429 at all.
func TestRateLimitBurst(t *testing.T) {
	leakCheck(t)
	const n = 4
	fe := newFaultEnv(t, faultOpts{noCache: true, rateLimit: n, window: 500 * time.Millisecond, callTimeout: 10 * time.Second, maxAttempts: 6})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	type answer struct {
		res *mcp.CallToolResult
		err error
	}
	answers := make([]answer, 5*n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range answers {
		wg.Go(func() {
			req := mcp.CallToolRequest{}
			req.Params.Name = "get_mau_usage"
			req.Params.Arguments = map[string]any{"from": day(40 + i), "to": day(3)}
			res, err := fe.mcp.CallTool(ctx, req)
			answers[i] = answer{res, err}
		})
	}
	wg.Wait()
	took := time.Since(start)
	t.Logf("%d calls at %d per 500ms window: %s, %d upstream requests, %d paced waits", len(answers), n, took, fe.emu.Count(), fe.events.count(client.EventPace, -1))
	require.NoError(t, ctx.Err(), "the burst finished within its bound")

	for i, a := range answers {
		require.NoError(t, a.err, "call %d", i)
		require.False(t, a.res.IsError, "call %d: %s", i, text(a.res))
		raw, _ := structuredOf(t, a.res)["raw"].(map[string]any)
		require.NotEmpty(t, raw["series"], "call %d has its series", i)
	}
	froms := map[string]bool{}
	for _, r := range fe.emu.Requests() {
		froms[r.Query.Get("from")] = true
	}
	assert.Len(t, froms, 5*n, "every call went upstream with its own arguments")
	assert.Zero(t, fe.events.count(client.EventUpstream, http.StatusTooManyRequests), "LaunchDarkly never had to answer 429")
	assert.Equal(t, 5*n, fe.emu.Count(), "one request per call: nothing was refused and retried")
	// Each answer is the answer to its own call: its data starts on its own day.
	for i, a := range answers {
		summary, _ := structuredOf(t, a.res)["summary"].(map[string]any)
		require.NotNil(t, summary, "call %d", i)
		assert.Equal(t, day(40+i)+"T00:00:00Z", summary["dataFrom"], "call %d", i)
	}
}
