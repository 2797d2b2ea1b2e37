package tools_test

import (
	"context"
	"net/http"
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
// LaunchDarkly answer 429.
func TestOverviewRateLimitBurst(t *testing.T) {
	leakCheck(t)
	const limit = 6
	fe := newFaultEnv(t, faultOpts{rateLimit: limit, window: 300 * time.Millisecond, callTimeout: 20 * time.Second, maxAttempts: 6})
	projects := []string{"web-app", "mobile-app", "payments", "web-app-2"}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
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
	assert.Zero(t, fe.events.count(client.EventUpstream, http.StatusTooManyRequests), "LaunchDarkly never had to answer 429")
	assert.Equal(t, len(projects)*len(billedTools), fe.emu.Count(), "one request per measure and call: none refused and retried")
	assert.Positive(t, fe.events.count(client.EventPace, -1), "the pacing held requests back")
}
