package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Tokens are what the token endpoint issues.
type Tokens struct {
	AccessToken, RefreshToken string
	ExpiresIn                 int64
}

// SignIn walks the whole OAuth flow of an emulator served at base as the
// member m would and c's server does (login page approved, code exchanged),
// and returns the tokens: for tests and tools that need a signed-in person's
// LaunchDarkly token without a browser. hc must not be nil; redirects are
// not followed.
func SignIn(ctx context.Context, hc *http.Client, base string, c OAuthClient, m Member) (Tokens, error) {
	noFollow := *hc
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	base = strings.TrimRight(base, "/")
	post := func(path string, f url.Values) (*http.Response, []byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+path, strings.NewReader(f.Encode()))
		if err != nil {
			return nil, nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := noFollow.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp, b, err
	}
	resp, _, err := post(authorizePath, url.Values{"response_type": {"code"}, "client_id": {c.ID},
		"redirect_uri": {c.RedirectURI}, "scope": {"reader"}, "member": {m.ID}})
	if err != nil {
		return Tokens{}, err
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil || loc.Query().Get("code") == "" {
		return Tokens{}, fmt.Errorf("sign-in answered %d, redirect %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, body, err := post(tokenPath, url.Values{"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")},
		"redirect_uri": {c.RedirectURI}, "client_id": {c.ID}, "client_secret": {c.Secret}})
	if err != nil {
		return Tokens{}, err
	}
	var t tokenAnswer
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &t) != nil || t.AccessToken == "" {
		return Tokens{}, fmt.Errorf("token endpoint answered %d", resp.StatusCode)
	}
	return Tokens{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, ExpiresIn: t.ExpiresIn}, nil
}
