package client

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPaceEarlyRequestsCountInTheNewWindow: a request sent after the
// announced reset but before the window is taken as renewed (paceSlack
// later) counts in LaunchDarkly's new window, so the refill leaves room
// for one request fewer. Without it a pacer that had room left at the reset
// sent limit+1 requests into the new window: TestOverviewRateLimitBurst saw
// that 429 about once in 50 runs on a loaded machine.
func TestPaceEarlyRequestsCountInTheNewWindow(t *testing.T) {
	ctx := context.Background()
	// A window of 6 with 3 left, whose announced reset passed 10 ms ago:
	// within the slack, the old window's room still serves.
	b := &bucket{changed: make(chan struct{}), limited: true, limit: 6, remaining: 3, reset: time.Now().Add(-10 * time.Millisecond)}
	g, err := b.take(ctx, false)
	require.NoError(t, err)
	require.True(t, g.ok)
	g.release(nil)
	b.mu.Lock()
	assert.Equal(t, 1, b.early, "sent after the announced reset")
	// The slack is over: the window is taken as renewed.
	b.reset = time.Now().Add(-paceSlack - time.Millisecond)
	b.mu.Unlock()

	var inFlight []grant // unanswered, as a burst's are
	for {
		g, err := b.take(ctx, false)
		require.NoError(t, err)
		if !g.ok {
			break
		}
		inFlight = append(inFlight, g)
		require.Less(t, len(inFlight), 10)
	}
	assert.Len(t, inFlight, 5, "the new window holds 6, one of them already sent")

	// The first answer of the new window says what LaunchDarkly counted,
	// early requests included: they are not left out a second time.
	b.mu.Lock()
	b.early = 2
	b.mu.Unlock()
	// (A reset within LaunchDarkly's 10 s window: one further is not believed.)
	reset := strconv.FormatInt(time.Now().Add(5*time.Second).UnixMilli(), 10)
	inFlight[0].release(rsAnswer(200, map[string]string{"X-Ratelimit-Route-Remaining": "4", "X-Ratelimit-Reset": reset}))
	b.mu.Lock()
	defer b.mu.Unlock()
	assert.Equal(t, 0, b.early)
	assert.Equal(t, 4-len(inFlight[1:]), b.remaining, "remaining less what is still in flight")
}
