// Package client is a small typed client for LaunchDarkly's Account usage (beta) API.
//
// Every endpoint is declared once in Endpoints; Client.Do builds the request
// from that declaration, sends it with the headers LaunchDarkly expects, and
// decodes the answer by its shape, keeping the raw body byte for byte.
package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Base URLs of LaunchDarkly's instances.
const (
	Commercial = "https://app.launchdarkly.com"
	Federal    = "https://app.launchdarkly.us"
	EU         = "https://app.eu.launchdarkly.com"
)

// DefaultMaxBody bounds the size of a response body.
const DefaultMaxBody = 32 << 20

// DefaultTimeout bounds one HTTP exchange with LaunchDarkly.
const DefaultTimeout = 20 * time.Second

// Key is a LaunchDarkly access token, or a signed-in person's OAuth access
// token (OAuthKey). It never prints: String, GoString, LogValue and
// MarshalJSON all redact it.
type Key string

const redacted = "[REDACTED]"

func (Key) String() string   { return redacted }
func (Key) GoString() string { return redacted }

// LogValue implements slog.LogValuer.
func (Key) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON implements json.Marshaler.
func (Key) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// Format implements fmt.Formatter so that every verb (%s, %v, %q, %x, ...) redacts.
func (Key) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, redacted) }

// Reveal returns the Authorization header's value, and is for that header
// only: an access token itself, or "Bearer <token>" for an OAuth token.
func (k Key) Reveal() string { return string(k) }

// ErrNoKey is returned when a request is made without an access token.
var ErrNoKey = errors.New("no LaunchDarkly access token")

// Client calls the usage API. Its zero value is not usable; use New.
type Client struct {
	base      string
	key       Key
	http      *http.Client
	userAgent string
	maxBody   int64
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient sets the HTTP client (its Transport is where retries, pacing and caching plug in).
func WithHTTPClient(h *http.Client) Option { return func(c *Client) { c.http = h } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(c *Client) { c.userAgent = ua } }

// WithMaxBody bounds the response body size.
func WithMaxBody(n int64) Option { return func(c *Client) { c.maxBody = n } }

// New returns a client for the API at base (e.g. Commercial) using key.
func New(base string, key Key, opts ...Option) *Client {
	c := &Client{
		base:      strings.TrimRight(base, "/"),
		key:       key,
		http:      &http.Client{Timeout: DefaultTimeout},
		userAgent: "ld-usage-mcp/dev",
		maxBody:   DefaultMaxBody,
	}
	for _, o := range opts {
		o(c)
	}
	// LaunchDarkly's API does not redirect: a 3xx is answered as it is (an
	// APIError), never followed with the token to wherever it points.
	hc := *c.http
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.http = &hc
	return c
}

// WithKey returns a copy of the client that uses another key (per-request credentials).
func (c *Client) WithKey(k Key) *Client {
	cp := *c
	cp.key = k
	return &cp
}

// HasKey reports whether the client holds a token.
func (c *Client) HasKey() bool { return c.key != "" }

// BaseURL returns the API's base URL, for messages: any password in it is
// redacted (see RedactURL).
func (c *Client) BaseURL() string { return RedactURL(c.base) }

// RedactURL returns raw with its user info (user name and password) replaced
// by "xxxxx", for printing; raw itself when it has none or does not parse.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	u.User = url.UserPassword("xxxxx", "xxxxx")
	return u.Redacted()
}

// Request is one call of an endpoint.
type Request struct {
	// Args holds path and query parameters by their API names. Absent or empty
	// values are not sent; several values of a repeated parameter become repeated keys.
	Args map[string][]string
	// From and To bound the range; the zero time is not sent. They are written
	// in the endpoint's unit.
	From, To time.Time
}

// URL builds the request URL for ep (the one place requests are built).
func (c *Client) URL(ep *Endpoint, r Request) (string, error) {
	path := ep.Path
	for _, name := range ep.PathParams() {
		v := r.Args[name]
		if len(v) == 0 || v[0] == "" {
			return "", fmt.Errorf("missing path parameter %s", name)
		}
		path = strings.Replace(path, "{"+name+"}", escapeSegment(v[0]), 1)
	}
	q := url.Values{}
	for _, p := range ep.Spec() {
		if p.Path {
			continue
		}
		if p.Time {
			var t time.Time
			if p.Name == "from" {
				t = r.From
			} else {
				t = r.To
			}
			if !t.IsZero() {
				q.Set(p.Name, ep.Unit.Format(t))
			}
			continue
		}
		for _, v := range r.Args[p.Name] {
			if v != "" {
				q.Add(p.Name, v)
			}
		}
	}
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u, nil
}

// Do calls ep and decodes its answer. A non-2xx answer is an *APIError.
func (c *Client) Do(ctx context.Context, ep *Endpoint, r Request) (*Response, error) {
	if c.key == "" {
		return nil, ErrNoKey
	}
	u, err := c.URL(ep, r)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", c.key.Reveal())
	req.Header.Set("LD-API-Version", "beta")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)

	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &TransportError{Op: ep.Operation, Err: c.scrub(scrubURLError(err))}
	}
	defer resp.Body.Close()
	success := resp.StatusCode >= 200 && resp.StatusCode <= 299
	body, err := readBounded(resp.Body, c.maxBody)
	if err != nil && (success || !errors.Is(err, ErrTooLarge)) {
		return nil, &TransportError{Op: ep.Operation, Err: c.scrub(err)}
	}
	if !success {
		// An error page too large to keep still tells its status (and its
		// rate limits): describe it from its beginning. A server that echoes
		// the Authorization header must not put the key into the message.
		return nil, c.apiError(resp, body)
	}
	// A server (a proxy, a misbehaving upstream) that echoes the token into
	// a successful answer must not put it into the text or raw either.
	body = c.redact(body)
	out, err := Decode(body)
	if err != nil {
		return nil, &DecodeError{Op: ep.Operation, Status: resp.StatusCode, Err: c.scrub(err)}
	}
	out.Status = resp.StatusCode
	out.Header = resp.Header
	out.Limits = parseLimits(resp.Header)
	return out, nil
}

// ErrTooLarge is returned when a response body passes the size bound.
var ErrTooLarge = errors.New("response body too large")

// readBounded reads at most max bytes. When the body is longer it returns
// its first max bytes with ErrTooLarge.
func readBounded(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(len(b)) > max {
		return b[:max], fmt.Errorf("%w (over %d bytes)", ErrTooLarge, max)
	}
	return b, nil
}

// escapeSegment escapes one path segment. A segment of only dots ("." or
// "..") would be removed by path normalisation on the way and change the
// endpoint, so its dots are escaped too.
func escapeSegment(v string) string {
	s := url.PathEscape(v)
	if s == "." || s == ".." {
		s = strings.ReplaceAll(s, ".", "%2E")
	}
	return s
}

// scrub hides the client's key in an error's text (a server may echo it
// back in a body that an error then quotes); errors.Is/As still see err.
func (c *Client) scrub(err error) error {
	if err == nil || c.key.secret() == "" || !strings.Contains(err.Error(), c.key.secret()) {
		return err
	}
	return &scrubbed{err: err, text: strings.ReplaceAll(err.Error(), c.key.secret(), redacted)}
}

type scrubbed struct {
	err  error
	text string
}

func (e *scrubbed) Error() string { return e.text }
func (e *scrubbed) Unwrap() error { return e.err }

// Format implements fmt.Formatter: a Client prints its base URL, never its key.
func (c Client) Format(f fmt.State, _ rune) {
	key := ""
	if c.key != "" {
		key = redacted
	}
	fmt.Fprintf(f, "client.Client{base: %q, key: %q, userAgent: %q}", c.base, key, c.userAgent)
}

// LogValue implements slog.LogValuer: a Client logs its base URL, never its key.
func (c Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base", c.base), slog.Bool("key", c.key != ""), slog.String("userAgent", c.userAgent))
}

// scrubURLError drops the URL from a *url.Error: the URL holds nothing secret,
// but the error text stays short and stable.
func scrubURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// TransportError is a failure to exchange a request with LaunchDarkly at all
// (connection refused or reset, timeout, body cut short).
type TransportError struct {
	Op  string
	Err error
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s: could not reach LaunchDarkly: %v", e.Op, e.Err)
}
func (e *TransportError) Unwrap() error { return e.Err }

// DecodeError is a 2xx answer whose body could not be read as a usage response.
type DecodeError struct {
	Op     string
	Status int
	Err    error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("%s: LaunchDarkly answered %d with a body that is not a usage response: %v", e.Op, e.Status, e.Err)
}
func (e *DecodeError) Unwrap() error { return e.Err }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func atoi(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}
