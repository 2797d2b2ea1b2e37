package signin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Person is who a request to the protected resource comes from.
type Person struct {
	// LaunchDarklyToken is the person's LaunchDarkly access token, for the
	// Authorization header of their calls ("Bearer " + it). Never log it.
	LaunchDarklyToken string
	ClientID          string
}

// Authenticate checks the access token of a request to the protected
// resource: issued by this server, for this resource, not expired, its grant
// not revoked. On failure it answers 401 with a WWW-Authenticate challenge
// pointing to the protected resource metadata and returns false.
func (s *Server) Authenticate(w http.ResponseWriter, r *http.Request) (*Person, bool) {
	tok, present := bearer(r)
	if tok == "" {
		s.challenge(w, present, "")
		return nil, false
	}
	p, err := s.check(r.Context(), tok)
	if err != nil {
		s.logger.Info("refused a request: access token not valid", "reason", err.Error(), "remote", r.RemoteAddr)
		s.challenge(w, true, err.Error())
		return nil, false
	}
	return p, true
}

func bearer(r *http.Request) (tok string, present bool) {
	a := strings.TrimSpace(r.Header.Get("Authorization"))
	if a == "" {
		return "", false
	}
	scheme, t, ok := strings.Cut(a, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", true
	}
	return strings.TrimSpace(t), true
}

// challenge answers 401 (RFC 6750 §3, RFC 9728 §5.1).
func (s *Server) challenge(w http.ResponseWriter, invalid bool, why string) {
	c := fmt.Sprintf(`Bearer resource_metadata="%s", scope="%s"`, s.public+PathResourceMetadata+ResourcePath, Scope)
	if invalid {
		c += `, error="invalid_token"`
		if why != "" {
			c += `, error_description="` + strings.ReplaceAll(why, `"`, "'") + `"`
		}
	}
	w.Header().Set("WWW-Authenticate", c)
	msg := "Unauthorized: sign in with LaunchDarkly (your MCP client does it: see " + s.public + PathResourceMetadata + ResourcePath + ")"
	if why != "" {
		msg = "Unauthorized: " + why + "; sign in again"
	}
	http.Error(w, msg, http.StatusUnauthorized)
}

// tokenError texts of the resource check (no token in them).
var (
	errTokenUnknown  = errors.New("the access token is unknown or revoked")
	errTokenExpired  = errors.New("the access token expired")
	errTokenAudience = errors.New("the access token was issued for another resource")
)

// check resolves an access token to its person. When the store cannot be
// reached, a token this replica already checked stays good until it (or its
// LaunchDarkly token) expires.
func (s *Server) check(ctx context.Context, tok string) (*Person, error) {
	h := s.rec.k.hash("at", tok)
	now := s.now()
	var at tokenRec
	err := s.rec.get(ctx, "at", h, &at)
	if err != nil {
		if isStoreDown(err) {
			if p, ok := s.held.get(h, now); ok {
				return p, nil
			}
			s.logger.Error("access token not checked: the sign-in store is unavailable", "err", err)
			return nil, errors.New("the sign-in store is unavailable; try again shortly")
		}
		s.held.drop(h) // revoked elsewhere: not to be honoured when the store is down
		return nil, errTokenUnknown
	}
	if at.Resource != s.resource {
		return nil, errTokenAudience
	}
	if !now.Before(at.Expires) {
		return nil, errTokenExpired
	}
	var fam family
	if err := s.rec.get(ctx, "family", at.Family, &fam); err != nil {
		if isStoreDown(err) {
			if p, ok := s.held.get(h, now); ok {
				return p, nil
			}
			return nil, errors.New("the sign-in store is unavailable; try again shortly")
		}
		s.held.drop(h)
		return nil, errTokenUnknown
	}
	sess, err := s.launchDarklyToken(ctx, fam.Session)
	if err != nil {
		if errors.Is(err, errSignedOut) {
			s.revokeFamily(ctx, at.Family, "LaunchDarkly ended the sign-in")
		}
		if isStoreDown(err) {
			if p, ok := s.held.get(h, now); ok {
				return p, nil
			}
		}
		return nil, err
	}
	p := &Person{LaunchDarklyToken: sess.Access, ClientID: at.ClientID}
	until := at.Expires
	if !sess.Expiry.IsZero() && sess.Expiry.Before(until) {
		until = sess.Expiry
	}
	s.held.put(h, at.Family, p, until)
	return p, nil
}

// heldTokens are the access tokens this replica has checked, with their
// person, for when the store is unreachable. Keyed by the token's hash.
type heldTokens struct {
	mu sync.Mutex
	m  map[string]heldToken
}

type heldToken struct {
	p      *Person
	family string
	until  time.Time
}

const maxHeld = 10000

func newHeldTokens() *heldTokens { return &heldTokens{m: map[string]heldToken{}} }

func (h *heldTokens) put(key, family string, p *Person, until time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.m) >= maxHeld {
		now := time.Now()
		for k, v := range h.m {
			if now.After(v.until) {
				delete(h.m, k)
			}
		}
		if len(h.m) >= maxHeld {
			clear(h.m)
		}
	}
	h.m[key] = heldToken{p: p, family: family, until: until}
}

func (h *heldTokens) get(key string, now time.Time) (*Person, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	v, ok := h.m[key]
	if !ok || !now.Before(v.until) {
		return nil, false
	}
	return v.p, true
}

func (h *heldTokens) drop(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.m, key)
}

func (h *heldTokens) dropFamily(family string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for k, v := range h.m {
		if v.family == family {
			delete(h.m, k)
		}
	}
}
