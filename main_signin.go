package main

// The flags and environment of sign-in with LaunchDarkly (OAuth on
// --transport http): see server.SignInConfig and package signin.

import (
	"errors"
	"flag"
	"fmt"

	"github.com/ld-usage-mcp/ld-usage-mcp/server"
)

// signInOptions are the sign-in flags as parsed.
type signInOptions struct {
	publicURL, oauthClientID string
	allowLoopbackMetadata    bool
}

func addSignInFlags(fs *flag.FlagSet, o *signInOptions) {
	fs.StringVar(&o.publicURL, "public-url", "", "http: the `URL` clients use (e.g. https://usage.example.com); with a LaunchDarkly OAuth client it turns on sign-in with LaunchDarkly (default $LD_USAGE_MCP_PUBLIC_URL)")
	fs.StringVar(&o.oauthClientID, "oauth-client-id", "", "with --public-url: the LaunchDarkly OAuth client's id (default $LAUNCHDARKLY_OAUTH_CLIENT_ID; its secret from $LAUNCHDARKLY_OAUTH_CLIENT_SECRET or the file named by $LAUNCHDARKLY_OAUTH_CLIENT_SECRET_FILE)")
	fs.BoolVar(&o.allowLoopbackMetadata, "oauth-allow-loopback-client-metadata", false, "with --public-url: fetch client ID metadata documents from loopback addresses too (tests and local use only; always so with a loopback public URL)")
}

// signInConfig completes the sign-in configuration from the environment.
// It returns nil when sign-in is off (no public URL, or a one-shot command).
func (o *signInOptions) signInConfig(getenv func(string) string, transport string, demo, command bool) (*server.SignInConfig, error) {
	if o.publicURL == "" {
		o.publicURL = getenv("LD_USAGE_MCP_PUBLIC_URL")
	}
	if o.oauthClientID == "" {
		o.oauthClientID = getenv("LAUNCHDARKLY_OAUTH_CLIENT_ID")
	}
	if o.publicURL == "" || command {
		return nil, nil
	}
	if transport != "http" {
		return nil, fmt.Errorf("--public-url (sign-in with LaunchDarkly) needs --transport http, not %s", transport)
	}
	clientSecret, err := secretFromEnv(getenv, "LAUNCHDARKLY_OAUTH_CLIENT_SECRET")
	if err != nil {
		return nil, err
	}
	if !demo && (o.oauthClientID == "" || clientSecret == "") {
		return nil, errors.New("--public-url turns on sign-in with LaunchDarkly, which needs the LaunchDarkly OAuth client: --oauth-client-id (or LAUNCHDARKLY_OAUTH_CLIENT_ID) and LAUNCHDARKLY_OAUTH_CLIENT_SECRET (or LAUNCHDARKLY_OAUTH_CLIENT_SECRET_FILE); see README, \"Remote, for a team\"")
	}
	return &server.SignInConfig{
		PublicURL:                   o.publicURL,
		ClientID:                    o.oauthClientID,
		ClientSecret:                clientSecret,
		AllowLoopbackClientMetadata: o.allowLoopbackMetadata,
	}, nil
}
