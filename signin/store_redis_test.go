package signin

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/internal/redistest"
)

// The two homes of the Store keep the same promises.
func TestStores(t *testing.T) {
	rd := redistest.Start(t, "store-test-pw")
	rs, err := NewRedisStore(rd.URL(), "")
	require.NoError(t, err)
	t.Cleanup(func() { _ = rs.Close() })
	for name, st := range map[string]Store{"memory": NewMemoryStore(), "redis": rs} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			_, err := st.Get(ctx, "absent")
			assert.ErrorIs(t, err, ErrNotFound)
			require.NoError(t, st.Put(ctx, "k", []byte("v"), time.Minute))
			v, err := st.Get(ctx, "k")
			require.NoError(t, err)
			assert.Equal(t, "v", string(v))

			// Of concurrent Takes, exactly one gets the value.
			var got atomic.Int32
			var wg sync.WaitGroup
			for range 16 {
				wg.Go(func() {
					if _, err := st.Take(ctx, "k"); err == nil {
						got.Add(1)
					}
				})
			}
			wg.Wait()
			assert.Equal(t, int32(1), got.Load())

			// A lock is held by one; another's unlock does not release it.
			ok, err := st.Lock(ctx, "lock", "a", time.Minute)
			require.NoError(t, err)
			assert.True(t, ok)
			ok, err = st.Lock(ctx, "lock", "b", time.Minute)
			require.NoError(t, err)
			assert.False(t, ok)
			require.NoError(t, st.Unlock(ctx, "lock", "b"))
			ok, _ = st.Lock(ctx, "lock", "b", time.Minute)
			assert.False(t, ok)
			require.NoError(t, st.Unlock(ctx, "lock", "a"))
			ok, _ = st.Lock(ctx, "lock", "b", time.Minute)
			assert.True(t, ok)

			require.NoError(t, st.Delete(ctx, "k", "lock"))
		})
	}
	rd.Kill()
	_, err = rs.Get(context.Background(), "k")
	require.Error(t, err)
	assert.True(t, isStoreDown(err), "a Redis that is down is a StoreError, not a miss")
	assert.NotContains(t, err.Error(), "store-test-pw")
}

// TestLaunchDarklyRefreshOnceAcrossReplicas: two replicas sharing Redis,
// many calls at once when LaunchDarkly's token is about to expire: one refresh.
func TestLaunchDarklyRefreshOnceAcrossReplicas(t *testing.T) {
	rd := redistest.Start(t, "refresh-test-pw")
	rs, err := NewRedisStore(rd.URL(), "")
	require.NoError(t, err)
	t.Cleanup(func() { _ = rs.Close() })
	var cfgA Config
	e := newEnv(t, func(c *Config) { c.Store = rs; cfgA = *c })
	g := e.signIn()
	b, err := New(cfgA) // replica B: the same public URL, secret and store
	require.NoError(t, err)

	e.clock.advance(time.Hour - upstreamEarly + time.Second)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for i := range 16 {
		replica := e.s
		if i%2 == 1 {
			replica = b
		}
		wg.Go(func() {
			if _, err := replica.check(context.Background(), g.access); err != nil {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	assert.Zero(t, failed.Load())
	assert.Equal(t, 1, e.ld.Refreshes(), "one refresh for both replicas")
	pa, err := e.s.check(context.Background(), g.access)
	require.NoError(t, err)
	pb, err := b.check(context.Background(), g.access)
	require.NoError(t, err)
	assert.Equal(t, pa.LaunchDarklyToken, pb.LaunchDarklyToken)
	assert.True(t, e.ld.IsAccess(pa.LaunchDarklyToken))
}
