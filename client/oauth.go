package client

import "strings"

// Calls made as a signed-in person. A LaunchDarkly OAuth access token (what
// LaunchDarkly's /trust/oauth/token issues to an OAuth client when a member
// signs in) goes as "Authorization: Bearer <token>"; an API access token
// keeps the bare form. Both are a Key, and the Key knows which it is, so
// that everything keyed by the Authorization header (the response cache,
// the rate-limit windows, KeyID) stays per token either way.

const bearerPrefix = "Bearer "

// OAuthKey returns the Key of a LaunchDarkly OAuth access token: it is sent
// as "Authorization: Bearer <token>". An empty token gives the empty Key.
func OAuthKey(token string) Key {
	if token == "" {
		return ""
	}
	return Key(bearerPrefix + token)
}

// IsOAuth reports whether k is a LaunchDarkly OAuth access token (a person
// signed in), as made by OAuthKey (or given as "Bearer <token>", the scheme
// in any case).
func (k Key) IsOAuth() bool {
	return len(k) > len(bearerPrefix) && strings.EqualFold(string(k[:len(bearerPrefix)]), bearerPrefix)
}

// secret is the token itself, without the Bearer scheme: what must never be
// shown.
func (k Key) secret() string {
	if k.IsOAuth() {
		return strings.TrimSpace(string(k[len(bearerPrefix):]))
	}
	return string(k)
}

// RoleHint is what a person signed in with LaunchDarkly is told when
// LaunchDarkly refuses them usage (403): their role decides, and who can
// change it.
const RoleHint = "your LaunchDarkly role cannot read account usage; ask an admin of your LaunchDarkly account " +
	"for the Reader role (or higher), or for a custom role whose policy allows viewing usage, then sign in again"

// roleRefusal reports whether e is LaunchDarkly refusing a signed-in person
// for their role (not the beta API's missing-header 403).
func (e *APIError) roleRefusal() bool {
	return e.SignedIn && e.Status == 403 && !strings.Contains(e.Message, "LD-API-Version")
}
