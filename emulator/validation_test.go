package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestAuthAndBetaHeader(t *testing.T) {
	forModes(t, Options{Now: fixedClock(testNow)}, func(t *testing.T, e *Emulator, base string, c *http.Client) {
		const path = "/api/v2/usage/mau"
		cases := []struct {
			name   string
			hdr    map[string]string
			status int
			body   string
		}{
			{"no token", map[string]string{"LD-API-Version": "beta"}, 401, `{"code":"unauthorized","message":"Invalid access token"}`},
			{"bearer prefix", map[string]string{"Authorization": "Bearer " + DemoKey, "LD-API-Version": "beta"}, 401, `{"code":"unauthorized","message":"Invalid access token"}`},
			{"sdk key", map[string]string{"Authorization": "sdk-0000", "LD-API-Version": "beta"}, 401, `{"code":"unauthorized","message":"Invalid access token"}`},
			{"mobile key", map[string]string{"Authorization": "mob-0000", "LD-API-Version": "beta"}, 401, `{"code":"unauthorized","message":"Invalid access token"}`},
			{"client-side id", map[string]string{"Authorization": "5f1e0c0d0a0b0c0d0e0f0a0b", "LD-API-Version": "beta"}, 401, `{"code":"unauthorized","message":"Invalid access token"}`},
			{"no beta header", map[string]string{"Authorization": DemoKey}, 403, "{\"message\":\"This API is in beta. To use it, your request must include the header `LD-API-Version: beta`.\"}"},
			{"wrong beta header", map[string]string{"Authorization": DemoKey, "LD-API-Version": "20240415"}, 403, "{\"message\":\"This API is in beta. To use it, your request must include the header `LD-API-Version: beta`.\"}"},
			{"any api- token", map[string]string{"Authorization": "api-1234", "LD-API-Version": "beta"}, 200, ""},
			{"demo key", okHeaders, 200, ""},
		}
		for _, tc := range cases {
			a, err := send(context.Background(), c, http.MethodGet, base+path, tc.hdr)
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if a.status != tc.status {
				t.Errorf("%s: status %d, want %d: %.300s", tc.name, a.status, tc.status, a.body)
			}
			if tc.body != "" && string(a.body) != tc.body {
				t.Errorf("%s: body %s, want %s", tc.name, a.body, tc.body)
			}
		}
		// Every request was recorded, with its headers.
		reqs := e.Requests()
		if len(reqs) != len(cases) || e.Count() != len(cases) {
			t.Fatalf("recorded %d requests (Count %d), want %d", len(reqs), e.Count(), len(cases))
		}
		last := reqs[len(reqs)-1]
		if last.Method != "GET" || last.Path != path || last.Header.Get("Authorization") != DemoKey || last.Header.Get("LD-API-Version") != "beta" {
			t.Errorf("last recorded request %+v", last)
		}
		if !last.At.Equal(testNow) {
			t.Errorf("recorded at %v, want the emulator's clock %v", last.At, testNow)
		}
		e.ResetRequests()
		if len(e.Requests()) != 0 || e.Count() != 0 {
			t.Errorf("ResetRequests left %d requests, Count %d", len(e.Requests()), e.Count())
		}
	})
}

func TestConfiguredKeys(t *testing.T) {
	e := New(Options{Now: fixedClock(testNow), Keys: []string{"api-right"}})
	c := &http.Client{Transport: e.Transport()}
	for key, want := range map[string]int{"api-right": 200, "api-wrong": 401, DemoKey: 200, "": 401} {
		a, err := send(context.Background(), c, "GET", "http://x/api/v2/usage/mau", map[string]string{"Authorization": key, "LD-API-Version": "beta"})
		if err != nil {
			t.Fatal(err)
		}
		if a.status != want {
			t.Errorf("key %q: status %d, want %d", key[:min(len(key), 5)], a.status, want)
		}
	}
}

func TestRoutingErrors(t *testing.T) {
	forModes(t, Options{Now: fixedClock(testNow)}, func(t *testing.T, e *Emulator, base string, c *http.Client) {
		for _, p := range []string{"/api/v2/usage/nope", "/api/v2/usage/mau/", "/api/v2/flags/default", "/api/v2/usage/streams/client/bysdkversion/extra", "/"} {
			a := get(t, c, base, p)
			if a.status != 404 || string(a.body) != `{"code":"not_found","message":"Invalid resource identifier"}` {
				t.Errorf("%s: %d %s", p, a.status, a.body)
			}
		}
		for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
			a, err := send(context.Background(), c, m, base+"/api/v2/usage/mau", okHeaders)
			if err != nil {
				t.Fatal(err)
			}
			if a.status != http.StatusMethodNotAllowed || a.header.Get("Allow") != "GET" {
				t.Errorf("%s: %d (Allow %q)", m, a.status, a.header.Get("Allow"))
			}
		}
		// Path parameters are unescaped: a flag key with a slash escaped.
		if a := get(t, c, base, "/api/v2/usage/evaluations/web-app/production/a%2Fb"); a.status != 200 {
			t.Errorf("escaped flag key: %d %s", a.status, a.body)
		}
	})
}

func TestValidation(t *testing.T) {
	now := testNow
	cases := []struct {
		name, path string
		status     int
		code, msg  string // msg is a substring
	}{
		{"stream source", "/api/v2/usage/streams/browser", 404, "not_found", "Stream source not found"},
		{"stream source bysdkversion", "/api/v2/usage/streams/mobile/bysdkversion", 404, "not_found", "Stream source not found"},
		{"stream source sdkversions", "/api/v2/usage/streams/x/sdkversions", 404, "not_found", "Stream source not found"},
		{"event type", "/api/v2/usage/events/sent", 404, "not_found", ""},
		{"enum sdktype", "/api/v2/usage/mau?sdktype=mobile", 400, "invalid_request", "sdktype"},
		{"enum groupby", "/api/v2/usage/mau?groupby=flag", 400, "invalid_request", "groupby"},
		{"enum aggregationType", "/api/v2/usage/mau?aggregationType=incremental", 400, "invalid_request", "aggregationType"},
		{"enum groupBy newer", "/api/v2/usage/total-mau?groupBy=sdk", 400, "invalid_request", "groupBy"},
		{"enum anonymous", "/api/v2/usage/mau?anonymous=maybe", 400, "invalid_request", "anonymous"},
		{"enum destination", "/api/v2/usage/warehouse-export?destination=s3", 400, "invalid_request", "destination"},
		{"enum mau/sdks sdktype", "/api/v2/usage/mau/sdks?sdktype=both", 400, "invalid_request", "sdktype"},
		{"granularity", "/api/v2/usage/total-mau?granularity=weekly", 400, "invalid_request", "granularity"},
		{"environmentKey alone", "/api/v2/usage/data-export-events?environmentKey=production", 400, "invalid_request", "projectKey"},
		{"environmentKey alone newer", "/api/v2/usage/total-contexts?environmentKey=production", 400, "invalid_request", "projectKey"},
		{"environmentKey alone units", "/api/v2/usage/experimentation-units?environmentKey=production", 400, "invalid_request", "projectKey"},
		{"environment without project", "/api/v2/usage/mau?environment=production", 400, "invalid_request", "project"},
		{"environment with two projects", "/api/v2/usage/mau?environment=production&project=web-app&project=payments", 400, "invalid_request", "project"},
		{"from not a number", "/api/v2/usage/mau?from=yesterday", 400, "invalid_request", "from"},
		{"to not a number", "/api/v2/usage/mau?to=2026-11-01", 400, "invalid_request", "to"},
		{"from in seconds where ms", "/api/v2/usage/mau?from=" + sec(now.AddDate(0, 0, -3)), 400, "invalid_request", "milliseconds"},
		{"from in ms where seconds", "/api/v2/usage/serverside-contexts?from=" + ms(now.AddDate(0, 0, -3)), 400, "invalid_request", "seconds"},
		{"from after to", "/api/v2/usage/mau?from=" + ms(now.AddDate(0, 0, -3)) + "&to=" + ms(now.AddDate(0, 0, -5)), 400, "invalid_request", "after"},
		{"range over 365 days, interval endpoint", "/api/v2/usage/data-export-events?from=" + ms(now.AddDate(0, 0, -366)), 400, "invalid_request", "365 days"},
		{"granularity banana", "/api/v2/usage/data-export-events?granularity=banana", 400, "invalid_request", "granularity"},
		{"hourly with rolling_30d", "/api/v2/usage/total-mau?aggregationType=rolling_30d&granularity=hourly", 400, "invalid_request", "granularity"},
		{"monthly with incremental", "/api/v2/usage/ai-runs?aggregationType=incremental&granularity=monthly", 400, "invalid_request", "granularity"},
		{"range over 31 days in seconds", "/api/v2/usage/experimentation-units?from=" + sec(now.AddDate(0, 0, -32)) + "&to=" + sec(now), 400, "invalid_request", "31 days"},
		{"range over 365 days", "/api/v2/usage/total-mau?from=" + ms(now.AddDate(-1, 0, -2)), 400, "invalid_request", "365 days"},

		// the account's 56 place versions and a synthetic project's: some 80 series of 8,736 hours
		{"too many points", "/api/v2/usage/service-connections?granularity=hourly&groupBy=projectId&groupBy=environmentId&groupBy=sdkName&groupBy=sdkVersion&projectKey=web-app&projectKey=mobile-app&projectKey=payments&projectKey=more-services&from=" + ms(now.AddDate(0, 0, -364)), 400, "invalid_request", "too many"},

		{"many points daily", "/api/v2/usage/total-contexts?groupBy=projectId&groupBy=environmentId&groupBy=sdkName&groupBy=anonymousV2&from=" + ms(now.AddDate(0, 0, -364)), 200, "", ""},
		{"unknown query keys ignored", "/api/v2/usage/mau?foo=bar&limit=3", 200, "", ""},
		{"environment with one project", "/api/v2/usage/mau?environment=production&project=web-app", 200, "", ""},
		{"environmentKey with projectKey", "/api/v2/usage/data-export-events?projectKey=web-app&environmentKey=production", 200, "", ""},
		{"range of 60 days", "/api/v2/usage/data-export-events?from=" + ms(now.AddDate(0, 0, -60)) + "&to=" + ms(now), 200, "", ""},
		{"seconds where seconds", "/api/v2/usage/serverside-contexts?from=" + sec(now.AddDate(0, 0, -3)), 200, "", ""},
		{"from equals to", "/api/v2/usage/mau?from=" + ms(now.AddDate(0, 0, -3)) + "&to=" + ms(now.AddDate(0, 0, -3)), 200, "", ""},
		{"invalid tz is ignored", "/api/v2/usage/streams/client?tz=Mars/Olympus", 200, "", ""},
	}
	forModes(t, Options{Now: fixedClock(now)}, func(t *testing.T, e *Emulator, base string, c *http.Client) {
		for _, tc := range cases {
			a := get(t, c, base, tc.path)
			if a.status != tc.status {
				t.Errorf("%s: status %d, want %d: %.300s", tc.name, a.status, tc.status, a.body)
				continue
			}
			if tc.status == 200 {
				continue
			}
			code, msg := errBody(t, a.body)
			if code != tc.code || !strings.Contains(msg, tc.msg) {
				t.Errorf("%s: %s %q, want %s containing %q", tc.name, code, msg, tc.code, tc.msg)
			}
		}
	})
}

func TestMalformedRequests(t *testing.T) {
	e := New(Options{Now: fixedClock(testNow)})
	for _, target := range []string{
		"/api/v2/usage/evaluations/%zz/production/f",
		"/api/v2/usage/mau?from=%zz",
		"/api/v2/usage/mau?groupby=sdk&groupby=sdk&groupby=",
		"/api/v2/usage/mau?from=99999999999999999999999",
		"/api/v2/usage/mau?from=-1",
		"/api/v2/usage/mau?from=1e12",
		"/api/v2/usage/streams/client?tz=" + strings.Repeat("A/", 500),
		"/api/v2/usage/streams/client?tz=../../etc/passwd",
		"/api/v2/usage//mau",
		"/api/v2/usage/mau?" + strings.Repeat("x=1&", 2000),
	} {
		r := httptest.NewRequest("GET", "http://x/", nil)
		path, query, _ := strings.Cut(target, "?")
		r.URL = &url.URL{Path: path, RawQuery: query}
		r.Header.Set("Authorization", DemoKey)
		r.Header.Set("LD-API-Version", "beta")
		w := httptest.NewRecorder()
		e.ServeHTTP(w, r)
		if !json.Valid(w.Body.Bytes()) || (w.Code != 200 && w.Code != 400 && w.Code != 404) {
			t.Errorf("%.60s: %d %.200s", target, w.Code, w.Body.Bytes())
		}
	}
}
