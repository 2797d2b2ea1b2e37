package client

// What another process wrote is checked before it is believed. Whoever can
// write to the Redis the replicas share (a shared cache is often the least
// guarded box of a deployment) must not be able to make a replica answer a
// figure LaunchDarkly never gave, follow a redirect with the caller's token,
// or hold its calls: every value this store writes carries an HMAC-SHA256,
// keyed by the deployment's secret, over the key it is written under and the
// value, and a value whose MAC does not match is a miss (counted, and
// reported once, without its content). Key names carry keyed hashes of the
// token, so that a guessed token cannot be checked against them.
//
// The rate-limit windows are computed inside Redis (Lua scripts, atomic
// across replicas), where no MAC can be checked without handing Redis the
// secret: the reset, the one value that makes a call wait, carries a MAC
// checked before a call waits for it, and the other values are bounded (see
// windowState).

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
)

// MinSecretBytes is the shortest deployment secret that is not warned
// about (a shorter one works, but may be guessed).
const MinSecretBytes = 16

// ErrNoSecret: a Redis store needs the deployment's secret.
var ErrNoSecret = errors.New("sharing through Redis needs the deployment's secret (--secret or LD_USAGE_MCP_SECRET, the same on every replica): without it, whoever can write to the Redis could make every replica answer what they like")

// sealer authenticates what the store writes to Redis and names its keys.
type sealer struct {
	secret []byte
}

func newSealer(secret []byte) (sealer, error) {
	if len(secret) == 0 {
		return sealer{}, ErrNoSecret
	}
	return sealer{secret: append([]byte(nil), secret...)}, nil
}

// mac is HMAC-SHA256 under the secret of the parts, each prefixed by its
// length so that no two different lists of parts give the same input.
func (s sealer) mac(parts ...[]byte) []byte {
	h := hmac.New(sha256.New, s.secret)
	var n [8]byte
	for _, p := range parts {
		l := uint64(len(p))
		for i := range n {
			n[i] = byte(l >> (8 * i))
		}
		_, _ = h.Write(n[:])
		_, _ = h.Write(p)
	}
	return h.Sum(nil)
}

// name is a keyed hash for a key name: 16 bytes of the MAC, in hex.
func (s sealer) name(kind string, v []byte) string {
	return hex.EncodeToString(s.mac([]byte("name"), []byte(kind), v)[:16])
}

// seal returns value with the MAC over key and value in front.
func (s sealer) seal(key string, value []byte) []byte {
	m := s.mac([]byte("value"), []byte(key), value)
	out := make([]byte, 0, len(m)+len(value))
	return append(append(out, m...), value...)
}

// open checks a sealed value read under key and returns the value, or
// ok=false when it was not written by a holder of the secret under this key.
func (s sealer) open(key string, sealed []byte) (value []byte, ok bool) {
	if len(sealed) < sha256.Size {
		return nil, false
	}
	m, value := sealed[:sha256.Size], sealed[sha256.Size:]
	if !hmac.Equal(m, s.mac([]byte("value"), []byte(key), value)) {
		return nil, false
	}
	return value, true
}

// lockValue is the value of a flight's lock: the leader's id and a MAC over
// the lock's key and the id, so that followers wait only for a leader that
// holds the secret.
func (s sealer) lockValue(lockKey, id string) string {
	return id + "." + hex.EncodeToString(s.mac([]byte("lock"), []byte(lockKey), []byte(id))[:16])
}

// checkLock reports whether v is a lock value made by lockValue for lockKey.
func (s sealer) checkLock(lockKey, v string) bool {
	id, _, ok := strings.Cut(v, ".")
	return ok && hmac.Equal([]byte(v), []byte(s.lockValue(lockKey, id)))
}

// resetMAC authenticates a window's reset (Unix ms) under the window's key:
// made by the replica that learnt it from LaunchDarkly's answer.
func (s sealer) resetMAC(windowKey string, reset int64) string {
	return hex.EncodeToString(s.mac([]byte("reset"), []byte(windowKey), []byte(strconv.FormatInt(reset, 10)))[:16])
}

// checkReset reports whether mac is resetMAC's for this window and reset.
func (s sealer) checkReset(windowKey string, reset int64, mac string) bool {
	return hmac.Equal([]byte(mac), []byte(s.resetMAC(windowKey, reset)))
}
