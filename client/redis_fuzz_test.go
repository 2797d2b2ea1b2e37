package client

import (
	"bytes"
	"net/http"
	"testing"
	"time"
)

// FuzzRedisEntry feeds the decoder of values read from Redis anything:
// whatever it is, reading it never panics, a value without a valid MAC is
// never believed, and what is believed is only what replicas keep (no
// redirect, only the used headers, an expiry within the URL's TTL).
func FuzzRedisEntry(f *testing.F) {
	s, err := newSealer([]byte("fuzz-deployment-secret-0001"))
	if err != nil {
		f.Fatal(err)
	}
	const key = redisPrefix + "{k}:answer"
	e := &cacheEntry{status: "200 OK", statusCode: 200, header: http.Header{"Content-Type": {"application/json"}},
		body: []byte(`{"series":[]}`), expires: time.UnixMilli(1793491200000)}
	f.Add(s.seal(key, encodeEntry(e)), true)
	f.Add(encodeEntry(e), false)
	f.Add(encodeEntry(&cacheEntry{statusCode: 302, header: http.Header{"Location": {"http://x/"}}}), true)
	f.Add([]byte{entryVersion, 200, 1, '{'}, true)
	f.Add([]byte{}, false)
	now := time.UnixMilli(1793491100000)
	f.Fuzz(func(t *testing.T, b []byte, sealIt bool) {
		v := b
		if sealIt {
			v = s.seal(key, b)
		}
		payload, ok := s.open(key, v)
		if !sealIt && ok && !bytes.Equal(s.seal(key, payload), v) {
			t.Fatal("an unsealed value passed the check")
		}
		if !ok {
			return
		}
		got, err := decodeEntry(payload)
		if err != nil {
			return
		}
		got = believe(got, now, time.Minute)
		if got == nil {
			return
		}
		if redirect(got.statusCode) || got.statusCode < 200 || got.statusCode > 599 {
			t.Fatalf("believed status %d", got.statusCode)
		}
		for k := range got.header {
			if k != "Content-Type" {
				t.Fatalf("kept header %q", k)
			}
		}
		if !got.expires.IsZero() && (got.statusCode != 200 || got.expires.After(now.Add(time.Minute))) {
			t.Fatalf("kept until %s", got.expires)
		}
		// What decodes encodes back to the same head and body.
		again, err := decodeEntry(encodeEntry(got))
		if err != nil || !bytes.Equal(again.body, got.body) || again.statusCode != got.statusCode {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// BenchmarkRedisSeal is the cost of authenticating one answer: sealing it
// (a leader writing it) and opening it (a replica reading it), a 16 KB body
// as a month of daily series is, and the keyed names of its keys.
func BenchmarkRedisSeal(b *testing.B) {
	s, err := newSealer([]byte("bench-deployment-secret-0001"))
	if err != nil {
		b.Fatal(err)
	}
	e := &cacheEntry{status: "200 OK", statusCode: 200, header: http.Header{"Content-Type": {"application/json"}},
		body: bytes.Repeat([]byte(`{"time":1793491200000,"0":1234},`), 512), expires: time.Now().Add(time.Minute)}
	payload := encodeEntry(e)
	const key = redisPrefix + "{k}:answer"
	var tok [32]byte
	b.Run("seal+open 16KB", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			if _, ok := s.open(key, s.seal(key, payload)); !ok {
				b.Fatal("does not open")
			}
		}
	})
	// The reference, in the same run: what reading and writing the same
	// answer cost before (encoding and decoding it), which sealing adds to.
	b.Run("reference: encode+decode 16KB", func(b *testing.B) {
		b.SetBytes(int64(len(payload)))
		for b.Loop() {
			if _, err := decodeEntry(encodeEntry(e)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("key names", func(b *testing.B) {
		for b.Loop() {
			_ = s.name("token", tok[:]) + s.name("answer", tok[:])
		}
	})
	b.Run("lock value+check", func(b *testing.B) {
		for b.Loop() {
			if !s.checkLock(key, s.lockValue(key, "abc123")) {
				b.Fatal("lock")
			}
		}
	})
}
