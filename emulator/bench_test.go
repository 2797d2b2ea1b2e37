package emulator

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// BenchmarkMAUBySDK30Days measures generating a 30-day daily MAU answer
// grouped by SDK (validation, generation and JSON encoding).
func BenchmarkMAUBySDK30Days(b *testing.B) {
	e := New(Options{Now: fixedClock(testNow)})
	ep := client.Lookup("getMauUsage")
	args := url.Values{"groupby": {"sdk"}, "from": {ms(testNow.AddDate(0, 0, -30))}}
	benchAnswer(b, e, ep, nil, args)
}

// benchAnswer measures parsing and answering one request, and reports the
// size of the answer.
func benchAnswer(b *testing.B, e *Emulator, ep *client.Endpoint, path map[string]string, args url.Values) {
	b.ReportAllocs()
	var size int
	for b.Loop() {
		q, aerr := e.parse(ep, path, args, testNow)
		if aerr != nil {
			b.Fatal(aerr.message)
		}
		body, aerr := e.answer(q)
		if aerr != nil {
			b.Fatal(aerr.message)
		}
		size = len(body)
	}
	b.ReportMetric(float64(size), "bytes/answer")
}

// BenchmarkServeHTTP measures a whole request through the handler.
func BenchmarkServeHTTP(b *testing.B) {
	e := New(Options{Now: fixedClock(testNow)})
	req := httptest.NewRequest("GET", "/api/v2/usage/mau?groupby=sdk&from="+ms(testNow.AddDate(0, 0, -30)), nil)
	req.Header.Set("Authorization", DemoKey)
	req.Header.Set("LD-API-Version", "beta")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}

// BenchmarkNew measures construction (the --demo server's start-up cost).
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		_ = New(Options{Now: time.Now})
	}
}

// BenchmarkYearDaily measures 365-day daily answers with a few dozen series,
// one per kind of figure the model draws (unique month to date, unique
// rolling 30 days, counts month to date in hundredths, levels).
func BenchmarkYearDaily(b *testing.B) {
	e := New(Options{Now: fixedClock(testNow)})
	from := testNow.AddDate(0, 0, -364)
	for _, tc := range []struct{ name, op, query string }{
		{"unique-mtd", "getContextsTotalUsage", "groupBy=sdkName&groupBy=environmentId"},
		{"unique-rolling", "getMAUTotalUsage", "aggregationType=rolling_30d&groupBy=sdkName&groupBy=environmentId"},
		{"count-mtd", "getServiceConnectionsUsage", "groupBy=sdkName&groupBy=sdkVersion&groupBy=environmentId"},
		{"level", "getStreamUsageBySdkVersion", ""},
	} {
		b.Run(tc.name, func(b *testing.B) {
			ep := client.Lookup(tc.op)
			args, _ := url.ParseQuery(tc.query)
			args.Set("from", ep.Unit.Format(from))
			path := map[string]string{"source": "client"}
			benchAnswer(b, e, ep, path, args)
		})
	}
}
