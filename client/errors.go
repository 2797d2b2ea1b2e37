package client

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits are the rate-limit headers of one answer. A count is -1 and a time
// zero when its header is absent (or out of bounds, see parseLimits).
//
// LaunchDarkly's API v24 adds the window sizes (X-Ratelimit-Global-Limit,
// X-Ratelimit-Route-Limit) and, for access tokens, a window of the token's
// own: X-Ratelimit-Auth-Token-Limit, -Remaining and -Reset ("access token
// rate limits report their own reset time in X-Ratelimit-Auth-Token-Reset
// instead of in X-Ratelimit-Reset").
type Limits struct {
	GlobalRemaining    int           // X-Ratelimit-Global-Remaining
	RouteRemaining     int           // X-Ratelimit-Route-Remaining
	AuthTokenRemaining int           // X-Ratelimit-Auth-Token-Remaining (v24)
	GlobalLimit        int           // X-Ratelimit-Global-Limit (v24)
	RouteLimit         int           // X-Ratelimit-Route-Limit (v24)
	AuthTokenLimit     int           // X-Ratelimit-Auth-Token-Limit (v24)
	Reset              time.Time     // X-Ratelimit-Reset (epoch ms): the global and route window
	AuthTokenReset     time.Time     // X-Ratelimit-Auth-Token-Reset (epoch ms, v24): the token's window
	RetryAfter         time.Duration // Retry-After (seconds)
}

// RateWindow is the length of LaunchDarkly's rate-limit windows (documented:
// 10 seconds). MaxResetAhead bounds how far ahead a window's reset may lie:
// a reset further than RateWindow plus slack (clocks differ a little) is not
// believed, whoever says it (an upstream, or a window kept in Redis).
const (
	RateWindow    = 10 * time.Second
	MaxResetAhead = RateWindow + 5*time.Second
	// maxLimit bounds a window size or remaining count believed.
	maxLimit = 1 << 20
)

func parseLimits(h http.Header) Limits { return parseLimitsAt(h, time.Now()) }

// parseLimitsAt reads the rate-limit headers of an answer received at now.
// Counts outside 0..maxLimit and resets more than MaxResetAhead after now
// are taken as absent.
func parseLimitsAt(h http.Header, now time.Time) Limits {
	count := func(name string) int {
		if n, ok := atoi(strings.TrimSpace(h.Get(name))); ok && n >= 0 && n <= maxLimit {
			return int(n)
		}
		return -1
	}
	reset := func(name string) time.Time {
		if n, ok := atoi(strings.TrimSpace(h.Get(name))); ok && n > 0 {
			if t := time.UnixMilli(n).UTC(); !t.After(now.Add(MaxResetAhead)) {
				return t
			}
		}
		return time.Time{}
	}
	l := Limits{
		GlobalRemaining:    count("X-Ratelimit-Global-Remaining"),
		RouteRemaining:     count("X-Ratelimit-Route-Remaining"),
		AuthTokenRemaining: count("X-Ratelimit-Auth-Token-Remaining"),
		GlobalLimit:        count("X-Ratelimit-Global-Limit"),
		RouteLimit:         count("X-Ratelimit-Route-Limit"),
		AuthTokenLimit:     count("X-Ratelimit-Auth-Token-Limit"),
		Reset:              reset("X-Ratelimit-Reset"),
		AuthTokenReset:     reset("X-Ratelimit-Auth-Token-Reset"),
	}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
			l.RetryAfter = time.Duration(n * float64(time.Second))
		} else if t, err := http.ParseTime(v); err == nil {
			l.RetryAfter = max(time.Until(t), 0)
		}
	}
	return l
}

// minKnown is the smallest of the counts that are known (>= 0), or -1.
func minKnown(ns ...int) int {
	m := -1
	for _, n := range ns {
		if n >= 0 && (m < 0 || n < m) {
			m = n
		}
	}
	return m
}

// Remaining returns the smallest of the remaining counts (global, route,
// access token), or -1 when none is known.
func (l Limits) Remaining() int {
	return minKnown(l.GlobalRemaining, l.RouteRemaining, l.AuthTokenRemaining)
}

// Limit returns the smallest window size announced (v24), or -1 when none is.
func (l Limits) Limit() int { return minKnown(l.GlobalLimit, l.RouteLimit, l.AuthTokenLimit) }

// ResetAt is when the window that binds resets, zero when not known: the
// access token's (X-Ratelimit-Auth-Token-Reset) when its count is the one
// used up or the smaller, or when it is the only reset said; else the global
// and route window's (X-Ratelimit-Reset). When both windows are used up, the
// later reset.
func (l Limits) ResetAt() time.Time {
	switch {
	case l.AuthTokenReset.IsZero():
		return l.Reset
	case l.Reset.IsZero():
		return l.AuthTokenReset
	}
	shared := minKnown(l.GlobalRemaining, l.RouteRemaining)
	tok := l.AuthTokenRemaining
	switch {
	case tok == 0 && shared == 0:
		if l.AuthTokenReset.After(l.Reset) {
			return l.AuthTokenReset
		}
		return l.Reset
	case tok >= 0 && (shared < 0 || tok < shared):
		return l.AuthTokenReset
	}
	return l.Reset
}

// Wait is how long LaunchDarkly asks to wait from now: Retry-After if given,
// else until the binding window resets (ResetAt), else zero.
func (l Limits) Wait(now time.Time) time.Duration {
	if l.RetryAfter > 0 {
		return l.RetryAfter
	}
	if r := l.ResetAt(); !r.IsZero() {
		return max(r.Sub(now), 0)
	}
	return 0
}

// APIError is a non-2xx answer from LaunchDarkly.
type APIError struct {
	Status  int    // HTTP status
	Code    string // LaunchDarkly's code, e.g. "unauthorized" (empty when the body has none)
	Message string // LaunchDarkly's message, or the start of a body that is not JSON
	ID      string // LaunchDarkly's error id, when given
	Limits  Limits
	// SignedIn is true when the call was made with a person's OAuth token
	// (OAuthKey): a 403 then means their role, and Error says so (RoleHint).
	SignedIn bool
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "LaunchDarkly answered %d %s", e.Status, http.StatusText(e.Status))
	if e.Code != "" {
		fmt.Fprintf(&b, " (%s)", e.Code)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if e.roleRefusal() {
		b.WriteString(" — " + RoleHint)
	}
	return b.String()
}

// Temporary reports whether the same request may succeed later (429, 502, 503, 504).
func (e *APIError) Temporary() bool {
	switch e.Status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

const maxMessage = 300

// maxDescribed bounds how much of a non-JSON error body is read for its message.
const maxDescribed = 64 << 10

func newAPIError(resp *http.Response, body []byte) *APIError {
	e := &APIError{Status: resp.StatusCode, Limits: parseLimits(resp.Header)}
	if redirect(resp.StatusCode) {
		// Where it points is not repeated: it may hold anything.
		e.Message = "a redirect, which LaunchDarkly's API does not send; it was not followed (the token goes nowhere else): check --server-url"
		return e
	}
	var rep struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		ID      string `json:"id"`
	}
	if json.Unmarshal(body, &rep) == nil && (rep.Code != "" || rep.Message != "") {
		e.Code, e.Message, e.ID = rep.Code, clip(rep.Message), rep.ID
		return e
	}
	e.Message = clip(describeBody(resp.Header.Get("Content-Type"), body))
	return e
}

// describeBody summarises a body that is not LaunchDarkly's error JSON, such as
// a proxy's HTML error page.
func describeBody(ctype string, body []byte) string {
	if len(body) > maxDescribed {
		body = body[:maxDescribed]
	}
	text := strings.Join(strings.Fields(strings.ToValidUTF8(string(body), "\uFFFD")), " ")
	if text == "" {
		return ""
	}
	if strings.Contains(ctype, "html") || strings.HasPrefix(text, "<") {
		if t := htmlText(text); t != "" {
			text = t
		}
		return "non-JSON body (" + firstWord(ctype, "HTML") + "): " + text
	}
	return "non-JSON body: " + text
}

// htmlText is the readable text of an HTML page: tags, comments, scripts and
// style sheets dropped, entities decoded, spaces collapsed.
func htmlText(page string) string {
	// ASCII-only lowering keeps byte offsets aligned with page.
	lb := []byte(page)
	for i, c := range lb {
		if 'A' <= c && c <= 'Z' {
			lb[i] = c + 'a' - 'A'
		}
	}
	lower := string(lb)
	var b strings.Builder
	for i := 0; i < len(page); {
		j := strings.IndexByte(page[i:], '<')
		if j < 0 {
			b.WriteString(page[i:])
			break
		}
		b.WriteString(page[i : i+j])
		i += j
		end := ">"
		switch {
		case strings.HasPrefix(lower[i:], "<!--"):
			end = "-->"
		case strings.HasPrefix(lower[i:], "<script"):
			end = "</script>"
		case strings.HasPrefix(lower[i:], "<style"):
			end = "</style>"
		}
		k := strings.Index(lower[i:], end)
		if k < 0 {
			break
		}
		i += k + len(end)
		b.WriteByte(' ')
	}
	return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
}

func firstWord(s, def string) string {
	s, _, _ = strings.Cut(s, ";")
	if s = strings.TrimSpace(s); s == "" {
		return def
	}
	return s
}

func clip(s string) string { return clipTo(s, maxMessage) }

// clipTo cuts s to at most n bytes on a rune boundary, marking the cut with "…".
func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
