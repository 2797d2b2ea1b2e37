package main

// Three replicas of the built binary behind no load balancer but the test,
// sharing one redis-server (Debian's, started by internal/redistest), in
// front of the emulator with a rate limit as LaunchDarkly.

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/mcptest"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/redistest"
)

// replica is one server process.
type replica struct {
	url  string
	logs *lockedBuffer
	cmd  *exec.Cmd
}

var servingRE = regexp.MustCompile(`msg="serving MCP over HTTP".* addr=(\S+)`)

// startReplica starts the binary over HTTP with args and env, stopped at the end of the test.
func startReplica(t *testing.T, env []string, args ...string) *replica {
	t.Helper()
	cmd := exec.Command(testBinary(t), append([]string{"--transport", "http", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	r := &replica{logs: &lockedBuffer{}, cmd: cmd}
	addrc := make(chan string, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			_, _ = r.logs.Write([]byte(sc.Text() + "\n"))
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				addrc <- m[1]
			}
		}
		_ = cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	select {
	case addr := <-addrc:
		r.url = "http://" + addr
	case <-time.After(15 * time.Second):
		t.Fatalf("the replica did not start; stderr:\n%s", r.logs.String())
	}
	return r
}

// metric reads one series' value from the replica's /metrics (-1 when absent).
func (r *replica) metric(t *testing.T, series string) float64 {
	t.Helper()
	resp, err := http.Get(r.url + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			require.NoError(t, err)
			return f
		}
	}
	return -1
}

// upstream is the emulator as LaunchDarkly on 127.0.0.1, counting its 429 answers.
type upstream struct {
	emu     *emulator.Emulator
	url     string
	limited atomic.Int64
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (w *statusRecorder) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func startUpstream(t *testing.T, o emulator.Options) *upstream {
	u := &upstream{emu: emulator.New(o)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		u.emu.ServeHTTP(rec, r)
		if rec.code == http.StatusTooManyRequests {
			u.limited.Add(1)
		}
	}))
	t.Cleanup(srv.Close)
	u.url = srv.URL
	return u
}

// requestsWith counts the upstream requests for flag that carried token.
func (u *upstream) requestsWith(flag, token string) int {
	n := 0
	for _, r := range requestsFor(u.emu, flag) {
		if r.Header.Get("Authorization") == token {
			n++
		}
	}
	return n
}

func TestReplicasShareThroughRedis(t *testing.T) {
	const (
		password = "redis-PASSWORD-of-the-replicas-7f3a"
		tokenA   = "api-replicas-token-A-5c1e9b"
		tokenB   = "api-replicas-token-B-0d42aa"
		tokenC   = "api-replicas-token-C-refused"
		limit    = 25 // requests per window, across the account
	)
	rds := redistest.Start(t, password)
	up := startUpstream(t, emulator.Options{Keys: []string{tokenA, tokenB}, RateLimit: limit, Window: time.Second})

	// The password comes from the URL for one replica and from the
	// environment for the others; the deployment's secret from the
	// environment for two, from a file (a Secret mount) for the third.
	const secret = "replicas-deployment-SECRET-51c0"
	secretFile := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(secretFile, []byte(secret+"\n"), 0o600))
	env := cleanEnv("LD_USAGE_MCP_REDIS_PASSWORD="+password, "LD_USAGE_MCP_SECRET="+secret)
	// A generous timeout: a test machine under load must not see a slow
	// Redis where there is none (the outage below is a refused connection).
	common := []string{"--server-url", up.url, "--metrics", "--log-level", "debug", "--redis-timeout", "2s"}
	reps := []*replica{
		startReplica(t, env, append(common, "--redis", rds.URLWithoutPassword())...),
		startReplica(t, cleanEnv("LD_USAGE_MCP_REDIS_URL="+rds.URL(), "LD_USAGE_MCP_SECRET_FILE="+secretFile), common...),
		startReplica(t, env, append(common, "--redis", rds.URLWithoutPassword())...),
	}
	for i, r := range reps {
		require.Eventually(t, func() bool { return r.metric(t, "ld_usage_mcp_redis_up") == 1 }, 10*time.Second, 20*time.Millisecond,
			"replica %d reaches Redis; stderr:\n%s", i, r.logs.String())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sessions := func(token string) []mcptest.Session {
		out := make([]mcptest.Session, len(reps))
		for i, r := range reps {
			out[i] = mcptest.MustConnect(t, ctx, "sdk", "http", r.url, map[string]string{"X-LaunchDarkly-Api-Key": token})
		}
		return out
	}
	sa, sb, sc := sessions(tokenA), sessions(tokenB), sessions(tokenC)

	// calls runs n calls at once, call i on replica i%3 asking for flag(i),
	// and returns the calls that failed (an error, a tool error, or a text
	// that is not the answer for that flag).
	calls := func(ss []mcptest.Session, n int, flag func(i int) string) []string {
		var mu sync.Mutex
		var failed []string
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				text, isErr, err := ss[i%len(ss)].Call(ctx, "get_evaluations_usage", evalArgs(flag(i)))
				if err != nil || isErr || !strings.Contains(text, "featureFlagKey="+flag(i)) {
					mu.Lock()
					failed = append(failed, fmt.Sprintf("call %d on replica %d: err=%v isError=%v %.200s", i, i%len(ss), err, isErr, text))
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		return failed
	}

	t.Run("identical calls make one upstream request", func(t *testing.T) {
		assert.Empty(t, calls(sa, 60, func(int) string { return "collapse" }))
		assert.Equal(t, 1, len(requestsFor(up.emu, "collapse")), "3×20 identical concurrent calls over 3 replicas")
	})

	t.Run("a burst of distinct calls meets no rate-limit error", func(t *testing.T) {
		time.Sleep(time.Second) // a fresh window
		before, limitedBefore := up.emu.Count(), up.limited.Load()
		failed := calls(sa, 150, func(i int) string { return "burst-" + strconv.Itoa(i) })
		assert.Empty(t, failed, "every call answered, none with a rate-limit error")
		limited := up.limited.Load() - limitedBefore
		t.Logf("150 distinct calls: %d upstream requests, %d answered 429", up.emu.Count()-before, limited)
		assert.LessOrEqual(t, limited, int64(5), "the replicas keep within LaunchDarkly's window together")
	})

	t.Run("tokens never see each other's answers", func(t *testing.T) {
		assert.Empty(t, calls(sa[:1], 1, func(int) string { return "tokens" }))
		assert.Equal(t, 1, up.requestsWith("tokens", tokenA))
		assert.Empty(t, calls(sb, 3, func(int) string { return "tokens" }))
		assert.Equal(t, 1, up.requestsWith("tokens", tokenB), "B's first call went upstream with B's token, then B's cache")
		for i, s := range sc {
			text, isErr, err := s.Call(ctx, "get_evaluations_usage", evalArgs("tokens"))
			require.NoError(t, err)
			assert.True(t, isErr, "replica %d served a refused token an answer: %s", i, text)
			assert.Contains(t, text, "401")
		}
		assert.Equal(t, 1, up.requestsWith("tokens", tokenA), "A's answer was never fetched again")
	})

	// Keys while Redis holds the state of the calls above.
	keys, err := redisKeys(rds)
	require.NoError(t, err)
	require.NotEmpty(t, keys)

	t.Run("redis killed mid-load fails no call; restarted, sharing resumes", func(t *testing.T) {
		time.Sleep(time.Second) // a fresh window
		var failed []string
		var wg sync.WaitGroup
		wg.Go(func() { failed = calls(sa, 90, func(i int) string { return "outage-" + strconv.Itoa(i%30) }) })
		time.Sleep(30 * time.Millisecond)
		rds.Kill()
		wg.Wait()
		assert.Empty(t, failed)
		for i, r := range reps {
			resp, err := http.Get(r.url + "/healthz")
			require.NoError(t, err)
			_ = resp.Body.Close()
			assert.Equal(t, http.StatusOK, resp.StatusCode, "degraded is not down (replica %d)", i)
		}
		// Still down: each replica answers alone.
		assert.Empty(t, calls(sa, 3, func(int) string { return "alone" }))
		assert.Equal(t, 3, len(requestsFor(up.emu, "alone")), "no sharing while Redis is down")
		for i, r := range reps {
			assert.Equal(t, 0.0, r.metric(t, "ld_usage_mcp_redis_up"), "replica %d", i)
			assert.Positive(t, r.metric(t, "ld_usage_mcp_redis_fallbacks_total"), "replica %d", i)
		}

		rds.Restart(t)
		for i, r := range reps {
			require.Eventually(t, func() bool { return r.metric(t, "ld_usage_mcp_redis_up") == 1 }, 10*time.Second, 50*time.Millisecond,
				"replica %d uses Redis again", i)
		}
		assert.Empty(t, calls(sa, 30, func(int) string { return "resumed" }))
		assert.Equal(t, 1, len(requestsFor(up.emu, "resumed")), "sharing resumes")
		for i, r := range reps {
			logs := r.logs.String()
			assert.Equal(t, 1, strings.Count(logs, "redis unreachable"), "replica %d logs the outage once", i)
			assert.Equal(t, 2, strings.Count(logs, "redis reachable"), "replica %d: at start and after the outage", i)
		}
	})

	t.Run("no secret in a log line or a Redis key", func(t *testing.T) {
		after, err := redisKeys(rds)
		require.NoError(t, err)
		keys = append(keys, after...)
		for _, k := range keys {
			for _, secret := range []string{password, tokenA, tokenB, tokenC} {
				assert.NotContains(t, k, secret)
			}
		}
		for i, r := range reps {
			logs := r.logs.String()
			require.Contains(t, logs, `msg="http request"`, "debug logs were on")
			for _, secret := range []string{password, tokenA, tokenB, tokenC} {
				assert.NotContains(t, logs, secret, "replica %d", i)
			}
		}
	})
}

// redisKeys lists every key of the server.
func redisKeys(s *redistest.Server) ([]string, error) {
	c := s.Client()
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var keys []string
	iter := c.Scan(ctx, 0, "*", 1000).Iterator()
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	return keys, iter.Err()
}
