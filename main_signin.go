package main

// The flags and environment of sign-in with LaunchDarkly (OAuth on
// --transport http): see server.SignInConfig and package signin.

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

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
	clientSecret, err := signInSecretFromEnv(getenv, "LAUNCHDARKLY_OAUTH_CLIENT_SECRET")
	if err != nil {
		return nil, err
	}
	if !demo && (o.oauthClientID == "" || clientSecret == "") {
		return nil, errors.New("--public-url turns on sign-in with LaunchDarkly, which needs the LaunchDarkly OAuth client: --oauth-client-id (or LAUNCHDARKLY_OAUTH_CLIENT_ID) and LAUNCHDARKLY_OAUTH_CLIENT_SECRET (or LAUNCHDARKLY_OAUTH_CLIENT_SECRET_FILE); see README, \"Remote, for a team\"")
	}
	secret, err := signInSecretFromEnv(getenv, "LD_USAGE_MCP_SECRET")
	if err != nil {
		return nil, err
	}
	return &server.SignInConfig{
		PublicURL:                   o.publicURL,
		ClientID:                    o.oauthClientID,
		ClientSecret:                clientSecret,
		Secret:                      []byte(secret),
		AllowLoopbackClientMetadata: o.allowLoopbackMetadata,
	}, nil
}

// signInSecretFromEnv reads a secret from $NAME, or from the file named by
// $NAME_FILE (a trailing newline dropped). Its errors never hold the secret.
// (A minimal stand-in for the shared secretFromEnv of secrets.go.)
func signInSecretFromEnv(getenv func(string) string, name string) (string, error) {
	if v := getenv(name); v != "" {
		return v, nil
	}
	path := getenv(name + "_FILE")
	if path == "" {
		return "", nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: the file could not be read: %w", name, errors.Unwrap(err))
	}
	v := strings.TrimRight(string(b), "\r\n")
	if v == "" {
		return "", fmt.Errorf("%s_FILE: the file is empty", name)
	}
	return v, nil
}
