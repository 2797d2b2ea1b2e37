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

// Limits are the rate-limit headers of one answer. A field is zero (or -1 for
// the Remaining counts) when its header is absent.
type Limits struct {
	GlobalRemaining int           // X-Ratelimit-Global-Remaining, -1 when absent
	RouteRemaining  int           // X-Ratelimit-Route-Remaining, -1 when absent
	Reset           time.Time     // X-Ratelimit-Reset (epoch ms)
	RetryAfter      time.Duration // Retry-After (seconds)
}

func parseLimits(h http.Header) Limits {
	l := Limits{GlobalRemaining: -1, RouteRemaining: -1}
	if n, ok := atoi(strings.TrimSpace(h.Get("X-Ratelimit-Global-Remaining"))); ok {
		l.GlobalRemaining = int(n)
	}
	if n, ok := atoi(strings.TrimSpace(h.Get("X-Ratelimit-Route-Remaining"))); ok {
		l.RouteRemaining = int(n)
	}
	if n, ok := atoi(strings.TrimSpace(h.Get("X-Ratelimit-Reset"))); ok && n > 0 {
		l.Reset = time.UnixMilli(n).UTC()
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

// Remaining returns the smaller of the remaining counts, or -1 when neither is known.
func (l Limits) Remaining() int {
	switch {
	case l.GlobalRemaining < 0:
		return l.RouteRemaining
	case l.RouteRemaining < 0:
		return l.GlobalRemaining
	default:
		return min(l.GlobalRemaining, l.RouteRemaining)
	}
}

// Wait is how long LaunchDarkly asks to wait from now: Retry-After if given,
// else until X-Ratelimit-Reset, else zero.
func (l Limits) Wait(now time.Time) time.Duration {
	if l.RetryAfter > 0 {
		return l.RetryAfter
	}
	if !l.Reset.IsZero() {
		return max(l.Reset.Sub(now), 0)
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
