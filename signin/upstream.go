package signin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// session is one sign-in at LaunchDarkly: its tokens (the record is sealed,
// so they are kept encrypted) and who signed in (for the logs).
type session struct {
	Access   string    `json:"access"`
	Refresh  string    `json:"refresh,omitempty"`
	Expiry   time.Time `json:"expiry,omitzero"`
	MemberID string    `json:"member_id,omitempty"`
	Email    string    `json:"email,omitempty"`
}

// errSignedOut: LaunchDarkly no longer honours the session (its refresh
// token was refused); the person must sign in again.
var errSignedOut = errors.New("the LaunchDarkly sign-in has ended; sign in again")

func (s *Server) upstreamCtx(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, s.upHTTP)
}

// signIn trades LaunchDarkly's code for its tokens, learns who signed in, and
// keeps the session; it returns the session's ID.
func (s *Server) signIn(ctx context.Context, code string) (string, error) {
	tok, err := s.up.Exchange(s.upstreamCtx(ctx), code)
	if err != nil {
		return "", fmt.Errorf("LaunchDarkly refused the code: %s", upstreamFailure(err))
	}
	if tok.AccessToken == "" {
		return "", errors.New("LaunchDarkly's token answer has no access token")
	}
	who, err := s.callerIdentity(ctx, tok.AccessToken)
	if err != nil {
		// Who signed in is for the logs only: LaunchDarkly's roles decide
		// what the token may read, on every call.
		s.logger.Warn("signed in, but who could not be learned", "err", err)
		who = &identity{MemberID: "unknown"}
	}
	sess := session{Access: tok.AccessToken, Refresh: tok.RefreshToken, Expiry: s.onClock(tok.Expiry), MemberID: who.MemberID, Email: who.Email}
	id := newToken()
	if err := s.rec.put(ctx, "session", s.rec.k.hash("session", id), &sess, RefreshTokenTTL+sessionExtraLife); err != nil {
		return "", err
	}
	s.logger.Info("signed in with LaunchDarkly", "member_id", who.MemberID, "email", who.Email)
	return id, nil
}

type identity struct {
	MemberID string `json:"memberId"`
	Email    string `json:"email"`
}

// callerIdentity asks LaunchDarkly who the token belongs to: the member's id
// from caller-identity, and their email from the member (caller-identity
// does not hold it). The email is for the logs only: without it, the id.
func (s *Server) callerIdentity(ctx context.Context, token string) (*identity, error) {
	var who identity
	if err := s.getJSON(ctx, s.identity, token, "caller-identity", &who); err != nil {
		return nil, err
	}
	if who.Email == "" && who.MemberID != "" {
		members := strings.TrimSuffix(s.identity, "caller-identity") + "members/" + url.PathEscape(who.MemberID)
		var m struct {
			Email string `json:"email"`
		}
		if err := s.getJSON(ctx, members, token, "member", &m); err != nil {
			s.logger.Debug("the member's email could not be read", "member_id", who.MemberID, "err", err)
		}
		who.Email = m.Email
	}
	return &who, nil
}

// getJSON reads one of LaunchDarkly's API answers with the person's token;
// its errors name what was asked (what), never the token or the body.
func (s *Server) getJSON(ctx context.Context, u, token, what string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := s.upHTTP.Do(req)
	if err != nil {
		return fmt.Errorf("LaunchDarkly's %s could not be reached", what)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("LaunchDarkly's %s answered HTTP %d", what, resp.StatusCode)
	}
	if json.Unmarshal(body, into) != nil {
		return fmt.Errorf("LaunchDarkly's %s answer is not JSON", what)
	}
	return nil
}

// upstreamFailure describes an error of LaunchDarkly's token endpoint by its
// OAuth error code and status only (its body is not repeated).
func upstreamFailure(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		code := re.ErrorCode
		if code == "" {
			code = "no error code"
		}
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return fmt.Sprintf("HTTP %d, %s", status, code)
	}
	return "LaunchDarkly's token endpoint could not be reached"
}

// launchDarklyToken returns the session's LaunchDarkly access token,
// refreshed first when it expires soon: by one replica (a lock in the
// store), the others waiting for its result.
func (s *Server) launchDarklyToken(ctx context.Context, sid string) (*session, error) {
	skey := s.rec.k.hash("session", sid)
	var sess session
	if err := s.rec.get(ctx, "session", skey, &sess); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, errSignedOut
		}
		return nil, err
	}
	if !s.expiresSoon(&sess) {
		return &sess, nil
	}
	lock, lockTok := s.rec.key("lock", skey), newToken()
	waitUntil := time.Now().Add(upstreamLockTTL / 2) // real time: how long to wait for another replica
	for {
		got, err := s.rec.st.Lock(ctx, lock, lockTok, upstreamLockTTL)
		if err != nil {
			return nil, err
		}
		if got {
			defer func() { _ = s.rec.st.Unlock(context.WithoutCancel(ctx), lock, lockTok) }()
			return s.refreshUpstream(ctx, skey)
		}
		// Another replica refreshes: wait for its result.
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		var now session
		if err := s.rec.get(ctx, "session", skey, &now); err == nil && !s.expiresSoon(&now) {
			return &now, nil
		}
		if time.Now().After(waitUntil) {
			if s.now().Before(sess.Expiry) {
				return &sess, nil // not refreshed yet, still valid
			}
			return nil, errors.New("LaunchDarkly's token is being refreshed by another replica; try again")
		}
	}
}

// onClock moves an expiry that x/oauth2 computed on the wall clock to this
// server's clock (the same, but in tests).
func (s *Server) onClock(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return s.now().Add(time.Until(t))
}

func (s *Server) expiresSoon(sess *session) bool {
	return !sess.Expiry.IsZero() && s.now().Add(upstreamEarly).After(sess.Expiry)
}

// refreshUpstream refreshes the session's LaunchDarkly token (the lock held).
func (s *Server) refreshUpstream(ctx context.Context, skey string) (*session, error) {
	var sess session
	if err := s.rec.get(ctx, "session", skey, &sess); err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, errSignedOut
		}
		return nil, err
	}
	if !s.expiresSoon(&sess) {
		return &sess, nil // refreshed meanwhile
	}
	if sess.Refresh == "" {
		if s.now().Before(sess.Expiry) {
			return &sess, nil
		}
		return nil, errSignedOut
	}
	tok, err := s.up.TokenSource(s.upstreamCtx(ctx), &oauth2.Token{RefreshToken: sess.Refresh, Expiry: time.Unix(1, 0)}).Token()
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode >= 400 && re.Response.StatusCode < 500 {
			s.logger.Warn("LaunchDarkly refused to refresh a session: the person must sign in again", "member_id", sess.MemberID, "err", upstreamFailure(err))
			_ = s.rec.del(ctx, "session", skey)
			return nil, errSignedOut
		}
		if s.now().Before(sess.Expiry) {
			s.logger.Warn("LaunchDarkly token not refreshed; using it until it expires", "member_id", sess.MemberID, "err", upstreamFailure(err))
			return &sess, nil
		}
		return nil, fmt.Errorf("LaunchDarkly's token could not be refreshed: %s", upstreamFailure(err))
	}
	sess.Access, sess.Expiry = tok.AccessToken, s.onClock(tok.Expiry)
	if tok.RefreshToken != "" {
		sess.Refresh = tok.RefreshToken
	}
	if err := s.rec.put(ctx, "session", skey, &sess, RefreshTokenTTL+sessionExtraLife); err != nil {
		return nil, err
	}
	s.logger.Info("LaunchDarkly token refreshed", "member_id", sess.MemberID)
	return &sess, nil
}
