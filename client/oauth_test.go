package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
)

func endpointOf(t *testing.T, tool string) *client.Endpoint {
	t.Helper()
	for _, ep := range client.Endpoints {
		if ep.Tool == tool {
			return ep
		}
	}
	t.Fatalf("no endpoint for %s", tool)
	return nil
}

// signedIn serves an emulator on 127.0.0.1 and signs each member in; it
// returns the base URL and each member's OAuth access token.
func signedIn(t *testing.T, emu *emulator.Emulator, ms ...emulator.Member) (string, map[string]string) {
	t.Helper()
	srv := newLocalServer(t, emu)
	toks := map[string]string{}
	for _, m := range ms {
		tok, err := emulator.SignIn(context.Background(), srv.Client(), srv.URL, emulator.DemoOAuthClient("http://127.0.0.1:8080"), m)
		require.NoError(t, err)
		toks[m.ID] = tok.AccessToken
	}
	return srv.URL, toks
}

func TestOAuthKeySendsBearer(t *testing.T) {
	t.Parallel()
	emu := emulator.New(emulator.Options{})
	base, toks := signedIn(t, emu, emulator.Reader)
	ep := endpointOf(t, "get_mau_usage")
	ctx := context.Background()

	emu.ResetRequests()
	_, err := client.New(base, client.OAuthKey(toks[emulator.Reader.ID])).Do(ctx, ep, client.Request{})
	require.NoError(t, err)
	_, err = client.New(base, client.Key(emulator.DemoKey)).Do(ctx, ep, client.Request{})
	require.NoError(t, err)
	reqs := emu.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "Bearer "+toks[emulator.Reader.ID], reqs[0].Header.Get("Authorization"), "an OAuth token goes as Bearer")
	assert.Equal(t, emulator.DemoKey, reqs[1].Header.Get("Authorization"), "an access token keeps the bare form")

	// The same token sent bare is refused: the prefix is what makes it work.
	_, err = client.New(base, client.Key(toks[emulator.Reader.ID])).Do(ctx, ep, client.Request{})
	var ae *client.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusUnauthorized, ae.Status)
	assert.False(t, ae.SignedIn)
}

func TestOAuthKeyKinds(t *testing.T) {
	t.Parallel()
	k := client.OAuthKey("tok-123")
	assert.True(t, k.IsOAuth())
	assert.False(t, client.Key("api-123").IsOAuth())
	assert.Equal(t, "Bearer tok-123", k.Reveal())
	assert.Equal(t, client.Key(""), client.OAuthKey(""))
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%q %v %+v %#v %x", k, k, k, k, k)} {
		assert.NotContains(t, s, "tok-123")
	}
	// Per token, and an OAuth token is not the access token of the same text.
	a := client.New("http://x", client.OAuthKey("tok-a")).KeyID()
	assert.NotEqual(t, a, client.New("http://x", client.OAuthKey("tok-b")).KeyID())
	assert.NotEqual(t, a, client.New("http://x", client.Key("tok-a")).KeyID())
}

func TestOAuthMemberWithoutUsageIsToldWhy(t *testing.T) {
	t.Parallel()
	emu := emulator.New(emulator.Options{})
	base, toks := signedIn(t, emu, emulator.NoAccess)
	tok := toks[emulator.NoAccess.ID]
	_, err := client.New(base, client.OAuthKey(tok)).Do(context.Background(), endpointOf(t, "get_mau_usage"), client.Request{})
	var ae *client.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusForbidden, ae.Status)
	assert.True(t, ae.SignedIn)
	assert.Contains(t, ae.Error(), "your LaunchDarkly role cannot read account usage; ask an admin")
	assert.Contains(t, ae.Error(), "Reader role")
	assert.NotContains(t, ae.Error(), tok)

	// The projects API's refusal says so too.
	_, err = client.New(base, client.OAuthKey(tok)).ProjectNames(context.Background())
	require.ErrorAs(t, err, &ae)
	assert.True(t, ae.SignedIn && ae.Status == http.StatusForbidden, "%v", err)

	// An access token's 403 is not a person's role.
	plain := &client.APIError{Status: http.StatusForbidden, Code: "forbidden", Message: "Forbidden."}
	assert.NotContains(t, plain.Error(), "your LaunchDarkly role")
	// Nor is the beta API's missing header, even signed in.
	beta := &client.APIError{Status: http.StatusForbidden, Message: "This API is in beta. To use it, your request must include the header `LD-API-Version: beta`.", SignedIn: true}
	assert.NotContains(t, beta.Error(), "your LaunchDarkly role")
}

// The response cache and the rate-limit windows are keyed by the
// Authorization header: two people never share an answer.
func TestOAuthCachePerPerson(t *testing.T) {
	t.Parallel()
	emu := emulator.New(emulator.Options{})
	base, toks := signedIn(t, emu, emulator.Reader, emulator.Admin)
	hc := &http.Client{Transport: client.NewTransport(http.DefaultTransport, client.ResilienceOptions{CacheTTL: func(*url.URL) time.Duration { return time.Hour }})}
	ep := endpointOf(t, "get_mau_usage")
	from := time.Now().Add(-48 * time.Hour).Truncate(time.Hour)
	r := client.Request{From: from, To: from.Add(24 * time.Hour)}
	ctx := context.Background()

	emu.ResetRequests()
	for _, k := range []client.Key{client.OAuthKey(toks[emulator.Reader.ID]), client.OAuthKey(toks[emulator.Admin.ID]), client.Key(emulator.DemoKey)} {
		for range 2 {
			_, err := client.New(base, k, client.WithHTTPClient(hc)).Do(ctx, ep, r)
			require.NoError(t, err)
		}
	}
	assert.Equal(t, 3, emu.Count(), "one upstream request per token, the second call of each from the cache")
}

// A body that echoes the bare OAuth token never carries it into an error.
func TestOAuthTokenScrubbedFromErrors(t *testing.T) {
	t.Parallel()
	const tok = "ldo-SECRET-oauth-token-0123456789"
	srv := newLocalServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = fmt.Fprintf(w, `{"code":"forbidden","message":"token %s may not"}`, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	}))
	_, err := client.New(srv.URL, client.OAuthKey(tok)).Do(context.Background(), endpointOf(t, "get_mau_usage"), client.Request{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), tok)
	var ae *client.APIError
	require.True(t, errors.As(err, &ae))
	assert.Contains(t, ae.Message, "[REDACTED]")
}
