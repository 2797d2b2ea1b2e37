package client_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

func TestAPIErrorFromRecordedAnswers(t *testing.T) {
	none := client.Limits{GlobalRemaining: -1, RouteRemaining: -1}
	cases := []struct {
		file      string
		status    int
		code, msg string
		id        string
		limits    client.Limits
		temporary bool
		text      []string // substrings of Error()
	}{
		{
			file: "400_invalid_request.http", status: 400, code: "invalid_request", msg: "Invalid request body",
			id:     "8c2f4b1e-37a9-4d6e-9f10-5b7c2e8d4a61",
			limits: client.Limits{GlobalRemaining: 1187, RouteRemaining: 58, Reset: time.UnixMilli(1795656610000).UTC()},
			text:   []string{"400 Bad Request", "(invalid_request)", "Invalid request body"},
		},
		{
			file: "401_unauthorized.http", status: 401, code: "unauthorized", msg: "Invalid access token",
			id: "2d9e7a44-0b18-4c5f-a3e2-91f6c0b87d35", limits: none,
			text: []string{"401 Unauthorized", "Invalid access token"},
		},
		{
			file: "403_forbidden.http", status: 403, code: "forbidden",
			msg:    "Forbidden. Access to the requested resource was denied.",
			id:     "e41b6c08-5f2d-4a97-8c3e-0d7a9b12f6e4",
			limits: client.Limits{GlobalRemaining: 1190, RouteRemaining: 59, Reset: time.UnixMilli(1795656620000).UTC()},
			text:   []string{"403 Forbidden", "(forbidden)", "denied"},
		},
		{
			file: "403_beta.http", status: 403,
			msg:    "This API is in beta. To use it, your request must include the header `LD-API-Version: beta`.",
			limits: none,
			text:   []string{"403 Forbidden", "LD-API-Version: beta"},
		},
		{
			file: "404_not_found.http", status: 404, code: "not_found", msg: "Stream source not found",
			id:     "5a0c93d7-6e21-4b8f-b4d0-c7e2f19a3b58",
			limits: client.Limits{GlobalRemaining: 1184, RouteRemaining: 57, Reset: time.UnixMilli(1795656630000).UTC()},
			text:   []string{"404 Not Found", "(not_found)", "Stream source not found"},
		},
		{
			file: "429_rate_limited.http", status: 429, code: "rate_limited",
			msg: "You've exceeded the API rate limit. Try again later.",
			id:  "b7d1e2f9-4c36-48a0-9e5b-13f8a6c2d047",
			limits: client.Limits{GlobalRemaining: 1021, RouteRemaining: 0,
				Reset: time.UnixMilli(1795656637250).UTC(), RetryAfter: 7 * time.Second},
			temporary: true,
			text:      []string{"429 Too Many Requests", "(rate_limited)", "rate limit"},
		},
		{
			file: "503_service_unavailable.http", status: 503, code: "service_unavailable",
			msg:       "Requested service unavailable",
			limits:    client.Limits{GlobalRemaining: -1, RouteRemaining: -1, RetryAfter: 30 * time.Second},
			temporary: true,
			text:      []string{"503 Service Unavailable", "Requested service unavailable"},
		},
		{
			file: "502_html.http", status: 502, limits: none, temporary: true,
			text: []string{"502 Bad Gateway", "non-JSON body", "text/html", "The upstream server returned an invalid response"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			rec := readRecorded(t, filepath.Join("..", "testdata", "errors", tc.file))
			require.Equal(t, tc.status, rec.Status, "fixture status")
			srv := newLocalServer(t, &recorder{status: rec.Status, header: rec.Header, body: rec.Body})
			out, err := client.New(srv.URL, testKey).Do(context.Background(), ep(t, "get_stream_usage"),
				client.Request{Args: map[string][]string{"source": {"server"}}})
			assert.Nil(t, out)
			var ae *client.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tc.status, ae.Status)
			assert.Equal(t, tc.code, ae.Code)
			assert.Equal(t, tc.id, ae.ID)
			if tc.msg != "" {
				assert.Equal(t, tc.msg, ae.Message)
			}
			assert.Equal(t, withoutV24(tc.limits), ae.Limits)
			assert.Equal(t, tc.temporary, ae.Temporary())
			for _, s := range tc.text {
				assert.Contains(t, err.Error(), s)
			}
			assert.NotContains(t, err.Error(), testKey)
			assert.NotContains(t, err.Error(), "\n", "one line")
		})
	}
}

func TestHTMLErrorIsReadable(t *testing.T) {
	rec := readRecorded(t, filepath.Join("..", "testdata", "errors", "502_html.http"))
	srv := newLocalServer(t, &recorder{status: rec.Status, header: rec.Header, body: rec.Body})
	_, err := client.New(srv.URL, testKey).Do(context.Background(), ep(t, "get_mau_usage"), client.Request{})
	var ae *client.APIError
	require.ErrorAs(t, err, &ae)
	// the page's text, not its markup or its style sheet
	assert.Contains(t, ae.Message, "502 Bad Gateway")
	assert.NotContains(t, ae.Message, "<")
	assert.NotContains(t, ae.Message, "font-family")
	assert.LessOrEqual(t, len(ae.Message), 320)
}

func TestNonJSONErrorBodies(t *testing.T) {
	cases := []struct {
		name, ctype, body string
		want              []string
		notWant           []string
	}{
		{"plain text", "text/plain", "upstream connect error or disconnect/reset before headers", []string{"non-JSON body", "upstream connect error"}, nil},
		{"empty", "", "", nil, []string{"non-JSON"}},
		{"json without code or message", "application/json", `{"error":"boom"}`, []string{"boom"}, nil},
		{"long", "text/plain", strings.Repeat("é", 5000), []string{"…"}, nil},
		{"html without content type", "", "<html><head><title>Gateway Timeout</title></head><body><h1>504</h1></body></html>", []string{"Gateway Timeout"}, []string{"<title>"}},
		{"script", "text/html", "<html><script>var secret=1;</script><p>Try later</p></html>", []string{"Try later"}, []string{"secret"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.ctype != "" {
				h.Set("Content-Type", tc.ctype)
			} else {
				h.Set("Content-Type", "application/octet-stream")
			}
			srv := newLocalServer(t, &recorder{status: 500, header: h, body: []byte(tc.body)})
			_, err := client.New(srv.URL, testKey).Do(context.Background(), ep(t, "get_mau_usage"), client.Request{})
			var ae *client.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, 500, ae.Status)
			assert.Empty(t, ae.Code)
			for _, w := range tc.want {
				assert.Contains(t, ae.Message, w)
			}
			for _, w := range tc.notWant {
				assert.NotContains(t, ae.Message, w)
			}
			assert.LessOrEqual(t, len(ae.Message), 320, "message is clipped")
			assert.True(t, strings.ToValidUTF8(ae.Message, "?") == ae.Message, "clipped on a rune boundary")
			assert.Contains(t, err.Error(), "500 Internal Server Error")
		})
	}
}

func TestLimitsParsing(t *testing.T) {
	now := time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)
	cases := []struct {
		name   string
		header http.Header
		want   client.Limits
		wait   time.Duration
		remain int
	}{
		{
			name: "none", header: http.Header{},
			want: client.Limits{GlobalRemaining: -1, RouteRemaining: -1}, wait: 0, remain: -1,
		},
		{
			name: "retry-after seconds wins over reset",
			header: http.Header{"Retry-After": {"12"}, "X-Ratelimit-Reset": {"1795654805000"},
				"X-Ratelimit-Global-Remaining": {"0"}},
			want: client.Limits{GlobalRemaining: 0, RouteRemaining: -1, RetryAfter: 12 * time.Second,
				Reset: time.UnixMilli(1795654805000).UTC()},
			wait: 12 * time.Second, remain: 0,
		},
		{
			name:   "reset in epoch ms",
			header: http.Header{"X-Ratelimit-Reset": {"1795654805000"}, "X-Ratelimit-Route-Remaining": {" 3 "}},
			want:   client.Limits{GlobalRemaining: -1, RouteRemaining: 3, Reset: time.UnixMilli(1795654805000).UTC()},
			wait:   5 * time.Second, remain: 3,
		},
		{
			name:   "reset in the past",
			header: http.Header{"X-Ratelimit-Reset": {"1795654700000"}},
			want:   client.Limits{GlobalRemaining: -1, RouteRemaining: -1, Reset: time.UnixMilli(1795654700000).UTC()},
			wait:   0, remain: -1,
		},
		{
			name:   "fractional retry-after",
			header: http.Header{"Retry-After": {"1.5"}},
			want:   client.Limits{GlobalRemaining: -1, RouteRemaining: -1, RetryAfter: 1500 * time.Millisecond},
			wait:   1500 * time.Millisecond, remain: -1,
		},
		{
			name: "garbage",
			header: http.Header{"Retry-After": {"soon"}, "X-Ratelimit-Reset": {"tomorrow"},
				"X-Ratelimit-Global-Remaining": {"lots"}, "X-Ratelimit-Route-Remaining": {""}},
			want: client.Limits{GlobalRemaining: -1, RouteRemaining: -1}, wait: 0, remain: -1,
		},
		{
			name:   "negative retry-after ignored",
			header: http.Header{"Retry-After": {"-5"}},
			want:   client.Limits{GlobalRemaining: -1, RouteRemaining: -1}, wait: 0, remain: -1,
		},
		{
			name:   "both remaining: the smaller",
			header: http.Header{"X-Ratelimit-Global-Remaining": {"7"}, "X-Ratelimit-Route-Remaining": {"9"}},
			want:   client.Limits{GlobalRemaining: 7, RouteRemaining: 9}, wait: 0, remain: 7,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.header.Set("Content-Type", "application/json")
			srv := newLocalServer(t, &recorder{status: 429, header: tc.header, body: []byte(`{"code":"rate_limited","message":"slow down"}`)})
			_, err := client.New(srv.URL, testKey).Do(context.Background(), ep(t, "get_mau_usage"), client.Request{})
			var ae *client.APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, withoutV24(tc.want), ae.Limits)
			assert.Equal(t, tc.wait, ae.Limits.Wait(now))
			assert.Equal(t, tc.remain, ae.Limits.Remaining())
		})
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	when := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	srv := newLocalServer(t, &recorder{status: 503, header: http.Header{"Retry-After": {when}}, body: []byte(`{"code":"service_unavailable","message":"x"}`)})
	_, err := client.New(srv.URL, testKey).Do(context.Background(), ep(t, "get_mau_usage"), client.Request{})
	var ae *client.APIError
	require.ErrorAs(t, err, &ae)
	// an HTTP date a minute and a half ahead (second resolution): between 1 and 91 seconds
	assert.Greater(t, ae.Limits.RetryAfter, 60*time.Second)
	assert.LessOrEqual(t, ae.Limits.RetryAfter, 91*time.Second)
}

func TestTemporary(t *testing.T) {
	for status, want := range map[int]bool{
		400: false, 401: false, 403: false, 404: false, 409: false, 500: false,
		429: true, 502: true, 503: true, 504: true,
	} {
		assert.Equal(t, want, (&client.APIError{Status: status}).Temporary(), "status %d", status)
	}
}

func TestErrorTypesUnwrap(t *testing.T) {
	inner := errors.New("inner")
	te := &client.TransportError{Op: "getMauUsage", Err: inner}
	assert.ErrorIs(t, te, inner)
	assert.Contains(t, te.Error(), "getMauUsage")
	assert.Contains(t, te.Error(), "could not reach LaunchDarkly")
	de := &client.DecodeError{Op: "getMauUsage", Status: 200, Err: inner}
	assert.ErrorIs(t, de, inner)
	assert.Contains(t, de.Error(), "200")
}

func TestHTMLErrorOddBytes(t *testing.T) {
	// invalid UTF-8, upper-case tags, an unclosed tag, entities
	body := "<HTML><HEAD><TITLE>Service \xff Down</TITLE><SCRIPT>x()</SCRIPT></HEAD><BODY>a &amp; b<br unclosed"
	srv := newLocalServer(t, &recorder{status: 503, header: http.Header{"Content-Type": {"text/html"}}, body: []byte(body)})
	_, err := client.New(srv.URL, testKey).Do(context.Background(), ep(t, "get_mau_usage"), client.Request{})
	var ae *client.APIError
	require.ErrorAs(t, err, &ae)
	assert.Contains(t, ae.Message, "Service")
	assert.Contains(t, ae.Message, "a & b")
	assert.NotContains(t, ae.Message, "x()")
	assert.NotContains(t, ae.Message, "TITLE")
	assert.Equal(t, strings.ToValidUTF8(ae.Message, "?"), ae.Message, "valid UTF-8")
}

// withoutV24 marks the counts that API v24 added as absent (-1), for the
// answers that do not carry them.
func withoutV24(l client.Limits) client.Limits {
	l.AuthTokenRemaining, l.GlobalLimit, l.RouteLimit, l.AuthTokenLimit = -1, -1, -1, -1
	return l
}
