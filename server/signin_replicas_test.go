package server

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	sdkauth "github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/oauthex"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/internal/ldoauthtest"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/mcptest"
	"github.com/ld-usage-mcp/ld-usage-mcp/internal/redistest"
)

// TestSignInReplicas: a person signs in through replica A and calls through
// B and C, which share a real redis-server; with Redis killed, B and C go on
// with the token they already hold, and a new sign-in fails clearly.
func TestSignInReplicas(t *testing.T) {
	rd := redistest.Start(t, "signin-redis-pw")
	ld := ldoauthtest.Start(t)
	listen := func() net.Listener {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		return ln
	}
	lnA := listen()
	public := "http://" + lnA.Addr().String() // the load balancer's address, in production
	sc := SignInConfig{PublicURL: public}
	a := startSignInServer(t, ld, lnA, sc, rd.URL())
	b := startSignInServer(t, ld, listen(), sc, rd.URL())
	c := startSignInServer(t, ld, listen(), sc, rd.URL())

	ctx := mcptest.Ctx(t)
	newHandler := func() *sdkauth.AuthorizationCodeHandler {
		return sdkOAuthClient(t, ldoauthtest.NewBrowser(t, a.url, ld.URL), &sdkauth.AuthorizationCodeHandlerConfig{
			DynamicClientRegistrationConfig: &sdkauth.DynamicClientRegistrationConfig{Metadata: &oauthex.ClientRegistrationMetadata{
				ClientName: "replica test", RedirectURIs: []string{"http://127.0.0.1:33420/callback"}, TokenEndpointAuthMethod: "none",
			}},
		})
	}
	h := newHandler()
	csA, err := connectSDK(t, ctx, a.url+"/mcp", h, nil)
	require.NoError(t, err)
	listAndCall(t, ctx, csA)
	ts, err := h.TokenSource(ctx)
	require.NoError(t, err)
	tok, err := ts.Token()
	require.NoError(t, err)

	withToken := &http.Client{Transport: mcptest.HeaderTransport{Base: http.DefaultTransport, H: map[string]string{"Authorization": "Bearer " + tok.AccessToken}}}
	csB, err := connectSDK(t, ctx, b.url+"/mcp", nil, withToken)
	require.NoError(t, err)
	listAndCall(t, ctx, csB)
	csC, err := connectSDK(t, ctx, c.url+"/mcp", nil, withToken)
	require.NoError(t, err)
	listAndCall(t, ctx, csC)
	assertCalledAsPerson(t, ld, tok.AccessToken, tok.RefreshToken)

	// Refresh through B: the grant is shared; the new token works on C.
	resp, err := http.PostForm(b.url+"/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}, "client_id": {clientIDOf(t, a)}})
	require.NoError(t, err)
	var refreshed struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&refreshed))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	viaC := mcptest.Do(t, http.MethodPost, c.url+"/mcp", `{"jsonrpc":"2.0","id":1,"method":"tools/list"}`,
		map[string]string{"Authorization": "Bearer " + refreshed.AccessToken, "Content-Type": "application/json", "Accept": "application/json, text/event-stream"})
	viaC.Body.Close()
	assert.Equal(t, http.StatusOK, viaC.StatusCode, "a token refreshed through B works on C")

	// Redis holds no token of either side, nor who signed in, in clear.
	rc := rd.Client()
	keys, err := rc.Keys(context.Background(), "*").Result()
	require.NoError(t, err)
	require.NotEmpty(t, keys)
	secrets := append(ld.Issued(), tok.AccessToken, tok.RefreshToken, ld.ClientSecret, ldoauthtest.MemberEmail)
	signinKeys := 0
	for _, k := range keys {
		if strings.HasPrefix(k, "ld-usage-mcp:signin:") {
			signinKeys++
		}
		v, _ := rc.Get(context.Background(), k).Result() // locks and other types: skipped
		for _, s := range secrets {
			assert.NotContains(t, k, s)
			assert.NotContains(t, v, s)
		}
	}
	_ = rc.Close()
	assert.Positive(t, signinKeys)

	rd.Kill()
	listAndCall(t, ctx, csB)
	listAndCall(t, ctx, csC)
	_, err = connectSDK(t, ctx, a.url+"/mcp", newHandler(), nil)
	require.Error(t, err, "a new sign-in needs the store")
	assert.Contains(t, err.Error(), "sign-in store is unavailable")
	for _, r := range []*signInServer{a, b, c} {
		for _, s := range secrets[:len(secrets)-1] {
			assert.NotContains(t, r.logs.String(), s)
		}
	}
}

// clientIDOf finds the client ID that replica r registered (from its log).
func clientIDOf(t *testing.T, r *signInServer) string {
	t.Helper()
	for _, line := range strings.Split(r.logs.String(), "\n") {
		if strings.Contains(line, "client registered") {
			for _, f := range strings.Fields(line) {
				if v, ok := strings.CutPrefix(f, "client_id="); ok {
					return v
				}
			}
		}
	}
	t.Fatal("no client registered")
	return ""
}
