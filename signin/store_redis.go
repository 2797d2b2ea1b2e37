package signin

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// RedisStore is the Store that every replica naming the same Redis shares,
// so that a person signed in through one replica is signed in on all.
type RedisStore struct {
	rdb     *redis.Client
	timeout time.Duration
}

// redisOpTimeout bounds one Redis operation of sign-in. Sign-in waits longer
// than the cache does (it has no local answer to fall back to, but for the
// access tokens a replica already holds).
const redisOpTimeout = 2 * time.Second

// NewRedisStore connects lazily to the Redis at rawURL (redis:// or
// rediss://; password used when the URL has none). Errors never repeat the URL.
func NewRedisStore(rawURL, password string) (*RedisStore, error) {
	o, err := client.ParseRedisURL(rawURL, password)
	if err != nil {
		return nil, err
	}
	o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout = redisOpTimeout, redisOpTimeout, redisOpTimeout, redisOpTimeout
	o.ContextTimeoutEnabled = true
	o.MaxRetries = 1
	o.DialerRetries = 1 // one dial per attempt: a Redis that is down answers fast
	o.DisableIdentity = true
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return &RedisStore{rdb: redis.NewClient(o), timeout: redisOpTimeout}, nil
}

// Close closes the connections.
func (s *RedisStore) Close() error { return s.rdb.Close() }

func (s *RedisStore) op(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

// errRedis hides go-redis's error (which may name the address) behind one
// that says what failed.
func errRedis(err error) error {
	if errors.Is(err, redis.Nil) {
		return ErrNotFound
	}
	return &StoreError{Err: err}
}

// StoreError is a failure of the shared store (Redis unreachable or failing).
type StoreError struct{ Err error }

func (e *StoreError) Error() string { return "the sign-in store (Redis) failed: " + e.Err.Error() }
func (e *StoreError) Unwrap() error { return e.Err }

func (s *RedisStore) Put(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	ctx, cancel := s.op(ctx)
	defer cancel()
	if err := s.rdb.Set(ctx, key, val, ttl).Err(); err != nil {
		return errRedis(err)
	}
	return nil
}

func (s *RedisStore) Get(ctx context.Context, key string) ([]byte, error) {
	ctx, cancel := s.op(ctx)
	defer cancel()
	b, err := s.rdb.Get(ctx, key).Bytes()
	if err != nil {
		return nil, errRedis(err)
	}
	return b, nil
}

func (s *RedisStore) Take(ctx context.Context, key string) ([]byte, error) {
	ctx, cancel := s.op(ctx)
	defer cancel()
	b, err := s.rdb.GetDel(ctx, key).Bytes()
	if err != nil {
		return nil, errRedis(err)
	}
	return b, nil
}

func (s *RedisStore) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	ctx, cancel := s.op(ctx)
	defer cancel()
	if err := s.rdb.Del(ctx, keys...).Err(); err != nil {
		return errRedis(err)
	}
	return nil
}

func (s *RedisStore) Lock(ctx context.Context, key, token string, ttl time.Duration) (bool, error) {
	ctx, cancel := s.op(ctx)
	defer cancel()
	ok, err := s.rdb.SetNX(ctx, key, token, ttl).Result()
	if err != nil {
		return false, errRedis(err)
	}
	return ok, nil
}

// unlockScript deletes the lock only when it is still the caller's.
var unlockScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

func (s *RedisStore) Unlock(ctx context.Context, key, token string) error {
	ctx, cancel := s.op(ctx)
	defer cancel()
	if err := unlockScript.Run(ctx, s.rdb, []string{key}, token).Err(); err != nil && !errors.Is(err, redis.Nil) {
		return errRedis(err)
	}
	return nil
}
