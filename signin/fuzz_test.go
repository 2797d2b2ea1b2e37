package signin

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzAuthorizeRedirectsOnlyToRegistered: whatever the authorization
// request, the server answers no 5xx and redirects, if at all, only to the
// client's registered redirect URI.
func FuzzAuthorizeRedirectsOnlyToRegistered(f *testing.F) {
	const registered = "http://127.0.0.1:9/cb"
	s, err := New(Config{PublicURL: "http://127.0.0.1:1", ClientID: "c", ClientSecret: "s", ServerURL: "http://127.0.0.1:2"})
	if err != nil {
		f.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, PathRegister, strings.NewReader(`{"redirect_uris":["`+registered+`"]}`))
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		f.Fatal(rec.Body.String())
	}
	id := strings.Split(strings.Split(rec.Body.String(), `"client_id":"`)[1], `"`)[0]

	f.Add(true, "redirect_uri="+url.QueryEscape(registered)+"&response_type=code&code_challenge=abc&code_challenge_method=S256&state=x")
	f.Add(true, "redirect_uri=https://evil.example/&response_type=token")
	f.Add(false, "client_id=x&redirect_uri="+url.QueryEscape(registered))
	f.Add(true, "redirect_uri="+url.QueryEscape(registered)+"&redirect_uri=https://evil.example/&state=https://evil.example")
	f.Fuzz(func(t *testing.T, known bool, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		if known {
			q.Set("client_id", id)
		} else if strings.Contains(strings.ToLower(q.Get("client_id")), "http") {
			q.Set("client_id", "not-a-document") // no network in a fuzzer
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, PathAuthorize+"?"+q.Encode(), nil))
		if rec.Code >= 500 {
			t.Fatalf("HTTP %d for %q", rec.Code, q.Encode())
		}
		if loc := rec.Header().Get("Location"); loc != "" && !strings.HasPrefix(loc, registered+"?") {
			t.Fatalf("redirected to %q for %q", loc, q.Encode())
		}
	})
}
