package tools

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// NoKeyMessage is the tool error of a call made with no access token.
const NoKeyMessage = "No LaunchDarkly access token is set. Set the environment variable LAUNCHDARKLY_API_KEY " +
	"(or pass --api-key) to an API access token whose role can read account usage (Reader or higher), " +
	"then restart the server. To try the tools without an account, start it with --demo."

// errorText says what went wrong with a call to LaunchDarkly and what to do.
// It is built from the error's fields only: the token never appears in it.
func (s *Server) errorText(ep *client.Endpoint, c *call, err error, ctx context.Context, budget time.Duration) string {
	var ae *client.APIError
	var te *client.TransportError
	var de *client.DecodeError
	switch {
	case errors.As(err, &ae):
		return apiErrorText(ep, c, ae, s.cfg.Now())
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded:
		return fmt.Sprintf("LaunchDarkly did not answer %s within %s. Retry in a minute, or ask for a shorter range.", ep.Tool, budget)
	case errors.Is(err, context.Canceled):
		return "The call was cancelled before LaunchDarkly answered."
	case errors.Is(err, client.ErrTooLarge):
		return fmt.Sprintf("LaunchDarkly's answer to %s was larger than this server accepts. Ask for a shorter range or fewer groups.", ep.Tool)
	case errors.As(err, &de):
		return fmt.Sprintf("LaunchDarkly answered %s with %d but the body was not a usage response (%v). It may have been cut short: retry.", ep.Tool, de.Status, de.Err)
	case errors.As(err, &te):
		return fmt.Sprintf("Could not reach LaunchDarkly at %s: %v. Check --server-url / LAUNCHDARKLY_SERVER_URL and the network, then retry.", s.cfg.Client.BaseURL(), te.Err)
	}
	return fmt.Sprintf("%s failed: %v", ep.Tool, err)
}

func apiErrorText(ep *client.Endpoint, c *call, e *client.APIError, now time.Time) string {
	head := e.Error() + "."
	switch e.Status {
	case http.StatusUnauthorized:
		return head + " Check the access token: it must be a LaunchDarkly API access token (not an SDK key, mobile key or client-side ID), unexpired and not revoked, and for the instance at --server-url (commercial, federal or EU)."
	case http.StatusForbidden:
		if strings.Contains(e.Message, "LD-API-Version") {
			return head + " The usage API is in beta and needs the LD-API-Version: beta header, which this server always sends: a proxy in between may be stripping it."
		}
		if e.SignedIn {
			return head // the person's own role: the error says what to ask for
		}
		return head + " The token's role may not read account usage: use a token with the Reader role or higher, or a custom role that allows viewing usage."
	case http.StatusNotFound:
		return head + " " + notFoundHint(ep, c)
	case http.StatusBadRequest:
		return head + " Check the arguments LaunchDarkly refused (keys, filters, the range and its unit) and try again."
	case http.StatusTooManyRequests:
		return head + " " + retryHint(e, now, "LaunchDarkly's rate limit was reached")
	case http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusGatewayTimeout:
		return head + " " + retryHint(e, now, "LaunchDarkly's usage service is unavailable")
	}
	if e.Status >= 500 {
		return head + " LaunchDarkly had a server error: retry later."
	}
	return head
}

func notFoundHint(ep *client.Endpoint, c *call) string {
	if ep.Removed {
		return "LaunchDarkly removed this operation from its API: use " + ep.Prefer + " instead."
	}
	var keys []string
	for _, name := range ep.PathParams() {
		keys = append(keys, name+"="+first(c.args[name]))
	}
	if len(keys) == 0 {
		return "Check the project and environment keys given."
	}
	return "Not found: check that " + strings.Join(keys, ", ") + " exist in this account (keys are case-sensitive)."
}

func retryHint(e *client.APIError, now time.Time, what string) string {
	wait := e.Limits.Wait(now)
	if wait <= 0 {
		return what + ", and retries within this call's deadline did not get through: retry in about 10 seconds."
	}
	secs := int(wait.Round(time.Second) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return fmt.Sprintf("%s, and retries within this call's deadline did not get through: retry in %d seconds (after %s).", what, secs, now.Add(wait).UTC().Format("15:04:05 UTC"))
}
