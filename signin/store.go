package signin

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"
)

// Store keeps the sign-in state: clients, pending authorizations, codes,
// sessions (LaunchDarkly's tokens), access and refresh tokens, families. It
// has two homes: memory (one process) and Redis (every replica). Values
// reach it sealed (AES-GCM, bound to their key) and keys name tokens only by
// their HMAC, so what a Store holds reveals no token and what another
// process wrote into it is checked before it is believed.
type Store interface {
	// Put keeps val under key for ttl.
	Put(ctx context.Context, key string, val []byte, ttl time.Duration) error
	// Get returns the value under key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Take returns the value under key and deletes it, atomically: of two
	// concurrent Takes, one gets ErrNotFound.
	Take(ctx context.Context, key string) ([]byte, error)
	// Delete removes keys; absent ones are no error.
	Delete(ctx context.Context, keys ...string) error
	// Lock takes the lock named key for ttl, if no one holds it; Unlock
	// releases it when token still holds it.
	Lock(ctx context.Context, key, token string, ttl time.Duration) (bool, error)
	Unlock(ctx context.Context, key, token string) error
}

// ErrNotFound is a Store's answer for a key it does not hold.
var ErrNotFound = errors.New("not found")

// MemoryStore is the Store of one process.
type MemoryStore struct {
	mu   sync.Mutex
	m    map[string]memEntry
	now  func() time.Time
	puts int
}

type memEntry struct {
	val []byte
	exp time.Time
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{m: map[string]memEntry{}, now: time.Now} }

func (s *MemoryStore) Put(_ context.Context, key string, val []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = memEntry{val: append([]byte(nil), val...), exp: s.now().Add(ttl)}
	if s.puts++; s.puts%1024 == 0 {
		s.sweep()
	}
	return nil
}

// sweep drops expired entries (called with mu held).
func (s *MemoryStore) sweep() {
	now := s.now()
	for k, e := range s.m {
		if now.After(e.exp) {
			delete(s.m, k)
		}
	}
}

func (s *MemoryStore) get(key string) ([]byte, bool) {
	e, ok := s.m[key]
	if !ok {
		return nil, false
	}
	if s.now().After(e.exp) {
		delete(s.m, key)
		return nil, false
	}
	return e.val, true
}

func (s *MemoryStore) Get(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.get(key); ok {
		return v, nil
	}
	return nil, ErrNotFound
}

func (s *MemoryStore) Take(_ context.Context, key string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.get(key)
	if !ok {
		return nil, ErrNotFound
	}
	delete(s.m, key)
	return v, nil
}

func (s *MemoryStore) Delete(_ context.Context, keys ...string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		delete(s.m, k)
	}
	return nil
}

func (s *MemoryStore) Lock(_ context.Context, key, token string, ttl time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, held := s.get(key); held {
		return false, nil
	}
	s.m[key] = memEntry{val: []byte(token), exp: s.now().Add(ttl)}
	return true, nil
}

func (s *MemoryStore) Unlock(_ context.Context, key, token string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.get(key); ok && string(v) == token {
		delete(s.m, key)
	}
	return nil
}

// records is the typed, sealed view of a Store that the rest of the package
// uses. Keys are prefix + kind + ":" + id, where id is an HMAC of the token,
// code or state it stands for (or a random ID that is no credential):
//
//	client:<client_id>        a registered client (clientRec)
//	pending:<h(request)>      an authorization request awaiting consent
//	upstream:<h(state)>       one sent to LaunchDarkly, awaiting its callback
//	code:<h(code)>            an authorization code; codeused:<h(code)> once traded
//	session:<h(id)>           LaunchDarkly's tokens and who signed in
//	family:<id>               a grant: its client, resource and session
//	at:<h(token)>, rt:<h(token)>  access and refresh tokens; rtused:<h(token)> once rotated
//	lock:<session key>        the lock of one LaunchDarkly refresh (not sealed)
type records struct {
	st     Store
	k      *keys
	prefix string
}

func (r *records) key(kind, id string) string { return r.prefix + kind + ":" + id }

func (r *records) put(ctx context.Context, kind, id string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	key := r.key(kind, id)
	return r.st.Put(ctx, key, r.k.seal(key, b), ttl)
}

// decode opens and decodes a stored record. A record that fails the check
// (not sealed with this deployment's secret, or moved from another key) is
// a miss: ErrNotFound.
func (r *records) decode(key string, b []byte, v any) error {
	plain, err := r.k.open(key, b)
	if err != nil {
		return ErrNotFound
	}
	if json.Unmarshal(plain, v) != nil {
		return ErrNotFound
	}
	return nil
}

func (r *records) get(ctx context.Context, kind, id string, v any) error {
	key := r.key(kind, id)
	b, err := r.st.Get(ctx, key)
	if err != nil {
		return err
	}
	return r.decode(key, b, v)
}

func (r *records) take(ctx context.Context, kind, id string, v any) error {
	key := r.key(kind, id)
	b, err := r.st.Take(ctx, key)
	if err != nil {
		return err
	}
	return r.decode(key, b, v)
}

func (r *records) del(ctx context.Context, kind string, ids ...string) error {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = r.key(kind, id)
	}
	return r.st.Delete(ctx, keys...)
}
