package client_test

// An upstream that is not what it should be: one that redirects (with the
// token, to another port), one that echoes the token into a successful
// answer, and a base URL that carries a password.

import (
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

const hostileKey = "api-hostile-upstream-SECRET-0000"

// A 3xx is not followed: the token never reaches where it points, and the
// call fails with the 3xx as an upstream error. Both with the resilience
// layers and with the client's default HTTP client.
func TestRedirectIsNotFollowed(t *testing.T) {
	var stolen atomic.Int32
	thief := localServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			stolen.Add(1)
		}
		_, _ = w.Write([]byte(`{"series":[],"metadata":[]}`))
	})
	for _, code := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		up := localServer(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, thief.URL+r.URL.Path, code)
		})
		for name, c := range map[string]*client.Client{
			"resilient": client.New(up.URL, hostileKey, client.WithHTTPClient(&http.Client{Transport: client.NewTransport(nil, client.ResilienceOptions{})})),
			"default":   client.New(up.URL, hostileKey),
		} {
			_, err := c.Do(rsContext(t, 5*time.Second), client.Lookup("getMauUsage"), client.Request{})
			var ae *client.APIError
			require.ErrorAs(t, err, &ae, "%s %d", name, code)
			assert.Equal(t, code, ae.Status, name)
			assert.Contains(t, ae.Error(), "redirect", name)
			assert.NotContains(t, ae.Error(), thief.URL, name)
		}
	}
	assert.Zero(t, stolen.Load(), "the token went nowhere else")
}

// A server that echoes the token into a 200 does not get it into the
// answer: neither raw nor anything decoded from it.
func TestEchoedTokenRedactedFromSuccess(t *testing.T) {
	up := localServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"series":[{"time":1793491200000,"0":5}],"metadata":[{"sdk":"` + r.Header.Get("Authorization") + `"}]}`))
	})
	c := client.New(up.URL, hostileKey)
	resp, err := c.Do(rsContext(t, 5*time.Second), client.Lookup("getMauUsage"), client.Request{})
	require.NoError(t, err)
	assert.NotContains(t, string(resp.Raw), hostileKey)
	assert.Contains(t, string(resp.Raw), "[REDACTED]")
	require.NotEmpty(t, resp.Series)
	assert.NotContains(t, fmt.Sprint(resp.Series[0].Meta), hostileKey)
}

// A base URL with user info is printed redacted.
func TestBaseURLWithUserInfoIsRedacted(t *testing.T) {
	c := client.New("http://user:SECRETPW@127.0.0.1:1", hostileKey)
	assert.NotContains(t, c.BaseURL(), "SECRETPW")
	assert.NotContains(t, c.BaseURL(), "user")
	assert.Contains(t, c.BaseURL(), "127.0.0.1:1")
	_, err := c.Do(rsContext(t, 5*time.Second), client.Lookup("getMauUsage"), client.Request{})
	var te *client.TransportError
	require.True(t, errors.As(err, &te), "%v", err)
	assert.NotContains(t, err.Error(), "SECRETPW")
	assert.Equal(t, "https://app.launchdarkly.com", client.RedactURL("https://app.launchdarkly.com"))
}
