package client

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/internal/redistest"
)

// TestRedisPaceEarlyRequestsCountInTheNewWindow is the shared window's
// TestPaceEarlyRequestsCountInTheNewWindow: a request a replica sends after
// the announced reset, before the window is taken as renewed (paceSlack
// later), counts in LaunchDarkly's new window, so the refill leaves room for
// one fewer; the first answer of the new window counts it itself.
func TestRedisPaceEarlyRequestsCountInTheNewWindow(t *testing.T) {
	srv := redistest.Start(t, redisTestPassword)
	s := newTestRedisStore(t, srv, nil)
	w := s.windows(newMemWindows())
	tok := [32]byte{7, 7, 7}
	key := s.windowTag(tok) + ":window"
	ctx := rsCtx(t, 5*time.Second)
	set := func(fields ...any) {
		t.Helper()
		require.NoError(t, s.rdb.HSet(ctx, key, fields...).Err())
	}
	field := func(name string) int {
		t.Helper()
		v, err := s.rdb.HGet(ctx, key, name).Result()
		require.NoError(t, err)
		n, err := strconv.Atoi(v)
		require.NoError(t, err)
		return n
	}

	// A window of 6 with 3 left, whose announced reset passed 10 ms ago:
	// within the slack, the old window's room still serves.
	reset := time.Now().Add(-10 * time.Millisecond).UnixMilli()
	set("limited", 1, "open", 0, "limit", 6, "rem", 3, "reset", reset, "rsig", s.seal.resetMAC(key, reset))
	g, err := w.window(tok).take(ctx, false)
	require.NoError(t, err)
	require.True(t, g.ok)
	g.release(nil)
	assert.Equal(t, 1, field("early"), "sent after the announced reset")

	// The slack is over: the window is taken as renewed.
	reset = time.Now().Add(-paceSlack - 10*time.Millisecond).UnixMilli()
	set("reset", reset, "rsig", s.seal.resetMAC(key, reset))
	var inFlight []grant
	for {
		g, err := w.window(tok).take(ctx, false)
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
	set("early", 2)
	next := strconv.FormatInt(time.Now().Add(5*time.Second).UnixMilli(), 10)
	inFlight[0].release(rsAnswer(200, map[string]string{"X-Ratelimit-Route-Remaining": "4", "X-Ratelimit-Reset": next}))
	assert.Equal(t, 0, field("early"))
	assert.Equal(t, 4-len(inFlight[1:]), field("rem"), "remaining less what is still in flight")
	for _, g := range inFlight[1:] {
		g.release(nil)
	}
}
