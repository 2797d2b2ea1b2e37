package signin

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// keys are what the deployment secret is turned into: one key per use, so
// that a key of one use never serves another.
type keys struct {
	aead  cipher.AEAD // seals every stored record (and so LaunchDarkly's tokens)
	names []byte      // HMAC key of the token hashes in store key names
}

// newKeys derives the keys from the deployment secret with HKDF-SHA-256.
func newKeys(secret []byte) (*keys, error) {
	if len(secret) == 0 {
		return nil, errors.New("no deployment secret")
	}
	sealKey, err := hkdf.Key(sha256.New, secret, nil, "ld-usage-mcp sign-in: store encryption v1", 32)
	if err != nil {
		return nil, err
	}
	nameKey, err := hkdf.Key(sha256.New, secret, nil, "ld-usage-mcp sign-in: token hashes v1", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(sealKey)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &keys{aead: aead, names: nameKey}, nil
}

// seal encrypts and authenticates plain, bound to the store key it is kept
// under (so that a record moved to another key does not open).
func (k *keys) seal(storeKey string, plain []byte) []byte {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plain)+k.aead.Overhead())
	_, _ = rand.Read(nonce)
	return k.aead.Seal(nonce, nonce, plain, []byte(storeKey))
}

// open reverses seal; a record that fails the check is an error.
func (k *keys) open(storeKey string, sealed []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return nil, errors.New("stored record too short")
	}
	return k.aead.Open(nil, sealed[:n], sealed[n:], []byte(storeKey))
}

// hash names a token (or a code, a state) in the store without revealing it:
// an HMAC keyed by the deployment secret.
func (k *keys) hash(kind, token string) string {
	m := hmac.New(sha256.New, k.names)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(token))
	return hex.EncodeToString(m.Sum(nil))
}

// newToken returns a fresh random token: 256 bits, URL-safe.
func newToken() string {
	return rand.Text() + rand.Text() // 2 × 128 bits of base32
}
